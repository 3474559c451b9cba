/**
 * The argument of every command, once: its TypeScript type and its valibot schema. The core's public
 * methods parse their argument with these schemas (direct callers and the public API pass unknown data),
 * and the host's commands check theirs with the same ones, so a bad value gets one sentence whoever calls.
 * Each field is read by a shared parser (src/shared/validate.ts and the ones below) and a refusal keeps its
 * SocketLabError (code, template, values), so the host can translate it. What only the core can check (the
 * payload's encoding, an auto-reply's rules) is typed here and checked when the core encodes or compiles it.
 */
import * as v from 'valibot';
import { SocketLabError } from './errors';
import { type CaptureFormat } from './model';
import type { LineEnding, PayloadFormat } from './payload';
import { parseRelayListen, parseRelayUpstream, type RelayListenArg, type RelayUpstreamArg } from './tlsRelayArgs';
import { parseUnixPath, type PlatformName } from './validate';
import {
  alpn,
  autoReply,
  backlog,
  bindPort,
  capture,
  type CaptureSpec,
  checkedByCore,
  checksum,
  checksumEndian,
  destination,
  direction,
  file,
  filePath,
  flag,
  framing,
  host,
  maxConnections,
  multicastGroup,
  multicastGroups,
  multicastTtl,
  outputPath,
  parseCaptureSpec,
  parsedBy,
  refusals,
  refuse,
  relayProtocol,
  relayTls,
  remotePort,
  repeat,
  requestVariables,
  sendData,
  servername,
  text,
  timeoutMs,
  udpFraming,
  waitMs,
} from './argFields';

// Callers import the field parsers and shapes from here, beside the argument types.
export { parseNonEmptyString, parseCaptureSpec, parseRequestVariables, parseUdpFraming } from './argFields';
export type { Destination, CaptureSpec, CaptureArg } from './argFields';

// ---- argument objects -------------------------------------------------------------------------------

/** Why `value` is not an argument object of `command`, or undefined when it is one (no unknown field). */
function argsObjectError(value: unknown, command: string, fields: readonly string[]): SocketLabError | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return SocketLabError.create('invalidArgument', '{command} needs an argument object with {fields}.', {
      field: 'args',
      command,
      fields: fields.join(', '),
    });
  }
  for (const key of Object.keys(value)) {
    if (fields.includes(key)) continue;
    return fields.length === 0
      ? SocketLabError.create('unknownField', '{command} takes no fields; pass {}.', { field: key, command })
      : SocketLabError.create('unknownField', "{command} has no field '{field}'; its fields are {fields}.", {
          field: key,
          command,
          fields: fields.join(', '),
        });
  }
  return undefined;
}

/** What an object schema of `E` accepts. */
type ObjectInput<E extends v.ObjectEntries> = v.InferInput<v.ObjectSchema<E, undefined>>;

/**
 * The argument object of `command`: no other field than `entries`, each checked in the order written
 * (the order the refusal of an unknown field lists them in).
 */
function argsObject<const E extends v.ObjectEntries>(command: string, entries: E) {
  const fields = Object.keys(entries);
  return v.pipe(
    v.custom<ObjectInput<E>>(() => true),
    v.rawTransform<ObjectInput<E>, ObjectInput<E>>(({ dataset, addIssue, NEVER }) => {
      const value: unknown = dataset.value;
      const error = argsObjectError(value, command, fields);
      if (error) {
        refuse(dataset, addIssue, error);
        return NEVER;
      }
      // Each field is read once, a missing one as undefined, so that its own check says what is missing.
      const read: Record<string, unknown> = {};
      for (const field of fields) read[field] = (value as Record<string, unknown>)[field];
      return read as ObjectInput<E>;
    }),
    v.object(entries),
  );
}

/**
 * The schema of every command's argument. Unix path limits depend on the operating system, so the core and
 * the host each build them once for theirs (process.platform).
 */
