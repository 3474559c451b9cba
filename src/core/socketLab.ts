/** The registry of endpoints the host wraps: validated commands in, EndpointInfo and events out. */
import * as fs from 'fs';
import * as net from 'net';
import { compileAutoReply } from './autoReply';
import { CaptureSpec, parseCaptureSpec } from './capture';
import { encodePayload } from './codec';
import { Endpoint, EndpointSink, LookupFunction, SendTarget, resolveHost } from './endpoint';
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
import {
  isExternalBind,
  parseBacklog,
  parseHost,
  parsePort,
  parseRepeat,
  parseTimeoutMs,
  parseUnixPath,
  parseWaitMs,
  unixPathMax,
} from '../shared/validate';

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

/** Max bytes of a Unix socket path on this system (Linux 107, macOS/BSD 103; Windows named pipes 256 characters). */
export const UNIX_PATH_MAX: number = unixPathMax(process.platform);

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
  autoReplySpec?: unknown;
  capture?: CaptureSpec;
}

type Args = Record<string, unknown>;

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
  startTcpListener(args: unknown): Promise<EndpointInfo> {
    return this._open(
      args,
      'startTcpListener',
      ['host', 'port', 'backlog', 'autoReply', 'allowExternal', 'capture'],
      (a, common) => {
        const host = this._host(a.host, 'host');
        const port = parsePort(a.port, 'port');
        const backlog = a.backlog === undefined ? undefined : parseBacklog(a.backlog);
        const allowExternal = optionalBoolean(a.allowExternal, 'allowExternal');
        return async (id) => {
          const { address } = await resolveHost(host, this._options.lookup);
          checkExternal(address, host, allowExternal);
          return new StreamListener({ ...common(id), address, port, backlog, host: hostName(host) });
        };
      },
    );
  }

  /** `{ host?, port, broadcast?, multicastGroups?, autoReply?, allowExternal?, capture? }` -> a bound UDP socket. */
  startUdpListener(args: unknown): Promise<EndpointInfo> {
    return this._open(
      args,
      'startUdpListener',
      ['host', 'port', 'broadcast', 'multicastGroups', 'autoReply', 'allowExternal', 'capture'],
      (a, common) => {
        const host = this._host(a.host, 'host');
        const port = parsePort(a.port, 'port');
        const broadcast = optionalBoolean(a.broadcast, 'broadcast');
        const allowExternal = optionalBoolean(a.allowExternal, 'allowExternal');
        let groups: string[] | undefined;
        if (a.multicastGroups !== undefined) {
          if (
            !Array.isArray(a.multicastGroups) ||
            a.multicastGroups.some((g) => typeof g !== 'string' || !net.isIP(g))
          ) {
            throw SocketLabError.create(
              'invalidArgument',
              '{field} must be a list of multicast group IP addresses, e.g. ["239.1.2.3"].',
              { field: 'multicastGroups' },
            );
          }
          groups = a.multicastGroups as string[];
        }
        return async (id) => {
          const { address, family } = await resolveHost(host, this._options.lookup);
          checkExternal(address, host, allowExternal);
          return new UdpSocket({
            ...common(id),
            mode: 'bound',
            address,
            port,
            family,
            broadcast,
            multicastGroups: groups,
            host: hostName(host),
          });
        };
      },
    );
  }

  /** `{ host?, port, timeoutMs?, localAddress?, localPort?, noDelay?, keepAlive?, autoReply?, capture? }` -> a connected TCP client. */
  connectTcp(args: unknown): Promise<EndpointInfo> {
    return this._open(
      args,
      'connectTcp',
      ['host', 'port', 'timeoutMs', 'localAddress', 'localPort', 'noDelay', 'keepAlive', 'autoReply', 'capture'],
      (a, common) => {
        const host = this._host(a.host, 'host');
        const port = parsePort(a.port, 'port');
        if (port === 0)
          throw SocketLabError.create(
            'invalidArgument',
            '{field} must be 1-65535 to connect (0 only means "any port" when binding).',
            { field: 'port' },
          );
        const timeoutMs =
          a.timeoutMs === undefined ? this._options.connectTimeoutMs : parseTimeoutMs(a.timeoutMs, 'timeoutMs');
        const localHost = a.localAddress === undefined ? undefined : parseHost(a.localAddress, 'localAddress');
        const localPort = a.localPort === undefined ? undefined : parsePort(a.localPort, 'localPort');
        const noDelay = optionalBoolean(a.noDelay, 'noDelay');
        const keepAlive = optionalBoolean(a.keepAlive, 'keepAlive');
        return async (id) => {
          const { address } = await resolveHost(host, this._options.lookup);
          const localAddress =
            localHost === undefined ? undefined : (await resolveHost(localHost, this._options.lookup)).address;
          return new StreamClient({
            ...common(id),
            address,
            port,
            host: hostName(host),
            timeoutMs,
            localAddress,
            localPort,
            noDelay,
            keepAlive,
          });
        };
      },
    );
  }

  /** `{ host?, port, localPort?, autoReply?, capture? }` -> a connected UDP client (ICMP errors reported, `to` refused). */
  openUdpClient(args: unknown): Promise<EndpointInfo> {
    return this._open(args, 'openUdpClient', ['host', 'port', 'localPort', 'autoReply', 'capture'], (a, common) => {
      const host = this._host(a.host, 'host');
      const port = parsePort(a.port, 'port');
      if (port === 0)
        throw SocketLabError.create(
          'invalidArgument',
          '{field} must be 1-65535 to connect (0 only means "any port" when binding).',
          { field: 'port' },
        );
      const localPort = a.localPort === undefined ? undefined : parsePort(a.localPort, 'localPort');
      return async (id) => {
        const { address, family } = await resolveHost(host, this._options.lookup);
        return new UdpSocket({
          ...common(id),
          mode: 'connected',
          address,
          port,
          family,
          localPort,
          host: hostName(host),
        });
      };
    });
  }

  /** `{ path, backlog?, autoReply?, capture? }` -> a Unix-domain listener (a stale socket file is replaced). */
  startUnixListener(args: unknown): Promise<EndpointInfo> {
    return this._open(args, 'startUnixListener', ['path', 'backlog', 'autoReply', 'capture'], (a, common) => {
      const path = parseUnixPath(a.path, 'path', process.platform);
      const backlog = a.backlog === undefined ? undefined : parseBacklog(a.backlog);
      return async (id) => new StreamListener({ ...common(id), path, backlog });
    });
  }

  /** `{ path, timeoutMs?, autoReply?, capture? }` -> a connected Unix-domain client. */
  connectUnix(args: unknown): Promise<EndpointInfo> {
    return this._open(args, 'connectUnix', ['path', 'timeoutMs', 'autoReply', 'capture'], (a, common) => {
      const path = parseUnixPath(a.path, 'path', process.platform);
      const timeoutMs =
        a.timeoutMs === undefined ? this._options.connectTimeoutMs : parseTimeoutMs(a.timeoutMs, 'timeoutMs');
      return async (id) => new StreamClient({ ...common(id), path, timeoutMs });
    });
  }

  private async _open(
    args: unknown,
    command: string,
    fields: string[],
    prepare: (
      a: Args,
      common: (id: string) => {
        id: string;
        sink: EndpointSink;
        logCapBytes: number;
        autoReply?: ReturnType<typeof compileAutoReply>;
        capture?: CaptureSpec;
      },
    ) => (id: string) => Promise<Endpoint>,
  ): Promise<EndpointInfo> {
    this._checkAlive();
    const a = argsObject(args, command, fields);
    const autoReplySpec = a.autoReply;
    compileAutoReply(autoReplySpec); // validate now: an invalid spec opens nothing
    const capture = a.capture === undefined ? undefined : parseCaptureSpec(a.capture);
    const entry: Partial<Entry> = { autoReplySpec, capture };
    const build = prepare(a, (id) => ({
      id,
      sink: this._sink,
      logCapBytes: this._options.logCapBytes,
      autoReply: compileAutoReply(entry.autoReplySpec),
      capture: entry.capture,
    }));
    const id = `e${this._nextEndpoint++}`;
    entry.create = () => this._startEndpoint(() => build(id));
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
  async send(args: unknown): Promise<SendResult> {
    this._checkAlive();
    const a = argsObject(args, 'send', [
      'target',
      'data',
      'format',
      'encoding',
      'escapes',
      'lineEnding',
      'to',
      'repeat',
      'waitMs',
    ]);
    const targetId = idArg(a.target, 'target');
    if (typeof a.data !== 'string')
      throw SocketLabError.create(
        'invalidArgument',
        '{field} must be a string (text, hex or base64 according to format).',
        { field: 'data' },
      );
    const escapes = optionalBoolean(a.escapes, 'escapes');
    const data = encodePayload({
      data: a.data,
      format: a.format as never,
      encoding: a.encoding as never,
      escapes,
      lineEnding: a.lineEnding as never,
    });
    const repeat = a.repeat === undefined ? undefined : parseRepeat(a.repeat);
    const waitMs = a.waitMs === undefined ? undefined : parseWaitMs(a.waitMs);
    if (repeat && waitMs !== undefined)
      throw SocketLabError.create(
        'invalidArgument',
        '{field} cannot be combined with repeat; wait for replies with traffic() instead.',
        { field: 'waitMs' },
      );
    const { endpoint, connectionId } = this._target(targetId);
    const target: SendTarget = { connectionId, to: await this._to(a.to) };
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
  async sendFile(args: unknown): Promise<{ bytes: number }> {
    this._checkAlive();
    const a = argsObject(args, 'sendFile', ['target', 'path', 'to']);
    const targetId = idArg(a.target, 'target');
    if (typeof a.path !== 'string' || a.path === '')
      throw SocketLabError.create('invalidArgument', '{field} must be the path of a file to send.', { field: 'path' });
    const path = a.path;
    const { endpoint, connectionId } = this._target(targetId);
    const target: SendTarget = { connectionId, to: await this._to(a.to) };
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
  stopRepeat(args: unknown): void {
    const a = argsObject(args, 'stopRepeat', ['repeatId']);
    const id = idArg(a.repeatId, 'repeatId');
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
  stop(args: unknown): void {
    const a = argsObject(args, 'stop', ['id']);
    const id = idArg(a.id, 'id');
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

  /** `{ id }`: half-closes (FIN) a TCP/Unix client or accepted connection; it can still receive. */
  end(args: unknown): void {
    const a = argsObject(args, 'end', ['id']);
    const { endpoint, connectionId } = this._target(idArg(a.id, 'id'));
    endpoint.endConnection(connectionId);
  }

  /** `{ id }`: closes the endpoint and reopens it with the same id and settings. */
  async restart(args: unknown): Promise<EndpointInfo> {
    this._checkAlive();
    const a = argsObject(args, 'restart', ['id']);
    const id = idArg(a.id, 'id');
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
  clearLog(args: unknown): void {
    const a = argsObject(args, 'clearLog', ['id']);
    const { endpoint } = this._target(idArg(a.id, 'id'));
    endpoint.log.clear();
    this._onDidChangeEndpoints.fire(endpoint.id);
  }

  /** Sets (spec) or removes (undefined) the auto-reply of an endpoint; kept across restart. */
  setAutoReply(id: unknown, spec: unknown): void {
    const entry = this._entry(idArg(id, 'id'));
    entry.endpoint.autoReply = compileAutoReply(spec);
    entry.autoReplySpec = spec;
    this._onDidChangeEndpoints.fire(entry.endpoint.id);
  }

  /** Starts (`{ path, format? }`) or stops (undefined) capturing an endpoint's traffic to a file; kept across restart. */
  setCapture(id: unknown, spec: unknown): void {
    const entry = this._entry(idArg(id, 'id'));
    const capture = spec === undefined ? undefined : parseCaptureSpec(spec);
    entry.endpoint.setCapture(capture);
    entry.capture = capture;
  }

  /** `{ id, on }`: turns broadcast on or off on a UDP socket. */
  setBroadcast(args: unknown): void {
    const a = argsObject(args, 'setBroadcast', ['id', 'on']);
    if (typeof a.on !== 'boolean')
      throw SocketLabError.create('invalidArgument', '{field} must be true or false.', { field: 'on' });
    this._udp(a.id).setBroadcast(a.on);
  }

  /** `{ id, group, interface? }`: joins a multicast group on a UDP socket. */
  joinMulticast(args: unknown): void {
    const a = argsObject(args, 'joinMulticast', ['id', 'group', 'interface']);
    this._udp(a.id).joinGroup(
      groupArg(a.group),
      a.interface === undefined ? undefined : stringArg(a.interface, 'interface'),
    );
  }

  /** `{ id, group, interface? }`: leaves a multicast group. */
  leaveMulticast(args: unknown): void {
    const a = argsObject(args, 'leaveMulticast', ['id', 'group', 'interface']);
    this._udp(a.id).leaveGroup(
      groupArg(a.group),
      a.interface === undefined ? undefined : stringArg(a.interface, 'interface'),
    );
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
    const { endpoint, connectionId } = this._target(idArg(id, 'id'));
    return endpoint.log.records(connectionId);
  }

  /** The log of an endpoint as a live read-only view, read a range at a time (the send panel pages through it). */
  trafficLog(id: string): TrafficLogView {
    return this._target(idArg(id, 'id')).endpoint.log;
  }

  // ---- internals --------------------------------------------------------------------------------

  private _host(value: unknown, field: string): string {
    return value === undefined ? this._options.defaultHost : parseHost(value, field);
  }

  private async _to(value: unknown): Promise<{ address: string; port: number } | undefined> {
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null)
      throw SocketLabError.create('invalidArgument', '{field} must be an object { host, port }.', { field: 'to' });
    const t = value as Args;
    const host = parseHost(t.host, 'to.host');
    const port = parsePort(t.port, 'to.port');
    if (port === 0) throw SocketLabError.create('invalidArgument', '{field} must be 1-65535.', { field: 'to.port' });
    const { address } = await resolveHost(host, this._options.lookup);
    return { address, port };
  }

  private _entry(id: string): Entry {
    const entry = this._entries.get(id);
    if (!entry) throw SocketLabError.create('unknownId', 'There is no endpoint {id}.', { id });
    return entry;
  }

  private _udp(id: unknown): UdpSocket {
    const endpoint = this._entry(idArg(id, 'id')).endpoint;
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

function argsObject(args: unknown, command: string, fields: string[]): Args {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw SocketLabError.create('invalidArgument', '{command} needs an argument object with {fields}.', {
      field: 'args',
      command,
      fields: fields.join(', '),
    });
  }
  for (const key of Object.keys(args)) {
    if (!fields.includes(key)) {
      throw SocketLabError.create('unknownField', "{command} has no field '{field}'; its fields are {fields}.", {
        field: key,
        command,
        fields: fields.join(', '),
      });
    }
  }
  return args as Args;
}

function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw SocketLabError.create('invalidArgument', '{field} must be true or false.', { field });
}

function stringArg(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '')
    throw SocketLabError.create('invalidArgument', '{field} must be a non-empty string.', { field });
  return value;
}

function idArg(value: unknown, field: string): string {
  return stringArg(value, field);
}

function groupArg(value: unknown): string {
  if (typeof value !== 'string' || !net.isIP(value))
    throw SocketLabError.create(
      'invalidArgument',
      '{field} must be a multicast group IP address, e.g. 239.1.2.3 or ff02::1:3.',
      { field: 'group' },
    );
  return value;
}

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
