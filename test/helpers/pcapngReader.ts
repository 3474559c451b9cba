/** Reads the blocks of a little-endian pcapng file back, so tests can assert the exact bytes a writer put in each field. */
import * as assert from 'assert';

/** One option of a block: its code and raw value (padding removed). */
export interface PcapngOption {
  code: number;
  value: Buffer;
}

/** One block: its type, its whole bytes, the fixed part after type and length, and its options. */
export interface PcapngBlock {
  type: number;
  bytes: Buffer;
  /** The block's body before its options (SHB: 16 bytes, IDB: 8, EPB: 20 plus the padded packet). */
  head: Buffer;
  options: PcapngOption[];
}

/** One Enhanced Packet Block, its fields decoded. */
export interface PcapngPacket {
  interfaceId: number;
  timestampHigh: number;
  timestampLow: number;
  capturedLength: number;
  originalLength: number;
  packet: Buffer;
  options: PcapngOption[];
}

function readOptions(bytes: Buffer, at: number, end: number): PcapngOption[] {
  const options: PcapngOption[] = [];
  while (at < end) {
    const code = bytes.readUInt16LE(at);
    const length = bytes.readUInt16LE(at + 2);
    if (code === 0) {
      assert.strictEqual(length, 0, 'opt_endofopt has length 0');
      assert.strictEqual(at + 4, end, 'opt_endofopt is the last option');
      return options;
    }
    options.push({ code, value: bytes.subarray(at + 4, at + 4 + length) });
    at += 4 + ((length + 3) & ~3);
  }
  assert.strictEqual(at, end, 'options run to the end of the block');
  return options;
}

/** The blocks of `file`, checking that each block's leading and trailing lengths agree and are a multiple of 4. */
export function pcapngBlocks(file: Buffer): PcapngBlock[] {
  const blocks: PcapngBlock[] = [];
  for (let at = 0; at < file.length;) {
    const type = file.readUInt32LE(at);
    const total = file.readUInt32LE(at + 4);
    assert.strictEqual(total % 4, 0, `block at ${at}: length ${total} not a multiple of 4`);
    assert.strictEqual(file.readUInt32LE(at + total - 4), total, `block at ${at}: trailing length differs`);
    const bytes = file.subarray(at, at + total);
    const headLength =
      type === 0x0a0d0d0a ? 16 : type === 1 ? 8 : type === 6 ? 20 + ((bytes.readUInt32LE(20) + 3) & ~3) : total - 12;
    const head = bytes.subarray(8, 8 + headLength);
    blocks.push({ type, bytes, head, options: readOptions(bytes, 8 + headLength, total - 4) });
    at += total;
  }
  return blocks;
}

/** The Enhanced Packet Blocks of `file`, decoded. */
export function pcapngPackets(file: Buffer): PcapngPacket[] {
  return pcapngBlocks(file)
    .filter((b) => b.type === 6)
    .map((b) => ({
      interfaceId: b.head.readUInt32LE(0),
      timestampHigh: b.head.readUInt32LE(4),
      timestampLow: b.head.readUInt32LE(8),
      capturedLength: b.head.readUInt32LE(12),
      originalLength: b.head.readUInt32LE(16),
      packet: b.head.subarray(20, 20 + b.head.readUInt32LE(12)),
      options: b.options,
    }));
}

/** TCP flag bits of an IPv4 or IPv6 packet carrying TCP (FIN 1, SYN 2, RST 4, PSH 8, ACK 16). */
export function tcpFlags(packet: Buffer): number {
  const ipHeader = packet[0] >> 4 === 4 ? (packet[0] & 0x0f) * 4 : 40;
  return packet[ipHeader + 13];
}

/** The TCP source port of an IPv4 or IPv6 packet. */
export function tcpSourcePort(packet: Buffer): number {
  const ipHeader = packet[0] >> 4 === 4 ? (packet[0] & 0x0f) * 4 : 40;
  return packet.readUInt16BE(ipHeader);
}
