/**
 * The fields of the TLS and relay commands (startTlsListener, connectTls, startRelay) that no other command
 * has: ALPN lists, SNI names, certificate and key-log files, and the relay's listen, upstream and tls
 * objects. Each parser returns the normalized value or throws the SocketLabError naming the field, as
 * validate.ts does; commandArgs.ts puts them in the commands' schemas.
 */
import { SocketLabError } from './errors';
import { ipFamily } from './ipAddress';
import { TLS_ALPN_MAX_PROTOCOLS, TLS_ALPN_NAME_MAX_BYTES } from './limits';
import { describeValue } from './payload';
import { parseHost, parsePort, parseUnixPath, utf8Length, type PlatformName } from './validate';

/** Reads an ALPN list: 1 to TLS_ALPN_MAX_PROTOCOLS names, each 1 to 255 bytes ('h2', 'mqtt', 'myproto/1'). */
export function parseAlpn(value: unknown, field = 'alpn'): string[] {
  const bad = () =>
    SocketLabError.create(
      'invalidArgument',
      '{field} must be a list of 1 to {max} protocol names of 1 to {maxBytes} bytes, e.g. ["h2", "http/1.1"] (got {value}).',
      { field, max: TLS_ALPN_MAX_PROTOCOLS, maxBytes: TLS_ALPN_NAME_MAX_BYTES, value: describeValue(value) },
    );
  if (!Array.isArray(value) || value.length === 0 || value.length > TLS_ALPN_MAX_PROTOCOLS) throw bad();
  for (const name of value) {
    if (typeof name !== 'string' || name === '' || utf8Length(name) > TLS_ALPN_NAME_MAX_BYTES) throw bad();
  }
  return [...(value as string[])];
}

/** Reads an SNI name: a host name, never an IP address (RFC 6066 has no place for one). */
export function parseServername(value: unknown, field = 'servername'): string {
  const host = parseHost(value, field);
  if (ipFamily(host) !== 0) {
    throw SocketLabError.create(
      'invalidArgument',
      '{field} must be a host name, not an IP address: TLS sends no address as the server name (got {value}).',
      { field, value: describeValue(value) },
    );
  }
  return host;
}

/** Reads the path of a file the user names (a certificate, a key, a CA, a key log): a non-empty string. */
export function parseFilePath(value: unknown, field: string): string {
  if (typeof value === 'string' && value !== '' && !value.includes('\0')) return value;
  throw SocketLabError.create('invalidArgument', '{field} must be the path of a file (got {value}).', {
    field,
    value: describeValue(value),
  });
}

/** Where a relay listens: an address and port (the default host when none), or a Unix path. */
export type RelayListenArg = { host?: string; port: number } | { path: string };
/** Where a relay's upstream server is: a host and port, or a Unix path. */
export type RelayUpstreamArg = { host: string; port: number } | { path: string };
/** TLS toward the upstream: verified (true, or an object), with an SNI name, a CA file, or insecure. */
export interface RelayUpstreamTlsArg {
  servername?: string;
  ca?: string;
  insecure?: boolean;
}
/** Which sides of a relay speak TLS. */
export interface RelayTlsArg {
  listen?: boolean;
  upstream?: boolean | RelayUpstreamTlsArg;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Refuses any key of `value` not in `fields`, naming `field`. */
function onlyFields(value: Record<string, unknown>, field: string, fields: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) {
      throw SocketLabError.create('unknownField', "{field} has no field '{key}'; its fields are {fields}.", {
        field: `${field}.${key}`,
        key,
        fields: fields.join(', '),
      });
    }
  }
}

/** Reads a relay side: `{ path }` or `{ host, port }` (host optional when `hostOptional`, port 0 only when binding). */
function parseRelaySide(
  value: unknown,
  field: 'listen' | 'upstream',
  platform: PlatformName,
): RelayListenArg | RelayUpstreamArg {
  if (!isObject(value)) {
    throw SocketLabError.create(
      'invalidArgument',
      field === 'listen'
        ? '{field} must be an object { host?, port } or { path } (got {value}).'
        : '{field} must be an object { host, port } or { path } (got {value}).',
      { field, value: describeValue(value) },
    );
  }
  if ('path' in value) {
    onlyFields(value, field, ['path']);
    return { path: parseUnixPath(value.path, `${field}.path`, platform) };
  }
  onlyFields(value, field, ['host', 'port']);
  const binding = field === 'listen';
  const host = value.host === undefined && binding ? undefined : parseHost(value.host, `${field}.host`);
  const port = parsePort(value.port, `${field}.port`);
  if (port === 0 && !binding) {
    throw SocketLabError.create(
      'invalidArgument',
      '{field} must be 1-65535 to connect (0 only means "any port" when binding).',
      { field: `${field}.port` },
    );
  }
  return host === undefined ? { port } : { host, port };
}

/** Reads a relay's `listen`. */
export function parseRelayListen(value: unknown, platform: PlatformName): RelayListenArg {
  return parseRelaySide(value, 'listen', platform) as RelayListenArg;
}

/** Reads a relay's `upstream`. */
export function parseRelayUpstream(value: unknown, platform: PlatformName): RelayUpstreamArg {
  return parseRelaySide(value, 'upstream', platform) as RelayUpstreamArg;
}

function parseFlag(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  throw SocketLabError.create('invalidArgument', '{field} must be true or false.', { field });
}

/** Reads a relay's `tls`: `{ listen?: boolean, upstream?: boolean | { servername?, ca?, insecure? } }`. */
export function parseRelayTls(value: unknown): RelayTlsArg {
  if (!isObject(value)) {
    throw SocketLabError.create(
      'invalidArgument',
      '{field} must be an object { listen?: boolean, upstream?: boolean | { servername?, ca?, insecure? } } (got {value}).',
      { field: 'tls', value: describeValue(value) },
    );
  }
  onlyFields(value, 'tls', ['listen', 'upstream']);
  const out: RelayTlsArg = {};
  if (value.listen !== undefined) out.listen = parseFlag(value.listen, 'tls.listen');
  const up = value.upstream;
  if (up === undefined || typeof up === 'boolean') {
    if (up !== undefined) out.upstream = up;
    return out;
  }
  if (!isObject(up)) {
    throw SocketLabError.create(
      'invalidArgument',
      '{field} must be true, false or an object { servername?, ca?, insecure? } (got {value}).',
      { field: 'tls.upstream', value: describeValue(up) },
    );
  }
  onlyFields(up, 'tls.upstream', ['servername', 'ca', 'insecure']);
  const upstream: RelayUpstreamTlsArg = {};
  if (up.servername !== undefined) upstream.servername = parseServername(up.servername, 'tls.upstream.servername');
  if (up.ca !== undefined) upstream.ca = parseFilePath(up.ca, 'tls.upstream.ca');
  if (up.insecure !== undefined) upstream.insecure = parseFlag(up.insecure, 'tls.upstream.insecure');
  out.upstream = upstream;
  return out;
}
