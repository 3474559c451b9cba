/** The options of the registry (socketLab.ts) and the traffic event it fires. */
import type { TrafficRecord } from '../shared/model';
import type { LookupFunction } from './resolveHost';

/** Options of the registry; setOptions() changes them for endpoints opened later. */
export interface SocketLabOptions {
  /** Byte cap of each endpoint's traffic log (default 8 MiB). */
  logCapBytes?: number;
  /** Host used when an argument omits `host` (default '127.0.0.1'). */
  defaultHost?: string;
  /** Connect timeout of TCP/Unix clients when the argument gives none (default 10,000 ms). */
  connectTimeoutMs?: number;
  /**
   * Folder where the TLS CA and certificate Socket Lab generates are kept (the extension passes its
   * workspace storage); default: a 'socket-lab-tls' folder of this user under the system's temp folder.
   */
  tlsFolder?: string;
  /** Connections a TCP/Unix listener keeps at once when its argument gives no maxConnections (default 1,000). */
  maxConnections?: number;
  /** Host name resolver (default dns.lookup); tests inject one so no DNS query leaves the machine. */
  lookup?: LookupFunction;
  /** Told when an event listener throws (the emitters keep going); fixed at construction. */
  onListenerError?: (err: unknown) => void;
}

/** One traffic record of one endpoint, as onDidTraffic fires it. */
export interface TrafficEvent {
  endpointId: string;
  record: TrafficRecord;
}
