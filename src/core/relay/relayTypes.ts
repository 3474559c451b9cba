/**
 * The relay's shapes: its options, a snapshot of one client/upstream pair (or UDP session), and the events
 * a host turns into tree rows and log lines. A relay's TrafficLog records the client's side of each pair:
 * direction 'in' is client → upstream, 'out' is upstream → client.
 */
import type { ErrorValues, SocketLabError } from '../../shared/errors';
import type { RelayDirection, SocketAddressInfo } from '../../shared/model';
import type { TlsInfo } from '../../shared/tls';
import type { TlsServerOptions } from '../tls/accept';
import type { StreamTarget, TlsClientOptions } from '../tls/connect';

export type { RelayDirection };

/** Where a stream relay listens: an address (already resolved) and port, or a Unix path. */
export type RelayListen = { address: string; port: number } | { path: string };

/** Options of a TCP/Unix relay, plain or TLS on either side. */
export interface StreamRelayOptions {
  id: string;
  listen: RelayListen;
  /** The upstream server: a host (name or address) and port, or a Unix path. */
  upstream: StreamTarget;
  /** TLS toward clients: the relay presents this certificate (see certificates.ts for a generated one). */
  tlsListen?: TlsServerOptions;
  /**
   * TLS toward the upstream server. With TLS on both sides, each upstream connection asks for the SNI name
   * and the ALPN list of its client's ClientHello, and the client gets the protocol the upstream chose.
   */
  tlsUpstream?: TlsClientOptions;
  /** True when tlsUpstream.servername was named by the user: it is then sent instead of the client's SNI. */
  upstreamServernameFixed?: boolean;
  /** Gives up on the upstream (and resets the client) when it is not connected by then (ms). */
  connectTimeoutMs: number;
  /** Time a client has to finish the TLS handshake (ms); defaults to connectTimeoutMs. */
  handshakeTimeoutMs?: number;
  backlog?: number;
  /** Byte cap of the relay's traffic log. */
  logCapBytes?: number;
}

/** Options of a UDP relay. */
export interface UdpRelayOptions {
  id: string;
  /** The address (already resolved) and port to listen on. */
  listen: { address: string; port: number };
  /** The upstream server; a host name is resolved once, at start. */
  upstream: { host: string; port: number };
  /** A session silent both ways this long is closed (ms). */
  idleTimeoutMs?: number;
  /** Most sessions at once. */
  maxSessions?: number;
  logCapBytes?: number;
}

/** One client and its upstream connection (stream relay), or one client address and its upstream socket (UDP). */
export interface RelayPairInfo {
  /** '<relay id>.cN'. */
  id: string;
  /** The client, as the relay sees it. */
  client: SocketAddressInfo;
  /** The relay's own end of the upstream connection (its local port tells it apart in the server's logs). */
  upstreamLocal?: SocketAddressInfo;
  state: 'connecting' | 'open' | 'closed';
  bytesToUpstream: number;
  bytesToClient: number;
  /** Chunks (stream) or datagrams (UDP) each way. */
  messagesToUpstream: number;
  messagesToClient: number;
  /** The client half-closed (its FIN was passed on to the upstream). */
  clientEnded?: boolean;
  /** The upstream half-closed (its FIN was passed on to the client). */
  upstreamEnded?: boolean;
  /** Which side reset the connection (the relay reset the other side too). */
  resetBy?: 'client' | 'upstream';
  /** The failure that ended the pair, as a clear sentence, its template and values. */
  error?: string;
  errorCode?: string;
  errorTemplate?: string;
  errorValues?: ErrorValues;
  /** TLS sessions: toward the client (we are the server) and toward the upstream (we are the client). */
  tls?: { client?: TlsInfo; upstream?: TlsInfo };
}

/** One chunk or datagram that went through (or was injected into) the relay. */
export interface RelayTap {
  pairId: string;
  direction: RelayDirection;
  /** Epoch milliseconds. */
  time: number;
  /** The chunk itself (not a copy: do not keep or change it beyond the listener). */
  data: Buffer;
  /** Sent by the user with inject(), not by either peer. */
  injected?: boolean;
}

/** What went wrong, and with which pair (none for the relay itself, e.g. a UDP session refused when full). */
export interface RelayFailure {
  pairId?: string;
  error: SocketLabError;
}
