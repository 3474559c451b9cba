/**
 * A registry entry: how one endpoint was opened (command, argument, auto-reply, capture, framing) and how to
 * build and start it again under the same id (restart, restore after a reload). The registry (socketLab.ts)
 * keeps the entries; this file makes and starts them.
 */
import * as os from 'os';
import * as nodePath from 'path';
import type { AutoReplySpec } from '../shared/autoReplySpec';
import type { CaptureSpec } from '../shared/commandArgs';
import type { FramingSpec } from '../shared/framing';
import { SocketLabError } from '../shared/errors';
import type { EndpointInfo } from '../shared/model';
import { compileAutoReply } from './autoReply';
import { discardCaptureFile, openCaptureFile } from './captureFile';
import { parseCommandArgs } from './commandArgs';
import { endpointBuilder, type EndpointBuilder, type OpenCommand, type OpenDefaults } from './endpointFactory';
import type { Endpoint, EndpointSink } from './endpoints/endpoint';
import { StreamEndpoint } from './endpoints/streamEndpoint';
import { resolveFraming } from './framing/deframer';
import { explainAddressInUse } from './portInUse';
import { toSocketLabError } from './systemErrors';
import { UdpSocket, type UdpSettings } from './endpoints/udpSocket';

/** One endpoint of the registry and what it takes to open it again. */
export interface Entry {
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
  /** UDP: broadcast and multicast settings changed while it ran, which a restart applies again. */
  udpSettings?: UdpSettings;
}

/** An entry made but not started yet (no endpoint), and the builder of its endpoint. */
export interface PreparedEntry {
  entry: Partial<Entry> & Pick<Entry, 'create'>;
  build: EndpointBuilder;
}

/** What the registry lends its entries: its defaults, its sink, the endpoints being started, its state. */
export interface EntryHost {
  /** The registry's defaults as they are now (setOptions changes them for later starts). */
  options(): OpenDefaults & { logCapBytes: number };
  sink: EndpointSink;
  /** Endpoints between build and a finished start: closed too when the registry is disposed meanwhile. */
  starting: Set<Endpoint>;
  /** Throws when the registry has been disposed. */
  checkAlive(): void;
  /** The registry's endpoints, to say which of them holds a port in use. */
  list(): EndpointInfo[];
}

/** The opening commands of TCP, TLS and Unix streams: the ones that take a framing. */
export const STREAM_COMMANDS: ReadonlySet<OpenCommand> = new Set([
  'startTcpListener',
  'connectTcp',
  'startUnixListener',
  'connectUnix',
  'startTlsListener',
  'connectTls',
]);

/** Checks an opening command's argument and makes the entry that builds its endpoint under `id` (not started). */
export function prepareEntry(host: EntryHost, command: OpenCommand, args: unknown, id: string): PreparedEntry {
  const a = parseCommandArgs(command, args);
  const autoReplySpec = 'autoReply' in a ? a.autoReply : undefined;
  compileAutoReply(autoReplySpec); // validate now: an invalid spec opens nothing
  // The delimiter decoded too: a framing that cannot work opens nothing. UDP's schema lets only none through.
  const framing =
    STREAM_COMMANDS.has(command) && 'framing' in a && a.framing ? resolveFraming(a.framing).spec : undefined;
  const build = endpointBuilder(command, a, host.options());
  // One object: create() reads the auto-reply, capture and framing the entry holds at each (re)start.
  const entry: Partial<Entry> & Pick<Entry, 'create'> = {
    command,
    args: { ...(args as object) },
    autoReplySpec,
    capture: a.capture,
    framing,
    create: () =>
      startEndpoint(
        host,
        async () => {
          // The auto-reply reports to the endpoint it runs in, built just below (it reports only on traffic).
          const autoReply = compileAutoReply(entry.autoReplySpec, {
            onError: (error) => endpoint.autoReplyProblem(error),
          });
          const endpoint: Endpoint = await build({
            id,
            sink: host.sink,
            logCapBytes: host.options().logCapBytes,
            autoReply,
            framing: entry.framing,
          });
          if (entry.udpSettings && endpoint instanceof UdpSocket) endpoint.useSettings(entry.udpSettings);
          return endpoint;
        },
        entry as Entry,
      ),
  };
  return { entry, build };
}

/**
 * How an entry's endpoint was opened, to open it again after a window reload: its command and argument, with
 * the auto-reply, capture and framing as they are now and the port it got in place of 0.
 */
