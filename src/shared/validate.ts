/**
 * The checks of every value a user or a caller gives: ports, hosts, Unix paths, whole numbers, repeats.
 * The core parses command arguments with them, the host's quick inputs validate as the user types, and
 * the send panel can check before it posts. Each comes in two forms: `check*` returns the SocketLabError or
 * undefined and never throws, `parse*` returns the normalized value or throws that same error. Syntax only:
 * no DNS, no file system, no Node (this file is part of the pure bottom layer).
 */
import { SocketLabError } from './errors';
import { MAX_CONNECTIONS_LIMIT, REPEAT_MAX_COUNT, REPEAT_MAX_INTERVAL_MS } from './limits';
import { describeValue } from './payload';
import { ipv4Parts, isIPv6 } from './ipAddress';
import { FIELD_LABELS } from './valueWords';

/** An operating system as Node names it (process.platform): 'linux', 'darwin', 'win32'... */
export type PlatformName = string;

/** Max length of a Unix socket path for `platform`: bytes of sun_path minus its NUL (Linux 107, macOS/BSD 103); Windows named pipes, 256 characters. */
export function unixPathMax(platform: PlatformName): number {
  if (platform === 'win32') {
    return 256;
  }
  return platform === 'linux' || platform === 'android' ? 107 : 103;
}

/** Bytes of `text` in UTF-8 (a lone surrogate counts 3, as the encoder writes U+FFFD for it). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Turns a field name into the subject of a sentence: 'localPort' -> 'Local port (localPort)', 'port' -> 'Port'.
 * The core's fields have their label in FIELD_LABELS (which the host translates); any other is spelled
 * out from its name and stays English.
 */
export function fieldLabel(field: string): string {
  if (Object.prototype.hasOwnProperty.call(FIELD_LABELS, field)) {
    return FIELD_LABELS[field];
  }
  if (!/^[a-z][A-Za-z0-9]*$/.test(field)) {
    return field;
  }
  const words = field
    .replace(/Ms$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
  const label = words.charAt(0).toUpperCase() + words.slice(1);
  return label.toLowerCase() === field.toLowerCase() ? label : `${label} (${field})`;
}

/** Finishes `check` as a parser: throws the error it reports. */
function orThrow<T>(error: SocketLabError | undefined, value: T): T {
  if (error) {
    throw error;
  }
  return value;
}

/** Reads a whole number from a number or a string of decimal digits (no sign, no spaces); NaN when it is neither. */
function toInteger(value: unknown): number {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? value : NaN;
  }
  if (typeof value === 'string' && /^[0-9]{1,16}$/.test(value)) {
    return Number(value);
  }
  return NaN;
}

/** Checks a whole number in [min, max] given as a number or a digit string; `code` is the error code to report. */
export function checkInteger(
  value: unknown,
  field: string,
  min: number,
  max: number,
  code: string,
): SocketLabError | undefined {
  const number = toInteger(value);
  if (Number.isInteger(number) && number >= min && number <= max) {
    return undefined;
  }
  const milliseconds = /Ms$/.test(field);
  const spaces = typeof value === 'string' && value !== value.trim() && value.trim() !== '';
  const reason =
    typeof value !== 'number' && typeof value !== 'string'
      ? 'type'
      : spaces
        ? 'spaces'
        : Number.isInteger(number)
          ? 'range'
          : 'notInteger';
  const values = { field, label: fieldLabel(field), value: describeValue(value), min, max, reason };
  if (milliseconds) {
    return spaces
      ? SocketLabError.create(
          code,
          '{label} must be a whole number of milliseconds from {min} to {max}, without spaces (got {value}).',
          values,
        )
      : SocketLabError.create(
          code,
          '{label} must be a whole number of milliseconds from {min} to {max} (got {value}).',
          values,
        );
  }
  return spaces
    ? SocketLabError.create(
        code,
        '{label} must be a whole number from {min} to {max}, without spaces (got {value}).',
        values,
      )
    : SocketLabError.create(code, '{label} must be a whole number from {min} to {max} (got {value}).', values);
}

/** Parses a whole number in [min, max] (see checkInteger) or throws. */
export function parseInteger(value: unknown, field: string, min: number, max: number, code: string): number {
  return orThrow(checkInteger(value, field, min, max, code), toInteger(value));
}

