import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import '../helpers/noLeaks';
import { tempDir } from '../helpers/tempDir';

import { Emitter } from '../../src/core/event';
import * as fc from 'fast-check';
import { RECORD_OVERHEAD_BYTES, SMALL_DATA_MAX_BYTES, TrafficLog } from '../../src/core/trafficLog';
import { CaptureWriter } from '../../src/core/capture';
import { openCaptureFile } from '../../src/core/captureFile';
import { toSocketLabError } from '../../src/core/systemErrors';
import { formatAddress } from '../../src/shared/naming';
import { SocketLabError, isSocketLabError } from '../../src/shared/errors';
import { TrafficRecord } from '../../src/shared/model';
import { waitFor } from '../helpers/wait';

function rec(n: number, connectionId?: string): TrafficRecord {
  return { time: Date.now(), direction: 'in', peer: '127.0.0.1:1', data: new Uint8Array(n), connectionId };
}

describe('Emitter', () => {
  it('calls listeners, survives a throwing one and reports it', () => {
    const errors: unknown[] = [];
    const e = new Emitter<number>({ onListenerError: (err) => errors.push(err) });
    const seen: number[] = [];
    e.event(() => {
      throw new Error('boom');
    });
    const sub = e.event((n) => seen.push(n));
    e.fire(1);
    sub.dispose();
    e.fire(2);
    assert.deepStrictEqual(seen, [1]);
    assert.strictEqual(errors.length, 2);
    e.dispose();
    e.fire(3);
  });

  it('binds thisArgs and pushes the subscription into disposables', () => {
    const e = new Emitter<string>();
    const target = { got: '' };
    const bag: { dispose(): void }[] = [];
    e.event(
      function (this: typeof target, s) {
        this.got = s;
      },
      target,
      bag,
    );
    e.fire('x');
    assert.strictEqual(target.got, 'x');
    assert.strictEqual(bag.length, 1);
    bag[0].dispose();
    e.fire('y');
    assert.strictEqual(target.got, 'x');
  });

  it('a disposed emitter calls nobody, and a subscription made after dispose is inert', () => {
    const e = new Emitter<number>();
    assert.strictEqual(e.event, e.event, 'one subscribe function, like a vscode.Event');
    const seen: string[] = [];
    e.event((n) => seen.push(`before ${n}`));
    assert.strictEqual(e.hasListeners, true);
    e.dispose();
    assert.strictEqual(e.hasListeners, false);
    const late = e.event((n) => seen.push(`after ${n}`));
    assert.strictEqual(e.hasListeners, false);
    e.fire(1);
    late.dispose();
    assert.deepStrictEqual(seen, []);
  });

  it('fire() works on a snapshot: a listener added during fire waits for the next one, one removed still gets this one', () => {
    const e = new Emitter<number>();
    const seen: string[] = [];
    const later: { dispose(): void }[] = [];
    const first = e.event((n) => {
      seen.push(`first ${n}`);
      if (n === 1) e.event((m) => seen.push(`added ${m}`));
      if (n === 1) later[0].dispose();
    });
    later.push(e.event((n) => seen.push(`second ${n}`)));
    e.fire(1);
    e.fire(2);
    first.dispose();
    first.dispose();
    e.fire(3);
    assert.deepStrictEqual(seen, ['first 1', 'second 1', 'first 2', 'added 2', 'added 3']);
  });

  it('an error reporter that throws itself breaks neither fire() nor the other listeners', () => {
    const e = new Emitter<number>({
      onListenerError: () => {
        throw new Error('reporter down');
      },
    });
    const seen: number[] = [];
    e.event(() => {
      throw new Error('boom');
    });
    e.event((n) => seen.push(n));
    e.fire(7);
    assert.deepStrictEqual(seen, [7]);
  });
});

