/**
 * The argument of every command, once: its TypeScript type and its valibot schema. The core's public
 * methods parse their argument with these schemas (direct callers and the public API pass unknown data),
 * and the host's commands check theirs with the same ones, so a bad value gets one sentence whoever calls.
 * Each field is read by a shared parser (src/shared/validate.ts and the ones below) and a refusal keeps its
 * SocketLabError (code, template, values), so the host can translate it. What only the core can check (the
 * payload's encoding, an auto-reply's rules) is typed here and checked when the core encodes or compiles it.
 */
import * as v from 'valibot';
import type { AutoReplySpec } from './autoReplySpec';
import { parseChecksumEndian, parseChecksumName, type ChecksumEndian, type ChecksumName } from './checksum';
import { SocketLabError, isSocketLabError } from './errors';
import { parseFramingSpec, type FramingSpec } from './framing';
import { ipFamily } from './ipAddress';
import { CAPTURE_DEFAULT_MAX_BYTES, CAPTURE_MAX_MAX_BYTES, CAPTURE_MIN_MAX_BYTES } from './limits';
import { CAPTURE_FORMATS, RELAY_DIRECTIONS, type CaptureFormat, type RelayDirection } from './model';
import type { LineEnding, PayloadFormat } from './payload';
import { describeValue } from './payload';
import { VARIABLE_NAME } from './requestFile/variables';
import {
  parseAlpn,
  parseFilePath,
  parseRelayListen,
  parseRelayTls,
  parseRelayUpstream,
  parseServername,
  type RelayListenArg,
  type RelayTlsArg,
  type RelayUpstreamArg,
} from './tlsRelayArgs';
import {
  parseBacklog,
  parseMaxConnections,
  parseHost,
  parseInteger,
  parsePort,
  parseRepeat,
  parseTimeoutMs,
  parseUnixPath,
  parseWaitMs,
  type PlatformName,
} from './validate';

// ---- fields -----------------------------------------------------------------------------------------

/** The SocketLabError behind each issue a field raised (valibot issues carry only a message). */
const refusals = new WeakMap<v.BaseIssue<unknown>, SocketLabError>();

/** Adds `error` as the issue of `dataset`, remembering the error itself. */
function refuse(dataset: object, addIssue: (info: { message: string }) => void, error: SocketLabError): void {
  addIssue({ message: error.message });
  const issues = (dataset as { issues?: v.BaseIssue<unknown>[] }).issues;
  if (issues?.length) refusals.set(issues[issues.length - 1], error);
}

/** A field typed `TIn` whose value `parse` reads (it throws the SocketLabError that refuses a bad value). */
function parsedBy<TIn, TOut = TIn>(parse: (value: unknown) => TOut) {
  return v.pipe(
    v.custom<TIn>(() => true),
    v.rawTransform<TIn, TOut>(({ dataset, addIssue, NEVER }) => {
      try {
        return parse(dataset.value);
      } catch (err) {
        if (!isSocketLabError(err)) throw err;
        refuse(dataset, addIssue, err);
        return NEVER;
      }
    }),
  );
}

/** A field typed here and checked by the core when it uses it (encoding a payload, compiling an auto-reply). */
function checkedByCore<T>() {
  return v.custom<T>(() => true);
}

/** true or false. */
function flag(field: string) {
  return parsedBy<boolean>((value) => {
    if (typeof value === 'boolean') return value;
    throw SocketLabError.create('invalidArgument', '{field} must be true or false.', { field });
  });
}

/** Reads a non-empty string: an id, a target, an interface name. */
export function parseNonEmptyString(value: unknown, field: string): string {
  if (typeof value === 'string' && value !== '') return value;
  throw SocketLabError.create('invalidArgument', '{field} must be a non-empty string.', { field });
}

/** A non-empty string field. */
function text(field: string) {
  return parsedBy<string>((value) => parseNonEmptyString(value, field));
}

/** An address or host name to bind or connect to (syntax only; the core resolves it). */
function host(field: string) {
  return parsedBy<string>((value) => parseHost(value, field));
}

/** A port to bind: 0-65535, 0 meaning any free port. */
function bindPort(field: string) {
  return parsedBy<number>((value) => parsePort(value, field));
}

/** A port to connect to: 1-65535. */
function remotePort(field: string) {
  return parsedBy<number>((value) => {
    const port = parsePort(value, field);
    if (port === 0) {
      throw SocketLabError.create(
        'invalidArgument',
        '{field} must be 1-65535 to connect (0 only means "any port" when binding).',
        { field },
      );
    }
    return port;
  });
}

