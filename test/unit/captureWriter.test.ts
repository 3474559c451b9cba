/**
 * The capture writer on its own, against real files: where maxBytes stops it (to the byte), what an appended
 * file already holds, the framing fields of a JSON Lines record, the bound on what waits for the disk, and
 * what flush, onDrain and dispose promise.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import '../helpers/noLeaks';
import { CAPTURE_MAX_BUFFERED_BYTES, CaptureWriter } from '../../src/core/capture';
import { openCaptureFile } from '../../src/core/captureFile';
import type { CaptureSpec } from '../../src/shared/commandArgs';
import type { SocketLabError } from '../../src/shared/errors';
import type { TrafficRecord } from '../../src/shared/model';
import { tempDir } from '../helpers/tempDir';

const record = (data: Uint8Array, extra: Partial<TrafficRecord> = {}): TrafficRecord => ({
  time: 5,
  direction: 'in',
  peer: '127.0.0.1:9',
  data,
  ...extra,
});

describe('CaptureWriter against real files', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  async function writer(
    name: string,
    format: 'jsonl' | 'raw',
    maxBytes: number,
    append = false,
    onStop?: (e: SocketLabError) => void,
  ): Promise<{ w: CaptureWriter; file: string }> {
    const file = path.join(t.dir, name);
    const spec: CaptureSpec = { path: file, format, maxBytes, append };
    return { w: new CaptureWriter(spec, await openCaptureFile(spec), onStop), file };
  }

  it('writes a chunk that reaches maxBytes exactly, and stops at the first byte past it, telling once', async () => {
    const stops: SocketLabError[] = [];
    const { w, file } = await writer('c.bin', 'raw', 4, false, (e) => stops.push(e));
    assert.strictEqual(w.write(record(Buffer.from('ab'))), true);
    w.write(record(Buffer.from('cd')));
    assert.strictEqual(w.bytes, 4);
    assert.strictEqual(w.stopped, undefined, 'exactly maxBytes is still within the limit');
    assert.strictEqual(w.error, undefined);
    assert.strictEqual(w.write(record(Buffer.from('e'))), true, 'a refused record never pauses the source');
    assert.strictEqual(stops.length, 1);
    assert.strictEqual(stops[0].code, 'captureLimit');
    assert.strictEqual(
      stops[0].message,
      `Capture to ${file} stopped at its limit of 4 bytes (maxBytes); start a new capture to record more.`,
    );
    assert.strictEqual(w.stopped, stops[0]);
    assert.strictEqual(w.error, stops[0].message);
    w.write(record(Buffer.from('f')));
    assert.strictEqual(stops.length, 1, 'told once');
    let drained = false;
    w.onDrain(() => (drained = true));
    assert.ok(drained, 'a stopped capture never makes its source wait');
    await w.closed();
    assert.strictEqual(fs.readFileSync(file, 'latin1'), 'abcd');
    assert.strictEqual(w.bytes, 4);
  });

  it('counts what an appended file already holds against maxBytes', async () => {
    const file = path.join(t.dir, 'old.bin');
    fs.writeFileSync(file, 'xyz');
    const stops: SocketLabError[] = [];
    const { w } = await writer('old.bin', 'raw', 5, true, (e) => stops.push(e));
    assert.strictEqual(w.bytes, 3);
    w.write(record(Buffer.from('ab')));
    w.write(record(Buffer.from('c')));
    assert.deepStrictEqual(
      stops.map((e) => e.code),
      ['captureLimit'],
    );
    await w.closed();
    assert.strictEqual(fs.readFileSync(file, 'latin1'), 'xyzab');
  });

  it('a JSON Lines record carries the framing fields of a frame, counted in bytes like its file', async () => {
    const { w, file } = await writer('f.jsonl', 'jsonl', 1 << 20);
    w.write(record(Buffer.from('hi'), { direction: 'out', truncated: true, partial: true, delimiterBytes: 2 }));
    w.write(record(Buffer.from('yo'), { headerBytes: 4 }));
    await w.flush();
    const text = fs.readFileSync(file, 'utf8');
    assert.strictEqual(w.bytes, Buffer.byteLength(text));
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepStrictEqual(lines, [
      {
        time: 5,
        direction: 'out',
        peer: '127.0.0.1:9',
        truncated: true,
        partial: true,
        delimiterBytes: 2,
        data: 'aGk=',
      },
      { time: 5, direction: 'in', peer: '127.0.0.1:9', headerBytes: 4, data: 'eW8=' },
    ]);
    w.dispose();
    await w.closed();
  });

  it('flush() resolves once what was written can be read from the file', async () => {
    const { w, file } = await writer('flush.bin', 'raw', 1 << 20);
    w.write(record(Buffer.from('one')));
    w.write(record(Buffer.from('two')));
    await w.flush();
    assert.strictEqual(fs.readFileSync(file, 'latin1'), 'onetwo');
    w.dispose();
    await w.flush();
    await w.closed();
  });

  it('past the buffered bound a record is refused and counted lost, and the source is told to pause', async () => {
    const { w, file } = await writer('big.bin', 'raw', 64 << 20);
    const big = Buffer.alloc(CAPTURE_MAX_BUFFERED_BYTES + 1, 0x61);
    // The stream cannot have written 16 MiB within this synchronous turn: all of it still waits for the disk.
    w.write(record(big));
    assert.strictEqual(w.write(record(Buffer.from('lost'))), false);
    assert.strictEqual(w.lost, 1);
    const released = new Promise<void>((resolve) => w.onDrain(resolve));
    await released;
    assert.strictEqual(w.write(record(Buffer.from('kept'))), true);
    assert.strictEqual(w.lost, 1);
    w.dispose();
    await w.closed();
    const size = fs.statSync(file).size;
    assert.strictEqual(size, big.length + 4);
    assert.strictEqual(w.bytes, size);
  });

  it('after dispose() a write takes nothing and never pauses the source', async () => {
    const { w, file } = await writer('d.bin', 'raw', 1 << 20);
    w.write(record(Buffer.from('a')));
    w.dispose();
    assert.strictEqual(w.write(record(Buffer.from('b'))), true);
    let drained = false;
    w.onDrain(() => (drained = true));
    assert.ok(drained);
    await w.closed();
    assert.strictEqual(fs.readFileSync(file, 'latin1'), 'a');
    assert.strictEqual(w.stopped, undefined, 'disposed is not stopped: nothing went wrong');
  });
});
