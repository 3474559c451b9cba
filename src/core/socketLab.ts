/**
 * The registry of endpoints the host wraps: typed commands in (parsed at runtime, since direct callers and
 * the public API pass unknown data), EndpointInfo snapshots and events out. It opens, stops, restarts and
 * lists endpoints; sending and repeats are in sending.ts.
 */
import type { AutoReplySpec } from '../shared/autoReplySpec';
import {
  captureOfStartArgs,
  parseCaptureSpec,
  parseNonEmptyString,
  type CaptureArg,
  type ExportPcapngArgs,
  type ConnectTcpArgs,
  type ConnectTlsArgs,
  type ConnectUnixArgs,
  type IdArgs,
  type MulticastArgs,
  type MulticastOptionsArgs,
  type OpenUdpClientArgs,
  type SendArgs,
  type SendFileArgs,
  type SetBroadcastArgs,
  type StartRelayArgs,
  type SetFramingArgs,
  type StartTcpListenerArgs,
  type StartTlsListenerArgs,
  type StartUdpListenerArgs,
  type StartCaptureArgs,
  type StartUnixListenerArgs,
  type StopRepeatArgs,
} from '../shared/commandArgs';
import { SocketLabError } from '../shared/errors';
import { checkMulticastInterface } from '../shared/multicast';
import { DEFAULT_LOG_CAP_BYTES, MAX_CONNECTIONS_DEFAULT } from '../shared/limits';
import type { EndpointInfo, TrafficRecord } from '../shared/model';
import { parseHost, parseMaxConnections, parseTimeoutMs } from '../shared/validate';
import { compileAutoReply } from './autoReply';
import { parseCommandArgs } from './commandArgs';
import { changeUdpSettings } from './udpSettings';
import type { OpenCommand } from './endpointFactory';
import {
  defaultTlsFolder,
  entryOpenSpec,
  prepareEntry,
  safeDispose,
  captureEntry,
  restartEntry,
  setEntryFraming,
  startOrStandIn,
  type Entry,
  type EntryHost,
  type PreparedEntry,
} from './endpointEntry';
import { exportPcapng, type PcapngExportResult } from './pcap/exportPcapng';
import { matchOwnEndpoints } from './ports/matchOwnEndpoints';
import { readSystemPorts } from './ports/readSystemPorts';
import type { SystemPort } from './ports/systemPort';
import type { Endpoint, EndpointSink } from './endpoints/endpoint';
import { Emitter, Event } from './event';
import { resolveFraming } from './framing/deframer';
import { Disposable, toDisposable } from './lifecycle';
import type { RepeatInfo } from './repeat';
import { resolveHost, type LookupFunction } from './resolveHost';
import type { SocketLabOptions, TrafficEvent } from './socketLabOptions';
import { Sender, type RepeatEndEvent, type SendResult } from './sending';
import type { TrafficLogView } from './trafficLog';

