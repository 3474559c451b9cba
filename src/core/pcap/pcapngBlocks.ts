/**
 * pcapng blocks (draft-ietf-opsawg-pcapng): a Section Header, one Interface Description with link type
 * RAW (packets start with their IP header), and Enhanced Packet Blocks written straight into a batch.
 * Little-endian, like the byte-order magic says; microsecond timestamps (the format's default).
 */
import { ByteBatch } from './byteBatch';

/** LINKTYPE_RAW: each packet begins with an IPv4 or IPv6 header. */
export const LINKTYPE_RAW = 101;

const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 0x00000001;
const BLOCK_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const OPT_COMMENT = 1;
const OPT_SHB_USERAPPL = 4;
const OPT_IF_NAME = 2;
const OPT_IF_TSRESOL = 9;
const OPT_EPB_FLAGS = 2;
/** Type, total length, interface id, timestamp high and low, captured and original length. */
const EPB_HEAD = 28;
/** The epb_flags option: code, length, 4-byte value. */
const EPB_FLAGS_OPTION = 8;
/** End-of-options and the trailing total length. */
const EPB_TAIL = 8;

/** epb_flags direction bits: inbound (1) or outbound (2) as seen from Socket Lab. */
export type PacketDirection = 'in' | 'out';

/** One option of a block: code and UTF-8 (string) or raw value. */
interface BlockOption {
  code: number;
  value: Uint8Array;
}

const pad4 = (n: number) => (n + 3) & ~3;

function encodeOptions(options: BlockOption[]): Buffer {
  if (!options.length) return Buffer.alloc(0);
  const length = options.reduce((n, o) => n + 4 + pad4(o.value.length), 0) + 4;
  const out = Buffer.alloc(length);
  let at = 0;
  for (const o of options) {
    out.writeUInt16LE(o.code, at);
    out.writeUInt16LE(o.value.length, at + 2);
    out.set(o.value, at + 4);
    at += 4 + pad4(o.value.length);
  }
  out.writeUInt16LE(OPT_END, at);
  return out;
}

function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(type, 0);
  out.writeUInt32LE(total, 4);
  body.copy(out, 8);
  out.writeUInt32LE(total, total - 4);
  return out;
}

/** Comment option values longer than this are cut (an option length is 16 bits). */
const MAX_OPTION_BYTES = 60_000;

function textOption(code: number, text: string): BlockOption {
  const value = Buffer.from(text, 'utf8');
  return { code, value: value.length > MAX_OPTION_BYTES ? value.subarray(0, MAX_OPTION_BYTES) : value };
}

/** The Section Header Block that starts a file: version 1.0, length unknown, with the writing application and a comment. */
export function sectionHeaderBlock(application: string, comment?: string): Buffer {
  const head = Buffer.alloc(16);
  head.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  head.writeUInt16LE(1, 4);
  head.writeUInt16LE(0, 6);
  head.writeInt32LE(-1, 8); // section length unknown: a streamed file keeps growing
  head.writeInt32LE(-1, 12);
  const options = [textOption(OPT_SHB_USERAPPL, application)];
  if (comment) options.unshift(textOption(OPT_COMMENT, comment));
  return block(BLOCK_SHB, Buffer.concat([head, encodeOptions(options)]));
}

/** The one Interface Description Block: link type RAW, no snapshot limit, microsecond timestamps. */
export function interfaceDescriptionBlock(name: string): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16LE(LINKTYPE_RAW, 0);
  head.writeUInt16LE(0, 2);
  head.writeUInt32LE(0, 4);
  const options = [textOption(OPT_IF_NAME, name), { code: OPT_IF_TSRESOL, value: Uint8Array.of(6) }];
  return block(BLOCK_IDB, Buffer.concat([head, encodeOptions(options)]));
}

/** The bytes of a comment option as written in an EPB (code, length, padded value), or undefined. */
export function commentOption(comment: string | undefined): Buffer | undefined {
  return comment ? encodeOptions([textOption(OPT_COMMENT, comment)]).subarray(0, -4) : undefined;
}

/** Bytes an Enhanced Packet Block takes for a packet of `packetLength` bytes and an optional encoded comment. */
export function packetBlockLength(packetLength: number, comment?: Buffer): number {
  return EPB_HEAD + pad4(packetLength) + EPB_FLAGS_OPTION + (comment?.length ?? 0) + EPB_TAIL;
}

/**
 * Writes an Enhanced Packet Block into `batch`: its packet is `headerLength` bytes the caller fills
 * through `writeHeaders(buffer, offset)` followed by `payload`. `timeUs` is microseconds since the epoch.
 */
export function writePacketBlock(
  batch: ByteBatch,
  timeUs: number,
  direction: PacketDirection,
  headerLength: number,
  payload: Uint8Array,
  writeHeaders: (out: Buffer, at: number) => void,
  comment?: Buffer,
): void {
  const packetLength = headerLength + payload.length;
  const total = packetBlockLength(packetLength, comment);
  const { buffer: out, offset: at } = batch.reserve(total);
  out.writeUInt32LE(BLOCK_EPB, at);
  out.writeUInt32LE(total, at + 4);
  out.writeUInt32LE(0, at + 8); // interface 0
  out.writeUInt32LE(Math.floor(timeUs / 0x1_0000_0000), at + 12);
  out.writeUInt32LE(timeUs % 0x1_0000_0000, at + 16);
  out.writeUInt32LE(packetLength, at + 20);
  out.writeUInt32LE(packetLength, at + 24);
  writeHeaders(out, at + EPB_HEAD);
  out.set(payload, at + EPB_HEAD + headerLength);
  let o = at + EPB_HEAD + pad4(packetLength);
  out.fill(0, at + EPB_HEAD + packetLength, o);
  out.writeUInt16LE(OPT_EPB_FLAGS, o);
  out.writeUInt16LE(4, o + 2);
  out.writeUInt32LE(direction === 'in' ? 1 : 2, o + 4);
  o += 8;
  if (comment) {
    comment.copy(out, o);
    o += comment.length;
  }
  out.writeUInt32LE(OPT_END, o);
  out.writeUInt32LE(total, o + 4);
}
