/** The base of every endpoint: state, counters, connections, the traffic log and the hot receive path. */
import type { CaptureSpec } from '../../shared/commandArgs';
import { SocketLabError, errorFields } from '../../shared/errors';
import type { FramingSpec } from '../../shared/framing';
import type {
  AutoReplyRuleOff,
  ConnectionInfo,
  EndpointInfo,
  EndpointKind,
  EndpointState,
  RelayDirection,
  SocketAddressInfo,
  TrafficRecord,
} from '../../shared/model';
import { endpointName, formatAddress } from '../../shared/naming';
import type { AutoReplyFn } from '../autoReply';
import { CaptureFileWriter, CaptureWriter } from '../capture';
import type { OpenedCaptureFile } from '../captureFile';
import { PcapngCaptureWriter } from '../pcap/pcapngCapture';
import { Disposable } from '../lifecycle';
import { toSocketLabError } from '../systemErrors';
import type { FrameInfo } from '../framing/deframer';
import { TrafficLog } from '../trafficLog';
import { Connection } from './connection';
import { ReplyCollector, type CollectedReply } from './replyCollector';

/** Where an endpoint reports what happens; implemented by SocketLab (which owns the public events). */
export interface EndpointSink {
  /** State, connections or settings changed (never called per chunk). */
  changed(endpointId: string): void;
  /** One record was logged. */
  traffic(endpointId: string, record: TrafficRecord): void;
  /** The endpoint (connectionId undefined) or one of its connections closed. */
  closed(endpointId: string, connectionId?: string): void;
}

/** Settings every endpoint shares. */
export interface EndpointCommonOptions {
  id: string;
  sink: EndpointSink;
  logCapBytes?: number;
  autoReply?: AutoReplyFn;
  /** TCP/Unix: how what arrives is cut into records (checked by the registry; UDP never gets one). */
  framing?: FramingSpec;
}

/** Closed connections kept in `connections` so the user still sees them; older ones are forgotten. */
export const MAX_CLOSED_CONNECTIONS_KEPT = 100;

/** Where a send goes: one connection/peer, all of a listener's connections, or an explicit UDP address. */
export interface SendTarget {
  connectionId?: string;
  to?: { address: string; port: number };
  /** Relays: which side of the pair the payload is injected toward. */
  direction?: RelayDirection;
}

/** How long to wait: 'flushed' = until the OS took the data (plain send); 'accepted' = only on backpressure (repeats). */
export type SendMode = 'flushed' | 'accepted';

/** What a burst of sends did: how many were handed to the OS and succeeded, and the first error. */
export interface BurstResult {
  sent: number;
  bytes: number;
  error?: unknown;
}

/** Base of all endpoints. Subclasses open the socket in start() and implement send(). */
export abstract class Endpoint extends Disposable {
  abstract readonly kind: EndpointKind;

  /**
   * The name users see for this endpoint, as the Sockets view shows it ('TCP 127.0.0.1:8880',
   * 'TCP → 10.0.0.5:80', 'UDP 0.0.0.0:9000', 'Unix /tmp/lab.sock'); the id until it has an address.
   * Sentences name endpoints by it: users never see ids like 'e1' elsewhere.
   */
  get displayName(): string {
    return endpointName(this);
  }
  readonly id: string;
  state: EndpointState = 'connecting';
  local?: SocketAddressInfo;
  remote?: SocketAddressInfo;
  /** The host name the user gave, when it was not an address. */
  host?: string;
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  error?: SocketLabError;
  readonly log: TrafficLog;
  /** The compiled auto-reply; set it with setAutoReply(), which also forgets the rules switched off. */
  autoReply?: AutoReplyFn;
  /** The capture writing this endpoint's records to a file, while one is set (it may have stopped writing). */
  capture?: CaptureFileWriter;
  /** Rules of the current auto-reply that were switched off, and why. */
  private _rulesOff: AutoReplyRuleOff[] = [];
  protected readonly sink: EndpointSink;
  protected readonly connections = new Map<string, Connection>();
  private readonly _closedOrder: string[] = [];
  private readonly _collectors = new Set<ReplyCollector>();
  private _nextConnection = 1;

  constructor(options: EndpointCommonOptions) {
    super();
    this.id = options.id;
    this.sink = options.sink;
    this.log = new TrafficLog(options.logCapBytes);
    this.autoReply = options.autoReply;
  }