export type { SocketLabOptions, TrafficEvent } from './socketLabOptions';

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

  /** What the entries of this registry build and start their endpoints with (endpointEntry.ts). */
  private readonly _entryHost: EntryHost = {
    options: () => this._options,
    sink: this._sink,
    starting: this._starting,
    checkAlive: () => this._checkAlive(),
    list: () => this.list(),
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
      tlsFolder: defaultTlsFolder(),
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
    if (options.tlsFolder !== undefined) this._options.tlsFolder = parseNonEmptyString(options.tlsFolder, 'tlsFolder');
    if (options.maxConnections !== undefined)
      this._options.maxConnections = parseMaxConnections(options.maxConnections, 'maxConnections');
    if (options.lookup !== undefined) this._options.lookup = options.lookup;
  }

  // ---- opening endpoints -------------------------------------------------------------------------

  /** `{ host?, port, backlog?, autoReply?, allowExternal?, capture?, framing? }` -> a listening TCP listener. */
  startTcpListener(args: StartTcpListenerArgs): Promise<EndpointInfo> {
    return this._open('startTcpListener', args);
  }

  /** `{ host?, port, broadcast?, multicastGroups?, autoReply?, allowExternal?, capture? }` -> a bound UDP socket. */
  startUdpListener(args: StartUdpListenerArgs): Promise<EndpointInfo> {
    return this._open('startUdpListener', args);
  }

  /** `{ host?, port, timeoutMs?, localAddress?, localPort?, noDelay?, keepAlive?, autoReply?, capture?, framing? }` -> a connected TCP client. */
  connectTcp(args: ConnectTcpArgs): Promise<EndpointInfo> {
    return this._open('connectTcp', args);
  }

  /** `{ host?, port, localPort?, autoReply?, capture? }` -> a connected UDP client (ICMP errors reported, `to` refused). */
  openUdpClient(args: OpenUdpClientArgs): Promise<EndpointInfo> {
    return this._open('openUdpClient', args);
  }

  /** `{ path, backlog?, autoReply?, capture?, framing? }` -> a Unix-domain listener (a stale socket file is replaced). */
  startUnixListener(args: StartUnixListenerArgs): Promise<EndpointInfo> {
    return this._open('startUnixListener', args);
  }

  /** `{ path, timeoutMs?, autoReply?, capture?, framing? }` -> a connected Unix-domain client. */
  connectUnix(args: ConnectUnixArgs): Promise<EndpointInfo> {
    return this._open('connectUnix', args);
  }

  /**
   * `{ host?, port, cert?, key?, ca?, alpn?, requestClientCert?, keylogPath?, backlog?, maxConnections?,
   * autoReply?, allowExternal?, capture? }` -> a listening TLS listener (a 'tcp-listener' with `tls`); with no
   * cert/key it uses the generated certificate, whose CA is `tls.caPath`.
   */
  startTlsListener(args: StartTlsListenerArgs): Promise<EndpointInfo> {
    return this._open('startTlsListener', args);
  }

  /**
   * `{ host?, port, servername?, ca?, cert?, key?, alpn?, insecure?, keylogPath?, timeoutMs?, autoReply?,
   * capture? }` -> a connected TLS client (a 'tcp-client' with `tls`); the certificate is verified unless insecure.
   */
  connectTls(args: ConnectTlsArgs): Promise<EndpointInfo> {
    return this._open('connectTls', args);
  }

  /**
   * `{ listen: { host?, port } | { path }, upstream: { host, port } | { path }, protocol?, tls?, allowExternal?,
   * capture? }` -> a listening relay (kind 'relay'): each client gets its own upstream connection.
   */
  startRelay(args: StartRelayArgs): Promise<EndpointInfo> {
    return this._open('startRelay', args);
  }

  /**
   * Parses the argument of an opening command and opens its endpoint under a new id; the entry keeps how to
   * build it again (restart), with the auto-reply, capture and framing as they are then.
   */
  private async _open(command: OpenCommand, args: unknown): Promise<EndpointInfo> {
    this._checkAlive();
    const { entry } = this._prepare(command, args, `e${this._nextEndpoint++}`);
    entry.endpoint = await entry.create();
    this._entries.set(entry.endpoint.id, entry as Entry);
    this._onDidChangeEndpoints.fire(entry.endpoint.id);
    return entry.endpoint.info();
  }

  /** Checks an opening command's argument and makes the entry that builds its endpoint under `id` (not started). */
  private _prepare(command: OpenCommand, args: unknown, id: string): PreparedEntry {
    return prepareEntry(this._entryHost, command, args, id);
  }

  // ---- restoring after a reload (the host stores openSpec and calls reopen) ------------------------

  /**
   * How endpoint `id` was opened, to open it again after a window reload: its command and argument, with the
   * auto-reply, capture and framing as they are now and the port it got in place of 0. Undefined for an unknown id.
   */
  openSpec(id: string): { command: OpenCommand; args: Record<string, unknown> } | undefined {
    const entry = this._entries.get(id);
    return entry && entryOpenSpec(entry);
  }

  /** Keeps ids `ids` ('e3'...) from being given to endpoints opened from now on (they are about to be restored). */
  reserveIds(ids: readonly string[]): void {
    for (const id of ids) {
      const n = /^e(\d+)$/.exec(id);
      if (n) this._nextEndpoint = Math.max(this._nextEndpoint, Number(n[1]) + 1);
    }
  }

  /** Opens an endpoint again under its id from before a reload (one that cannot start is listed: startOrStandIn). */
  async reopen(
    id: string,
    command: OpenCommand,
    args: unknown,
    last: { local?: EndpointInfo['local']; remote?: EndpointInfo['remote'] } = {},
  ): Promise<EndpointInfo> {
    this._checkAlive();
    if (!/^e\d+$/.test(id) || this._entries.has(id)) {
      throw SocketLabError.create('invalidArgument', '{field} must be a free endpoint id like e3, not {value}.', {
        field: 'id',
        value: id,
      });
    }
    this.reserveIds([id]);
    const entry = await startOrStandIn(this._prepare(command, args, id), id, this._sink, last);
    this._checkAlive();
    this._entries.set(id, entry as Entry);
    this._onDidChangeEndpoints.fire(id);
    return entry.endpoint.info();
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
    try {
      return await restartEntry(entry, () => this._entries.get(id) === entry);
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
    if (entry.endpoint.kind === 'relay' && spec !== undefined) {
      throw SocketLabError.create(
        'invalidArgument',
        '{endpoint} is a relay: it passes on what each side says, so it has no auto-reply; inject a payload instead.',
        { id, endpoint: entry.endpoint.displayName, field: 'autoReply' },
      );
    }
    const endpoint = entry.endpoint;
    endpoint.setAutoReply(compileAutoReply(spec, { onError: (error) => endpoint.autoReplyProblem(error) }));
    entry.autoReplySpec = spec;
  }

  /**
   * Starts (`{ path, format?, maxBytes?, append? }`) or stops (undefined) capturing an endpoint's traffic to
   * a file; kept across restart. Resolves once the file is open (or, stopping, closed).
   */
  async setCapture(id: string, spec: CaptureArg | undefined): Promise<EndpointInfo> {
    const entry = this._entry(parseNonEmptyString(id, 'id'));
    if (spec === undefined) {
      entry.capture = undefined;
      await entry.endpoint.detachCapture();
      return entry.endpoint.info();
    }
    await captureEntry(entry, parseCaptureSpec(spec), () => this._entries.get(entry.endpoint.id) === entry);
    return entry.endpoint.info();
  }

  /** `{ id, path, format?, maxBytes?, append? }`: starts capturing an endpoint's traffic (replacing its capture). */
  startCapture(args: StartCaptureArgs): Promise<EndpointInfo> {
    this._checkAlive();
    const a = parseCommandArgs('startCapture', args);
    const capture = captureOfStartArgs(a);
    return this.setCapture(a.id, capture);
  }

  /** `{ id }`: stops the capture of an endpoint; resolves once its file is closed. */
  stopCapture(args: IdArgs): Promise<EndpointInfo> {
    return this.setCapture(parseCommandArgs('stopCapture', args).id, undefined);
  }

  /**
   * `{ id, framing }`: changes how a TCP, TLS or Unix endpoint cuts what arrives from now on, on its live
   * connections (a frame in progress is kept), on those it accepts later and after a restart. Refused for UDP
   * and relays.
   */
  setFraming(args: SetFramingArgs): EndpointInfo {
    const a = parseCommandArgs('setFraming', args);
    return setEntryFraming(this._entry(a.id), resolveFraming(a.framing).spec);
  }

  /** `{ id, on }`: turns broadcast on or off on a UDP socket; a restart keeps it. */
  setBroadcast(args: SetBroadcastArgs): EndpointInfo {
    const a = parseCommandArgs('setBroadcast', args);
    return changeUdpSettings(this._entry(a.id), (udp) => udp.setBroadcast(a.on));
  }

  /** `{ id, group, interface? }`: joins a multicast group on a UDP socket; a restart joins it again. */
  joinMulticast(args: MulticastArgs): EndpointInfo {
    const a = parseCommandArgs('joinMulticast', args);
    if (a.interface !== undefined) {
      const error = checkMulticastInterface(a.interface, a.group);
      if (error) throw error;
    }
    return changeUdpSettings(this._entry(a.id), (udp) => udp.joinGroup(a.group, a.interface));
  }

  /** `{ id, group, interface? }`: leaves a multicast group the socket joined. */
  leaveMulticast(args: MulticastArgs): EndpointInfo {
    const a = parseCommandArgs('leaveMulticast', args);
    return changeUdpSettings(this._entry(a.id), (udp) => udp.leaveGroup(a.group, a.interface));
  }

  /** `{ id, ttl?, loopback? }`: the TTL (0-255) and loopback of the multicast datagrams a UDP socket sends. */
  setMulticastOptions(args: MulticastOptionsArgs): EndpointInfo {
    const a = parseCommandArgs('setMulticastOptions', args);
    return changeUdpSettings(this._entry(a.id), (udp) => udp.setMulticastOptions({ ttl: a.ttl, loopback: a.loopback }));
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

  /**
   * `{ id, path }`: writes the records still held of an endpoint, or of one connection or UDP peer, as a
   * pcapng file (created or replaced) that Wireshark and tshark open.
   */
  async exportPcapng(args: ExportPcapngArgs): Promise<PcapngExportResult> {
    const a = parseCommandArgs('exportPcapng', args);
    const { endpoint } = this._target(a.id);
    return exportPcapng(endpoint.info(), this.traffic(a.id), a.path);
  }

  /** The listening TCP and bound UDP sockets of this machine, with their processes where visible, and which are ours. */
  async listSystemPorts(): Promise<SystemPort[]> {
    return matchOwnEndpoints(await readSystemPorts(), this.list(), process.pid);
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