export function commandSchemas(platform: PlatformName) {
  const unixPath = parsedBy<string>((value) => parseUnixPath(value, 'path', platform));
  const byId = (command: string) => argsObject(command, { id: text('id') });
  return {
    startTcpListener: argsObject('startTcpListener', {
      host: v.optional(host('host')),
      port: bindPort('port'),
      backlog: v.optional(backlog),
      maxConnections: v.optional(maxConnections),
      autoReply: v.optional(autoReply),
      allowExternal: v.optional(flag('allowExternal')),
      capture: v.optional(capture),
      framing: v.optional(framing),
    }),
    startUdpListener: argsObject('startUdpListener', {
      host: v.optional(host('host')),
      port: bindPort('port'),
      broadcast: v.optional(flag('broadcast')),
      multicastGroups: v.optional(multicastGroups),
      multicastTtl: v.optional(multicastTtl('multicastTtl')),
      multicastLoopback: v.optional(flag('multicastLoopback')),
      autoReply: v.optional(autoReply),
      allowExternal: v.optional(flag('allowExternal')),
      capture: v.optional(capture),
      framing: v.optional(udpFraming),
    }),
    connectTcp: argsObject('connectTcp', {
      host: v.optional(host('host')),
      port: remotePort('port'),
      timeoutMs: v.optional(timeoutMs),
      localAddress: v.optional(host('localAddress')),
      localPort: v.optional(bindPort('localPort')),
      noDelay: v.optional(flag('noDelay')),
      keepAlive: v.optional(flag('keepAlive')),
      halfOpen: v.optional(flag('halfOpen')),
      autoReply: v.optional(autoReply),
      capture: v.optional(capture),
      framing: v.optional(framing),
    }),
    openUdpClient: argsObject('openUdpClient', {
      host: v.optional(host('host')),
      port: remotePort('port'),
      localPort: v.optional(bindPort('localPort')),
      autoReply: v.optional(autoReply),
      capture: v.optional(capture),
      framing: v.optional(udpFraming),
    }),
    startUnixListener: argsObject('startUnixListener', {
      path: unixPath,
      backlog: v.optional(backlog),
      maxConnections: v.optional(maxConnections),
      autoReply: v.optional(autoReply),
      capture: v.optional(capture),
      framing: v.optional(framing),
    }),
    connectUnix: argsObject('connectUnix', {
      path: unixPath,
      timeoutMs: v.optional(timeoutMs),
      halfOpen: v.optional(flag('halfOpen')),
      autoReply: v.optional(autoReply),
      capture: v.optional(capture),
      framing: v.optional(framing),
    }),
    startTlsListener: argsObject('startTlsListener', {
      host: v.optional(host('host')),
      port: bindPort('port'),
      cert: v.optional(file('cert')),
      key: v.optional(file('key')),
      ca: v.optional(file('ca')),
      alpn: v.optional(alpn),
      requestClientCert: v.optional(flag('requestClientCert')),
      keylogPath: v.optional(file('keylogPath')),
      backlog: v.optional(backlog),
      maxConnections: v.optional(maxConnections),
      autoReply: v.optional(autoReply),
      allowExternal: v.optional(flag('allowExternal')),
      capture: v.optional(capture),
      framing: v.optional(framing),
    }),
    connectTls: argsObject('connectTls', {
      host: v.optional(host('host')),
      port: remotePort('port'),
      servername: v.optional(servername),
      ca: v.optional(file('ca')),
      cert: v.optional(file('cert')),
      key: v.optional(file('key')),
      alpn: v.optional(alpn),
      insecure: v.optional(flag('insecure')),
      keylogPath: v.optional(file('keylogPath')),
      timeoutMs: v.optional(timeoutMs),
      autoReply: v.optional(autoReply),
      capture: v.optional(capture),
      framing: v.optional(framing),
    }),
    startRelay: argsObject('startRelay', {
      listen: parsedBy<RelayListenArg>((value) => parseRelayListen(value, platform)),
      upstream: parsedBy<RelayUpstreamArg>((value) => parseRelayUpstream(value, platform)),
      protocol: v.optional(relayProtocol),
      tls: v.optional(relayTls),
      allowExternal: v.optional(flag('allowExternal')),
      capture: v.optional(capture),
    }),
    send: argsObject('send', {
      target: text('target'),
      data: sendData,
      format: v.optional(checkedByCore<PayloadFormat>()),
      encoding: v.optional(checkedByCore<string>()),
      escapes: v.optional(flag('escapes')),
      lineEnding: v.optional(checkedByCore<LineEnding>()),
      checksum: v.optional(checksum),
      checksumEndian: v.optional(checksumEndian),
      variables: v.optional(flag('variables')),
      to: v.optional(destination),
      repeat: v.optional(repeat),
      waitMs: v.optional(waitMs),
      direction: v.optional(direction),
    }),
    sendFile: argsObject('sendFile', {
      target: text('target'),
      path: filePath,
      to: v.optional(destination),
      direction: v.optional(direction),
    }),
    runRequestFile: argsObject('runRequestFile', {
      path: text('path'),
      block: v.optional(text('block')),
      vars: v.optional(requestVariables),
      env: v.optional(text('env')),
    }),
    stopRepeat: argsObject('stopRepeat', { repeatId: text('repeatId') }),
    stop: byId('stop'),
    halfClose: byId('halfClose'),
    restart: byId('restart'),
    clearLog: byId('clearLog'),
    copyAddress: byId('copyAddress'),
    copyCaPath: byId('copyCaPath'),
    openPanel: byId('openPanel'),
    stopAll: argsObject('stopAll', {}),
    setBroadcast: argsObject('setBroadcast', { id: text('id'), on: flag('on') }),
    joinMulticast: argsObject('joinMulticast', {
      id: text('id'),
      group: multicastGroup,
      interface: v.optional(text('interface')),
    }),
    setFraming: argsObject('setFraming', { id: text('id'), framing }),
    leaveMulticast: argsObject('leaveMulticast', {
      id: text('id'),
      group: multicastGroup,
      interface: v.optional(text('interface')),
    }),
    setMulticastOptions: argsObject('setMulticastOptions', {
      id: text('id'),
      ttl: v.optional(multicastTtl('ttl')),
      loopback: v.optional(flag('loopback')),
    }),
    startCapture: argsObject('startCapture', {
      id: text('id'),
      path: checkedByCore<string>(),
      format: v.optional(checkedByCore<CaptureFormat>()),
      maxBytes: v.optional(checkedByCore<number>()),
      append: v.optional(checkedByCore<boolean>()),
    }),
    stopCapture: byId('stopCapture'),
    exportPcapng: argsObject('exportPcapng', { id: text('id'), path: outputPath }),
    listSystemPorts: argsObject('listSystemPorts', {}),
  };
}

