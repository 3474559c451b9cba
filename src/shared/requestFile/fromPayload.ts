/**
 * "Save to request file…": a payload of the panel's composer (or of its history) as a request-file block,
 * a `connect` line for the endpoint it goes through and a `send` line that sends the same bytes. The text
 * is written so that the parser reads it back as it was meant: escapes where the line needs them (line
 * breaks, controls, a `{{` that is not a variable, a trailing space an editor would trim).
 */
import type { ChecksumEndian, ChecksumName } from '../checksum';
import { isClient } from '../naming';
import type { EndpointKind, SocketAddressInfo } from '../model';
import type { LineEnding, PayloadFormat } from '../payload';
import type { ConnectStatement, SendStatement } from './ast';
import { printBlock } from './printer';

/** A payload as the composer sends it (the `send` command's payload fields). */
export interface SavablePayload {
  data: string;
  format: PayloadFormat;
  encoding?: string;
  /** Text: escapes such as `\n` are read (the composer's Escapes box); default true. */
  escapes?: boolean;
  lineEnding?: LineEnding;
  checksum?: ChecksumName;
  checksumEndian?: ChecksumEndian;
  /** Built-ins such as `{{$counter}}` are expanded (kept as references in the file). */
  variables?: boolean;
}

/** The endpoint a payload goes through, as far as a connect line needs it. */
export interface SavableEndpoint {
  kind: EndpointKind;
  remote?: SocketAddressInfo;
  /** The host name as given, when the endpoint was opened by name. */
  host?: string;
}

const NO_POSITION = { line: 0, column: 0 };

// Characters a line cannot hold as they are: line breaks (VS Code also breaks lines at a lone CR), other
// C0 controls and DEL, which would be invisible in the editor.
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/g;

function controlEscape(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  // \uHHHH is the character in the line's encoding (\xHH would be a raw byte: not the same in utf16le).
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Composer text as the payload of a `send text` line, which always reads escapes: backslashes doubled when
 * the composer's escapes were off, controls escaped, `{{` broken when it is not a variable reference, and a
 * trailing space or tab escaped so that trimming the line cannot change the bytes.
 */
export function textPayloadForLine(data: string, escapes = true, variables = false): string {
  let text = escapes ? data : data.replace(/\\/g, '\\\\');
  text = text.replace(CONTROL, controlEscape);
  if (!variables) text = text.replace(/\{(?=\{)/g, '\\u007b');
  const trailing = /[ \t]$/.exec(text);
  if (trailing) text = `${text.slice(0, -1)}${trailing[0] === ' ' ? '\\u0020' : '\\t'}`;
  return text;
}

/**
 * The `send` statement that sends what the composer sends for `p`. Hex and base64 data must already be
 * in one line of canonical form (the host rewrites them from their bytes); only text needs escaping here.
 */
export function sendStatementFor(p: SavablePayload): SendStatement {
  const s: SendStatement = {
    kind: 'send',
    ...NO_POSITION,
    format: p.format,
    payload: p.format === 'text' ? textPayloadForLine(p.data, p.escapes ?? true, p.variables ?? false) : p.data,
    payloadColumn: 0,
  };
  if (p.format === 'text' && p.encoding && p.encoding !== 'utf8') s.encoding = p.encoding;
  if (p.lineEnding && p.lineEnding !== 'none') s.eol = p.lineEnding;
  if (p.checksum) {
    s.checksum = p.checksum;
    if (p.checksumEndian) s.checksumEndian = p.checksumEndian;
  }
  return s;
}

/** 'host:port' with brackets for an IPv6 literal. */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The `connect` line for an endpoint that talks to one peer: a TCP or Unix client, a connected UDP client,
 * or a bound UDP socket sending to `to`. Undefined for a listener (a request file plays the client) and for
 * a Unix path a line cannot hold (one with spaces).
 */
export function connectStatementFor(
  e: SavableEndpoint,
  to?: { host: string; port: number },
): ConnectStatement | undefined {
  const at = (transport: ConnectStatement['transport'], target: string): ConnectStatement => ({
    kind: 'connect',
    ...NO_POSITION,
    transport,
    target,
    targetColumn: 0,
  });
  if (e.kind === 'udp' && to) return at('udp', hostPort(to.host, to.port));
  if (!isClient(e) || !e.remote) return undefined;
  if ('path' in e.remote) return /\s/.test(e.remote.path) ? undefined : at('unix', e.remote.path);
  const transport = e.kind === 'udp' ? 'udp' : 'tcp';
  return at(transport, hostPort(e.host ?? e.remote.address, e.remote.port));
}

/**
 * The block "Save to request file…" appends: `### title`, the connect line (when there is one), the send
 * line. Without a connect line the parser will ask for one, which is what the user has to add.
 */
export function savedBlockText(title: string, connect: ConnectStatement | undefined, send: SendStatement): string {
  // A title is one line (the rest of the `###` line).
  const oneLine = title.replace(/[\r\n]+/g, ' ').trim();
  return printBlock({ title: oneLine, statements: connect ? [connect, send] : [send] });
}
