/**
 * How received bytes and counts are shown, the same in the host (Sockets view, export, clipboard) and in the
 * send panel: escaped text that is always visible and inert, hex, a `hexdump -C` dump, byte sizes and times.
 * Pure: no Node, no DOM (decoding bytes to text needs a character set table, which each side brings).
 */

const HEX_DIGITS = '0123456789abcdef';
const HEX_TABLE: readonly string[] = Array.from({ length: 256 }, (_, i) => HEX_DIGITS[i >> 4] + HEX_DIGITS[i & 15]);

/** bytes -> 'de ad be ef' (separator configurable, default ' '); a lookup per byte, used for every preview. */
export function toHex(bytes: Uint8Array, separator = ' '): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX_TABLE[bytes[i]];
  return parts.join(separator);
}

// Controls, format characters (bidi overrides, zero-width), line/paragraph separators, lone
// surrogates, and the backslash itself so that the escaped form is unambiguous.
const DISPLAY_ESCAPE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\\]/gu;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0', '\\': '\\\\' };

function escapeChar(char: string): string {
  const short = SHORT_ESCAPES[char];
  if (short) return short;
  const code = char.codePointAt(0)!;
  // \xHH only below 0x80, where byte and character agree in every encoding we offer but utf16le (whose
  // display escapes them as characters, escapeCharAsCharacter); above that
  // \uHHHH (\u{HHHHH} beyond the BMP, e.g. the format characters U+E0001..) names the character, so the
  // escaped text pasted back as a payload means the same.
  if (code < 0x80) return `\\x${HEX_TABLE[code]}`;
  return escapeCodePoint(code);
}