/** Where a UDP datagram goes: `{ host, port }` (the core resolves the host). */
export interface Destination {
  host: string;
  port: number;
}

const destination = parsedBy<Destination>((value) => {
  if (typeof value !== 'object' || value === null) {
    throw SocketLabError.create('invalidArgument', '{field} must be an object { host, port }.', { field: 'to' });
  }
  const to = value as { host?: unknown; port?: unknown };
  const parsed = { host: parseHost(to.host, 'to.host'), port: parsePort(to.port, 'to.port') };
  if (parsed.port === 0) {
    throw SocketLabError.create('invalidArgument', '{field} must be 1-65535.', { field: 'to.port' });
  }
  return parsed;
});

/** Where and how to capture an endpoint's traffic (as parsed: every field present). */
export interface CaptureSpec {
  path: string;
  format: CaptureFormat;
  /** The file stops growing at this size; the capture then stops with a sentence saying so. */
  maxBytes: number;
  /** Add to an existing file; without it an existing file is refused (neither appended to nor overwritten). */
  append: boolean;
}

/** The fields of a capture argument, in the order they are checked. */
const CAPTURE_FIELDS = ['path', 'format', 'maxBytes', 'append'] as const;

/**
 * Reads a capture argument `{ path, format?, maxBytes?, append? }` (format 'jsonl', maxBytes 1 GiB and
 * append false by default). `field` prefixes the field names of refusals ('capture.path'); '' names them alone.
 */
export function parseCaptureSpec(value: unknown, field = 'capture'): CaptureSpec {
  const name = (f: string) => (field ? `${field}.${f}` : f);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw SocketLabError.create(
      'invalidArgument',
      "{field} must be an object { path, format?: 'jsonl' | 'raw' | 'pcapng', maxBytes?, append? }.",
      { field: field || 'capture' },
    );
  }
  for (const key of Object.keys(value)) {
    if (!(CAPTURE_FIELDS as readonly string[]).includes(key)) {
      throw SocketLabError.create('unknownField', '{field} is not a capture field; they are {fields}.', {
        field: name(key),
        fields: CAPTURE_FIELDS.join(', '),
      });
    }
  }
  const { path, format = 'jsonl', maxBytes, append = false } = value as Record<string, unknown>;
  if (typeof path !== 'string' || path === '') {
    throw SocketLabError.create('invalidArgument', '{field} must be a non-empty file path.', { field: name('path') });
  }
  if (typeof format !== 'string' || !(CAPTURE_FORMATS as readonly string[]).includes(format)) {
    throw SocketLabError.create('invalidArgument', "{field} must be 'jsonl', 'raw' or 'pcapng'.", {
      field: name('format'),
    });
  }
  if (typeof append !== 'boolean') {
    throw SocketLabError.create('invalidArgument', '{field} must be true or false.', { field: name('append') });
  }
  return {
    path,
    format: format as CaptureFormat,
    maxBytes:
      maxBytes === undefined
        ? CAPTURE_DEFAULT_MAX_BYTES
        : parseInteger(maxBytes, name('maxBytes'), CAPTURE_MIN_MAX_BYTES, CAPTURE_MAX_MAX_BYTES, 'invalidArgument'),
    append,
  };
}

/** A capture argument as a caller writes it. */
export interface CaptureArg {
  path: string;
  format?: CaptureFormat;
  maxBytes?: number;
  append?: boolean;
}

const capture = parsedBy<CaptureArg, CaptureSpec>((value) => parseCaptureSpec(value));

const multicastGroups = parsedBy<string[]>((value) => {
  if (!Array.isArray(value) || value.some((g) => typeof g !== 'string' || ipFamily(g) === 0)) {
    throw SocketLabError.create(
      'invalidArgument',
      '{field} must be a list of multicast group IP addresses, e.g. ["239.1.2.3"].',
      { field: 'multicastGroups' },
    );
  }
  return value as string[];
});

const multicastGroup = parsedBy<string>((value) => {
  if (typeof value === 'string' && ipFamily(value) !== 0) return value;
  throw SocketLabError.create(
    'invalidArgument',
    '{field} must be a multicast group IP address, e.g. 239.1.2.3 or ff02::1:3.',
    { field: 'group' },
  );
});

