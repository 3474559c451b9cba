/**
 * A record's bytes as the log shows them: text decoded in the browser and escaped (shared/display), and
 * hex. The core decodes with iconv-lite, which the bundle does not carry; the browser's TextDecoder knows
 * the same character sets, except latin1, decoded here by hand as the core decodes it.
 */
import { decodeEscaped, hexPreview } from '../../shared/display';
import type { RecordView } from '../../shared/protocol';

/**
 * The browser's decoder label for each of the core's multi-byte encodings (ascii runs are plain ASCII by the
 * time they are decoded). latin1 is decoded by hand below: browsers map that label to windows-1252, which
 * would show 0x80 as '€' where the core (and every socket tool) means U+0080.
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

/**
 * Decoded text with control characters escaped (\n \r \t \0 \\ \xHH \uHHHH) and every byte that is no
 * character of `encoding` written \xHH, never U+FFFD. `cut`: the bytes are the start of a longer record.
 */
export function decodeForDisplay(bytes: Uint8Array, encoding: string, cut = false): string {
  const decode = encoding === 'latin1' ? decodeLatin1 : (run: Uint8Array) => decoder(encoding).decode(run);
  return decodeEscaped(bytes, encoding, decode, cut);
}

/** The bytes as plain text in `encoding` (nothing escaped: what a copy as text gives). */
export function decodeRaw(bytes: Uint8Array, encoding: string): string {
  return encoding === 'latin1' ? decodeLatin1(bytes) : decoder(encoding).decode(bytes);
}

/** ISO-8859-1: each byte is its code point, as the core's iconv-lite decodes it. */
function decodeLatin1(bytes: Uint8Array): string {
  let out = '';
  for (let at = 0; at < bytes.length; at += 4096) out += String.fromCharCode(...bytes.subarray(at, at + 4096));
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
  const cut = row.r.length > row.r.preview.byteLength;
  return (row.text ??= decodeForDisplay(row.r.preview, encoding, cut) + (cut ? '…' : ''));
}

/** The row's preview in hex, with ' …' when the record is longer. */
export function hexOf(row: RecordRow): string {
  return (row.hex ??= hexPreview(row.r.preview, row.r.length));
}

/** A framed record's text in its parts: the length header, the body, and the delimiter ('' when it has none). */
export interface FrameText {
  header: string;
  body: string;
  delimiter: string;
}

/**
 * The row's preview split where its frame's header ends and its delimiter starts, each part escaped on its
 * own; undefined for a record without either. A delimiter beyond the preview (a long record) is not shown.
 */
export function frameTextOf(row: RecordRow, encoding: string): FrameText | undefined {
  const r = row.r;
  const bytes = r.preview;
  const header = Math.min(r.headerBytes ?? 0, bytes.byteLength);
  const whole = r.length === bytes.byteLength;
  const delimiter = whole ? Math.min(r.delimiterBytes ?? 0, bytes.byteLength - header) : 0;
  if (header === 0 && delimiter === 0) return undefined;
  const cut = !whole;
  const end = bytes.byteLength - delimiter;
  return {
    header: header > 0 ? decodeForDisplay(bytes.subarray(0, header), encoding) : '',
    body: decodeForDisplay(bytes.subarray(header, end), encoding, cut) + (cut ? '…' : ''),
    delimiter: delimiter > 0 ? decodeForDisplay(bytes.subarray(end), encoding) : '',
  };
}

/** The key of the string marking a frame that is not whole: cut at maxFrameBytes, or ended by a close. */
export function frameMarkKey(r: RecordView): 'frameCut' | 'framePartial' | undefined {
  return r.truncated ? 'frameCut' : r.partial ? 'framePartial' : undefined;
}
