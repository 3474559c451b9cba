/**
 * The registry of endpoints the host wraps: typed commands in (parsed at runtime, since direct callers and
 * the public API pass unknown data), EndpointInfo snapshots and events out. It opens, stops, restarts and
 * lists endpoints; sending and repeats are in sending.ts.
 */
import type { AutoReplySpec } from '../shared/autoReplySpec';
import {
  parseCaptureSpec,
  parseNonEmptyString,
  type CaptureSpec,
  type ConnectTcpArgs,
  type ConnectUnixArgs,
  type IdArgs,
  type MulticastArgs,
  type OpenUdpClientArgs,
  type SendArgs,
  type SendFileArgs,
  type SetBroadcastArgs,
  type StartTcpListenerArgs,
  type StartUdpListenerArgs,
  type StartUnixListenerArgs,
  type StopRepeatArgs,
} from '../shared/commandArgs';
import { SocketLabError } from '../shared/errors';
import { DEFAULT_LOG_CAP_BYTES, MAX_CONNECTIONS_DEFAULT } from '../shared/limits';
import type { EndpointInfo, TrafficRecord } from '../shared/model';
import { parseHost, parseMaxConnections, parseTimeoutMs } from '../shared/validate';
import { compileAutoReply } from './autoReply';
import { parseCommandArgs } from './commandArgs';
import { endpointBuilder, type OpenCommand } from './endpointFactory';
import type { Endpoint, EndpointSink } from './endpoints/endpoint';
import { UdpSocket } from './endpoints/udpSocket';
import { Emitter, Event } from './event';
import { Disposable, toDisposable } from './lifecycle';
import type { RepeatInfo } from './repeat';
import { resolveHost, type LookupFunction } from './resolveHost';
import { Sender, type RepeatEndEvent, type SendResult } from './sending';
import { toSocketLabError } from './systemErrors';
import type { TrafficLogView } from './trafficLog';

/** Options of the registry; setOptions() changes them for endpoints opened later. */
export interface SocketLabOptions {
  /** Byte cap of each endpoint's traffic log (default 8 MiB). */
  logCapBytes?: number;
  /** Host used when an argument omits `host` (default '127.0.0.1'). */
  defaultHost?: string;
  /** Connect timeout of TCP/Unix clients when the argument gives none (default 10,000 ms). */
  connectTimeoutMs?: number;
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

interface Entry {
  endpoint: Endpoint;
  /** Opens a fresh endpoint with the same id and settings (start and restart). */
  create: () => Promise<Endpoint>;
  autoReplySpec?: AutoReplySpec;
  capture?: CaptureSpec;
}

/** The registry of all endpoints: start/connect, send, stop, restart, list, traffic and events. */
export class SocketLab extends Disposable {
  private readonly _entries = new Map<string, Entry>();
  private readonly _starting = new Set<Endpoint>();
  private readonly _sender: Sender;
  private _nextEndpoint = 1;
  private _options: Required<Omit<SocketLabOptions, 'lookup' | 'onListenerError'>> & { lookup?: LookupFunction };

  private readonly _onDidChangeEndpoints: Emitter<string>;
  private readonly _onDidTraffic: Emitter<TrafficEvent>;

  /** Fires an endpoint id when its state, connections or settings change, or it is added or removed (never per chunk). */
  readonly onDidChangeEndpoints: Event<string>;
  /** Fires once per logged record (O(1); the host coalesces). */
  readonly onDidTraffic: Event<TrafficEvent>;
  /** Fires when a repeat ends by itself (count reached, send failed, its endpoint or connection closed) or is stopped. */
  readonly onDidEndRepeat: Event<RepeatEndEvent>;

  private readonly _sink: EndpointSink = {
    changed: (id) => this._onDidChangeEndpoints.fire(id),
    traffic: (endpointId, record) => {
      if (this._onDidTraffic.hasListeners) this._onDidTraffic.fire({ endpointId, record });
    },
    closed: (endpointId, connectionId) =>
      this._sender.stopRepeatsOf(connectionId ?? endpointId, connectionId === undefined ? endpointId : undefined),
  };

