import * as assert from 'assert';
import fc from 'fast-check';
import '../helpers/noLeaks';
import { ChunkQueue } from '../../src/core/framing/chunkQueue';
import { createDeframer, type FrameInfo } from '../../src/core/framing/deframer';
import { parseFramingSpec } from '../../src/shared/framing';
import {
  deframeAll,
  lengthFrame,
  recording,
  referenceDelimited,
  type ReferenceFrame,
  referenceLength,
  splitAt,
} from '../helpers/framing';

const b = (text: string) => Buffer.from(text, 'latin1');
const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');
const shown = (frames: ReferenceFrame[]) => frames.map((f) => ({ data: f.data.toString('hex'), info: f.info }));

/** MODBUS/TCP read holding registers, transaction 1 (MBAP: transaction, protocol 0, length 6, unit 1; PDU 03 0000 000a). */
const MODBUS_REQUEST = hex('0001 0000 0006 01 03 0000 000a');
/** The response: 20 bytes of registers. */
const MODBUS_RESPONSE = hex(`0001 0000 0017 01 03 14 ${'00'.repeat(20)}`);

describe('deframer: line framing', () => {
  it('any: a LF ends a line, with the CR before it counted in the delimiter', () => {
    const { deframer, frames, texts } = recording({ mode: 'line' });
    deframer.push(b('a\nb\r\nc'));
    assert.deepStrictEqual(texts(), ['a\n', 'b\r\n']);
    assert.deepStrictEqual(
      frames.map((f) => f.info),
      [{ delimiterBytes: 1 }, { delimiterBytes: 2 }],
    );
    assert.strictEqual(deframer.pending, 1);
    deframer.flush();
    assert.deepStrictEqual(texts(), ['a\n', 'b\r\n', 'c']);
    assert.deepStrictEqual(frames[2].info, { partial: true });
    assert.strictEqual(deframer.pending, 0);
    deframer.dispose();
  });

  it('any: a CR at the end of one read and the LF at the start of the next make one CR LF', () => {
    const { deframer, frames, texts } = recording({ mode: 'line', eol: 'any' });
    deframer.push(b('ab\r'));
    assert.deepStrictEqual(texts(), []);
    deframer.push(b('\ncd\r'));
    deframer.push(b('\n'));
    assert.deepStrictEqual(texts(), ['ab\r\n', 'cd\r\n']);
    assert.deepStrictEqual(
      frames.map((f) => f.info),
      [{ delimiterBytes: 2 }, { delimiterBytes: 2 }],
    );
    deframer.dispose();
  });

  it('any: a lone CR is data, and a line that is only a LF is a frame', () => {
    const { deframer, frames, texts } = recording({ mode: 'line' });
    deframer.push(b('a\rb\n\n\r\n'));
    assert.deepStrictEqual(texts(), ['a\rb\n', '\n', '\r\n']);
    assert.deepStrictEqual(
      frames.map((f) => f.info.delimiterBytes),
      [1, 1, 2],
    );
    deframer.dispose();
  });

  it('lf: the CR stays data; crlf: a lone LF is data', () => {
    const lf = recording({ mode: 'line', eol: 'lf' });
    lf.deframer.push(b('a\r\nb\n'));
    assert.deepStrictEqual(lf.texts(), ['a\r\n', 'b\n']);
    assert.deepStrictEqual(
      lf.frames.map((f) => f.info.delimiterBytes),
      [1, 1],
    );
    const crlf = recording({ mode: 'line', eol: 'crlf' });
    crlf.deframer.push(b('a\nb\r'));
    crlf.deframer.push(b('\nc\r\n'));
    assert.deepStrictEqual(crlf.texts(), ['a\nb\r\n', 'c\r\n']);
    assert.deepStrictEqual(
      crlf.frames.map((f) => f.info.delimiterBytes),
      [2, 2],
    );
    lf.deframer.dispose();
    crlf.deframer.dispose();
  });

  it('three lines in one read are three frames; a line over three reads is one', () => {
    const { deframer, texts } = recording({ mode: 'line' });
    deframer.push(b('one\ntwo\nthree\n'));
    deframer.push(b('fo'));
    deframer.push(b('u'));
    deframer.push(b('r\n'));
    assert.deepStrictEqual(texts(), ['one\n', 'two\n', 'three\n', 'four\n']);
    deframer.dispose();
  });
});

