/** The registry of endpoints the host wraps: validated commands in, EndpointInfo and events out. */
import * as fs from 'fs';
import * as net from 'net';
import { compileAutoReply } from './autoReply';
import type { AutoReplySpec } from '../shared/autoReplySpec';
import { encodePayload } from './codec';
import { Endpoint, EndpointCommonOptions, EndpointSink, LookupFunction, SendTarget, resolveHost } from './endpoint';
import { SocketLabError, errorFields, type ErrorValues } from '../shared/errors';
import { Emitter, Event } from './event';
import { Disposable, toDisposable } from './lifecycle';
import { BurstSender, RepeatInfo, RepeatSend } from './repeat';
import { toSocketLabError } from './systemErrors';
import { StreamClient } from './tcpClient';
import { StreamListener } from './tcpListener';
import { TrafficLogView } from './trafficLog';
import { DEFAULT_LOG_CAP_BYTES } from '../shared/limits';
import { EndpointInfo, TrafficRecord } from '../shared/model';
import { UdpSocket, udpMaxPayload } from './udpSocket';
import { parseCommandArgs } from './commandArgs';
import {
  parseCaptureSpec,
  parseNonEmptyString,
  type CaptureSpec,
  type ConnectTcpArgs,
  type ConnectUnixArgs,
  type Destination,
  type IdArgs,
  type MulticastArgs,
  type OpenUdpClientArgs,
  type ParsedArgs,
  type SendArgs,
  type SendFileArgs,
  type SetBroadcastArgs,
  type StartTcpListenerArgs,
  type StartUdpListenerArgs,
  type StartUnixListenerArgs,
  type StopRepeatArgs,
} from '../shared/commandArgs';
import { isExternalBind } from '../shared/ipAddress';
import { parseHost, parseTimeoutMs } from '../shared/validate';

/** Options of the registry; setOptions() changes them for endpoints opened later. */
export interface SocketLabOptions {
  /** Byte cap of each endpoint's traffic log (default 8 MiB). */
  logCapBytes?: number;
  /** Host used when an argument omits `host` (default '127.0.0.1'). */
  defaultHost?: string;
  /** Connect timeout of TCP/Unix clients when the argument gives none (default 10,000 ms). */
  connectTimeoutMs?: number;
  /** Host name resolver (default dns.lookup); tests inject one so no DNS query leaves the machine. */
  lookup?: LookupFunction;
  /** Told when an event listener throws (the emitters keep going); fixed at construction. */
  onListenerError?: (err: unknown) => void;
}

/** The commands that open an endpoint. */
type OpenCommand =
  'startTcpListener' | 'startUdpListener' | 'connectTcp' | 'openUdpClient' | 'startUnixListener' | 'connectUnix';

/** A back-to-back UDP repeat hands over at most this many datagrams before they report back... */
const BURST_MAX_DATAGRAMS = 64;
/** ... and at most this many bytes of them (what may wait in the socket's send queue). */
const BURST_MAX_BYTES = 256 * 1024;

/** One traffic record of one endpoint, as onDidTraffic fires it. */
export interface TrafficEvent {
  endpointId: string;
  record: TrafficRecord;
}

/** A repeat that ended by itself (count reached, or a send failed) or was stopped. */
export interface RepeatEndEvent {
  repeatId: string;
  endpointId: string;
  sent: number;
  /** The clear sentence when a send failed. */
  error?: string;
  /** That sentence as a template with `{name}` placeholders, and their values: what a host translates. */
  errorTemplate?: string;
  errorValues?: ErrorValues;
}

/** What send() resolves with. */
export interface SendResult {
  /** Bytes handed to the OS (summed over all connections of a listener); the payload size for a repeat. */
  bytes: number;
  repeatId?: string;
  /** With waitMs: everything that arrived on that socket within the wait, concatenated. */
  reply?: Uint8Array;
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
  private readonly _repeats = new Map<string, RepeatSend>();
  private _nextEndpoint = 1;
  private _nextRepeat = 1;
  private _options: Required<Omit<SocketLabOptions, 'lookup' | 'onListenerError'>> & { lookup?: LookupFunction };