  /** Opens the socket; rejects with a SocketLabError and leaves nothing open on failure. */
  abstract start(): Promise<void>;

  /** Sends `data` to `target`; resolves with the bytes handed to the OS. */
  abstract send(target: SendTarget, data: Uint8Array, mode?: SendMode): Promise<number>;

  /**
   * Sends `data` to `target` `count` times back to back, settling once all have reported (endpoints whose
   * sends are independent datagrams implement it; a repeat with interval 0 then sends a burst at a time).
   */
  sendBurst?(target: SendTarget, data: Uint8Array, count: number): Promise<BurstResult>;

  /** Throws when a send to `target` cannot work now (checked before a repeat starts); default: nothing to check. */
  checkTarget(_target: SendTarget): void {}

  /** The snapshot list() returns; O(connections), no per-record work. */
  info(): EndpointInfo {
    const connections: ConnectionInfo[] = [];
    for (const c of this.connections.values()) {
      if (c.recordId !== undefined) connections.push(c.info());
    }
    const info: EndpointInfo = {
      id: this.id,
      kind: this.kind,
      state: this.state,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
      dropped: this.log.dropped,
      connections,
    };
    if (this.local) info.local = this.local;
    if (this.remote) info.remote = this.remote;
    if (this.host !== undefined) info.host = this.host;
    if (this.error) {
      Object.assign(info, errorFields(this.error));
      info.errorCode = this.error.code;
    }
    if (this.capture) {
      const c = this.capture;
      info.capturePath = c.spec.path;
      info.captureFormat = c.spec.format;
      info.captureBytes = c.bytes;
      info.captureMaxBytes = c.spec.maxBytes;
      if (c.lost) info.captureLost = c.lost;
      if (c.stopped) {
        const { error, errorTemplate, errorValues } = errorFields(c.stopped);
        info.captureStopped = error;
        if (errorTemplate) info.captureStoppedTemplate = errorTemplate;
        if (errorValues) info.captureStoppedValues = errorValues;
      }
    }
    const framing = this.framingSpec();
    if (framing) info.framing = { ...framing };
    if (this._rulesOff.length) info.autoReplyRulesOff = this._rulesOff.map((r) => ({ ...r }));
    this.addInfo(info);
    return info;
  }

  /** Lets subclasses add their own fields to info(). */
  protected addInfo(_info: EndpointInfo): void {}

  /** How received bytes are cut into records, for endpoints that frame (TCP/Unix); undefined for datagrams. */
  protected framingSpec(): FramingSpec | undefined {
    return undefined;
  }

  /** A connection or peer by id, if this endpoint has it. */
  connection(id: string): Connection | undefined {
    return this.connections.get(id);
  }

  /** Replaces the auto-reply (undefined: none); rules switched off before are on again. */
  setAutoReply(autoReply: AutoReplyFn | undefined): void {
    this.autoReply = autoReply;
    this._rulesOff = [];
    this.sink.changed(this.id);
  }

  /**
   * What the auto-reply reports while it runs: a rule switched off is kept for info() and shown at once;
   * anything else (a slow message, a reply it could not encode) concerns one message only.
   */
  autoReplyProblem(error: SocketLabError): void {
    if (error.code !== 'autoReplyRuleOff' || this.isDisposed) return;
    const rule = Number(error.values.rule);
    if (this._rulesOff.some((r) => r.rule === rule)) return;
    this._rulesOff.push({ rule, errorCode: error.code, ...errorFields(error) });
    this.sink.changed(this.id);
  }

  /**
   * Starts capturing into `file` (opened by openCaptureFile for `spec`), replacing any capture; called once
   * the socket is open, so the pcapng header names the endpoint by its address.
   */
  attachCapture(spec: CaptureSpec, file: OpenedCaptureFile): void {
    this.capture?.dispose();
    const onStop = () => this.sink.changed(this.id);
    this.capture =
      spec.format === 'pcapng'
        ? new PcapngCaptureWriter(spec, file, { endpoint: () => this, connection: (id) => this.connection(id) }, onStop)
        : new CaptureWriter(spec, file, onStop);
    this.sink.changed(this.id);
  }

  /** Stops capturing (the file is flushed and closed); resolves once it is closed. */
  detachCapture(): Promise<void> {
    const capture = this.capture;
    if (!capture) return Promise.resolve();
    this.capture = undefined;
    capture.dispose();
    this.sink.changed(this.id);
    return capture.closed();
  }