describe('deframer: delimiter framing', () => {
  it('keeps the delimiter in the frame and says how long it is (hex 7e)', () => {
    const { deframer, frames } = recording({ mode: 'delimiter', delimiter: '7e', format: 'hex' });
    deframer.push(hex('01 02 7e 03 7e 7e'));
    assert.deepStrictEqual(
      frames.map((f) => [f.data.toString('hex'), f.info]),
      [
        ['01027e', { delimiterBytes: 1 }],
        ['037e', { delimiterBytes: 1 }],
        ['7e', { delimiterBytes: 1 }],
      ],
    );
    deframer.dispose();
  });

  it('finds a delimiter split over two and over three reads', () => {
    const { deframer, frames, texts } = recording({ mode: 'delimiter', delimiter: 'END' });
    deframer.push(b('abE'));
    deframer.push(b('ND'));
    assert.deepStrictEqual(texts(), ['abEND']);
    deframer.push(b('xyE'));
    deframer.push(b('N'));
    deframer.push(b('Dz'));
    assert.deepStrictEqual(texts(), ['abEND', 'xyEND']);
    assert.deepStrictEqual(frames[1].info, { delimiterBytes: 3 });
    assert.strictEqual(deframer.pending, 1);
    // A part of the delimiter that is not followed by the rest is data.
    deframer.push(b('EN'));
    deframer.push(b('xEND'));
    assert.deepStrictEqual(texts(), ['abEND', 'xyEND', 'zENxEND']);
    deframer.dispose();
  });

  it('text delimiters take the composer escapes; overlapping matches are taken from the left', () => {
    const crlf = recording({ mode: 'delimiter', delimiter: '\\r\\n' });
    crlf.deframer.push(b('a\r'));
    crlf.deframer.push(b('\nb\r\n'));
    assert.deepStrictEqual(crlf.texts(), ['a\r\n', 'b\r\n']);
    const aa = recording({ mode: 'delimiter', delimiter: 'aa' });
    aa.deframer.push(b('aaa'));
    aa.deframer.push(b('a'));
    assert.deepStrictEqual(aa.texts(), ['aa', 'aa']);
    crlf.deframer.dispose();
    aa.deframer.dispose();
  });
});

describe('deframer: length and fixed framing', () => {
  it('MODBUS/TCP ({ bytes: 2, offset: 4 }): a request and a response split at every byte boundary', () => {
    const stream = Buffer.concat([MODBUS_REQUEST, MODBUS_RESPONSE]);
    for (let cut = 1; cut < stream.length; cut++) {
      const frames = deframeAll({ mode: 'length', bytes: 2, offset: 4 }, [
        stream.subarray(0, cut),
        stream.subarray(cut),
      ]);
      assert.deepStrictEqual(
        shown(frames),
        [
          { data: MODBUS_REQUEST.toString('hex'), info: { headerBytes: 6 } },
          { data: MODBUS_RESPONSE.toString('hex'), info: { headerBytes: 6 } },
        ],
        `cut at ${cut}`,
      );
    }
    const byteByByte = deframeAll(
      { mode: 'length', bytes: 2, offset: 4 },
      [...stream].map((byte) => Uint8Array.of(byte)),
    );
    assert.deepStrictEqual(
      byteByByte.map((f) => f.data.toString('hex')),
      [MODBUS_REQUEST.toString('hex'), MODBUS_RESPONSE.toString('hex')],
    );
  });

  for (const bytes of [1, 2, 4] as const) {
    for (const endian of ['be', 'le'] as const) {
      it(`a ${bytes}-byte ${endian.toUpperCase()} length field, at an offset and with adjust`, () => {
        // adjust 2: two bytes (a checksum) follow what the field counts; adjust -(offset + bytes): the
        // field counts the whole frame.
        for (const [offset, adjust] of [
          [0, 0],
          [3, 0],
          [2, 2],
          [1, -(1 + bytes)],
        ]) {
          const bodies = [b(''), b('x'), b('hello'), Buffer.alloc(200, 0x41)].filter((x) => x.length >= adjust);
          const stream = Buffer.concat(bodies.map((body) => lengthFrame(body, { bytes, endian, offset, adjust })));
          const got = deframeAll({ mode: 'length', bytes, endian, offset, adjust }, splitAt(stream, [1, 2, 3, 7, 150]));
          assert.deepStrictEqual(
            got.map((f) => [f.data.subarray(offset + bytes).toString('latin1'), f.info]),
            bodies.map((body) => [body.toString('latin1'), { headerBytes: offset + bytes }]),
            `offset ${offset}, adjust ${adjust}`,
          );
        }
      });
    }
  }

  it('reads a 4-byte length above 2^31 as unsigned (a cut frame, not a negative size)', () => {
    const stream = Buffer.concat([hex('fffffff0'), b('abcdef')]);
    const frames = deframeAll({ mode: 'length', bytes: 4, maxFrameBytes: 8 }, [stream]);
    assert.deepStrictEqual(shown(frames), [
      { data: stream.subarray(0, 8).toString('hex'), info: { truncated: true, headerBytes: 4 } },
    ]);
  });

  it('a length + adjust below zero leaves the frame its header, so the stream keeps moving', () => {
    const frames = deframeAll({ mode: 'length', bytes: 1, adjust: -5 }, [hex('02 07 aa bb 09')]);
    assert.deepStrictEqual(shown(frames), [
      { data: '02', info: { headerBytes: 1 } },
      { data: '07aabb', info: { headerBytes: 1 } },
      { data: '09', info: { partial: true, headerBytes: 1 } },
    ]);
  });

  it('fixed: frames of one size, whatever the reads', () => {
    const { deframer, frames, texts } = recording({ mode: 'fixed', size: 3 });
    deframer.push(b('abcde'));
    deframer.push(b('f'));
    deframer.push(b('g'));
    assert.deepStrictEqual(texts(), ['abc', 'def']);
    assert.deepStrictEqual(frames[0].info, {});
    deframer.flush();
    assert.deepStrictEqual(frames[2].info, { partial: true });
    assert.deepStrictEqual(texts(), ['abc', 'def', 'g']);
    deframer.dispose();
  });
});

