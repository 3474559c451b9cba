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
import { SocketLabError, isSocketLabError } from './errors';
import { ipFamily } from './ipAddress';
import type { LineEnding, PayloadFormat } from './payload';
import {
  parseBacklog,
  parseMaxConnections,
  parseHost,
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

/** How a capture file is written: 'raw' (the data bytes back to back) or 'jsonl' (one JSON object per record, data in base64). */
export type CaptureFormat = 'raw' | 'jsonl';

/** Where and how to capture an endpoint's traffic. */
export interface CaptureSpec {
  path: string;
  format: CaptureFormat;
}

/** Reads a capture argument `{ path, format? }` (format defaults to 'jsonl'). */
export function parseCaptureSpec(value: unknown, field = 'capture'): CaptureSpec {
  if (typeof value !== 'object' || value === null) {
    throw SocketLabError.create('invalidArgument', "{field} must be an object { path, format?: 'raw' | 'jsonl' }.", {
      field,
    });
  }
  const { path, format = 'jsonl' } = value as { path?: unknown; format?: unknown };
  if (typeof path !== 'string' || path === '') {
    throw SocketLabError.create('invalidArgument', '{field} must be a non-empty file path.', {
      field: `${field}.path`,
    });
  }
  if (format !== 'raw' && format !== 'jsonl') {
    throw SocketLabError.create('invalidArgument', "{field} must be 'raw' or 'jsonl'.", { field: `${field}.format` });
  }
  return { path, format };
}

const capture = parsedBy<{ path: string; format?: CaptureFormat }, CaptureSpec>((value) => parseCaptureSpec(value));

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

const repeat = parsedBy<{ intervalMs: number; count?: number }>((value) => parseRepeat(value));
const waitMs = parsedBy<number>((value) => parseWaitMs(value));
const timeoutMs = parsedBy<number>((value) => parseTimeoutMs(value, 'timeoutMs'));
const backlog = parsedBy<number>((value) => parseBacklog(value));
const maxConnections = parsedBy<number>((value) => parseMaxConnections(value));
const autoReply = checkedByCore<AutoReplySpec>();

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
    }),
    startUdpListener: argsObject('startUdpListener', {
      host: v.optional(host('host')),
      port: bindPort('port'),
      broadcast: v.optional(flag('broadcast')),
      multicastGroups: v.optional(multicastGroups),
      autoReply: v.optional(autoReply),
      allowExternal: v.optional(flag('allowExternal')),
      capture: v.optional(capture),
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
    }),
    openUdpClient: argsObject('openUdpClient', {
      host: v.optional(host('host')),
      port: remotePort('port'),
      localPort: v.optional(bindPort('localPort')),
      autoReply: v.optional(autoReply),
      capture: v.optional(capture),
    }),
    startUnixListener: argsObject('startUnixListener', {
      path: unixPath,
      backlog: v.optional(backlog),
      maxConnections: v.optional(maxConnections),
      autoReply: v.optional(autoReply),
      capture: v.optional(capture),
    }),
    connectUnix: argsObject('connectUnix', {
      path: unixPath,
      timeoutMs: v.optional(timeoutMs),
      halfOpen: v.optional(flag('halfOpen')),
      autoReply: v.optional(autoReply),
      capture: v.optional(capture),
    }),
    send: argsObject('send', {
      target: text('target'),
      data: sendData,
      format: v.optional(checkedByCore<PayloadFormat>()),
      encoding: v.optional(checkedByCore<string>()),
      escapes: v.optional(flag('escapes')),
      lineEnding: v.optional(checkedByCore<LineEnding>()),
      to: v.optional(destination),
      repeat: v.optional(repeat),
      waitMs: v.optional(waitMs),
    }),
    sendFile: argsObject('sendFile', { target: text('target'), path: filePath, to: v.optional(destination) }),
    stopRepeat: argsObject('stopRepeat', { repeatId: text('repeatId') }),
    stop: byId('stop'),
    halfClose: byId('halfClose'),
    restart: byId('restart'),
    clearLog: byId('clearLog'),
    copyAddress: byId('copyAddress'),
    openPanel: byId('openPanel'),
    stopAll: argsObject('stopAll', {}),
    setBroadcast: argsObject('setBroadcast', { id: text('id'), on: flag('on') }),
    joinMulticast: argsObject('joinMulticast', {
      id: text('id'),
      group: multicastGroup,
      interface: v.optional(text('interface')),
    }),
    leaveMulticast: argsObject('leaveMulticast', {
      id: text('id'),
      group: multicastGroup,
      interface: v.optional(text('interface')),
    }),
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

/** `socketLab.startTcpListener`: `{ host?, port, backlog?, maxConnections?, autoReply?, allowExternal?, capture? }`. */
export type StartTcpListenerArgs = CommandArgs<'startTcpListener'>;
/** `socketLab.startUdpListener`: `{ host?, port, broadcast?, multicastGroups?, autoReply?, allowExternal?, capture? }`. */
export type StartUdpListenerArgs = CommandArgs<'startUdpListener'>;
/** `socketLab.connectTcp`: `{ host?, port, timeoutMs?, localAddress?, localPort?, noDelay?, keepAlive?, halfOpen?, autoReply?, capture? }`. */
export type ConnectTcpArgs = CommandArgs<'connectTcp'>;
/** `socketLab.openUdpClient`: `{ host?, port, localPort?, autoReply?, capture? }`. */
export type OpenUdpClientArgs = CommandArgs<'openUdpClient'>;
/** `socketLab.startUnixListener`: `{ path, backlog?, maxConnections?, autoReply?, capture? }`. */
export type StartUnixListenerArgs = CommandArgs<'startUnixListener'>;
/** `socketLab.connectUnix`: `{ path, timeoutMs?, halfOpen?, autoReply?, capture? }`. */
export type ConnectUnixArgs = CommandArgs<'connectUnix'>;
/** `socketLab.send`: `{ target, data, format?, encoding?, escapes?, lineEnding?, to?, repeat?, waitMs? }`. */
export type SendArgs = CommandArgs<'send'>;
/** `socketLab.sendFile`: `{ target, path, to? }`. */
export type SendFileArgs = CommandArgs<'sendFile'>;
/** `socketLab.stopRepeat`: `{ repeatId }`. */
export type StopRepeatArgs = CommandArgs<'stopRepeat'>;
/** `{ id }` of an endpoint, connection or UDP peer (stop, halfClose, restart, clearLog, copyAddress, openPanel). */
export type IdArgs = CommandArgs<'stop'>;
/** SocketLab.setBroadcast: `{ id, on }` (a UDP socket). */
export type SetBroadcastArgs = CommandArgs<'setBroadcast'>;
/** SocketLab.joinMulticast / leaveMulticast: `{ id, group, interface? }` (a UDP socket). */
export type MulticastArgs = CommandArgs<'joinMulticast'>;

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
