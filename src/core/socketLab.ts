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
  type CaptureSpec,
  type ExportPcapngArgs,
  type ConnectTcpArgs,
  type ConnectTlsArgs,
  type ConnectUnixArgs,
  type IdArgs,
  type MulticastArgs,
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
import * as os from 'os';
import * as nodePath from 'path';
import { SocketLabError } from '../shared/errors';
import type { FramingSpec } from '../shared/framing';
import { DEFAULT_LOG_CAP_BYTES, MAX_CONNECTIONS_DEFAULT } from '../shared/limits';
import type { EndpointInfo, TrafficRecord } from '../shared/model';
import { parseHost, parseMaxConnections, parseTimeoutMs } from '../shared/validate';
import { ENDPOINT_KIND_WORDS } from '../shared/valueWords';
import { compileAutoReply } from './autoReply';
import { discardCaptureFile, openCaptureFile } from './captureFile';
import { parseCommandArgs } from './commandArgs';
import { endpointBuilder, type EndpointBuilder, type OpenCommand } from './endpointFactory';
import { exportPcapng, type PcapngExportResult } from './pcap/exportPcapng';
import { explainAddressInUse } from './portInUse';
import { matchOwnEndpoints } from './ports/matchOwnEndpoints';
import { readSystemPorts } from './ports/readSystemPorts';
import type { SystemPort } from './ports/systemPort';
import type { Endpoint, EndpointSink } from './endpoints/endpoint';
import { StreamEndpoint } from './endpoints/streamEndpoint';
import { UdpSocket } from './endpoints/udpSocket';
import { Emitter, Event } from './event';
import { resolveFraming } from './framing/deframer';
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