describe('deframer: none', () => {
  it('every read is a frame, cut at maxFrameBytes', () => {
    const { deframer, frames, texts } = recording({ mode: 'none', maxFrameBytes: 4 });
    deframer.push(b('ab'));
    deframer.push(b('abcdef'));
    assert.deepStrictEqual(texts(), ['ab', 'abcd']);
    assert.deepStrictEqual(
      frames.map((f) => f.info),
      [{}, { truncated: true }],
    );
    deframer.flush();
    assert.strictEqual(frames.length, 2);
    assert.strictEqual(deframer.pending, 0);
    deframer.dispose();
  });
});

describe('deframer: maxFrameBytes', () => {
  it('line: a long line is cut at the limit, the rest up to its LF skipped, and the next line is whole', () => {
    const { deframer, frames, texts } = recording({ mode: 'line', maxFrameBytes: 4 });
    for (const piece of ['ab', 'cd', 'ef', 'g\nhi', '\n']) {
      deframer.push(b(piece));
      assert.ok(deframer.pending <= 4, `pending ${deframer.pending}`);
    }
    assert.deepStrictEqual(texts(), ['abcd', 'hi\n']);
    assert.deepStrictEqual(
      frames.map((f) => f.info),
      [{ truncated: true }, { delimiterBytes: 1 }],
    );
    deframer.dispose();
  });

  it('a frame exactly at the limit is whole; one byte more is cut', () => {
    const whole = deframeAll({ mode: 'line', maxFrameBytes: 4 }, [b('abc\nabcd\n')]);
    assert.deepStrictEqual(
      whole.map((f) => [f.data.toString(), f.info]),
      [
        ['abc\n', { delimiterBytes: 1 }],
        ['abcd', { truncated: true }],
      ],
    );
  });

  it('delimiter: a delimiter that straddles the cut ends the skipped frame', () => {
    const frames = deframeAll({ mode: 'delimiter', delimiter: 'XY', maxFrameBytes: 4 }, [b('abcX'), b('YdeXY')]);
    assert.deepStrictEqual(
      frames.map((f) => [f.data.toString(), f.info]),
      [
        ['abcX', { truncated: true }],
        ['deXY', { delimiterBytes: 2 }],
      ],
    );
    const later = deframeAll({ mode: 'delimiter', delimiter: 'XYZ', maxFrameBytes: 3 }, [
      b('abcdX'),
      b('Y'),
      b('ZqXYZ'),
    ]);
    assert.deepStrictEqual(
      later.map((f) => [f.data.toString(), f.info]),
      [
        ['abc', { truncated: true }],
        ['qXY', { truncated: true }],
      ],
    );
  });

  it('length: a frame announced over the limit is cut, the rest of its length skipped, then the next is whole', () => {
    const big = lengthFrame(Buffer.alloc(100, 0x61), { bytes: 2 });
    const next = lengthFrame(b('ok'), { bytes: 2 });
    const stream = Buffer.concat([big, next]);
    for (let cut = 1; cut < stream.length; cut += 7) {
      const frames = deframeAll({ mode: 'length', bytes: 2, maxFrameBytes: 10 }, splitAt(stream, [cut, cut + 30]));
      assert.deepStrictEqual(
        shown(frames),
        [
          { data: big.subarray(0, 10).toString('hex'), info: { truncated: true, headerBytes: 2 } },
          { data: next.toString('hex'), info: { headerBytes: 2 } },
        ],
        `cut at ${cut}`,
      );
    }
  });

  it('idle: a burst over the limit is cut at once and the rest skipped until the gap', async () => {
    const got: Array<[string, FrameInfo]> = [];
    let seen: () => void = () => undefined;
    const deframer = createDeframer(parseFramingSpec({ mode: 'idle', gapMs: 30, maxFrameBytes: 4 }), (frame, info) => {
      got.push([Buffer.from(frame).toString(), { ...info }]);
      seen();
    });
    deframer.push(b('abc'));
    deframer.push(b('def'));
    assert.deepStrictEqual(got, [['abcd', { truncated: true }]]);
    assert.strictEqual(deframer.pending, 0);
    deframer.push(b('gh'));
    assert.strictEqual(deframer.pending, 0, 'skipped until the gap');
    // After the gap, a new frame starts; wait for the gap's own event.
    await new Promise<void>((resolve) => {
      const probe = createDeframer(parseFramingSpec({ mode: 'idle', gapMs: 60 }), () => resolve());
      probe.push(b('p'));
    });
    deframer.push(b('ij'));
    await new Promise<void>((resolve) => (seen = resolve));
    assert.deepStrictEqual(got, [
      ['abcd', { truncated: true }],
      ['ij', {}],
    ]);
    deframer.dispose();
  });
});

