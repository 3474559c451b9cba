/**
 * The fields of command arguments: one valibot piece per kind of value, each read by a shared parser
 * (src/shared/validate.ts and the ones here), whose refusal keeps its SocketLabError (code, template, values)
 * so the host can translate it. commandArgs.ts builds every command's argument object from these.
 */
import * as v from 'valibot';
import type { AutoReplySpec } from './autoReplySpec';
import { parseChecksumEndian, parseChecksumName, type ChecksumEndian, type ChecksumName } from './checksum';
import { SocketLabError, isSocketLabError } from './errors';
import { parseFramingSpec, type FramingSpec } from './framing';
import { CAPTURE_DEFAULT_MAX_BYTES, CAPTURE_MAX_MAX_BYTES, CAPTURE_MIN_MAX_BYTES } from './limits';
import { CAPTURE_FORMATS, RELAY_DIRECTIONS, type CaptureFormat, type RelayDirection } from './model';
import { checkMulticastTtl, parseMulticastGroup } from './multicast';
import { describeValue } from './payload';
import { VARIABLE_NAME } from './requestFile/variables';
import { parseAlpn, parseFilePath, parseRelayTls, parseServername, type RelayTlsArg } from './tlsRelayArgs';
import {
  parseBacklog,
  parseMaxConnections,
  parseHost,
  parseInteger,
  parsePort,
  parseRepeat,
  parseTimeoutMs,
  parseWaitMs,
} from './validate';

// ---- fields -----------------------------------------------------------------------------------------

/** The SocketLabError behind each issue a field raised (valibot issues carry only a message). */
export const refusals = new WeakMap<v.BaseIssue<unknown>, SocketLabError>();

/** Adds `error` as the issue of `dataset`, remembering the error itself. */
export function refuse(dataset: object, addIssue: (info: { message: string }) => void, error: SocketLabError): void {
  addIssue({ message: error.message });
  const issues = (dataset as { issues?: v.BaseIssue<unknown>[] }).issues;
  if (issues?.length) refusals.set(issues[issues.length - 1], error);
}

/** A field typed `TIn` whose value `parse` reads (it throws the SocketLabError that refuses a bad value). */
export function parsedBy<TIn, TOut = TIn>(parse: (value: unknown) => TOut) {
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
export function checkedByCore<T>() {
  return v.custom<T>(() => true);
}

/** true or false. */
export function flag(field: string) {
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
export function text(field: string) {
  return parsedBy<string>((value) => parseNonEmptyString(value, field));
}

/** An address or host name to bind or connect to (syntax only; the core resolves it). */
export function host(field: string) {
  return parsedBy<string>((value) => parseHost(value, field));
}

/** A port to bind: 0-65535, 0 meaning any free port. */
export function bindPort(field: string) {
  return parsedBy<number>((value) => parsePort(value, field));
}

/** A port to connect to: 1-65535. */
export function remotePort(field: string) {
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

export const destination = parsedBy<Destination>((value) => {
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
export const CAPTURE_FIELDS = ['path', 'format', 'maxBytes', 'append'] as const;

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

export const capture = parsedBy<CaptureArg, CaptureSpec>((value) => parseCaptureSpec(value));

/** `multicastGroups`: a list of multicast group addresses (224.0.0.0/4 or ff00::/8). */
export const multicastGroups = parsedBy<string[]>((value) => {
  if (!Array.isArray(value)) {
    throw SocketLabError.create(
      'invalidArgument',
      '{field} must be a list of multicast group IP addresses, e.g. ["239.1.2.3"].',
      { field: 'multicastGroups' },
    );
  }
  return value.map((group, index) => parseMulticastGroup(group, `multicastGroups[${index}]`));
});

/** `group`: one multicast group address (224.0.0.0/4 or ff00::/8). */
export const multicastGroup = parsedBy<string>((value) => parseMulticastGroup(value, 'group'));

/** `ttl` / `multicastTtl`: the multicast TTL (IPv6: hop limit), 0 to 255. */
export function multicastTtl(field: string) {
  return parsedBy<number | string, number>((value) => {
    const error = checkMulticastTtl(value, field);
    if (error) throw error;
    return Number(value);
  });
}

export const sendData = parsedBy<string>((value) => {
  if (typeof value === 'string') return value;
  throw SocketLabError.create(
    'invalidArgument',
    '{field} must be a string (text, hex or base64 according to format).',
    {
      field: 'data',
    },
  );
});

export const filePath = parsedBy<string>((value) => {
  if (typeof value === 'string' && value !== '') return value;
  throw SocketLabError.create('invalidArgument', '{field} must be the path of a file to send.', { field: 'path' });
});

export const checksum = parsedBy<ChecksumName>((value) => parseChecksumName(value));
export const checksumEndian = parsedBy<ChecksumEndian>((value) => parseChecksumEndian(value));

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

export const requestVariables = parsedBy<Record<string, string>>((value) => parseRequestVariables(value));
export const outputPath = parsedBy<string>((value) => {
  if (typeof value === 'string' && value !== '') return value;
  throw SocketLabError.create('invalidArgument', '{field} must be the path of the file to write.', { field: 'path' });
});

export const repeat = parsedBy<{ intervalMs: number; count?: number }>((value) => parseRepeat(value));
export const waitMs = parsedBy<number>((value) => parseWaitMs(value));
export const timeoutMs = parsedBy<number>((value) => parseTimeoutMs(value, 'timeoutMs'));
export const backlog = parsedBy<number>((value) => parseBacklog(value));
export const maxConnections = parsedBy<number>((value) => parseMaxConnections(value));
export const autoReply = checkedByCore<AutoReplySpec>();
export const alpn = parsedBy<string[]>((value) => parseAlpn(value));
export const servername = parsedBy<string>((value) => parseServername(value));
export const relayTls = parsedBy<RelayTlsArg>((value) => parseRelayTls(value));

/** A file the user names (certificate, key, CA, key log). */
export function file(field: string) {
  return parsedBy<string>((value) => parseFilePath(value, field));
}

/** Which side of a relay connection a send goes to. */
export const direction = parsedBy<RelayDirection>((value) => {
  if ((RELAY_DIRECTIONS as readonly unknown[]).includes(value)) return value as RelayDirection;
  throw SocketLabError.create('invalidArgument', "{field} must be 'toUpstream' or 'toClient' (got {value}).", {
    field: 'direction',
    value: describeValue(value),
  });
});

export const relayProtocol = parsedBy<'tcp' | 'udp'>((value) => {
  if (value === 'tcp' || value === 'udp') return value;
  throw SocketLabError.create('invalidArgument', "{field} must be 'tcp' or 'udp' (got {value}).", {
    field: 'protocol',
    value: describeValue(value),
  });
});

/** How a TCP/Unix stream is cut into records (the core also decodes a delimiter before it opens anything). */
export const framing = parsedBy<FramingSpec>((value) => parseFramingSpec(value, 'framing'));

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

export const udpFraming = parsedBy<FramingSpec>(parseUdpFraming);