const sendData = parsedBy<string>((value) => {
  if (typeof value === 'string') return value;
  throw SocketLabError.create(
    'invalidArgument',
    '{field} must be a string (text, hex or base64 according to format).',
    {
      field: 'data',
    },
  );
});

const filePath = parsedBy<string>((value) => {
  if (typeof value === 'string' && value !== '') return value;
  throw SocketLabError.create('invalidArgument', '{field} must be the path of a file to send.', { field: 'path' });
});

const checksum = parsedBy<ChecksumName>((value) => parseChecksumName(value));
const checksumEndian = parsedBy<ChecksumEndian>((value) => parseChecksumEndian(value));

/** Variables given to a request-file run: an object of names (as `@name` allows them) to string values. */
export function parseRequestVariables(value: unknown, field = 'vars'): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw SocketLabError.create('invalidArgument', '{field} must be an object of variable names and string values.', {
      field,
    });
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(value)) {
    if (!VARIABLE_NAME.test(name) || typeof v !== 'string') {
      throw SocketLabError.create(
        'invalidArgument',
        '{field} must map names (a letter or _ first, then letters, digits, _ . -) to strings; {name} does not.',
        { field, name: JSON.stringify(name) },
      );
    }
    out[name] = v;
  }
  return out;
}

const requestVariables = parsedBy<Record<string, string>>((value) => parseRequestVariables(value));
const outputPath = parsedBy<string>((value) => {
  if (typeof value === 'string' && value !== '') return value;
  throw SocketLabError.create('invalidArgument', '{field} must be the path of the file to write.', { field: 'path' });
});

const repeat = parsedBy<{ intervalMs: number; count?: number }>((value) => parseRepeat(value));
const waitMs = parsedBy<number>((value) => parseWaitMs(value));
const timeoutMs = parsedBy<number>((value) => parseTimeoutMs(value, 'timeoutMs'));
const backlog = parsedBy<number>((value) => parseBacklog(value));
const maxConnections = parsedBy<number>((value) => parseMaxConnections(value));
const autoReply = checkedByCore<AutoReplySpec>();
const alpn = parsedBy<string[]>((value) => parseAlpn(value));
const servername = parsedBy<string>((value) => parseServername(value));
const relayTls = parsedBy<RelayTlsArg>((value) => parseRelayTls(value));

/** A file the user names (certificate, key, CA, key log). */
function file(field: string) {
  return parsedBy<string>((value) => parseFilePath(value, field));
}

/** Which side of a relay connection a send goes to. */
const direction = parsedBy<RelayDirection>((value) => {
  if ((RELAY_DIRECTIONS as readonly unknown[]).includes(value)) return value as RelayDirection;
  throw SocketLabError.create('invalidArgument', "{field} must be 'toUpstream' or 'toClient' (got {value}).", {
    field: 'direction',
    value: describeValue(value),
  });
});

const relayProtocol = parsedBy<'tcp' | 'udp'>((value) => {
  if (value === 'tcp' || value === 'udp') return value;
  throw SocketLabError.create('invalidArgument', "{field} must be 'tcp' or 'udp' (got {value}).", {
    field: 'protocol',
    value: describeValue(value),
  });
});

/** How a TCP/Unix stream is cut into records (the core also decodes a delimiter before it opens anything). */
const framing = parsedBy<FramingSpec>((value) => parseFramingSpec(value, 'framing'));

/**
 * Reads the framing a UDP command was given: only `{ mode: 'none' }` (one record per datagram, what UDP
 * does anyway); any other framing is refused with a sentence.
 */
export function parseUdpFraming(value: unknown): FramingSpec {
  const spec = parseFramingSpec(value, 'framing');
  if (spec.mode === 'none') return spec;
  throw SocketLabError.create(
    'framingNotForUdp',
    '{field} is only for TCP and Unix streams; a UDP socket keeps one record per datagram (got {mode} framing).',
    { field: 'framing', mode: spec.mode },
  );
}

const udpFraming = parsedBy<FramingSpec>(parseUdpFraming);

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
/** `socketLab.startUdpListener`: `{ host?, port, broadcast?, multicastGroups?, autoReply?, allowExternal?, capture?, framing?: none only }`. */
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
/** SocketLab.setBroadcast: `{ id, on }` (a UDP socket). */
export type SetBroadcastArgs = CommandArgs<'setBroadcast'>;
/** SocketLab.joinMulticast / leaveMulticast: `{ id, group, interface? }` (a UDP socket). */
export type MulticastArgs = CommandArgs<'joinMulticast'>;

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