  constructor(options: SocketLabOptions = {}) {
    super();
    const emitterOptions = { onListenerError: options.onListenerError };
    this._onDidChangeEndpoints = this._register(new Emitter<string>(emitterOptions));
    this._onDidTraffic = this._register(new Emitter<TrafficEvent>(emitterOptions));
    this._sender = this._register(
      new Sender(
        { target: (id) => this._target(id), resolve: (host) => resolveHost(host, this._options.lookup) },
        emitterOptions,
      ),
    );
    this.onDidChangeEndpoints = this._onDidChangeEndpoints.event;
    this.onDidTraffic = this._onDidTraffic.event;
    this.onDidEndRepeat = this._sender.onDidEndRepeat;
    this._options = {
      logCapBytes: DEFAULT_LOG_CAP_BYTES,
      defaultHost: '127.0.0.1',
      connectTimeoutMs: 10000,
      maxConnections: MAX_CONNECTIONS_DEFAULT,
    };
    this.setOptions(options);
    this._register(toDisposable(() => this._closeEverything()));
  }

  /** Changes the cap and defaults for endpoints opened from now on. */
  setOptions(options: SocketLabOptions): void {
    if (options.logCapBytes !== undefined) {
      if (!Number.isSafeInteger(options.logCapBytes) || options.logCapBytes < 0) {
        throw SocketLabError.create('invalidArgument', '{field} must be a whole number of bytes >= 0.', {
          field: 'logCapBytes',
        });
      }
      this._options.logCapBytes = options.logCapBytes;
    }
    if (options.defaultHost !== undefined) this._options.defaultHost = parseHost(options.defaultHost, 'defaultHost');
    if (options.connectTimeoutMs !== undefined)
      this._options.connectTimeoutMs = parseTimeoutMs(options.connectTimeoutMs, 'connectTimeoutMs');
    if (options.maxConnections !== undefined)
      this._options.maxConnections = parseMaxConnections(options.maxConnections, 'maxConnections');
    if (options.lookup !== undefined) this._options.lookup = options.lookup;
  }

  // ---- opening endpoints -------------------------------------------------------------------------

  /** `{ host?, port, backlog?, autoReply?, allowExternal?, capture? }` -> a listening TCP listener. */
  startTcpListener(args: StartTcpListenerArgs): Promise<EndpointInfo> {
    return this._open('startTcpListener', args);
  }

  /** `{ host?, port, broadcast?, multicastGroups?, autoReply?, allowExternal?, capture? }` -> a bound UDP socket. */
  startUdpListener(args: StartUdpListenerArgs): Promise<EndpointInfo> {
    return this._open('startUdpListener', args);
  }

  /** `{ host?, port, timeoutMs?, localAddress?, localPort?, noDelay?, keepAlive?, autoReply?, capture? }` -> a connected TCP client. */
  connectTcp(args: ConnectTcpArgs): Promise<EndpointInfo> {
    return this._open('connectTcp', args);
  }

  /** `{ host?, port, localPort?, autoReply?, capture? }` -> a connected UDP client (ICMP errors reported, `to` refused). */
  openUdpClient(args: OpenUdpClientArgs): Promise<EndpointInfo> {
    return this._open('openUdpClient', args);
  }

  /** `{ path, backlog?, autoReply?, capture? }` -> a Unix-domain listener (a stale socket file is replaced). */
  startUnixListener(args: StartUnixListenerArgs): Promise<EndpointInfo> {
    return this._open('startUnixListener', args);
  }

  /** `{ path, timeoutMs?, autoReply?, capture? }` -> a connected Unix-domain client. */
  connectUnix(args: ConnectUnixArgs): Promise<EndpointInfo> {
    return this._open('connectUnix', args);
  }

  /**
   * Parses the argument of an opening command and opens its endpoint under a new id; the entry keeps how to
   * build it again (restart), with the auto-reply and capture as they are then.
   */
  private async _open(command: OpenCommand, args: unknown): Promise<EndpointInfo> {
    this._checkAlive();
    const a = parseCommandArgs(command, args);
    compileAutoReply(a.autoReply); // validate now: an invalid spec opens nothing
    const build = endpointBuilder(command, a, this._options);
    const id = `e${this._nextEndpoint++}`;
    const entry: Partial<Entry> = { autoReplySpec: a.autoReply, capture: a.capture };
    entry.create = () =>
      this._startEndpoint(async () => {
        // The auto-reply reports to the endpoint it runs in, built just below (it reports only on traffic).
        const autoReply = compileAutoReply(entry.autoReplySpec, {
          onError: (error) => endpoint.autoReplyProblem(error),
        });
        const endpoint: Endpoint = await build({
          id,
          sink: this._sink,
          logCapBytes: this._options.logCapBytes,
          autoReply,
          capture: entry.capture,
        });
        return endpoint;
      });
    entry.endpoint = await entry.create();
    this._entries.set(id, entry as Entry);
    this._onDidChangeEndpoints.fire(id);
    return entry.endpoint.info();
  }