/** Port check: a number or string, integer 0..65535; refuses -1, 65536, 1.5, '', '80a', ' 80 ' (no trimming: the message says so), NaN, booleans. code 'invalidPort', values {field, value}. */
export function checkPort(value: unknown, field = 'port'): SocketLabError | undefined {
  return checkInteger(value, field, 0, 65535, 'invalidPort');
}

/** Accepts a number or string; integer 0..65535; refuses -1, 65536, 1.5, '', '80a', ' 80 ' (no trimming: say so in the message), NaN, booleans. code 'invalidPort', values {field, value}. */
export function parsePort(value: unknown, field = 'port'): number {
  return parseInteger(value, field, 0, 65535, 'invalidPort');
}

/** The values of an 'invalidHost' error: the field, its label, the value as shown and why it was refused. */
function hostValues(
  field: string,
  value: unknown,
  reason: string,
): { field: string; label: string; value: string; reason: string } {
  return { field, label: fieldLabel(field), value: describeValue(value), reason };
}

/** Checks the host syntax and returns [error, normalized host]. */
function examineHost(value: unknown, field: string): [SocketLabError | undefined, string] {
  const shapeError = hostShapeError(value, field);
  if (shapeError) return [shapeError, ''];
  const host = value as string;
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIPv6(unbracketed)) {
    // Zone ids (fe80::1%eth0) are interface names: case matters there, not in the address.
    const zone = unbracketed.indexOf('%');
    const normalized =
      zone < 0 ? unbracketed.toLowerCase() : unbracketed.slice(0, zone).toLowerCase() + unbracketed.slice(zone);
    return [undefined, normalized];
  }
  const error = pastedHostError(host, unbracketed, field) ?? ipv4OrNameError(host, field);
  return error ? [error, ''] : [undefined, host.toLowerCase()];
}

/** Not text, empty, or with spaces. */
function hostShapeError(value: unknown, field: string): SocketLabError | undefined {
  if (typeof value !== 'string') {
    return SocketLabError.create(
      'invalidHost',
      '{label} must be text: an IPv4 address, an IPv6 address or a host name (got {value}).',
      hostValues(field, value, 'type'),
    );
  }
  if (value === '') {
    return SocketLabError.create(
      'invalidHost',
      '{label} must be an IPv4 address, an IPv6 address or a host name (got {value}).',
      hostValues(field, value, 'empty'),
    );
  }
  if (/\s/.test(value)) {
    return SocketLabError.create(
      'invalidHost',
      '{label} must be an IPv4 address, an IPv6 address or a host name, without spaces (got {value}).',
      hostValues(field, value, 'spaces'),
    );
  }
  return undefined;
}

/** 'http://host' and 'host:8080' are what people paste from a browser or a log: say what to drop. A ':' left is a bad IPv6 address. */
function pastedHostError(host: string, unbracketed: string, field: string): SocketLabError | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    return SocketLabError.create(
      'invalidHost',
      '{label} must be a host name or IP address without a scheme such as http:// (got {value}).',
      hostValues(field, host, 'scheme'),
    );
  }
  if (/^[^:[\]]+:\d*$/.test(host) || /^\[[^\]]*\]:\d*$/.test(host)) {
    return SocketLabError.create(
      'invalidHost',
      '{label} must be a host name or IP address without a port; the port is given separately (got {value}).',
      hostValues(field, host, 'withPort'),
    );
  }
  if (unbracketed !== host || host.includes(':')) {
    return SocketLabError.create(
      'invalidHost',
      '{label} must be a valid IPv6 address, with or without [brackets] (got {value}).',
      hostValues(field, host, 'badIpv6'),
    );
  }
  return undefined;
}