  private readonly _onDidChangeEndpoints: Emitter<string>;
  private readonly _onDidTraffic: Emitter<TrafficEvent>;
  private readonly _onDidEndRepeat: Emitter<RepeatEndEvent>;

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
      this._stopRepeatsOf(connectionId ?? endpointId, connectionId === undefined ? endpointId : undefined),
  };

  constructor(options: SocketLabOptions = {}) {
    super();
    const emitterOptions = { onListenerError: options.onListenerError };
    this._onDidChangeEndpoints = this._register(new Emitter<string>(emitterOptions));
    this._onDidTraffic = this._register(new Emitter<TrafficEvent>(emitterOptions));
    this._onDidEndRepeat = this._register(new Emitter<RepeatEndEvent>(emitterOptions));
    this.onDidChangeEndpoints = this._onDidChangeEndpoints.event;
    this.onDidTraffic = this._onDidTraffic.event;
    this.onDidEndRepeat = this._onDidEndRepeat.event;
    this._options = { logCapBytes: DEFAULT_LOG_CAP_BYTES, defaultHost: '127.0.0.1', connectTimeoutMs: 10000 };
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
    if (options.lookup !== undefined) this._options.lookup = options.lookup;
  }

  // ---- opening endpoints -------------------------------------------------------------------------

  /** `{ host?, port, backlog?, autoReply?, allowExternal?, capture? }` -> a listening TCP listener. */
  startTcpListener(args: StartTcpListenerArgs): Promise<EndpointInfo> {
    return this._open('startTcpListener', args, (a) => {
      const host = a.host ?? this._options.defaultHost;
      return async (common) => {
        const { address } = await resolveHost(host, this._options.lookup);
        checkExternal(address, host, a.allowExternal);
        return new StreamListener({ ...common, address, port: a.port, backlog: a.backlog, host: hostName(host) });
      };
    });
  }

  /** `{ host?, port, broadcast?, multicastGroups?, autoReply?, allowExternal?, capture? }` -> a bound UDP socket. */
  startUdpListener(args: StartUdpListenerArgs): Promise<EndpointInfo> {
    return this._open('startUdpListener', args, (a) => {
      const host = a.host ?? this._options.defaultHost;
      return async (common) => {
        const { address, family } = await resolveHost(host, this._options.lookup);
        checkExternal(address, host, a.allowExternal);
        return new UdpSocket({
          ...common,
          mode: 'bound',
          address,
          port: a.port,
          family,
          broadcast: a.broadcast,
          multicastGroups: a.multicastGroups,
          host: hostName(host),
        });
      };
    });
  }

  /** `{ host?, port, timeoutMs?, localAddress?, localPort?, noDelay?, keepAlive?, autoReply?, capture? }` -> a connected TCP client. */
  connectTcp(args: ConnectTcpArgs): Promise<EndpointInfo> {
    return this._open('connectTcp', args, (a) => {
      const host = a.host ?? this._options.defaultHost;
      const timeoutMs = a.timeoutMs ?? this._options.connectTimeoutMs;
      return async (common) => {
        const { address } = await resolveHost(host, this._options.lookup);
        const localAddress =
          a.localAddress === undefined ? undefined : (await resolveHost(a.localAddress, this._options.lookup)).address;
        return new StreamClient({
          ...common,
          address,
          port: a.port,
          host: hostName(host),
          timeoutMs,
          localAddress,
          localPort: a.localPort,
          noDelay: a.noDelay,
          keepAlive: a.keepAlive,
        });
      };
    });
  }

  /** `{ host?, port, localPort?, autoReply?, capture? }` -> a connected UDP client (ICMP errors reported, `to` refused). */
  openUdpClient(args: OpenUdpClientArgs): Promise<EndpointInfo> {
    return this._open('openUdpClient', args, (a) => {
      const host = a.host ?? this._options.defaultHost;
      return async (common) => {
        const { address, family } = await resolveHost(host, this._options.lookup);
        return new UdpSocket({
          ...common,
          mode: 'connected',
          address,
          port: a.port,
          family,
          localPort: a.localPort,
          host: hostName(host),
        });
      };
    });
  }

  /** `{ path, backlog?, autoReply?, capture? }` -> a Unix-domain listener (a stale socket file is replaced). */
  startUnixListener(args: StartUnixListenerArgs): Promise<EndpointInfo> {
    return this._open('startUnixListener', args, (a) => async (common) => {
      return new StreamListener({ ...common, path: a.path, backlog: a.backlog });
    });
  }

  /** `{ path, timeoutMs?, autoReply?, capture? }` -> a connected Unix-domain client. */
  connectUnix(args: ConnectUnixArgs): Promise<EndpointInfo> {
    return this._open('connectUnix', args, (a) => {
      const timeoutMs = a.timeoutMs ?? this._options.connectTimeoutMs;
      return async (common) => new StreamClient({ ...common, path: a.path, timeoutMs });
    });
  }

  /**
   * Parses the argument of an opening command, then opens the endpoint `prepare` builds: settings read
   * from the argument now, the endpoint itself built (and rebuilt on restart) from the common options.
   */
  private async _open<C extends OpenCommand>(
    command: C,
    args: unknown,
    prepare: (a: ParsedArgs<C>) => (common: EndpointCommonOptions) => Promise<Endpoint>,
  ): Promise<EndpointInfo> {
    this._checkAlive();
    const a = parseCommandArgs(command, args);
    compileAutoReply(a.autoReply); // validate now: an invalid spec opens nothing
    const build = prepare(a);
    const id = `e${this._nextEndpoint++}`;
    const entry: Partial<Entry> = { autoReplySpec: a.autoReply, capture: a.capture };
    entry.create = () =>
      this._startEndpoint(() =>
        build({
          id,
          sink: this._sink,
          logCapBytes: this._options.logCapBytes,
          autoReply: compileAutoReply(entry.autoReplySpec),
          capture: entry.capture,
        }),
      );
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

  // ---- sending ---------------------------------------------------------------------------------

  /** `{ target, data, format?, encoding?, escapes?, lineEnding?, to?, repeat?, waitMs? }` -> `{ bytes, repeatId?, reply? }`. */
  async send(args: SendArgs): Promise<SendResult> {
    this._checkAlive();
    const a = parseCommandArgs('send', args);
    const data = encodePayload({
      data: a.data,
      format: a.format,
      encoding: a.encoding,
      escapes: a.escapes,
      lineEnding: a.lineEnding,
    });
    const { repeat, waitMs } = a;
    if (repeat && waitMs !== undefined)
      throw SocketLabError.create(
        'invalidArgument',
        '{field} cannot be combined with repeat; wait for replies with traffic() instead.',
        { field: 'waitMs' },
      );
    const targetId = a.target;
    const { endpoint, connectionId } = this._target(targetId);
    const target: SendTarget = { connectionId, to: await this._resolveTo(a.to) };
    this._checkOpen(endpoint);

    if (repeat) {
      endpoint.checkTarget(target);
      const repeatId = `r${this._nextRepeat++}`;
      const burst: BurstSender | undefined = endpoint.sendBurst && {
        // A burst's datagrams are handed over before the first reports back: bound what may wait in the socket's queue.
        size: Math.max(1, Math.min(BURST_MAX_DATAGRAMS, Math.floor(BURST_MAX_BYTES / Math.max(1, data.byteLength)))),
        send: (n) => endpoint.sendBurst!(target, data, n),
      };
      const r = new RepeatSend(
        repeatId,
        targetId,
        endpoint.id,
        repeat.intervalMs,
        repeat.count,
        () => endpoint.send(target, data, 'accepted'),
        (rep, error) => {
          if (this._repeats.get(rep.id) === rep) this._repeats.delete(rep.id);
          const event: RepeatEndEvent = { repeatId: rep.id, endpointId: rep.endpointId, sent: rep.sent };
          if (error !== undefined) Object.assign(event, errorFields(toSocketLabError(error, { operation: 'send' })));
          this._onDidEndRepeat.fire(event);
        },
        burst,
      );
      this._repeats.set(repeatId, r);
      r.start();
      return { bytes: data.byteLength, repeatId };
    }

    const waiter =
      waitMs === undefined
        ? undefined
        : endpoint.collect(endpoint.kind.endsWith('client') ? undefined : connectionId, waitMs);
    let bytes: number;
    try {
      bytes = await endpoint.send(target, data, 'flushed');
    } catch (err) {
      waiter?.cancel();
      throw err;
    }
    return waiter ? { bytes, reply: await waiter.result } : { bytes };
  }

  /** `{ target, path, to? }` -> `{ bytes }`: streams a file over TCP/Unix with backpressure; one datagram over UDP. */
  async sendFile(args: SendFileArgs): Promise<{ bytes: number }> {
    this._checkAlive();
    const a = parseCommandArgs('sendFile', args);
    const path = a.path;
    const { endpoint, connectionId } = this._target(a.target);
    const target: SendTarget = { connectionId, to: await this._resolveTo(a.to) };
    this._checkOpen(endpoint);
    let stat: fs.Stats;
    try {
      stat = await fs.promises.stat(path);
    } catch (err) {
      throw toSocketLabError(err, { operation: 'read file', path });
    }
    if (stat.isDirectory()) throw SocketLabError.create('isDirectory', '{path} is a folder, not a file.', { path });
    if (endpoint instanceof UdpSocket) {
      const dest =
        target.to?.address ??
        (endpoint.connection(connectionId ?? '')?.remote as { address?: string } | undefined)?.address ??
        (endpoint.remote as { address?: string } | undefined)?.address ??
        '0.0.0.0';
      const max = udpMaxPayload(dest);
      if (stat.size > max) {
        throw SocketLabError.create(
          'payloadTooLarge',
          '{path} has {size} bytes but one UDP datagram can carry at most {limit}; send a smaller file.',
          { path, size: stat.size, limit: max },
        );
      }
      const content = await fs.promises
        .readFile(path)
        .catch((err) => Promise.reject(toSocketLabError(err, { operation: 'read file', path })));
      return { bytes: await endpoint.send(target, content, 'flushed') };
    }
    let bytes = 0;
    const stream = fs.createReadStream(path, { highWaterMark: 64 * 1024 });
    try {
      for await (const chunk of stream) {
        bytes += await endpoint.send(target, chunk as Buffer, 'accepted');
      }
    } catch (err) {
      const e = toSocketLabError(err, { operation: 'read file', path });
      if (bytes === 0) throw e;
      // Part of the file went out: say how much, so "nothing was sent" never misleads.
      throw SocketLabError.create(
        e.code,
        'Sending {path} stopped after {bytes} of {size} bytes ({problem}).',
        { ...e.values, path, bytes, size: stat.size, problem: e.message.replace(/\.$/, '') },
        e.systemCode,
        e,
      );
    } finally {
      stream.destroy();
    }
    return { bytes };
  }

  /** `{ repeatId }`: stops a repeat (unknown ids are an error). */
  stopRepeat(args: StopRepeatArgs): void {
    const id = parseCommandArgs('stopRepeat', args).repeatId;
    const r = this._repeats.get(id);
    if (!r) throw SocketLabError.create('unknownId', 'There is no running repeat {id}.', { id });
    this._repeats.delete(id);
    r.dispose();
  }

  /** The repeats still running. */
  activeRepeats(): RepeatInfo[] {
    return [...this._repeats.values()].map((r) => r.info());
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
    entry.endpoint.autoReply = compileAutoReply(spec);
    entry.autoReplySpec = spec;
    this._onDidChangeEndpoints.fire(entry.endpoint.id);
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

  /** The address a parsed `to` resolves to. */
  private async _resolveTo(to: Destination | undefined): Promise<{ address: string; port: number } | undefined> {
    if (to === undefined) return undefined;
    const { address } = await resolveHost(to.host, this._options.lookup);
    return { address, port: to.port };
  }

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

  private _checkOpen(endpoint: Endpoint): void {
    // A UDP socket in 'error' is still open (an ICMP report, say): sending may work again.
    if (endpoint.state === 'closed' || (endpoint.state === 'error' && !(endpoint instanceof UdpSocket))) {
      throw endpointClosedError(endpoint);
    }
  }

  private _checkAlive(): void {
    if (this.isDisposed) throw SocketLabError.create('disposed', 'Socket Lab has been shut down.', {});
  }

  private _stopRepeatsOf(id: string, endpointId: string | undefined): void {
    for (const r of this._repeats.values()) {
      if (r.target === id || (endpointId !== undefined && r.endpointId === endpointId)) r.dispose();
    }
  }

  private _closeEverything(): void {
    for (const r of this._repeats.values()) r.dispose();
    this._repeats.clear();
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

/** 'TCP → 127.0.0.1:80 is closed; restart it first.', quoting why when the endpoint failed. */
function endpointClosedError(endpoint: Endpoint): SocketLabError {
  const id = endpoint.id;
  const name = endpoint.displayName;
  const inner = endpoint.error;
  if (endpoint.state === 'closed') {
    return inner
      ? SocketLabError.create(
          'endpointClosed',
          '{endpoint} is closed ({problem}); restart it first.',
          { id, endpoint: name, problem: inner.message },
          undefined,
          inner,
        )
      : SocketLabError.create('endpointClosed', '{endpoint} is closed; restart it first.', { id, endpoint: name });
  }
  return inner
    ? SocketLabError.create(
        'endpointClosed',
        '{endpoint} is in error ({problem}); restart it first.',
        { id, endpoint: name, problem: inner.message },
        undefined,
        inner,
      )
    : SocketLabError.create('endpointClosed', '{endpoint} is in error; restart it first.', { id, endpoint: name });
}

/** The host name the user gave, kept beside the address it resolved to; undefined for an address. */
function hostName(host: string): string | undefined {
  return net.isIP(host) ? undefined : host;
}

function checkExternal(address: string, host: string, allowExternal: boolean | undefined): void {
  if (!allowExternal && isExternalBind(address)) {
    throw host === address
      ? SocketLabError.create(
          'externalBindNotAllowed',
          'Binding {address} makes the port reachable from the network; pass allowExternal: true to do it.',
          { address, field: 'allowExternal' },
        )
      : SocketLabError.create(
          'externalBindNotAllowed',
          'Binding {host} ({address}) makes the port reachable from the network; pass allowExternal: true to do it.',
          {
            address,
            host,
            field: 'allowExternal',
          },
        );
  }
}
