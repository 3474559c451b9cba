/**
 * Checksums appended to a payload (request files' `checksum=`, later the composer and the `send` command):
 * two byte sums and the CRCs of the reveng catalogue that serial and IoT protocols use. Every CRC is
 * table-driven; a table is built once, the first time its algorithm runs.
 */
import { SocketLabError } from './errors';
import { describeValue } from './payload';

/** A checksum Socket Lab can append, by its catalogue name. */
export type ChecksumName =
  'sum8' | 'xor8' | 'crc16-modbus' | 'crc16-ccitt-false' | 'crc16-kermit' | 'crc16-xmodem' | 'crc32';

/** Byte order of an appended checksum: low byte first (`le`) or high byte first (`be`). */
export type ChecksumEndian = 'le' | 'be';

/** The checksum names, in the order the UI offers them. */
export const CHECKSUM_NAMES: readonly ChecksumName[] = [
  'sum8',
  'xor8',
  'crc16-modbus',
  'crc16-ccitt-false',
  'crc16-kermit',
  'crc16-xmodem',
  'crc32',
];

/** The byte orders, as request files spell them. */
export const CHECKSUM_ENDIANS: readonly ChecksumEndian[] = ['le', 'be'];

/** A CRC in the catalogue's terms (poly, init, reflected in and out, xorout), widths 16 and 32. */
interface CrcModel {
  width: 16 | 32;
  poly: number;
  init: number;
  reflected: boolean;
  xorOut: number;
}

const CRC_MODELS: Readonly<Record<string, CrcModel>> = {
  'crc16-modbus': { width: 16, poly: 0x8005, init: 0xffff, reflected: true, xorOut: 0 },
  'crc16-ccitt-false': { width: 16, poly: 0x1021, init: 0xffff, reflected: false, xorOut: 0 },
  'crc16-kermit': { width: 16, poly: 0x1021, init: 0, reflected: true, xorOut: 0 },
  'crc16-xmodem': { width: 16, poly: 0x1021, init: 0, reflected: false, xorOut: 0 },
  crc32: { width: 32, poly: 0x04c11db7, init: 0xffffffff, reflected: true, xorOut: 0xffffffff },
};

/** Reverses the low `bits` bits of `value` (a reflected CRC works on the mirrored polynomial). */
function reflect(value: number, bits: number): number {
  let out = 0;
  for (let i = 0; i < bits; i++) {
    out = (out << 1) | ((value >>> i) & 1);
  }
  return out >>> 0;
}

/** The 256-entry table of a model: reflected tables shift right, the others shift left from the top bit. */
function buildTable(model: CrcModel): Uint32Array {
  const table = new Uint32Array(256);
  const top = model.width === 32 ? 0x80000000 : 0x8000;
  const mask = model.width === 32 ? 0xffffffff : 0xffff;
  const mirrored = reflect(model.poly, model.width);
  for (let byte = 0; byte < 256; byte++) {
    let crc: number;
    if (model.reflected) {
      crc = byte;
      for (let bit = 0; bit < 8; bit++) {
        crc = crc & 1 ? (crc >>> 1) ^ mirrored : crc >>> 1;
      }
    } else {
      crc = byte << (model.width - 8);
      for (let bit = 0; bit < 8; bit++) {
        crc = crc & top ? (crc << 1) ^ model.poly : crc << 1;
      }
    }
    table[byte] = (crc & mask) >>> 0;
  }
  return table;
}

const tables = new Map<string, Uint32Array>();

function crc(model: CrcModel, name: string, bytes: Uint8Array): number {
  let table = tables.get(name);
  if (!table) {
    table = buildTable(model);
    tables.set(name, table);
  }
  let value = model.init;
  if (model.reflected) {
    for (let i = 0; i < bytes.length; i++) {
      value = (value >>> 8) ^ table[(value ^ bytes[i]) & 0xff];
    }
  } else {
    const shift = model.width - 8;
    const mask = model.width === 32 ? 0xffffffff : 0xffff;
    for (let i = 0; i < bytes.length; i++) {
      value = ((value << 8) ^ table[((value >>> shift) ^ bytes[i]) & 0xff]) & mask;
    }
  }
  return (value ^ model.xorOut) >>> 0;
}

/** Bytes the checksum `name` appends: 1 for the sums, 2 for CRC-16, 4 for CRC-32. */
export function checksumWidth(name: ChecksumName): 1 | 2 | 4 {
  if (name === 'sum8' || name === 'xor8') {
    return 1;
  }
  return CRC_MODELS[name].width === 32 ? 4 : 2;
}

/** The byte order a protocol using `name` expects by default: MODBUS sends the low byte first, the rest high byte first. */
export function defaultChecksumEndian(name: ChecksumName): ChecksumEndian {
  return name === 'crc16-modbus' ? 'le' : 'be';
}

/** The checksum of `bytes` as a number (unsigned, 8, 16 or 32 bits). */
export function computeChecksum(bytes: Uint8Array, name: ChecksumName): number {
  if (name === 'sum8') {
    let sum = 0;
    for (let i = 0; i < bytes.length; i++) {
      sum = (sum + bytes[i]) & 0xff;
    }
    return sum;
  }
  if (name === 'xor8') {
    let x = 0;
    for (let i = 0; i < bytes.length; i++) {
      x ^= bytes[i];
    }
    return x;
  }
  return crc(CRC_MODELS[name], name, bytes);
}

/** The checksum of `bytes` as the bytes to append, in `endian` order (default: defaultChecksumEndian). */
export function checksumBytes(bytes: Uint8Array, name: ChecksumName, endian?: ChecksumEndian): Uint8Array {
  const value = computeChecksum(bytes, name);
  const width = checksumWidth(name);
  const order = endian ?? defaultChecksumEndian(name);
  const out = new Uint8Array(width);
  for (let i = 0; i < width; i++) {
    const shift = 8 * (order === 'le' ? i : width - 1 - i);
    out[i] = (value >>> shift) & 0xff;
  }
  return out;
}

/** `bytes` followed by their checksum `name` (a new array; `bytes` is not changed). */
export function appendChecksum(bytes: Uint8Array, name: ChecksumName, endian?: ChecksumEndian): Uint8Array {
  const sum = checksumBytes(bytes, name, endian);
  const out = new Uint8Array(bytes.length + sum.length);
  out.set(bytes);
  out.set(sum, bytes.length);
  return out;
}

/** True when `value` is a checksum name. */
export function isChecksumName(value: unknown): value is ChecksumName {
  return typeof value === 'string' && (CHECKSUM_NAMES as readonly string[]).includes(value);
}

/** `value` as a checksum name, or throws SocketLabError 'unknownChecksum' listing the names. */
export function parseChecksumName(value: unknown): ChecksumName {
  if (isChecksumName(value)) {
    return value;
  }
  throw SocketLabError.create('unknownChecksum', 'Checksum must be one of {allowed} (got {value}).', {
    value: describeValue(value),
    allowed: CHECKSUM_NAMES.join(', '),
  });
}

/** `value` as a byte order, or throws SocketLabError 'unknownChecksumEndian'. */
export function parseChecksumEndian(value: unknown): ChecksumEndian {
  if (value === 'le' || value === 'be') {
    return value;
  }
  throw SocketLabError.create(
    'unknownChecksumEndian',
    'Checksum byte order must be le (low byte first) or be (high byte first) (got {value}).',
    { value: describeValue(value) },
  );
}