interface Entry {
  endpoint: Endpoint;
  /** Opens a fresh endpoint with the same id and settings (start and restart). */
  create: () => Promise<Endpoint>;
  /** The command that opened it and its argument as given (checked): what a restore after a reload replays. */
  command: OpenCommand;
  args: object;
  autoReplySpec?: AutoReplySpec;
  /** The capture to reopen on restart (appending: the file is the endpoint's own by then). */
  capture?: CaptureSpec;
  /** TCP/TLS/Unix: the framing new connections and a restart use (setFraming changes it). */
  framing?: FramingSpec;
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
  private _prepare(
    command: OpenCommand,
    args: unknown,
    id: string,
  ): { entry: Partial<Entry> & Pick<Entry, 'create'>; build: EndpointBuilder } {
    const a = parseCommandArgs(command, args);
    const autoReplySpec = 'autoReply' in a ? a.autoReply : undefined;
    compileAutoReply(autoReplySpec); // validate now: an invalid spec opens nothing
    // The delimiter decoded too: a framing that cannot work opens nothing. UDP's schema lets only none through.
    const framing =
      STREAM_COMMANDS.has(command) && 'framing' in a && a.framing ? resolveFraming(a.framing).spec : undefined;
    const build = endpointBuilder(command, a, this._options);
    // One object: create() reads the auto-reply, capture and framing the entry holds at each (re)start.
    const entry: Partial<Entry> & Pick<Entry, 'create'> = {
      command,
      args: { ...(args as object) },
      autoReplySpec,
      capture: a.capture,
      framing,
      create: () =>
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
            framing: entry.framing,
          });
          return endpoint;
        }, entry as Entry),
    };
    return { entry, build };
  }

  // ---- restoring after a reload (the host stores openSpec and calls reopen) ------------------------

  /**
   * How endpoint `id` was opened, to open it again after a window reload: its command and argument, with the
   * auto-reply, capture and framing as they are now and the port it got in place of 0. Undefined for an unknown id.
   */
  openSpec(id: string): { command: OpenCommand; args: Record<string, unknown> } | undefined {
    const entry = this._entries.get(id);
    if (!entry) return undefined;
    const args: Record<string, unknown> = { ...(entry.args as Record<string, unknown>) };
    if (entry.autoReplySpec) args.autoReply = entry.autoReplySpec;
    else delete args.autoReply;
    if (entry.capture) args.capture = entry.capture;
    else delete args.capture;
    // setFraming may have changed it since the start; a stream opened with none keeps none.
    if (entry.framing && STREAM_COMMANDS.has(entry.command)) args.framing = entry.framing;
    const local = entry.endpoint.local;
    if (args.port === 0 && local && 'port' in local && entry.command.startsWith('start')) args.port = local.port;
    return { command: entry.command, args };
  }

  /** Keeps ids `ids` ('e3'...) from being given to endpoints opened from now on (they are about to be restored). */
  reserveIds(ids: readonly string[]): void {
    for (const id of ids) {
      const n = /^e(\d+)$/.exec(id);
      if (n) this._nextEndpoint = Math.max(this._nextEndpoint, Number(n[1]) + 1);
    }
  }

  /**
   * Opens an endpoint again under the id it had before a reload (`openSpec`'s command and argument). When it
   * cannot start (its port is taken...), it is still listed, in state 'error' with the reason and named by
   * `last` (its address before), so the user sees why; `restart` retries it.
   */
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
    const { entry, build } = this._prepare(command, args, id);
    try {
      entry.endpoint = await entry.create();
    } catch (err) {
      // A stand-in that never opens a socket (no capture file either), to carry the reason into the view.
      const standIn = await build({ id, sink: this._sink, logCapBytes: 0 }).catch(() => undefined);
      if (!standIn) throw err;
      safeDispose(standIn);
      standIn.state = 'error';
      standIn.error = toSocketLabError(err, { operation: 'restore' });
      standIn.local ??= last.local;
      standIn.remote ??= last.remote;
      entry.endpoint = standIn;
    }
    this._checkAlive();
    this._entries.set(id, entry as Entry);
    this._onDidChangeEndpoints.fire(id);
    return entry.endpoint.info();
  }

  /**
   * Builds and starts an endpoint with the entry's capture; on failure nothing stays open (a capture file
   * this start created is removed) and the caller gets the error, naming who holds a port in use. The
   * capture file is opened first, so a refused file opens no socket.
   */
  private async _startEndpoint(build: () => Promise<Endpoint>, entry: Entry): Promise<Endpoint> {
    const capture = entry.capture;
    const file = capture ? await openCaptureFile(capture) : undefined;
    let endpoint: Endpoint | undefined;
    try {
      endpoint = await build();
      this._starting.add(endpoint);
      await endpoint.start();
      this._checkAlive();
      if (capture && file) {
        endpoint.attachCapture(capture, file);
        // From now on the file is this endpoint's: a restart adds to it.
        entry.capture = { ...capture, append: true };
      }
      return endpoint;
    } catch (err) {
      if (endpoint) safeDispose(endpoint);
      if (file) discardCaptureFile(file);
      throw await explainAddressInUse(err, endpoint?.kind, this.list());
    } finally {
      if (endpoint) this._starting.delete(endpoint);
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
    // The new capture appends to the same file: the old one's last blocks must be in it first.
    await old.capture?.closed();
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
    const capture = parseCaptureSpec(spec);
    const file = await openCaptureFile(capture);
    if (this._entries.get(entry.endpoint.id) !== entry) {
      // Stopped while the file was opening.
      discardCaptureFile(file);
      throw SocketLabError.create('unknownId', 'There is no endpoint {id}.', { id });
    }
    await entry.endpoint.detachCapture();
    entry.endpoint.attachCapture(capture, file);
    entry.capture = { ...capture, append: true };
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
    const entry = this._entry(a.id);
    const endpoint = entry.endpoint;
    if (endpoint.kind === 'relay') {
      // A relay passes bytes through as they come; cutting them into records would change nothing it forwards.
      throw SocketLabError.create(
        'framingNotForRelay',
        '{endpoint} is a relay: it logs each side as it reads it and has no framing to set (framing is for TCP, TLS and Unix listeners and clients).',
        { id: endpoint.id, endpoint: endpoint.displayName, field: 'id' },
      );
    }
    if (!(endpoint instanceof StreamEndpoint)) {
      throw SocketLabError.create(
        'framingNotForUdp',
        '{endpoint} is a UDP socket: framing is only for TCP and Unix streams (a UDP socket keeps one record per datagram).',
        { id: endpoint.id, endpoint: endpoint.displayName, field: 'id' },
      );
    }
    const framing = resolveFraming(a.framing).spec;
    endpoint.setFraming(framing);
    entry.framing = framing;
    return endpoint.info();
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

  private _udp(id: string): UdpSocket {
    const endpoint = this._entry(id).endpoint;
    if (!(endpoint instanceof UdpSocket))
      throw SocketLabError.create('notUdp', '{id} is a {kind}, not a UDP socket.', {
        id: endpoint.id,
        kind: ENDPOINT_KIND_WORDS[endpoint.kind],
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

/** The default folder of the generated TLS certificates: one per user under the system's temp folder. */
function defaultTlsFolder(): string {
  let user: string;
  try {
    user = String(os.userInfo().uid >= 0 ? os.userInfo().uid : os.userInfo().username);
  } catch {
    user = 'user';
  }
  return nodePath.join(os.tmpdir(), `socket-lab-tls-${user}`);
}
/** The opening commands of TCP, TLS and Unix streams: the ones that take a framing. */
const STREAM_COMMANDS: ReadonlySet<OpenCommand> = new Set([
  'startTcpListener',
  'connectTcp',
  'startUnixListener',
  'connectUnix',
  'startTlsListener',
  'connectTls',
]);

function safeDispose(d: { dispose(): void }): void {
  try {
    d.dispose();
  } catch {
    // Closing must never throw to the caller; the socket is gone either way.
  }
}