/** An IPv4 attempt that is not one, or a host name that breaks RFC 1123's length and character rules. */
function ipv4OrNameError(host: string, field: string): SocketLabError | undefined {
  const labels = (host.endsWith('.') ? host.slice(0, -1) : host).split('.');
  const lastLabel = labels[labels.length - 1];
  // An all-numeric (or 0x) last label is an IPv4 attempt: resolvers would read '127.1' or
  // '0x7f000001' as addresses, so such strings are refused rather than passed on as names.
  if (/^[0-9]+$/.test(lastLabel) || /^0x[0-9a-f]*$/i.test(lastLabel)) {
    if (/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) && /(^|\.)0\d/.test(host) && ipv4Parts(host)) {
      return SocketLabError.create(
        'invalidHost',
        '{label} must be an IPv4 address without leading zeros, which some systems read as octal (got {value}).',
        hostValues(field, host, 'ipv4LeadingZero'),
      );
    }
    return ipv4Parts(host)
      ? undefined
      : SocketLabError.create(
          'invalidHost',
          '{label} must be a valid IPv4 address: four numbers from 0 to 255 separated by dots (got {value}).',
          hostValues(field, host, 'ipv4'),
        );
  }
  if (host.length - (host.endsWith('.') ? 1 : 0) > 253) {
    return SocketLabError.create(
      'invalidHost',
      '{label} must be a host name of at most 253 characters (got {value}).',
      hostValues(field, host, 'tooLong'),
    );
  }
  for (const label of labels) {
    if (label.length < 1 || label.length > 63) {
      return SocketLabError.create(
        'invalidHost',
        '{label} must be a host name whose dot-separated labels have 1 to 63 characters (got {value}).',
        hostValues(field, host, 'labelLength'),
      );
    }
    // '_' is outside RFC 1123 but common in real names (Docker services, SRV-style labels) that
    // resolvers happily look up, so it is accepted.
    if (!/^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/.test(label)) {
      return SocketLabError.create(
        'invalidHost',
        "{label} must be an IPv4 address, an IPv6 address or a host name made of letters, digits, '-' and '.', with no label starting or ending with '-' (got {value}).",
        hostValues(field, host, 'badChar'),
      );
    }
  }
  return undefined;
}

/** Host check (syntax only, no DNS); see parseHost. code 'invalidHost', values {field, value, reason}. */
export function checkHost(value: unknown, field = 'host'): SocketLabError | undefined {
  return examineHost(value, field)[0];
}

/**
 * Host syntax only (no DNS): IPv4 dotted quad with each part 0..255 (no leading zeros), IPv6
 * ('[::1]' accepted, brackets stripped; a %zone kept), or a DNS name per RFC 1123 (labels of 1-63
 * letters, digits, '-' and '_', not starting/ending with '-', total <= 253, one trailing dot
 * allowed). Numeric-dotted strings that are not valid IPv4 are refused. code 'invalidHost'.
 * Returns the normalized host (lower case, brackets stripped).
 */
export function parseHost(value: unknown, field = 'host'): string {
  const [error, host] = examineHost(value, field);
  return orThrow(error, host);
}

/** Unix socket path check (see parseUnixPath) for `platform` (the core passes process.platform). */
export function checkUnixPath(value: unknown, field: string, platform: PlatformName): SocketLabError | undefined {
  const label = fieldLabel(field);
  const shown = describeValue(value);
  if (typeof value !== 'string' || value === '') {
    return SocketLabError.create('invalidPath', '{label} must be a non-empty socket path (got {value}).', {
      field,
      label,
      path: shown,
      value: shown,
    });
  }
  const values = { field, label, path: value, value: shown };
  if (value.includes('\0')) {
    return SocketLabError.create('invalidPath', '{label} must not contain a NUL character (got {value}).', values);
  }
  const limit = unixPathMax(platform);
  if (platform === 'win32') {
    // Node implements local sockets on Windows with named pipes, which live only under \\.\pipe\.
    if (!/^\\\\[.?]\\pipe\\./i.test(value)) {
      return SocketLabError.create(
        'invalidPath',
        '{label} must be a named pipe path starting with {prefix} on Windows (got {value}).',
        { ...values, prefix: '\\\\.\\pipe\\' },
      );
    }
    if (value.length > limit) {
      return SocketLabError.create(
        'unixPathTooLong',
        '{label} must be at most {limit} characters on Windows (got {length}).',
        { ...values, length: value.length, limit },
      );
    }
    return undefined;
  }
  if (value.endsWith('/')) {
    return SocketLabError.create(
      'invalidPath',
      "{label} must name a socket file, not end with '/' (got {value}).",
      values,
    );
  }
  const length = utf8Length(value);
  if (length > limit) {
    return SocketLabError.create(
      'unixPathTooLong',
      '{label} must be at most {limit} bytes in UTF-8 on this system (got {length} bytes); choose a shorter path, e.g. under /tmp.',
      { ...values, length, limit },
    );
  }
  return undefined;
}