function escapeCodePoint(code: number): string {
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** escapeChar for an encoding whose bytes below 0x80 are not its characters (utf16le: \xHH is one byte). */
function escapeCharAsCharacter(char: string): string {
  return SHORT_ESCAPES[char] ?? escapeCodePoint(char.codePointAt(0)!);
}

/**
 * Decoded text for display with control chars/non-printables escaped (\n \r \t \0 \\ \xHH \uHHHH,
 * U+FFFD kept), so received bytes are always inert text; the result is itself a valid text payload
 * that re-encodes to the same characters. With maxChars the escaped result is cut (never inside an
 * escape or a surrogate pair) to at most maxChars characters followed by '…'.
 */
export function escapeForDisplay(text: string, maxChars?: number): string {
  if (maxChars === undefined) return text.replace(DISPLAY_ESCAPE, escapeChar);
  const limit = Math.max(0, Math.floor(maxChars));
  // Every input character yields at least one output character, so a long input can be cut first.
  const source = text.length > limit + 2 ? text.slice(0, limit + 2) : text;
  let out = '';
  let last = 0;
  const append = (piece: string): boolean => {
    if (out.length + piece.length > limit) return false;
    out += piece;
    return true;
  };
  const appendPlain = (piece: string): boolean => {
    if (out.length + piece.length <= limit) {
      out += piece;
      return true;
    }
    out += cutBefore(piece, limit - out.length);
    return false;
  };
  DISPLAY_ESCAPE.lastIndex = 0;
  for (let match = DISPLAY_ESCAPE.exec(source); match; match = DISPLAY_ESCAPE.exec(source)) {
    if (!appendPlain(source.slice(last, match.index)) || !append(escapeChar(match[0]))) return `${out}…`;
    last = match.index + match[0].length;
  }
  if (!appendPlain(source.slice(last))) return `${out}…`;
  return source.length < text.length ? `${out}…` : out;
}

/**
 * The length of the character sequence at `i` in `encoding`: > 0 bytes of a well-formed sequence, < 0 the
 * number of bytes that form no character (shown as \xHH), 0 a sequence cut by the end of the bytes.
 * Well-formed follows the WHATWG decoders the panel uses (and iconv-lite agrees for these ranges).
 */
type SequenceAt = (b: Uint8Array, i: number) => number;

const inRange = (x: number, lo: number, hi: number) => x >= lo && x <= hi;

function utf8At(b: Uint8Array, i: number): number {
  const b0 = b[i];
  if (b0 < 0x80) return 1;
  if (b0 < 0xc2 || b0 > 0xf4) return -1;
  const need = b0 < 0xe0 ? 2 : b0 < 0xf0 ? 3 : 4;
  // The second byte's range rules out overlong forms, surrogates and code points past U+10FFFF.
  const lo = b0 === 0xe0 ? 0xa0 : b0 === 0xf0 ? 0x90 : 0x80;
  const hi = b0 === 0xed ? 0x9f : b0 === 0xf4 ? 0x8f : 0xbf;
  for (let k = 1; k < need; k++) {
    if (i + k >= b.length) return 0;
    if (!(k === 1 ? inRange(b[i + k], lo, hi) : inRange(b[i + k], 0x80, 0xbf))) return -1;
  }
  return need;
}

function gb18030At(b: Uint8Array, i: number): number {
  const b0 = b[i];
  if (b0 <= 0x80) return 1;
  if (b0 === 0xff) return -1;
  if (i + 1 >= b.length) return 0;
  const b1 = b[i + 1];
  if (inRange(b1, 0x30, 0x39)) {
    if (i + 3 >= b.length) return 0;
    return inRange(b[i + 2], 0x81, 0xfe) && inRange(b[i + 3], 0x30, 0x39) ? 4 : -1;
  }
  return inRange(b1, 0x40, 0x7e) || inRange(b1, 0x80, 0xfe) ? 2 : -1;
}

function big5At(b: Uint8Array, i: number): number {
  const b0 = b[i];
  if (b0 < 0x80) return 1;
  if (b0 === 0x80 || b0 === 0xff) return -1;
  if (i + 1 >= b.length) return 0;
  return inRange(b[i + 1], 0x40, 0x7e) || inRange(b[i + 1], 0xa1, 0xfe) ? 2 : -1;
}

function shiftJisAt(b: Uint8Array, i: number): number {
  const b0 = b[i];
  if (b0 <= 0x80 || inRange(b0, 0xa1, 0xdf)) return 1;
  if (!inRange(b0, 0x81, 0x9f) && !inRange(b0, 0xe0, 0xfc)) return -1;
  if (i + 1 >= b.length) return 0;
  return inRange(b[i + 1], 0x40, 0x7e) || inRange(b[i + 1], 0x80, 0xfc) ? 2 : -1;
}

function utf16leAt(b: Uint8Array, i: number): number {
  if (i + 1 >= b.length) return 0;
  const unit = b[i] | (b[i + 1] << 8);
  if (unit < 0xd800 || unit > 0xdfff) return 2;
  // A low surrogate first, or a high one not followed by a low one: the unit's two bytes are no character.
  if (unit >= 0xdc00) return -2;
  if (i + 3 >= b.length) return 0;
  const next = b[i + 2] | (b[i + 3] << 8);
  return inRange(next, 0xdc00, 0xdfff) ? 4 : -2;
}

const SEQUENCE_AT: Record<string, SequenceAt> = {
  utf8: utf8At,
  ascii: (b, i) => (b[i] < 0x80 ? 1 : -1),
  latin1: () => 1,
  utf16le: utf16leAt,
  gbk: gb18030At,
  gb18030: gb18030At,
  big5: big5At,
  shift_jis: shiftJisAt,
};

const escapeByte = (byte: number) => `\\x${HEX_TABLE[byte]}`;

/**
 * Bytes as display text in `encoding` (one of the payload encodings; others are read as utf8): the characters
 * escaped as escapeForDisplay does, and every byte that is not part of a character written \xHH (never
 * U+FFFD), as a text payload writes a raw byte. `decode` turns a run of well-formed sequences into text (the
 * browser's TextDecoder, or iconv-lite); a sequence it still cannot map is written as bytes too. `cut`: the
 * bytes stop inside a longer record, so a sequence cut at the end is left out rather than escaped.
 */
export function decodeEscaped(
  bytes: Uint8Array,
  encoding: string,
  decode: (run: Uint8Array) => string,
  cut = false,
): string {
  const at = SEQUENCE_AT[encoding] ?? utf8At;
  const n = bytes.length;
  let out = '';
  let i = 0;
  while (i < n) {
    // A run of well-formed sequences, decoded in one call.
    const start = i;
    let len = at(bytes, i);
    while (len > 0 && i < n) {
      i += len;
      if (i < n) len = at(bytes, i);
    }
    if (i > start) out += decodeRun(bytes.subarray(start, i), at, decode, encoding === 'utf16le');
    if (i >= n) break;
    if (len === 0) {
      // A sequence cut by the end of the bytes.
      if (!cut) for (let k = i; k < n; k++) out += escapeByte(bytes[k]);
      break;
    }
    for (let k = 0; k < -len; k++) out += escapeByte(bytes[i + k]);
    i -= len;
  }
  return out;
}

/**
 * A run of well-formed sequences as display text; when `decode` maps some to U+FFFD, those are written as
 * bytes. `wide`: an encoding of two-byte units, whose controls are escaped as characters (\u0001), not bytes.
 */
function decodeRun(run: Uint8Array, at: SequenceAt, decode: (run: Uint8Array) => string, wide: boolean): string {
  const escape = (text: string) =>
    wide ? text.replace(DISPLAY_ESCAPE, escapeCharAsCharacter) : escapeForDisplay(text);
  const text = decode(run);
  if (!text.includes('\uFFFD')) return escape(text);
  let out = '';
  for (let i = 0; i < run.length;) {
    const len = at(run, i);
    const one = decode(run.subarray(i, i + len));
    if (one.includes('\uFFFD')) for (let k = i; k < i + len; k++) out += escapeByte(run[k]);
    else out += escape(one);
    i += len;
  }
  return out;
}

/** The first `max` UTF-16 units of `text`, one fewer when the cut would split a surrogate pair. */
export function cutBefore(text: string, max: number): string {
  if (max <= 0) return '';
  if (max >= text.length) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/**
 * Classic hex dump, as `hexdump -C` prints it:
 * '00000000  48 65 6c 6c 6f 0d 0a 20  57 6f 72 6c 64 0a        |Hello.. World.|', 16 bytes a line.
 * With maxBytes only that many bytes are dumped, then a last line '… N more bytes'.
 */
export function hexDump(bytes: Uint8Array, options?: { maxBytes?: number }): string {
  const shown =
    options?.maxBytes !== undefined ? Math.min(bytes.length, Math.max(0, Math.floor(options.maxBytes))) : bytes.length;
  const lines: string[] = [];
  for (let offset = 0; offset < shown; offset += 16) {
    const end = Math.min(offset + 16, shown);
    let hex = '';
    let ascii = '';
    for (let i = offset; i < offset + 16; i++) {
      if (i === offset + 8) hex += ' ';
      if (i < end) {
        const byte = bytes[i];
        hex += `${HEX_TABLE[byte]} `;
        ascii += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
      } else {
        hex += '   ';
      }
    }
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  if (shown < bytes.length) lines.push(`… ${bytes.length - shown} more bytes`);
  return lines.join('\n');
}

/** The hex column of a record: its preview in hex, and ' …' when the record is longer than the preview. */
export function hexPreview(preview: Uint8Array, length: number): string {
  return toHex(preview) + (length > preview.byteLength ? ' …' : '');
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1234 -> '1.2 KB' (powers of 1024, one decimal under 10). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? String(value) : value < 10 ? value.toFixed(1) : String(Math.round(value));
  return `${text} ${UNITS[unit]}`;
}

/** Epoch ms -> 'HH:MM:SS.mmm' in local time (optionally with the date in front). */
export function formatTime(epochMs: number, withDate = false): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  return withDate ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}` : time;
}
