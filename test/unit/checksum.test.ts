import * as assert from 'assert';
import * as fc from 'fast-check';
import * as zlib from 'zlib';
import {
  CHECKSUM_NAMES,
  appendChecksum,
  checksumBytes,
  checksumWidth,
  computeChecksum,
  defaultChecksumEndian,
  parseChecksumEndian,
  parseChecksumName,
  type ChecksumName,
} from '../../src/shared/checksum';
import { rejectsWith } from '../helpers/errors';

const ascii = (text: string) => Uint8Array.from(Buffer.from(text, 'latin1'));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

// The check values of the reveng CRC catalogue (and of the plain byte sum and xor) for "123456789".
const CHECK_VALUES: Record<ChecksumName, number> = {
  sum8: 0xdd,
  xor8: 0x31,
  'crc16-modbus': 0x4b37,
  'crc16-ccitt-false': 0x29b1,
  'crc16-kermit': 0x2189,
  'crc16-xmodem': 0x31c3,
  crc32: 0xcbf43926,
};

/** The catalogue definition run bit by bit, independent of the table-driven code under test. */
function bitwiseCrc(
  bytes: Uint8Array,
  width: number,
  poly: number,
  init: number,
  refIn: boolean,
  xorOut: number,
): number {
  const top = 2 ** (width - 1);
  const mask = 2 ** width - 1;
  const mirror = (v: number, bits: number) => {
    let out = 0;
    for (let i = 0; i < bits; i++) out = out * 2 + (Math.floor(v / 2 ** i) % 2);
    return out;
  };
  let crc = init;
  for (const byte of bytes) {
    const b = refIn ? mirror(byte, 8) : byte;
    for (let bit = 7; bit >= 0; bit--) {
      const inBit = (b >> bit) & 1;
      const topBit = crc >= top ? 1 : 0;
      crc = (crc * 2) % (mask + 1);
      if (topBit ^ inBit) crc = Number(BigInt(crc) ^ BigInt(poly));
    }
  }
  if (refIn) crc = mirror(crc, width);
  return Number(BigInt(crc) ^ BigInt(xorOut));
}

const REFERENCE: Partial<Record<ChecksumName, (b: Uint8Array) => number>> = {
  'crc16-modbus': (b) => bitwiseCrc(b, 16, 0x8005, 0xffff, true, 0),
  'crc16-ccitt-false': (b) => bitwiseCrc(b, 16, 0x1021, 0xffff, false, 0),
  'crc16-kermit': (b) => bitwiseCrc(b, 16, 0x1021, 0, true, 0),
  'crc16-xmodem': (b) => bitwiseCrc(b, 16, 0x1021, 0, false, 0),
  crc32: (b) => bitwiseCrc(b, 32, 0x04c11db7, 0xffffffff, true, 0xffffffff),
};

describe('checksums', () => {
  it('give the catalogue check value for "123456789" for every name', () => {
    assert.deepStrictEqual([...CHECKSUM_NAMES].sort(), Object.keys(CHECK_VALUES).sort());
    for (const name of CHECKSUM_NAMES) {
      assert.strictEqual(computeChecksum(ascii('123456789'), name), CHECK_VALUES[name], name);
    }
  });

  it('append the MODBUS RTU CRC low byte first: 01 03 00 00 00 0a -> c5 cd', () => {
    const frame = Uint8Array.from([0x01, 0x03, 0x00, 0x00, 0x00, 0x0a]);
    assert.strictEqual(hex(appendChecksum(frame, 'crc16-modbus')), '01030000000ac5cd');
    // The spec's other classic example: read coils 11 01 00 13 00 25 -> 0e 84.
    assert.strictEqual(
      hex(checksumBytes(Uint8Array.from([0x11, 0x01, 0x00, 0x13, 0x00, 0x25]), 'crc16-modbus')),
      '0e84',
    );
    // A receiver recomputing the CRC over frame + CRC gets 0 (how a MODBUS device checks it).
    assert.strictEqual(computeChecksum(appendChecksum(frame, 'crc16-modbus'), 'crc16-modbus'), 0);
  });

  it('append the others high byte first unless an explicit byte order says otherwise', () => {
    const data = ascii('123456789');
    assert.strictEqual(hex(checksumBytes(data, 'crc16-xmodem')), '31c3');
    assert.strictEqual(hex(checksumBytes(data, 'crc16-xmodem', 'le')), 'c331');
    assert.strictEqual(hex(checksumBytes(data, 'crc32')), 'cbf43926');
    assert.strictEqual(hex(checksumBytes(data, 'crc32', 'le')), '2639f4cb');
    assert.strictEqual(hex(checksumBytes(data, 'crc16-modbus', 'be')), '4b37');
    assert.strictEqual(hex(checksumBytes(data, 'sum8', 'le')), 'dd');
    assert.deepStrictEqual(
      CHECKSUM_NAMES.map((n) => [n, checksumWidth(n), defaultChecksumEndian(n)]),
      [
        ['sum8', 1, 'be'],
        ['xor8', 1, 'be'],
        ['crc16-modbus', 2, 'le'],
        ['crc16-ccitt-false', 2, 'be'],
        ['crc16-kermit', 2, 'be'],
        ['crc16-xmodem', 2, 'be'],
        ['crc32', 4, 'be'],
      ],
    );
  });

  it('of nothing are the initial values run through xorout', () => {
    const empty = new Uint8Array(0);
    assert.deepStrictEqual(
      CHECKSUM_NAMES.map((n) => computeChecksum(empty, n)),
      [0, 0, 0xffff, 0xffff, 0, 0, 0],
    );
    assert.strictEqual(appendChecksum(empty, 'crc32').length, 4);
  });

  it('leave the input unchanged and return a new array', () => {
    const input = Uint8Array.from([1, 2, 3]);
    const out = appendChecksum(input, 'crc16-kermit');
    assert.deepStrictEqual([...input], [1, 2, 3]);
    assert.deepStrictEqual([...out.subarray(0, 3)], [1, 2, 3]);
    assert.strictEqual(out.length, 5);
  });

  it('match the bit-by-bit catalogue definition, zlib.crc32 and the byte sums on any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        for (const [name, reference] of Object.entries(REFERENCE)) {
          assert.strictEqual(computeChecksum(data, name as ChecksumName), reference!(data), name);
        }
        const zcrc = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
        if (zcrc) assert.strictEqual(computeChecksum(data, 'crc32'), zcrc(data));
        assert.strictEqual(computeChecksum(data, 'sum8'), data.reduce((a, b) => a + b, 0) % 256);
        assert.strictEqual(
          computeChecksum(data, 'xor8'),
          data.reduce((a, b) => a ^ b, 0),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('refuse unknown names and byte orders with a sentence listing what is allowed', async () => {
    assert.strictEqual(parseChecksumName('crc32'), 'crc32');
    assert.strictEqual(parseChecksumEndian('le'), 'le');
    await rejectsWith(
      () => parseChecksumName('crc16-ccitt'),
      'unknownChecksum',
      /^Checksum must be one of sum8, xor8, crc16-modbus, crc16-ccitt-false, crc16-kermit, crc16-xmodem, crc32 \(got "crc16-ccitt"\)\.$/,
    );
    await rejectsWith(() => parseChecksumName(undefined), 'unknownChecksum', /\(got nothing\)/);
    await rejectsWith(
      () => parseChecksumEndian('little'),
      'unknownChecksumEndian',
      /^Checksum byte order must be le \(low byte first\) or be \(high byte first\) \(got "little"\)\.$/,
    );
  });
});