/** Syntax/length check of a Unix socket path (byte length in UTF-8 vs unixPathMax(platform), not empty, no NUL): code 'unixPathTooLong' with values {path, length, limit}, 'invalidPath'. No file-system access here. */
export function parseUnixPath(value: unknown, field: string, platform: PlatformName): string {
  return orThrow(checkUnixPath(value, field, platform), value as string);
}

/** Repeat check (see parseRepeat). */
export function checkRepeat(value: unknown): SocketLabError | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return SocketLabError.create(
      'invalidRepeat',
      'Repeat must be an object with intervalMs and an optional count (got {value}).',
      {
        field: 'repeat',
        value: describeValue(value),
      },
    );
  }
  const { intervalMs, count } = value as { intervalMs?: unknown; count?: unknown };
  const intervalError = checkInteger(intervalMs, 'intervalMs', 0, REPEAT_MAX_INTERVAL_MS, 'invalidRepeat');
  if (intervalError) {
    return intervalError;
  }
  if (count !== undefined) {
    const countError = checkInteger(count, 'count', 1, REPEAT_MAX_COUNT, 'invalidRepeat');
    if (countError) {
      return countError;
    }
  } else if (toInteger(intervalMs) === 0) {
    return SocketLabError.create(
      'repeatNeedsCount',
      'Count must be given, from {min} to {max}, when the repeat interval is 0 ms (back to back), so that the repetition ends.',
      { field: 'count', min: 1, max: REPEAT_MAX_COUNT },
    );
  }
  return undefined;
}

/** Repeat: intervalMs integer 0..86_400_000; count integer 1..10_000_000 or undefined; interval 0 requires a count ('repeatNeedsCount'); negative/huge/non-integer -> 'invalidRepeat' naming the field and the allowed range. */
export function parseRepeat(value: unknown): { intervalMs: number; count?: number } {
  const error = checkRepeat(value);
  if (error) {
    throw error;
  }
  const { intervalMs, count } = value as { intervalMs: unknown; count?: unknown };
  return count === undefined
    ? { intervalMs: toInteger(intervalMs) }
    : { intervalMs: toInteger(intervalMs), count: toInteger(count) };
}

/** Wait time check (see parseWaitMs). code 'invalidWait'. */
export function checkWaitMs(value: unknown, field = 'waitMs'): SocketLabError | undefined {
  return checkInteger(value, field, 0, 600_000, 'invalidWait');
}

/** Wait time for send-and-wait: integer 0..600_000 ms. code 'invalidWait'. */
export function parseWaitMs(value: unknown, field = 'waitMs'): number {
  return parseInteger(value, field, 0, 600_000, 'invalidWait');
}

/** Timeout check (see parseTimeoutMs). code 'invalidTimeout'. */
export function checkTimeoutMs(value: unknown, field = 'timeoutMs'): SocketLabError | undefined {
  return checkInteger(value, field, 1, 600_000, 'invalidTimeout');
}

/** Timeout: integer 1..600_000 ms. code 'invalidTimeout'. */
export function parseTimeoutMs(value: unknown, field = 'timeoutMs'): number {
  return parseInteger(value, field, 1, 600_000, 'invalidTimeout');
}

/** Backlog check (see parseBacklog). code 'invalidBacklog'. */
export function checkBacklog(value: unknown, field = 'backlog'): SocketLabError | undefined {
  return checkInteger(value, field, 1, 65535, 'invalidBacklog');
}

/** Backlog: integer 1..65535. code 'invalidBacklog'. */
export function parseBacklog(value: unknown, field = 'backlog'): number {
  return parseInteger(value, field, 1, 65535, 'invalidBacklog');
}

/** A listener's connection limit: a whole number 1..MAX_CONNECTIONS_LIMIT. */
export function parseMaxConnections(value: unknown, field = 'maxConnections'): number {
  return parseInteger(value, field, 1, MAX_CONNECTIONS_LIMIT, 'invalidArgument');
}