describe('deframer: views and copies', () => {
  it('a frame inside one read is a view of it; a frame over two reads is one new buffer', () => {
    const { deframer, frames } = recording({ mode: 'line' });
    const first = b('one\ntw');
    deframer.push(first);
    deframer.push(b('o\n'));
    assert.strictEqual(frames[0].view.buffer, first.buffer, 'inside one read: no copy');
    assert.strictEqual(frames[0].view.byteOffset, first.byteOffset);
    assert.notStrictEqual(frames[1].view.buffer, first.buffer, 'over two reads: a buffer of its own');
    assert.strictEqual(frames[1].view.byteLength, frames[1].view.buffer.byteLength, 'exactly its size');
    deframer.dispose();
  });

  it('takes plain Uint8Arrays as well as Buffers', () => {
    const frames = deframeAll({ mode: 'delimiter', delimiter: '00', format: 'hex' }, [
      Uint8Array.of(1, 2),
      Uint8Array.of(0, 3, 0),
    ]);
    assert.deepStrictEqual(shown(frames), [
      { data: '010200', info: { delimiterBytes: 1 } },
      { data: '0300', info: { delimiterBytes: 1 } },
    ]);
  });

  it('a peer trickling one byte per read is packed: many reads, one frame, bounded pending', () => {
    const { deframer, texts } = recording({ mode: 'line', maxFrameBytes: 100_000 });
    for (let i = 0; i < 50_000; i++) deframer.push(Uint8Array.of(0x61 + (i % 26)));
    assert.strictEqual(deframer.pending, 50_000);
    deframer.push(b('\n'));
    assert.strictEqual(texts().length, 1);
    const expected = Array.from({ length: 50_000 }, (_, i) => String.fromCharCode(0x61 + (i % 26))).join('') + '\n';
    // Every byte, not just the length: past the first 16 KiB packing block a lost byte leaves uninitialised memory.
    assert.strictEqual(texts()[0], expected);
    deframer.dispose();
  });
});

describe('ChunkQueue: the bytes of a frame in progress', () => {
  /** `n` bytes counting up from `from` (mod 256), so a byte out of place shows. */
  const counting = (n: number, from = 0) => Buffer.from(Array.from({ length: n }, (_, i) => (from + i) & 0xff));

  it('a read of 16 KiB or more after small ones is kept whole, and everything comes back in order', () => {
    const queue = new ChunkQueue();
    const small = counting(3, 1);
    const big = counting(20_000, 7);
    const after = counting(5, 200);
    queue.push(small);
    queue.push(big);
    queue.push(after);
    assert.strictEqual(queue.length, 20_008);
    assert.deepStrictEqual(queue.peek(10), Buffer.concat([small, big.subarray(0, 7)]), 'peek across two chunks');
    assert.deepStrictEqual(queue.last(8), Buffer.concat([big.subarray(-3), after]), 'last across two chunks');
    assert.deepStrictEqual(queue.last(30_000), Buffer.concat([small, big, after]), 'last of more than it holds');
    assert.deepStrictEqual(queue.takeAllWith(), Buffer.concat([small, big, after]), 'several chunks, no tail');
    assert.strictEqual(queue.length, 0);
  });

  it('a big read first, then a tail: peek stays inside it, takeAllWith joins both', () => {
    const queue = new ChunkQueue();
    const big = counting(5000, 3);
    queue.push(big);
    assert.deepStrictEqual(queue.peek(5000), big);
    assert.deepStrictEqual(queue.takeAllWith(Buffer.from('end')), Buffer.concat([big, Buffer.from('end')]));
    assert.deepStrictEqual(queue.takeAllWith(Buffer.from('tail only')), Buffer.from('tail only'));
  });

  it('small reads past one 16 KiB packing block start another, and none is lost', () => {
    const queue = new ChunkQueue();
    const reads = Array.from({ length: 7 }, (_, i) => counting(4000, i * 11));
    for (const read of reads) queue.push(read);
    assert.strictEqual(queue.length, 28_000);
    assert.deepStrictEqual(queue.last(4001), Buffer.concat(reads).subarray(-4001));
    assert.deepStrictEqual(queue.takeAllWith(), Buffer.concat(reads));
    // After being emptied, the same block takes the next bytes.
    queue.push(Buffer.from('next'));
    assert.deepStrictEqual(queue.takeAllWith(), Buffer.from('next'));
  });

  it('line framing: a 20 000-byte read between two small ones is one exact frame', () => {
    const { deframer, frames } = recording({ mode: 'line' });
    const body = Buffer.alloc(20_000, 0x62);
    deframer.push(b('a'));
    deframer.push(body);
    deframer.push(b('c\n'));
    assert.deepStrictEqual(
      frames.map((f) => f.data),
      [Buffer.concat([b('a'), body, b('c\n')])],
    );
    deframer.dispose();
  });
});

