/**
 * A record's bytes as the log shows them: text decoded in the browser and escaped (shared/display), and
 * hex. The core decodes with iconv-lite, which the bundle does not carry; the browser's TextDecoder knows
 * the same character sets, except latin1 and ascii, decoded here by hand as the core decodes them.
 */
import { escapeForDisplay, hexPreview } from '../../shared/display';
import type { RecordView } from '../../shared/protocol';

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
// The instance type, as both the browser's and Node's globals declare it (the unit tests run this on Node).
type Decoder = InstanceType<typeof TextDecoder>;
const decoders = new Map<string, Decoder>();

function decoder(encoding: string): Decoder {
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

/** Decoded text with control characters escaped (\n \r \t \0 \\ \xHH \uHHHH), as the core's decodeText + escapeForDisplay. */
export function decodeForDisplay(bytes: Uint8Array, encoding: string): string {
  const text =
    encoding === 'latin1' || encoding === 'ascii'
      ? decodeSingleByte(bytes, encoding === 'ascii')
      : decoder(encoding).decode(bytes);
  return escapeForDisplay(text);
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

/** A record of the log with what the panel made of it (the row's text and hex are computed once, when first shown). */
export interface RecordRow {
  kind: 'rec';
  r: RecordView;
  expanded?: boolean;
  /** The whole record (up to FETCH_RECORD_MAX_BYTES), fetched when it is expanded and longer than its preview. */
  full?: Uint8Array;
  loading?: boolean;
  text?: string;
  hex?: string;
}

/** The row's preview as escaped text in `encoding`, with '…' when the record is longer. */
export function textOf(row: RecordRow, encoding: string): string {
  return (row.text ??=
    decodeForDisplay(row.r.preview, encoding) + (row.r.length > row.r.preview.byteLength ? '…' : ''));
}

/** The row's preview in hex, with ' …' when the record is longer. */
export function hexOf(row: RecordRow): string {
  return (row.hex ??= hexPreview(row.r.preview, row.r.length));
}
