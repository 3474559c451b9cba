/**
 * English words the core puts into the values of error sentences rather than into their templates:
 * how describeValue names a value that is not text or a number ('got nothing'), the labels of the
 * fields the core checks ('Local port (localPort) must be...') and the place of a system error that
 * names none. A translator sees templates, never values, so the host translates a value that is a word
 * of its placeholder's table (src/host/errorText.ts), and scripts/l10n.mjs collects every table typed
 * `ValueWords` into the bundle (its values must be string literals).
 */

/** A table of English words, each a string literal (scripts/l10n.mjs collects them). */
export type ValueWords = Readonly<Record<string, string>>;

/** describeValue's words, by typeof (and 'array'). */
export const VALUE_DESCRIPTIONS: ValueWords = {
  undefined: 'nothing',
  array: 'an array',
  object: 'an object',
  function: 'a function',
  symbol: 'a symbol',
};

/**
 * The subject of a sentence about each field the core checks. The field name stays in parentheses when
 * the words alone would not tell which argument it is ('Wait time (waitMs)').
 */
export const FIELD_LABELS: ValueWords = {
  port: 'Port',
  host: 'Host',
  path: 'Path',
  backlog: 'Backlog',
  maxConnections: 'Connection limit (maxConnections)',
  localPort: 'Local port (localPort)',
  localAddress: 'Local address (localAddress)',
  timeoutMs: 'Timeout (timeoutMs)',
  connectTimeoutMs: 'Connect timeout (connectTimeoutMs)',
  defaultHost: 'Default host (defaultHost)',
  waitMs: 'Wait time (waitMs)',
  intervalMs: 'Repeat interval (intervalMs)',
  count: 'Repeat count (count)',
  cert: 'Certificate file (cert)',
  key: 'Private key file (key)',
  ca: 'CA file (ca)',
  keylogPath: 'Key log file (keylogPath)',
  maxBytes: 'Capture size limit (maxBytes)',
  'capture.maxBytes': 'Capture size limit (capture.maxBytes)',
  ttl: 'Multicast TTL (ttl)',
  multicastTtl: 'Multicast TTL (multicastTtl)',
};

/** The `{target}` of a system error that knows no address, path or host. */
export const PLACE_WORDS: ValueWords = {
  unknown: 'the socket',
};

/** The `{kind}` of a sentence about an endpoint ('{id} is a TCP listener'), by EndpointKind. */
export const ENDPOINT_KIND_WORDS: ValueWords = {
  'tcp-listener': 'TCP listener',
  'tcp-client': 'TCP client',
  udp: 'UDP socket',
  'unix-listener': 'Unix socket listener',
  'unix-client': 'Unix socket client',
};

/** Which table the words of each placeholder come from: the host translates only these values. */
export const WORDS_BY_PLACEHOLDER: Readonly<Record<string, ValueWords>> = {
  value: VALUE_DESCRIPTIONS,
  label: FIELD_LABELS,
  target: PLACE_WORDS,
  kind: ENDPOINT_KIND_WORDS,
};