describe('deframer: after dispose, empty reads, reentry', () => {
  for (const spec of [
    { mode: 'none' },
    { mode: 'line' },
    { mode: 'fixed', size: 2 },
    { mode: 'length', bytes: 1 },
    { mode: 'idle', gapMs: 10_000 },
  ]) {
    it(`${spec.mode}: a push after dispose hands over nothing and keeps nothing`, () => {
      const { deframer, frames } = recording(spec);
      deframer.dispose();
      deframer.push(b('\u0001x\n'));
      deframer.flush();
      assert.deepStrictEqual(frames, []);
      assert.strictEqual(deframer.pending, 0);
    });

    it(`${spec.mode}: an empty read is no frame`, () => {
      const { deframer, frames } = recording(spec);
      deframer.push(new Uint8Array(0));
      deframer.flush();
      assert.deepStrictEqual(frames, []);
      deframer.dispose();
    });
  }

  for (const spec of [
    { mode: 'line' },
    { mode: 'fixed', size: 1 },
    { mode: 'idle', gapMs: 10_000, maxFrameBytes: 1 },
  ]) {
    for (const call of ['push', 'flush', 'takePending'] as const) {
      it(`${spec.mode}: ${call} from inside the frame callback is refused`, () => {
        const deframer = createDeframer(parseFramingSpec(spec), () =>
          call === 'push' ? deframer.push(b('z')) : deframer[call](),
        );
        // idle hands a frame over from push only when the read is cut at maxFrameBytes.
        assert.throws(() => deframer.push(b('a\nb')), /inside its own frame callback/);
        deframer.dispose();
      });
    }
  }
});

describe('deframer: what flush and takePending leave behind', () => {
  for (const spec of [
    { mode: 'line', maxFrameBytes: 2 },
    { mode: 'idle', gapMs: 10_000, maxFrameBytes: 2 },
  ]) {
    for (const call of ['flush', 'takePending'] as const) {
      it(`${spec.mode}: after ${call}, with or without a cut before it, the next bytes are a frame, not skipped`, () => {
        const { deframer, frames } = recording(spec);
        deframer.push(b('x'));
        deframer[call]();
        deframer.push(b('y\n'));
        deframer.flush();
        deframer.push(b('abcdef')); // cut at 2: the rest up to the next LF or gap is skipped
        deframer[call]();
        deframer.push(b('z\n'));
        deframer.flush();
        // Line framing ends 'y' and 'z' with their LF; idle framing hands them over whole at flush.
        const ended = spec.mode === 'line' ? { delimiterBytes: 1 } : {};
        const flushed = spec.mode === 'line' ? { partial: true } : {};
        assert.deepStrictEqual(
          frames.map((f) => [f.data.toString(), f.info]),
          [...(call === 'flush' ? [['x', flushed]] : []), ['y\n', ended], ['ab', { truncated: true }], ['z\n', ended]],
        );
        deframer.dispose();
      });
    }
  }
});