export function entryOpenSpec(entry: Entry): { command: OpenCommand; args: Record<string, unknown> } {
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

/**
 * Builds and starts an endpoint with the entry's capture; on failure nothing stays open (a capture file
 * this start created is removed) and the caller gets the error, naming who holds a port in use. The
 * capture file is opened first, so a refused file opens no socket.
 */
async function startEndpoint(host: EntryHost, build: () => Promise<Endpoint>, entry: Entry): Promise<Endpoint> {
  const capture = entry.capture;
  const file = capture ? await openCaptureFile(capture) : undefined;
  let endpoint: Endpoint | undefined;
  try {
    endpoint = await build();
    host.starting.add(endpoint);
    await endpoint.start();
    host.checkAlive();
    if (capture && file) {
      endpoint.attachCapture(capture, file);
      // From now on the file is this endpoint's: a restart adds to it.
      entry.capture = { ...capture, append: true };
    }
    return endpoint;
  } catch (err) {
    if (endpoint) safeDispose(endpoint);
    if (file) discardCaptureFile(file);
    throw await explainAddressInUse(err, endpoint?.kind, host.list());
  } finally {
    if (endpoint) host.starting.delete(endpoint);
  }
}

/**
 * Starts a prepared entry; when it cannot start (its port is taken...), the entry gets a stand-in endpoint that
 * never opens a socket (nor a capture file), in state 'error' with the reason and named by `last` (its address
 * before), so the user sees why and `restart` can retry. Used to restore endpoints after a window reload.
 */
export async function startOrStandIn(
  prepared: PreparedEntry,
  id: string,
  sink: EndpointSink,
  last: { local?: EndpointInfo['local']; remote?: EndpointInfo['remote'] },
): Promise<Entry> {
  const { entry, build } = prepared;
  try {
    entry.endpoint = await entry.create();
  } catch (err) {
    const standIn = await build({ id, sink, logCapBytes: 0 }).catch(() => undefined);
    if (!standIn) throw err;
    safeDispose(standIn);
    standIn.state = 'error';
    standIn.error = toSocketLabError(err, { operation: 'restore' });
    standIn.local ??= last.local;
    standIn.remote ??= last.remote;
    entry.endpoint = standIn;
  }
  return entry as Entry;
}

/**
 * Closes the entry's endpoint and opens a fresh one with the same id and settings. `isCurrent` says whether
 * the entry is still the registry's (it may be stopped while restarting). A failure marks the old endpoint.
 */
export async function restartEntry(entry: Entry, isCurrent: () => boolean): Promise<EndpointInfo> {
  const old = entry.endpoint;
  safeDispose(old);
  // The new capture appends to the same file: the old one's last blocks must be in it first.
  await old.capture?.closed();
  try {
    const fresh = await entry.create();
    if (!isCurrent()) {
      safeDispose(fresh);
      throw SocketLabError.create('stopped', 'Endpoint {id} was stopped while restarting.', { id: old.id });
    }
    entry.endpoint = fresh;
    return fresh.info();
  } catch (err) {
    const e = toSocketLabError(err, { operation: 'restart' });
    old.state = 'error';
    old.error = e;
    throw e;
  }
}

/**
 * Starts capturing the entry's endpoint into the file `capture` names (replacing its capture); kept across
 * restart. `isCurrent` says whether the entry is still the registry's once the file is open.
 */
export async function captureEntry(entry: Entry, capture: CaptureSpec, isCurrent: () => boolean): Promise<void> {
  const file = await openCaptureFile(capture);
  if (!isCurrent()) {
    // Stopped while the file was opening.
    discardCaptureFile(file);
    throw SocketLabError.create('unknownId', 'There is no endpoint {id}.', { id: entry.endpoint.id });
  }
  await entry.endpoint.detachCapture();
  entry.endpoint.attachCapture(capture, file);
  entry.capture = { ...capture, append: true };
}

/** Sets the framing of a TCP, TLS or Unix entry (live connections, later ones and restarts); refused for UDP and relays. */
export function setEntryFraming(entry: Entry, framing: FramingSpec): EndpointInfo {
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
  endpoint.setFraming(framing);
  entry.framing = framing;
  return endpoint.info();
}

/** The default folder of the generated TLS certificates: one per user under the system's temp folder. */
export function defaultTlsFolder(): string {
  let user: string;
  try {
    user = String(os.userInfo().uid >= 0 ? os.userInfo().uid : os.userInfo().username);
  } catch {
    user = 'user';
  }
  return nodePath.join(os.tmpdir(), `socket-lab-tls-${user}`);
}

/** Disposes `d`, swallowing what it throws: closing must never throw to the caller. */
export function safeDispose(d: { dispose(): void }): void {
  try {
    d.dispose();
  } catch {
    // The socket is gone either way.
  }
}
