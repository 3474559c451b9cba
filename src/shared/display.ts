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
  // \xHH only below 0x80, where byte and character agree in every encoding we offer; above that
  // \uHHHH (\u{HHHHH} beyond the BMP, e.g. the format characters U+E0001..) names the character, so the
  // escaped text pasted back as a payload means the same.
  if (code < 0x80) return `\\x${HEX_TABLE[code]}`;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
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
