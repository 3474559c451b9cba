/** Byte formatting in the browser (the core's codec needs Node and iconv-lite, which the bundle does not carry). */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * The browser's decoder label for each of the core's multi-byte encodings. latin1 and ascii are decoded by
 * hand below: browsers map both labels to windows-1252, which would show 0x80 as '€' where the core (and
 * every socket tool) means U+0080.
 */
const DECODER_LABEL: Record<string, string> = {
  utf8: 'utf-8',
  utf16le: 'utf-16le',
  gbk: 'gbk',
  gb18030: 'gb18030',
  big5: 'big5',
  shift_jis: 'shift_jis',
};
const decoders = new Map<string, TextDecoder>();

function decoder(encoding: string): TextDecoder {
  let d = decoders.get(encoding);
  if (!d) {
    try {
      d = new TextDecoder(DECODER_LABEL[encoding] ?? 'utf-8', { fatal: false });
    } catch {
      d = new TextDecoder('utf-8', { fatal: false });
    }
    decoders.set(encoding, d);
  }
  return d;
}

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\0': '\\0', '\\': '\\\\' };
// Controls, format characters (bidi overrides, zero-width), separators and lone surrogates are escaped
// so received text is always visible and inert.
const ESCAPE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\\]/gu;

/** Decoded text with control characters escaped (\n \r \t \0 \\ \xHH \uHHHH). */
export function decodeForDisplay(bytes: Uint8Array, encoding: string): string {
  const text =
    encoding === 'latin1' || encoding === 'ascii'
      ? decodeSingleByte(bytes, encoding === 'ascii')
      : decoder(encoding).decode(bytes);
  return text.replace(ESCAPE, (c) => SHORT[c] ?? escapeCodePoint(c.codePointAt(0)!));
}

/** ISO-8859-1 (each byte is the code point), or ASCII with bytes >= 0x80 as U+FFFD, as the core's iconv-lite decodes them. */
function decodeSingleByte(bytes: Uint8Array, ascii: boolean): string {
  let out = '';
  for (let at = 0; at < bytes.length; at += 4096) {
    const chunk = bytes.subarray(at, at + 4096);
    const codes = ascii ? Array.from(chunk, (b) => (b < 0x80 ? b : 0xfffd)) : Array.from(chunk);
    out += String.fromCharCode(...codes);
  }
  return out;
}

/** \xHH below 0x80, \uHHHH in the BMP, \u{HHHHH} beyond it (astral format characters are escaped whole). */
function escapeCodePoint(code: number): string {
  if (code < 0x80) return `\\x${HEX[code]}`;
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** 'de ad be ef' */
export function hexOf(bytes: Uint8Array): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX[bytes[i]];
  return parts.join(' ');
}

/** `hexdump -C` style: offset, 16 bytes in two groups of 8, ASCII column. */
export function hexDump(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < bytes.length; at += 16) {
    const chunk = bytes.subarray(at, at + 16);
    let hex = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      hex += i < chunk.length ? `${HEX[chunk[i]]} ` : '   ';
      if (i === 7) hex += ' ';
      if (i < chunk.length) ascii += chunk[i] >= 0x20 && chunk[i] < 0x7f ? String.fromCharCode(chunk[i]) : '.';
    }
    lines.push(`${at.toString(16).padStart(8, '0')}  ${hex} |${ascii}|`);
  }
  return lines.join('\n');
}