  /** One side of the stream of `c` closed: its FIN or RST goes into a pcapng capture. */
  protected captureClose(c: Connection, side: 'local' | 'remote', kind: 'fin' | 'rst'): void {
    this.capture?.close(c.recordId, side, kind);
  }

  /** Closes one connection (TCP/Unix: destroys it; UDP peer: forgets it). */
  closeConnection(connectionId: string): void {
    const c = this.connections.get(connectionId);
    if (!c) {
      throw SocketLabError.create('unknownId', 'There is no connection {id}.', { id: connectionId });
    }
    if (c.socket) {
      c.socket.destroy();
    } else {
      this.connections.delete(connectionId);
      this.sink.closed(this.id, connectionId);
      this.sink.changed(this.id);
    }
  }

  /** Half-closes (sends FIN on) one connection or the client's socket; it can still receive. */
  halfClose(connectionId?: string): void {
    const c = connectionId === undefined ? this.ownConnection() : this.connections.get(connectionId);
    if (!c?.socket) {
      throw SocketLabError.create('notAStream', '{id} is not a TCP or Unix stream; only streams can be half-closed.', {
        id: connectionId ?? this.id,
      });
    }
    if (c.state === 'connected' && !c.localEnded) {
      c.localEnded = true;
      c.socket.end();
      this.captureClose(c, 'local', 'fin');
      this.sink.changed(this.id);
    }
  }

  /** The client's own connection (clients override). */
  protected ownConnection(): Connection | undefined {
    return undefined;
  }

  /**
   * Send-and-wait: collects what arrives (on one connection, or anywhere on this endpoint) for `waitMs`, until
   * the peer finishes or it closes, until the reply limit, or (framing on) until the first complete frame.
   */
  collect(connectionId: string | undefined, waitMs: number): { result: Promise<CollectedReply>; cancel: () => void } {
    const collector = new ReplyCollector(
      connectionId,
      waitMs,
      () => isFraming(this.framingSpec()),
      (done) => this._collectors.delete(done),
    );
    this._collectors.add(collector);
    return { result: collector.result, cancel: () => collector.finish() };
  }

  /** Creates and registers a connection with the next id ('<endpointId>.c3' / '.p3'). */
  protected addConnection(prefix: 'c' | 'p', remote: SocketAddressInfo, label?: (id: string) => string): Connection {
    const id = `${this.id}.${prefix}${this._nextConnection++}`;
    const c = new Connection(id, remote, label ? label(id) : formatAddress(remote), id);
    this.connections.set(id, c);
    return c;
  }

  /** The hot receive path: counters, one log append (small data copied into its ring), one event, capture, collectors. O(1). */
  protected received(c: Connection, data: Uint8Array): void {
    const n = data.byteLength;
    c.bytesIn += n;
    c.messagesIn++;
    this.bytesIn += n;
    this.messagesIn++;
    const record: TrafficRecord = { time: Date.now(), direction: 'in', peer: c.label, data, connectionId: c.recordId };
    this._logReceived(c, record);
    if (this._collectors.size) {
      for (const col of this._collectors) if (col.wants(c.id)) col.read(data);
    }
  }

  /**
   * One frame of a framed stream: a record with its frame info, counted as a message (its bytes were
   * counted when they were read, see readFramed). Collectors waiting for a frame take it.
   */
  protected frameReceived(c: Connection, data: Uint8Array, info: Readonly<FrameInfo>): void {
    c.messagesIn++;
    this.messagesIn++;
    const record: TrafficRecord = { time: Date.now(), direction: 'in', peer: c.label, data, connectionId: c.recordId };
    if (info.truncated) record.truncated = true;
    if (info.partial) record.partial = true;
    if (info.delimiterBytes) record.delimiterBytes = info.delimiterBytes;
    if (info.headerBytes) record.headerBytes = info.headerBytes;
    this._logReceived(c, record);
    if (this._collectors.size) {
      for (const col of [...this._collectors]) if (col.wants(c.id)) col.frame(data, info);
    }
  }

  /** A read of a framed stream, before the deframer cuts it: counted in bytes, and kept by waiting collectors. */
  protected readFramed(c: Connection, chunk: Uint8Array): void {
    const n = chunk.byteLength;
    c.bytesIn += n;
    this.bytesIn += n;
    if (this._collectors.size) {
      for (const col of [...this._collectors]) if (col.wants(c.id)) col.read(chunk);
    }
  }