describe('deframer: a multi-byte delimiter across a cut made while bytes were queued', () => {
  it('crlf: the CR kept from the cut read and the LF of the next read end the skipped frame', () => {
    const frames = deframeAll({ mode: 'line', eol: 'crlf', maxFrameBytes: 4 }, [b('ab'), b('cdefg\r'), b('\nxy\r\n')]);
    assert.deepStrictEqual(
      frames.map((f) => [f.data.toString('latin1'), f.info]),
      [
        ['abcd', { truncated: true }],
        ['xy\r\n', { delimiterBytes: 2 }],
      ],
    );
  });

  it('END: a delimiter that starts in the queued bytes and ends two reads later ends the skipped frame', () => {
    const frames = deframeAll({ mode: 'delimiter', delimiter: 'END', maxFrameBytes: 4 }, [
      b('abE'),
      b('N'),
      b('DxEND'),
    ]);
    assert.deepStrictEqual(
      frames.map((f) => [f.data.toString('latin1'), f.info]),
      [
        ['abEN', { truncated: true }],
        ['xEND', { delimiterBytes: 3 }],
      ],
    );
  });
});

describe('deframer: edges the mutation run pointed at', () => {
  it('none: takePending gives an empty array (nothing is ever pending)', () => {
    const { deframer } = recording({ mode: 'none' });
    deframer.push(b('abc'));
    const kept = deframer.takePending();
    assert.ok(kept instanceof Uint8Array);
    assert.strictEqual(kept.length, 0);
    deframer.dispose();
  });

  it('line lf: a CR before the LF is data, so the delimiter is 1 byte', () => {
    const frames = deframeAll({ mode: 'line', eol: 'lf' }, [b('a\r\n'), b('b\n')]);
    assert.deepStrictEqual(
      frames.map((f) => [f.data.toString('latin1'), f.info]),
      [
        ['a\r\n', { delimiterBytes: 1 }],
        ['b\n', { delimiterBytes: 1 }],
      ],
    );
  });

  it('length: a frame of exactly maxFrameBytes over two reads is whole; a cut one over two reads skips only itself', () => {
    const exact = deframeAll({ mode: 'length', bytes: 1, maxFrameBytes: 3 }, [hex('02'), hex('6162')]);
    assert.deepStrictEqual(
      exact.map((f) => [f.data.toString('hex'), f.info]),
      [['026162', { headerBytes: 1 }]],
    );
    const cut = deframeAll({ mode: 'length', bytes: 1, maxFrameBytes: 3 }, [hex('05 61'), hex('62 636465 01 7a')]);
    assert.deepStrictEqual(
      cut.map((f) => [f.data.toString('hex'), f.info]),
      [
        ['056162', { truncated: true, headerBytes: 1 }],
        ['017a', { headerBytes: 1 }],
      ],
    );
  });

  for (const [spec, reads, first] of [
    [{ mode: 'line' }, ['a', '\nb\n'], 'a\n'],
    [{ mode: 'fixed', size: 2 }, ['a', 'bcd'], 'ab'],
    [{ mode: 'fixed', size: 2 }, ['abcd'], 'ab'],
  ] as const) {
    it(`${spec.mode}: dispose from inside the callback stops the rest of ${JSON.stringify(reads)}`, () => {
      const seen: string[] = [];
      const deframer = createDeframer(parseFramingSpec(spec), (frame) => {
        seen.push(Buffer.from(frame).toString());
        deframer.dispose();
      });
      for (const read of reads) deframer.push(b(read));
      assert.deepStrictEqual(seen, [first]);
      assert.strictEqual(deframer.pending, 0);
    });
  }
});

describe('deframer: length state after flush and takePending', () => {
  for (const call of ['flush', 'takePending'] as const) {
    it(`length: after ${call}, a header split over two reads is read afresh`, () => {
      const { deframer, frames } = recording({ mode: 'length', bytes: 2 });
      deframer.push(hex('0005 6162')); // a frame of 5 announced, 2 arrived
      const kept = deframer[call]();
      const start = frames.length;
      deframer.push(hex('00'));
      deframer.push(hex('02 7879'));
      assert.deepStrictEqual(
        frames.slice(start).map((f) => [f.data.toString('hex'), f.info]),
        [['00027879', { headerBytes: 2 }]],
      );
      if (call === 'takePending') assert.strictEqual(Buffer.from(kept as Uint8Array).toString('hex'), '00056162');
      deframer.dispose();
    });
  }

  it('length: a frame cut at maxFrameBytes names its header as well as the cut', () => {
    const length = deframeAll({ mode: 'length', bytes: 1, maxFrameBytes: 3 }, [hex('05 6162636465 01 7a')]);
    assert.deepStrictEqual(
      length.map((f) => [f.data.toString('hex'), f.info]),
      [
        ['056162', { truncated: true, headerBytes: 1 }],
        ['017a', { headerBytes: 1 }],
      ],
    );
  });
});