describe('TrafficLog', () => {
  it('keeps records oldest first and filters by connection', () => {
    const log = new TrafficLog(1 << 20);
    log.append(rec(1, 'a'));
    log.append(rec(2, 'b'));
    log.append(rec(3, 'a'));
    assert.deepStrictEqual(
      log.records().map((r) => r.data.length),
      [1, 2, 3],
    );
    assert.deepStrictEqual(
      log.records('a').map((r) => r.data.length),
      [1, 3],
    );
  });

  it('counts the per-record overhead so tiny records are bounded too', () => {
    const cap = 100 * RECORD_OVERHEAD_BYTES;
    const log = new TrafficLog(cap);
    for (let i = 0; i < 100_000; i++) log.append(rec(0));
    assert.strictEqual(log.size, 100);
    assert.strictEqual(log.dropped, 100_000 - 100);
    assert.ok(log.heldBytes <= cap);
  });

  it('keeps a million appends bounded and in order, with counters that add up', () => {
    const log = new TrafficLog(1024 * 1024);
    const data = new Uint8Array(100);
    for (let i = 0; i < 1_000_000; i++) log.append({ time: i, direction: 'in', peer: 'p', data });
    const held = log.records();
    assert.strictEqual(held[held.length - 1].time, 999_999);
    assert.strictEqual(held[0].time, 1_000_000 - held.length);
    assert.strictEqual(log.dropped + log.size, 1_000_000);
    assert.ok(log.heldBytes <= 1024 * 1024);
  });

  it('copies small data on append, so later reads never see reused memory', () => {
    const log = new TrafficLog();
    const small = { ...rec(0), data: Buffer.from('abc') };
    log.append(small);
    small.data.fill(0x7a); // the sender reuses its buffer
    assert.strictEqual(Buffer.from(log.records()[0].data).toString(), 'abc');
    assert.strictEqual(log.last, small);
  });

  it('hands out copies of large and small data: a reader that writes into them changes nothing held', () => {
    const log = new TrafficLog();
    const large = { ...rec(0), data: Buffer.alloc(SMALL_DATA_MAX_BYTES + 1, 0x61) };
    log.append(large);
    log.append({ ...rec(0), data: Buffer.from('abc') });
    for (const read of [() => log.records(), () => log.slice(0, 2)]) {
      const [first, second] = read();
      assert.notStrictEqual(first.data, large.data);
      first.data.fill(0x7a);
      second.data.fill(0x7a);
    }
    const [first, second] = log.records();
    assert.ok(Buffer.from(first.data).equals(Buffer.alloc(SMALL_DATA_MAX_BYTES + 1, 0x61)));
    assert.strictEqual(Buffer.from(second.data).toString(), 'abc');
  });

  it('matches a plain array model under random appends, caps, clears, drains and reads (ring wrap and growth)', () => {
    type Op =
      | { kind: 'append'; size: number; out: boolean; auto: boolean; frame: number; conn: number }
      | { kind: 'cap'; cap: number }
      | { kind: 'clear' }
      | { kind: 'drain' }
      | { kind: 'slice'; a: number; b: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 100,
        arbitrary: fc.record({
          kind: fc.constant('append' as const),
          size: fc.oneof(
            { weight: 4, arbitrary: fc.constantFrom(0, 1, 2, 4, 8, 16, 32, 64, 128) },
            { weight: 2, arbitrary: fc.integer({ min: 0, max: 300 }) },
            { weight: 1, arbitrary: fc.integer({ min: 900, max: 2100 }) },
          ),
          out: fc.boolean(),
          auto: fc.boolean(),
          // 0 = not a frame; otherwise a frame's fields (see frameOf below).
          frame: fc.integer({ min: 0, max: 5 }),
          conn: fc.integer({ min: 0, max: 2 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('cap' as const),
          cap: fc.oneof(fc.integer({ min: 0, max: 6_000 }), fc.constantFrom(1024, 2048, 4096)),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('drain' as const) }) },
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant('slice' as const),
          a: fc.integer({ min: -2, max: 300 }),
          b: fc.integer({ min: -2, max: 300 }),
        }),
      },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000 }),
        fc.constantFrom(1, 64, 256, 1000, 1024, 2048),
        fc.array(op, { minLength: 100, maxLength: 1500 }),
        (initialCap, initialRing, ops) => {
          const log = new TrafficLog(initialCap, initialRing);
          let cap = initialCap;
          let model: TrafficRecord[] = [];
          let dropped = 0;
          let serial = 0;
          const cost = (r: TrafficRecord) => r.data.byteLength + RECORD_OVERHEAD_BYTES;
          const evict = () => {
            let bytes = model.reduce((n, r) => n + cost(r), 0);
            while (model.length && bytes > cap) {
              bytes -= cost(model.shift()!);
              dropped++;
            }
          };
          // Every field a reader sees, absent fields included (a record must not gain a false or a 0).
          const shown = (r: TrafficRecord) => ({ ...r, data: Buffer.from(r.data).toString('hex') });
          const same = (got: TrafficRecord[], want: TrafficRecord[]) => {
            assert.deepStrictEqual(got.map(shown), want.map(shown));
          };
          const frameOf = (frame: number, serial: number): Partial<TrafficRecord> =>
            [
              {},
              { delimiterBytes: 1 + (serial % 4) },
              { headerBytes: 1 + (serial % 8), truncated: true },
              { partial: true },
              { truncated: true, partial: true, delimiterBytes: 2 },
              { headerBytes: 4 },
            ][frame];
          for (const o of ops) {
            if (o.kind === 'append') {
              serial++;
              const data = Buffer.alloc(o.size, serial % 251);
              if (o.size > 1) data.writeUInt16BE(serial & 0xffff, 0);
              const r: TrafficRecord = {
                time: serial + 0.5,
                direction: o.out ? 'out' : 'in',
                peer: `peer${o.conn}`,
                data: Buffer.from(data),
                ...(o.conn ? { connectionId: `c${o.conn}` } : {}),
                ...(o.out && o.auto ? { autoReply: true } : {}),
                ...frameOf(o.frame, serial),
              };
              log.append(r);
              assert.strictEqual(log.last, r);
              model.push({ ...r, data });
              evict();
            } else if (o.kind === 'cap') {
              cap = o.cap;
              log.capBytes = cap;
              evict();
            } else if (o.kind === 'clear') {
              log.clear();
              assert.strictEqual(log.last, undefined);
              model = [];
              dropped = 0;
            } else if (o.kind === 'drain') {
              // Storage is kept: what follows reuses the grown ring and slots.
              same(log.drain(), model);
              assert.strictEqual(log.last, undefined);
              model = [];
              dropped = 0;
            } else {
              const from = Math.max(0, o.a);
              same(log.slice(o.a, o.b), model.slice(from, Math.max(from, Math.min(model.length, o.b))));
            }
            assert.strictEqual(log.size, model.length);
            assert.strictEqual(log.dropped, dropped);
            assert.strictEqual(
              log.heldBytes,
              model.reduce((n, r) => n + cost(r), 0),
            );
          }
          same(log.records(), model);
          same(
            log.records('c1'),
            model.filter((r) => r.connectionId === 'c1'),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('clear() forgets records and the dropped count; lowering the cap evicts', () => {
    const log = new TrafficLog(1 << 20);
    for (let i = 0; i < 10; i++) log.append(rec(100));
    log.capBytes = 2 * (100 + RECORD_OVERHEAD_BYTES);
    assert.strictEqual(log.size, 2);
    assert.strictEqual(log.dropped, 8);
    log.clear();
    assert.strictEqual(log.size, 0);
    assert.strictEqual(log.dropped, 0);
  });
});

describe('CaptureWriter', () => {
  const spec = (file: string, format: 'jsonl' | 'raw') => ({ path: file, format, maxBytes: 1 << 20, append: false });

  it('writes JSON Lines with base64 data and raw bytes, and closes its file', async () => {
    const t = tempDir();
    try {
      const files = [path.join(t.dir, 'c.jsonl'), path.join(t.dir, 'c.bin')];
      const jsonl = new CaptureWriter(spec(files[0], 'jsonl'), await openCaptureFile(spec(files[0], 'jsonl')));
      const raw = new CaptureWriter(spec(files[1], 'raw'), await openCaptureFile(spec(files[1], 'raw')));
      for (const w of [jsonl, raw]) {
        w.write({ time: 1, direction: 'in', peer: 'p', data: Buffer.from('ab'), connectionId: 'e1.c1' });
        w.write({ time: 2, direction: 'out', peer: 'p', data: Buffer.from([0, 255]) });
        w.dispose();
        await w.closed();
      }
      const lines = fs
        .readFileSync(path.join(t.dir, 'c.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      assert.deepStrictEqual(lines[0], { time: 1, direction: 'in', peer: 'p', connectionId: 'e1.c1', data: 'YWI=' });
      assert.strictEqual(lines[1].data, 'AP8=');
      assert.deepStrictEqual([...fs.readFileSync(path.join(t.dir, 'c.bin'))], [0x61, 0x62, 0, 255]);
      assert.strictEqual(raw.bytes, 4);
    } finally {
      t.remove();
    }
  });

  it('refuses a file in a missing folder with a sentence, before any capture starts', async () => {
    const err = await openCaptureFile(spec('/nonexistent-dir/x.jsonl', 'jsonl')).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isSocketLabError(err));
    assert.deepStrictEqual(
      [err.code, err.message],
      ['fileNotFound', 'The folder of /nonexistent-dir/x.jsonl does not exist; create it or choose another path.'],
    );
  });

  it('reports a write that fails as a sentence, stops, and throws nothing', async () => {
    const t = tempDir();
    try {
      const file = path.join(t.dir, 'x.jsonl');
      let reported: SocketLabError | undefined;
      fs.writeFileSync(file, '');
      // A descriptor open for reading only: the stream's first write fails with EBADF.
      const st = fs.statSync(file);
      const opened = {
        fd: fs.openSync(file, 'r'),
        path: file,
        size: 0,
        created: false,
        dev: st.dev,
        ino: st.ino,
        head: Buffer.alloc(0),
      };
      const w = new CaptureWriter(spec(file, 'jsonl'), opened, (e) => (reported = e));
      w.write({ time: 1, direction: 'in', peer: 'p', data: Buffer.from('ab') });
      await waitFor('the failure', () => reported);
      assert.match(reported!.message, /^Capture to .*x\.jsonl failed \(EBADF\); capture stopped\.$/);
      assert.deepStrictEqual(
        [reported!.code, reported!.template],
        ['captureFailed', 'Capture to {path} failed ({detail}); capture stopped.'],
      );
      assert.strictEqual(w.error, reported!.message);
      assert.strictEqual(w.write({ time: 2, direction: 'in', peer: 'p', data: Buffer.from('cd') }), true);
      w.dispose();
      await w.closed();
    } finally {
      t.remove();
    }
  });
});

describe('systemErrors', () => {
  const sys = (code: string) => Object.assign(new Error(code), { code });
  it('names the address and gives a hint', () => {
    const e = toSocketLabError(sys('EADDRINUSE'), { operation: 'listen', address: '127.0.0.1', port: 8880 });
    assert.strictEqual(e.code, 'addressInUse');
    assert.strictEqual(
      e.message,
      '127.0.0.1:8880 is already in use by another process; choose another port or stop that process.',
    );
    assert.deepStrictEqual(e.values, {
      operation: 'listen',
      target: '127.0.0.1:8880',
      address: '127.0.0.1',
      port: 8880,
      systemCode: 'EADDRINUSE',
    });
    assert.strictEqual(e.systemCode, 'EADDRINUSE');
  });

  it('maps every code endpoints meet to its own stable code', () => {
    const expected: Record<string, string> = {
      EADDRINUSE: 'addressInUse',
      EACCES: 'permissionDenied',
      EADDRNOTAVAIL: 'addressNotAvailable',
      ECONNREFUSED: 'connectionRefused',
      ETIMEDOUT: 'timedOut',
      ECONNRESET: 'connectionReset',
      EPIPE: 'brokenPipe',
      ENOTFOUND: 'hostNotFound',
      EAI_AGAIN: 'hostNotFound',
      EHOSTUNREACH: 'hostUnreachable',
      ENETUNREACH: 'networkUnreachable',
      EMSGSIZE: 'messageTooLarge',
      ENAMETOOLONG: 'pathTooLong',
      ENOENT: 'fileNotFound',
      ENOTSOCK: 'notASocket',
      EPERM: 'operationNotPermitted',
      EINVAL: 'invalidAddress',
      EISDIR: 'isDirectory',
    };
    for (const [code, slCode] of Object.entries(expected)) {
      const e = toSocketLabError(sys(code), { operation: 'send', address: '::1', port: 9, host: 'example.invalid' });
      assert.strictEqual(e.code, slCode, code);
      assert.ok(
        e.message.includes('[::1]:9') || e.message.includes('::1') || e.message.includes('example.invalid'),
        e.message,
      );
      assert.ok(e.message.length > 20 && e.message.endsWith('.'), e.message);
    }
  });

  it('distinguishes UDP port-unreachable, broadcast refusal and a missing Unix socket', () => {
    assert.strictEqual(
      toSocketLabError(sys('ECONNREFUSED'), { operation: 'send', address: '127.0.0.1', port: 9, datagram: true }).code,
      'portUnreachable',
    );
    assert.strictEqual(
      toSocketLabError(sys('EACCES'), { operation: 'send', address: '255.255.255.255', port: 9, datagram: true }).code,
      'broadcastNotEnabled',
    );
    const e = toSocketLabError(sys('ENOENT'), { operation: 'connect', path: '/tmp/x.sock' });
    assert.strictEqual(e.code, 'noSuchSocket');
    assert.match(e.message, /\/tmp\/x\.sock/);
  });

  it('still gives a sentence with the address for unknown codes', () => {
    const e = toSocketLabError(sys('EWEIRD'), { operation: 'connect', address: '10.0.0.1', port: 5 });
    assert.strictEqual(e.code, 'systemError');
    assert.strictEqual(e.message, 'Connecting to 10.0.0.1:5 failed (EWEIRD).');
    assert.strictEqual(formatAddress({ address: '::1', port: 80 }), '[::1]:80');
  });
});