  /** Logs a received record, tells the sink and captures it (pausing the stream while the disk falls behind). */
  private _logReceived(c: Connection, record: TrafficRecord): void {
    c.lastInAt = record.time;
    this.log.append(record);
    this.sink.traffic(this.id, record);
    if (this.capture && !this.capture.write(record) && c.socket && !c.pausedForCapture) {
      // The disk fell behind: stop reading this stream until the capture drains, so nothing is lost.
      c.pausedForCapture = true;
      c.socket.pause();
      this.capture.onDrain(() => {
        c.pausedForCapture = false;
        if (!c.pausedForReply) c.socket?.resume();
      });
    }
  }

  /** Counts and logs what was handed to the OS for `c` (`byAutoReply`: the auto-reply sent it). */
  protected sent(c: Connection, data: Uint8Array, byAutoReply = false): void {
    const n = data.byteLength;
    c.bytesOut += n;
    c.messagesOut++;
    this.bytesOut += n;
    this.messagesOut++;
    const record: TrafficRecord = { time: Date.now(), direction: 'out', peer: c.label, data, connectionId: c.recordId };
    c.lastOutAt = record.time;
    if (byAutoReply) record.autoReply = true;
    this.log.append(record);
    this.sink.traffic(this.id, record);
    this.capture?.write(record);
  }

  /** Runs the auto-reply for `data`; returns the reply bytes or undefined. Never throws. */
  protected replyFor(data: Uint8Array): Uint8Array | undefined {
    try {
      return this.autoReply!(data);
    } catch {
      return undefined;
    }
  }

  /** The peer of `c` sent FIN: nothing more will arrive, so send-and-wait on it can return at once. */
  protected peerFinished(c: Connection): void {
    for (const col of [...this._collectors]) {
      if (col.connectionId === c.id || (c.recordId === undefined && col.connectionId === undefined)) col.finish();
    }
  }

  /** Marks a connection closed, ends collectors waiting on it, keeps the last few closed ones. */
  protected connectionClosed(c: Connection): void {
    if (c.state === 'closed') return;
    c.state = 'closed';
    c.closedAt = Date.now();
    c.socket = undefined;
    if (this.isDisposed) return;
    for (const col of [...this._collectors]) {
      if (col.connectionId === c.id) col.finish();
    }
    if (c.recordId !== undefined) {
      this._closedOrder.push(c.id);
      while (this._closedOrder.length > MAX_CLOSED_CONNECTIONS_KEPT) {
        this.connections.delete(this._closedOrder.shift()!);
      }
    }
    this.sink.closed(this.id, c.id);
    this.sink.changed(this.id);
  }

  /** The endpoint stopped working: state 'error' (with `err`) or 'closed' (with an optional reason). */
  protected endpointEnded(state: 'closed' | 'error', err?: SocketLabError): void {
    if (this.state === 'closed' || this.state === 'error') return;
    this.state = state;
    if (err) this.error = err;
    for (const col of [...this._collectors]) col.finish();
    this.sink.closed(this.id);
    this.sink.changed(this.id);
  }

  /** Marks the endpoint failed without closing (e.g. an ICMP error on a connected UDP socket). */
  protected endpointFailed(err: SocketLabError): void {
    this.state = 'error';
    this.error = err;
    this.sink.changed(this.id);
  }

  /** Maps any error to a SocketLabError naming this endpoint's remote or local address. */
  protected mapError(err: unknown, operation: string, at?: SocketAddressInfo, datagram = false) {
    const a = at ?? this.remote ?? this.local;
    return toSocketLabError(
      err,
      a
        ? 'path' in a
          ? { operation, path: a.path }
          : { operation, address: a.address, port: a.port, datagram }
        : { operation, datagram },
    );
  }

  override dispose(): void {
    if (this.isDisposed) return;
    for (const col of [...this._collectors]) col.finish();
    this.capture?.dispose();
    super.dispose();
    if (this.state !== 'error') this.state = 'closed';
    this.sink.closed(this.id);
  }
}

/** True when `spec` cuts reads into frames (anything but none). */
export function isFraming(spec: FramingSpec | undefined): boolean {
  return spec !== undefined && spec.mode !== 'none';
}