describe('deframer: life cycle', () => {
  it('takePending keeps a frame in progress for the next framing (a framing change)', () => {
    const line = recording({ mode: 'line' });
    line.deframer.push(b('done\nhalf'));
    const kept = line.deframer.takePending();
    line.deframer.dispose();
    assert.strictEqual(Buffer.from(kept).toString(), 'half');
    assert.deepStrictEqual(line.texts(), ['done\n']);
    const fixed = recording({ mode: 'fixed', size: 6 });
    fixed.deframer.push(kept);
    fixed.deframer.push(b('ok'));
    assert.deepStrictEqual(fixed.texts(), ['halfok']);
    fixed.deframer.dispose();
  });

  it('flush after a cut hands over nothing (the cut frame was already handed over)', () => {
    const { deframer, frames } = recording({ mode: 'line', maxFrameBytes: 2 });
    deframer.push(b('abcdef'));
    deframer.flush();
    assert.deepStrictEqual(
      frames.map((f) => f.info),
      [{ truncated: true }],
    );
    // After flush it starts afresh: the next bytes are a new frame, not skipped ones.
    deframer.push(b('x\n'));
    assert.strictEqual(frames[1].data.toString(), 'x\n');
    deframer.dispose();
  });

  it('dispose from inside the callback stops the frames of the same read; push from inside it is refused', () => {
    const seen: string[] = [];
    const deframer = createDeframer(parseFramingSpec({ mode: 'line' }), (frame) => {
      seen.push(Buffer.from(frame).toString());
      deframer.dispose();
    });
    deframer.push(b('a\nb\nc\n'));
    assert.deepStrictEqual(seen, ['a\n']);
    deframer.push(b('d\n'));
    assert.deepStrictEqual(seen, ['a\n']);
    const reentrant = createDeframer(parseFramingSpec({ mode: 'fixed', size: 1 }), () => reentrant.push(b('x')));
    assert.throws(() => reentrant.push(b('y')), /inside its own frame callback/);
    reentrant.dispose();
  });

  it("idle: the gap's timer is unref'd, re-armed by each read, and gone after dispose", async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const got: string[] = [];
    const disposed = createDeframer(parseFramingSpec({ mode: 'idle', gapMs: 20 }), (frame) =>
      got.push(`disposed:${Buffer.from(frame)}`),
    );
    disposed.push(b('never'));
    assert.strictEqual(timeouts(), before, "the timer does not keep the process alive (unref'd)");
    disposed.dispose();
    // A second deframer with a longer gap: when its frame arrives, the first one's gap has long passed.
    await new Promise<void>((resolve) => {
      const live = createDeframer(parseFramingSpec({ mode: 'idle', gapMs: 80 }), (frame) => {
        got.push(`live:${Buffer.from(frame)}`);
        live.dispose();
        resolve();
      });
      live.push(b('a'));
      live.push(b('b'));
    });
    assert.deepStrictEqual(got, ['live:ab']);
  });

  it('idle: flush at the end of the stream hands over the frame in progress as complete, and stops the timer', () => {
    const { deframer, frames } = recording({ mode: 'idle', gapMs: 10_000 });
    deframer.push(b('tail'));
    deframer.flush();
    assert.deepStrictEqual(
      frames.map((f) => [f.data.toString(), f.info]),
      [['tail', {}]],
    );
    deframer.dispose();
  });

  it('length: a partial frame at flush says its header when the header had arrived', () => {
    const withHeader = deframeAll({ mode: 'length', bytes: 2, offset: 4 }, [MODBUS_REQUEST.subarray(0, 8)]);
    assert.deepStrictEqual(withHeader[0].info, { partial: true, headerBytes: 6 });
    const without = deframeAll({ mode: 'length', bytes: 2, offset: 4 }, [MODBUS_REQUEST.subarray(0, 5)]);
    assert.deepStrictEqual(without[0].info, { partial: true });
  });
});