/** The argument schemas of one platform (see commandSchemas). */
export type CommandSchemas = ReturnType<typeof commandSchemas>;
/** A command that takes an argument object. */
export type CommandName = keyof CommandSchemas;
/** The argument of `command` as a caller writes it. */
export type CommandArgs<C extends CommandName> = v.InferInput<CommandSchemas[C]>;
/** The argument of `command` once parsed: host names normalized, numbers as numbers, every field present. */
export type ParsedArgs<C extends CommandName> = v.InferOutput<CommandSchemas[C]>;

/** `socketLab.startTcpListener`: `{ host?, port, backlog?, maxConnections?, autoReply?, allowExternal?, capture?, framing? }`. */
export type StartTcpListenerArgs = CommandArgs<'startTcpListener'>;
/** `socketLab.startUdpListener`: `{ host?, port, broadcast?, multicastGroups?, multicastTtl?, multicastLoopback?, autoReply?, allowExternal?, capture?, framing?: none only }`. */
export type StartUdpListenerArgs = CommandArgs<'startUdpListener'>;
/** `socketLab.connectTcp`: `{ host?, port, timeoutMs?, localAddress?, localPort?, noDelay?, keepAlive?, halfOpen?, autoReply?, capture?, framing? }`. */
export type ConnectTcpArgs = CommandArgs<'connectTcp'>;
/** `socketLab.openUdpClient`: `{ host?, port, localPort?, autoReply?, capture?, framing?: none only }`. */
export type OpenUdpClientArgs = CommandArgs<'openUdpClient'>;
/** `socketLab.startUnixListener`: `{ path, backlog?, maxConnections?, autoReply?, capture?, framing? }`. */
export type StartUnixListenerArgs = CommandArgs<'startUnixListener'>;
/** `socketLab.connectUnix`: `{ path, timeoutMs?, halfOpen?, autoReply?, capture?, framing? }`. */
export type ConnectUnixArgs = CommandArgs<'connectUnix'>;
/**
 * `socketLab.startTlsListener`: `{ host?, port, cert?, key?, ca?, alpn?, requestClientCert?, keylogPath?,
 * backlog?, maxConnections?, autoReply?, allowExternal?, capture?, framing? }`.
 */
