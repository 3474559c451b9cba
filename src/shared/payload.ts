/**
 * The payload vocabulary every layer speaks: how a payload is written (format), what is appended to it
 * (line ending), which character sets are offered, and how a user value is quoted inside a sentence.
 */
import { SocketLabError } from './errors';
import { VALUE_DESCRIPTIONS } from './valueWords';

/** How the `data` string of a payload is written. */
export type PayloadFormat = 'text' | 'hex' | 'base64';

/** Line ending appended to a payload after it is encoded. */
export type LineEnding = 'none' | 'lf' | 'cr' | 'crlf';

/** The payload formats, in the order the UI offers them. */
export const PAYLOAD_FORMATS: readonly PayloadFormat[] = ['text', 'hex', 'base64'];

/** The line endings, in the order the UI offers them. */
export const LINE_ENDINGS: readonly LineEnding[] = ['none', 'lf', 'cr', 'crlf'];

/** The characters each line ending stands for. */
export const LINE_ENDING_TEXT: Readonly<Record<LineEnding, string>> = { none: '', lf: '\n', cr: '\r', crlf: '\r\n' };

/** The text encodings Socket Lab offers, by their normalized names. */
export const TEXT_ENCODINGS: readonly string[] = [
  'utf8',
  'ascii',
  'latin1',
  'utf16le',
  'gbk',
  'gb18030',
  'big5',
  'shift_jis',
];

/** A payload as the user or a command argument describes it. */
export interface PayloadSpec {
  data: string;
  format?: PayloadFormat;
  encoding?: string;
  escapes?: boolean;
  lineEnding?: LineEnding;
}

// Aliases users type (labels of other tools, IANA names) mapped to our names; keys are lower case
// with '-', '_' and spaces removed so 'UTF-8', 'utf_8' and 'Shift JIS' all find their entry.
const ENCODING_ALIASES: Record<string, string> = {
  utf8: 'utf8',
  ascii: 'ascii',
  usascii: 'ascii',
  latin1: 'latin1',
  iso88591: 'latin1',
  binary: 'latin1',
  utf16le: 'utf16le',
  ucs2: 'utf16le',
  gbk: 'gbk',
  cp936: 'gbk',
  gb2312: 'gbk',
  gb18030: 'gb18030',
  big5: 'big5',
  shiftjis: 'shift_jis',
  sjis: 'shift_jis',
};

/** Shows a user value inside a sentence: strings quoted and shortened, numbers and booleans as they are, anything else as a word of VALUE_DESCRIPTIONS ('nothing', 'an object'). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    // Long payloads would drown the sentence; the start is enough to recognize the input.
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === undefined) {
    return VALUE_DESCRIPTIONS.undefined;
  }
  if (value === null) {
    return 'null';
  }
  return VALUE_DESCRIPTIONS[Array.isArray(value) ? 'array' : typeof value] ?? typeof value;
}

/** Normalizes an encoding name ('UTF-8' -> 'utf8', 'GBK' -> 'gbk'...), or throws SocketLabError code 'unknownEncoding' listing the allowed names. */
export function normalizeEncoding(name: string): string {
  const key = typeof name === 'string' ? name.toLowerCase().replace(/[-_\s]/g, '') : '';
  const found = Object.prototype.hasOwnProperty.call(ENCODING_ALIASES, key) ? ENCODING_ALIASES[key] : undefined;
  if (!found) {
    throw SocketLabError.create('unknownEncoding', 'Encoding must be one of {allowed} (got {value}).', {
      value: describeValue(name),
      allowed: TEXT_ENCODINGS.join(', '),
    });
  }
  return found;
}