describe('deframer: properties (fast-check)', () => {
  const splits = (length: number) => fc.array(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 12 });

  /** A stream with its split points. */
  const streamAndSplits = (bytes: fc.Arbitrary<number>, maxLength = 120) =>
    fc
      .array(bytes, { maxLength })
      .map((a) => Buffer.from(a))
      .chain((stream) => fc.tuple(fc.constant(stream), splits(stream.length)));

  it('any split of a stream of well-formed frames yields exactly those frames, in every mode', () => {
    const body = fc.uint8Array({ maxLength: 40 });
    fc.assert(
      fc.property(
        fc.array(body, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('line', 'crlf', 'delimiter', 'length', 'fixed'),
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 12 }),
        (bodies, mode, points) => {
          let spec: unknown;
          let frames: Buffer[];
          if (mode === 'line' || mode === 'crlf') {
            const eol = mode === 'line' ? '\n' : '\r\n';
            frames = bodies.map((x) => Buffer.concat([Buffer.from(x).filter((c) => c !== 10), b(eol)]));
            spec = { mode: 'line', eol: mode === 'line' ? 'lf' : 'crlf' };
          } else if (mode === 'delimiter') {
            frames = bodies.map((x) => Buffer.concat([Buffer.from(x).filter((c) => c !== 0x7e), hex('7e7e')]));
            // 7e 7e never occurs inside a body, so the frames are exactly the delimited parts.
            spec = { mode: 'delimiter', delimiter: '7e7e', format: 'hex' };
          } else if (mode === 'length') {
            frames = bodies.map((x) => lengthFrame(Buffer.from(x), { bytes: 2, offset: 4 }));
            spec = { mode: 'length', bytes: 2, offset: 4 };
          } else {
            frames = bodies.map((x) => Buffer.concat([Buffer.from(x), Buffer.alloc(40 - x.length, 0x2e)]));
            spec = { mode: 'fixed', size: 40 };
          }
          const stream = Buffer.concat(frames);
          const got = deframeAll(spec, splitAt(stream, points));
          assert.deepStrictEqual(
            got.map((f) => f.data.toString('hex')),
            frames.map((f) => f.toString('hex')),
          );
          assert.ok(got.every((f) => !f.info.partial && !f.info.truncated));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('line and delimiter framing of any stream and any split equal the plain whole-stream splitter, cuts included', () => {
    const alphabet = fc.constantFrom(0x0a, 0x0d, 0x41, 0x42, 0x7e);
    fc.assert(
      fc.property(
        streamAndSplits(alphabet),
        fc.oneof(
          fc.record({ mode: fc.constant('line'), eol: fc.constantFrom('lf', 'crlf', 'any') }),
          fc.record({
            mode: fc.constant('delimiter'),
            delimiter: fc.array(alphabet, { minLength: 1, maxLength: 4 }).map((d) => Buffer.from(d).toString('hex')),
            format: fc.constant('hex'),
          }),
        ),
        fc.integer({ min: 1, max: 30 }),
        ([stream, points], framing, max) => {
          const spec = { ...framing, maxFrameBytes: max } as Record<string, string | number>;
          const delimiter = spec.mode === 'line' ? b(spec.eol === 'crlf' ? '\r\n' : '\n') : hex(String(spec.delimiter));
          const expected = referenceDelimited(stream, delimiter, max, spec.mode === 'line' && spec.eol === 'any');
          assert.deepStrictEqual(shown(deframeAll(spec, splitAt(stream, points))), shown(expected));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('length and fixed framing of any stream and any split equal the plain whole-stream reader, cuts included', () => {
    const smallBytes = fc.constantFrom(0, 1, 2, 3, 5, 9, 200, 255);
    fc.assert(
      fc.property(
        streamAndSplits(smallBytes, 150),
        fc.oneof(
          fc.record({
            bytes: fc.constantFrom(1 as const, 2 as const, 4 as const),
            endian: fc.constantFrom('be' as const, 'le' as const),
            offset: fc.integer({ min: 0, max: 3 }),
            adjust: fc.integer({ min: -6, max: 4 }),
          }),
          fc.record({ size: fc.integer({ min: 1, max: 12 }) }),
        ),
        fc.integer({ min: 7, max: 40 }),
        ([stream, points], rule, max) => {
          const spec =
            'size' in rule
              ? { mode: 'fixed', ...rule, maxFrameBytes: Math.max(max, rule.size) }
              : { mode: 'length', ...rule, maxFrameBytes: max };
          const expected = referenceLength(stream, rule, spec.maxFrameBytes);
          assert.deepStrictEqual(shown(deframeAll(spec, splitAt(stream, points))), shown(expected));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('none: every read is a frame; idle: reads within the gap are one frame, whatever the split', () => {
    fc.assert(
      fc.property(
        streamAndSplits(fc.integer({ min: 0, max: 255 })),
        fc.integer({ min: 1, max: 50 }),
        ([stream, points], max) => {
          const pieces = splitAt(stream, points);
          const none = deframeAll({ mode: 'none', maxFrameBytes: max }, pieces);
          assert.deepStrictEqual(
            none.map((f) => [f.data.toString('hex'), f.info]),
            pieces.map((p) => [p.subarray(0, max).toString('hex'), p.length > max ? { truncated: true } : {}]),
          );
          // All pushes happen before the gap can pass; flush ends the frame.
          const idle = deframeAll({ mode: 'idle', gapMs: 60_000, maxFrameBytes: max }, pieces);
          const expected: ReferenceFrame[] =
            stream.length === 0
              ? []
              : [{ data: stream.subarray(0, max), info: stream.length > max ? { truncated: true } : {} }];
          assert.deepStrictEqual(shown(idle), shown(expected));
        },
      ),
      { numRuns: 500 },
    );
  });
});