  /** Builds and starts an endpoint; on failure nothing stays open and the caller gets the error. */
  private async _startEndpoint(build: () => Promise<Endpoint>): Promise<Endpoint> {
    const endpoint = await build();
    this._starting.add(endpoint);
    try {
      await endpoint.start();
      this._checkAlive();
      return endpoint;
    } catch (err) {
      safeDispose(endpoint);
      throw err;
    } finally {
      this._starting.delete(endpoint);
    }
  }

  // ---- sending (sending.ts) -----------------------------------------------------------------------

  /** `{ target, data, format?, encoding?, escapes?, lineEnding?, to?, repeat?, waitMs? }` -> `{ bytes, repeatId?, reply? }`. */
  async send(args: SendArgs): Promise<SendResult> {
    this._checkAlive();
    return this._sender.send(parseCommandArgs('send', args));
  }

  /** `{ target, path, to? }` -> `{ bytes }`: streams a file over TCP/Unix with backpressure; one datagram over UDP. */
  async sendFile(args: SendFileArgs): Promise<{ bytes: number }> {
    this._checkAlive();
    return this._sender.sendFile(parseCommandArgs('sendFile', args));
  }

  /** `{ repeatId }`: stops a repeat (unknown ids are an error). */
  stopRepeat(args: StopRepeatArgs): void {
    this._sender.stopRepeat(parseCommandArgs('stopRepeat', args).repeatId);
  }

  /** The repeats still running. */
  activeRepeats(): RepeatInfo[] {
    return this._sender.activeRepeats();
  }

  // ---- managing endpoints ---------------------------------------------------------------------------

  /** `{ id }`: an endpoint is closed and removed from list(); a connection or peer id closes just that one. */
  stop(args: IdArgs): void {
    const id = parseCommandArgs('stop', args).id;
    const entry = this._entries.get(id);
    if (entry) {
      this._entries.delete(id);
      safeDispose(entry.endpoint);
      this._onDidChangeEndpoints.fire(id);
      return;
    }
    const { endpoint, connectionId } = this._target(id);
    endpoint.closeConnection(connectionId!);
  }

  /** `{ id }`: half-closes (sends FIN on) a TCP/Unix client or accepted connection; it can still receive. */
  halfClose(args: IdArgs): void {
    const { endpoint, connectionId } = this._target(parseCommandArgs('halfClose', args).id);
    endpoint.halfClose(connectionId);
  }

  /** `{ id }`: closes the endpoint and reopens it with the same id and settings. */
  async restart(args: IdArgs): Promise<EndpointInfo> {
    this._checkAlive();
    const id = parseCommandArgs('restart', args).id;
    const entry = this._entries.get(id);
    if (!entry) throw SocketLabError.create('unknownId', 'There is no endpoint {id}.', { id });
    const old = entry.endpoint;
    safeDispose(old);
    try {
      const fresh = await entry.create();
      if (this._entries.get(id) !== entry) {
        // Stopped while restarting.
        safeDispose(fresh);
        throw SocketLabError.create('stopped', 'Endpoint {id} was stopped while restarting.', { id });
      }
      entry.endpoint = fresh;
      return fresh.info();
    } catch (err) {
      const e = toSocketLabError(err, { operation: 'restart' });
      old.state = 'error';
      old.error = e;
      throw e;
    } finally {
      this._onDidChangeEndpoints.fire(id);
    }
  }

  /** Closes and removes every endpoint and stops every repeat. */
  stopAll(): void {
    this._closeEverything();
  }

  /** `{ id }`: forgets the logged records of an endpoint (a connection id clears its endpoint's log). Counters stay. */
  clearLog(args: IdArgs): void {
    const { endpoint } = this._target(parseCommandArgs('clearLog', args).id);
    endpoint.log.clear();
    this._onDidChangeEndpoints.fire(endpoint.id);
  }