export type StartTlsListenerArgs = CommandArgs<'startTlsListener'>;
/**
 * `socketLab.connectTls`: `{ host?, port, servername?, ca?, cert?, key?, alpn?, insecure?, keylogPath?,
 * timeoutMs?, autoReply?, capture?, framing? }`.
 */
export type ConnectTlsArgs = CommandArgs<'connectTls'>;
/** `socketLab.startRelay`: `{ listen, upstream, protocol?, tls?, allowExternal?, capture? }`. */
export type StartRelayArgs = CommandArgs<'startRelay'>;
/** `socketLab.send`: `{ target, data, format?, encoding?, escapes?, lineEnding?, checksum?, checksumEndian?, variables?, to?, repeat?, waitMs?, direction? }`. */
export type SendArgs = CommandArgs<'send'>;
/** `socketLab.runRequestFile`: `{ path, block?, vars?, env? }` (block: a title, or the line of its `###`). */
export type RunRequestFileArgs = CommandArgs<'runRequestFile'>;
/** `socketLab.sendFile`: `{ target, path, to?, direction? }`. */
export type SendFileArgs = CommandArgs<'sendFile'>;
/** `socketLab.stopRepeat`: `{ repeatId }`. */
export type StopRepeatArgs = CommandArgs<'stopRepeat'>;
/** `{ id }` of an endpoint, connection or UDP peer (stop, halfClose, restart, clearLog, copyAddress, copyCaPath, openPanel). */
export type IdArgs = CommandArgs<'stop'>;
/** `socketLab.setFraming`: `{ id, framing }` (a TCP, TLS or Unix endpoint; applies to what arrives from then on). */
export type SetFramingArgs = CommandArgs<'setFraming'>;
/** `socketLab.setBroadcast`: `{ id, on }` (a UDP socket). */
export type SetBroadcastArgs = CommandArgs<'setBroadcast'>;
/** `socketLab.joinMulticast` / `leaveMulticast`: `{ id, group, interface? }` (a UDP socket). */
export type MulticastArgs = CommandArgs<'joinMulticast'>;
/** `socketLab.setMulticastOptions`: `{ id, ttl?, loopback? }` (a UDP socket; TTL 0-255, loopback on/off). */
export type MulticastOptionsArgs = CommandArgs<'setMulticastOptions'>;

/** `socketLab.startCapture`: `{ id, path, format?, maxBytes?, append? }` (an endpoint). */
export type StartCaptureArgs = CommandArgs<'startCapture'>;
/** `socketLab.exportPcapng`: `{ id, path }` (an endpoint, a connection or a UDP peer). */
export type ExportPcapngArgs = CommandArgs<'exportPcapng'>;

/** The capture of a parsed startCapture argument: its fields read as a capture argument is (path first). */
export function captureOfStartArgs(args: ParsedArgs<'startCapture'>): CaptureSpec {
  const { id: _id, ...capture } = args;
  return parseCaptureSpec(Object.fromEntries(Object.entries(capture).filter(([, value]) => value !== undefined)), '');
}

/**
 * Parses the argument of `command`: the typed value, or throws the SocketLabError of the first refusal
 * (not an object, an unknown field, then the fields in their order).
 */
export function parseArgs<C extends CommandName>(schemas: CommandSchemas, command: C, value: unknown): ParsedArgs<C> {
  const result = v.safeParse(schemas[command], value, { abortEarly: true });
  if (result.success) return result.output as ParsedArgs<C>;
  const issue = result.issues[0];
  throw (
    refusals.get(issue) ??
    SocketLabError.create('invalidArgument', '{field} is not valid ({problem}).', {
      field: issue.path?.map((p) => String(p.key)).join('.') ?? command,
      problem: issue.message,
    })
  );
}