  /** Sets (spec) or removes (undefined) the auto-reply of an endpoint; kept across restart. */
  setAutoReply(id: string, spec: AutoReplySpec | undefined): void {
    const entry = this._entry(parseNonEmptyString(id, 'id'));
    const endpoint = entry.endpoint;
    endpoint.setAutoReply(compileAutoReply(spec, { onError: (error) => endpoint.autoReplyProblem(error) }));
    entry.autoReplySpec = spec;
  }

  /** Starts (`{ path, format? }`) or stops (undefined) capturing an endpoint's traffic to a file; kept across restart. */
  setCapture(id: string, spec: { path: string; format?: CaptureSpec['format'] } | undefined): void {
    const entry = this._entry(parseNonEmptyString(id, 'id'));
    const capture = spec === undefined ? undefined : parseCaptureSpec(spec);
    entry.endpoint.setCapture(capture);
    entry.capture = capture;
  }

  /** `{ id, on }`: turns broadcast on or off on a UDP socket. */
  setBroadcast(args: SetBroadcastArgs): void {
    const a = parseCommandArgs('setBroadcast', args);
    this._udp(a.id).setBroadcast(a.on);
  }

  /** `{ id, group, interface? }`: joins a multicast group on a UDP socket. */
  joinMulticast(args: MulticastArgs): void {
    const a = parseCommandArgs('joinMulticast', args);
    this._udp(a.id).joinGroup(a.group, a.interface);
  }

  /** `{ id, group, interface? }`: leaves a multicast group. */
  leaveMulticast(args: MulticastArgs): void {
    const a = parseCommandArgs('leaveMulticast', args);
    this._udp(a.id).leaveGroup(a.group, a.interface);
  }

  // ---- reading ----------------------------------------------------------------------------------

  /** Snapshots of every endpoint with its connections (O(endpoints + connections), no per-record work). */
  list(): EndpointInfo[] {
    const out: EndpointInfo[] = [];
    for (const e of this._entries.values()) out.push(e.endpoint.info());
    return out;
  }

  /** The snapshot of one endpoint, or undefined. */
  get(id: string): EndpointInfo | undefined {
    return this._entries.get(id)?.endpoint.info();
  }

  /** The records still held of an endpoint, or of one connection/peer, oldest first. */
  traffic(id: string): TrafficRecord[] {
    const { endpoint, connectionId } = this._target(parseNonEmptyString(id, 'id'));
    return endpoint.log.records(connectionId);
  }

  /** The log of an endpoint as a live read-only view, read a range at a time (the send panel pages through it). */
  trafficLog(id: string): TrafficLogView {
    return this._target(parseNonEmptyString(id, 'id')).endpoint.log;
  }

  // ---- internals --------------------------------------------------------------------------------

  private _entry(id: string): Entry {
    const entry = this._entries.get(id);
    if (!entry) throw SocketLabError.create('unknownId', 'There is no endpoint {id}.', { id });
    return entry;
  }

  private _udp(id: string): UdpSocket {
    const endpoint = this._entry(id).endpoint;
    if (!(endpoint instanceof UdpSocket))
      throw SocketLabError.create('notUdp', '{id} is a {kind}, not a UDP socket.', {
        id: endpoint.id,
        kind: endpoint.kind,
      });
    return endpoint;
  }

  /** An endpoint id, or '<endpointId>.cN' / '.pN'. */
  private _target(id: string): { endpoint: Endpoint; connectionId?: string } {
    const entry = this._entries.get(id);
    if (entry) return { endpoint: entry.endpoint };
    const dot = id.indexOf('.');
    const owner = dot > 0 ? this._entries.get(id.slice(0, dot)) : undefined;
    if (owner && owner.endpoint.connection(id)) return { endpoint: owner.endpoint, connectionId: id };
    throw SocketLabError.create('unknownId', 'There is no endpoint, connection or peer {id}.', { id });
  }

  private _checkAlive(): void {
    if (this.isDisposed) throw SocketLabError.create('disposed', 'Socket Lab has been shut down.', {});
  }

  private _closeEverything(): void {
    this._sender.stopAll();
    for (const e of this._starting) safeDispose(e);
    const ids = [...this._entries.keys()];
    for (const entry of this._entries.values()) safeDispose(entry.endpoint);
    this._entries.clear();
    if (!this.isDisposed) for (const id of ids) this._onDidChangeEndpoints.fire(id);
  }
}

function safeDispose(d: { dispose(): void }): void {
  try {
    d.dispose();
  } catch {
    // Closing must never throw to the caller; the socket is gone either way.
  }
}
