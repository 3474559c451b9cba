import * as assert from 'assert';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import '../helpers/noLeaks';
import { SocketLab } from '../../src/core/socketLab';
import type { TrafficRecord } from '../../src/shared/model';
import { rejectsWith } from '../helpers/errors';
import { unchecked, withLab } from '../helpers/lab';
import { PEERS_DIR, startPeer, type Peer } from '../helpers/peers';
import { portOf, rawConnect, rawServer } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

const PEER = path.join(PEERS_DIR, 'framing_peer.py');
const MiB = 1024 * 1024;
const hexOf = (text: string) => Buffer.from(text, 'latin1').toString('hex');
const text = (r: TrafficRecord) => Buffer.from(r.data).toString('latin1');

/** The records of `id` (an endpoint or connection) that went one way, as text and frame fields. */
function records(lab: SocketLab, id: string, direction: 'in' | 'out') {
  return lab
    .traffic(id)
    .filter((r) => r.direction === direction)
    .map((r) => {
      const fields: Record<string, unknown> = { data: text(r) };
      for (const key of ['truncated', 'partial', 'delimiterBytes', 'headerBytes'] as const) {
        if (r[key] !== undefined) fields[key] = r[key];
      }
      return fields;
    });
}

/** Releases a gated framing peer: it writes its next piece. */
function goAhead(peer: Peer): void {
  peer.child.stdin!.write('\n');
}

/** Runs the Python peer to its end; returns the hex lines it printed (what each connection read). */
async function finished(peer: Peer, timeoutMs = 60_000): Promise<string[]> {
  const code = await peer.exited(timeoutMs);
  assert.strictEqual(code, 0, `framing_peer.py: ${peer.stderr()}`);
  return peer.stdout().toString().split('\n').filter(Boolean);
}

/** V8's gc(), to measure what is still reachable rather than what the collector has not reclaimed yet. */
function collectGarbage(): () => void {
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
}

describe('framing through real endpoints and real peers', function () {
  this.timeout(120_000);

  it("a Python client writing 'PI', waiting, then 'NG\\n' gets exactly one reply from a contains PING rule", () =>
    withLab(async (lab) => {
      const info = await lab.startTcpListener({
        port: 0,
        framing: { mode: 'line' },
        autoReply: { mode: 'rules', rules: [{ contains: 'PING', reply: { data: 'PONG\\n' } }] },
      });
      const peer = startPeer('python3', [PEER, 'gated', '127.0.0.1', String(portOf(info)), hexOf('PI'), hexOf('NG\n')]);
      try {
        // The first read happened (2 bytes in) and made no record and no reply: half a line is not a message.
        await waitFor('the first read', () => lab.get(info.id)!.bytesIn === 2);
        assert.strictEqual(lab.get(info.id)!.messagesIn, 0);
        assert.strictEqual(lab.get(info.id)!.bytesOut, 0);
        goAhead(peer);
        assert.deepStrictEqual(await finished(peer), [hexOf('PONG\n')], 'one reply, once the line was whole');
      } finally {
        await peer.kill();
      }
      const listed = lab.get(info.id)!;
      assert.strictEqual(listed.messagesIn, 1, 'messagesIn counts frames');
      assert.strictEqual(listed.bytesIn, 5, 'bytesIn counts every byte read');
      const [c] = listed.connections;
      assert.strictEqual(c.messagesIn, 1);
      assert.deepStrictEqual(records(lab, c.id, 'in'), [{ data: 'PING\n', delimiterBytes: 1 }]);
      assert.deepStrictEqual(records(lab, c.id, 'out'), [{ data: 'PONG\n' }]);
      assert.strictEqual(lab.traffic(c.id)[0].connectionId, c.id, 'each frame record has its connectionId');
    }));

  it('three lines in one write give three records and three replies', () =>
    withLab(async (lab) => {
      const info = await lab.startTcpListener({
        port: 0,
        framing: { mode: 'line' },
        autoReply: { mode: 'rules', rules: [{ contains: 'PING', reply: { data: 'PONG\\n' } }] },
      });
      const peer = startPeer('python3', [
        PEER,
        'gated',
        '127.0.0.1',
        String(portOf(info)),
        hexOf('PING 1\nPING 2\r\nPING 3\n'),
      ]);
      try {
        assert.deepStrictEqual(await finished(peer), [hexOf('PONG\nPONG\nPONG\n')]);
      } finally {
        await peer.kill();
      }
      const [c] = lab.get(info.id)!.connections;
      assert.deepStrictEqual(records(lab, c.id, 'in'), [
        { data: 'PING 1\n', delimiterBytes: 1 },
        { data: 'PING 2\r\n', delimiterBytes: 2 },
        { data: 'PING 3\n', delimiterBytes: 1 },
      ]);
      assert.strictEqual(lab.get(info.id)!.messagesIn, 3);
      assert.strictEqual(records(lab, c.id, 'out').length, 3, 'one reply per frame');
    }));

  it('a MODBUS/TCP request split at every byte boundary is one frame (and one reply) through a real listener', () =>
    withLab(async (lab) => {
      const request = Buffer.from('000100000006010300000001', 'hex');
      const response = '0001000000050103020007';
      const info = await lab.startTcpListener({
        port: 0,
        framing: { mode: 'length', bytes: 2, offset: 4 },
        autoReply: {
          mode: 'rules',
          rules: [{ hex: '0001 0000 0006 01 03', reply: { data: response, format: 'hex' } }],
        },
      });
      const peer = startPeer('python3', [
        PEER,
        'gatedsplits',
        '127.0.0.1',
        String(portOf(info)),
        request.toString('hex'),
      ]);
      try {
        for (let k = 1; k < request.length; k++) {
          const id = `${info.id}.c${k}`;
          // The listener read the first k bytes of connection k: the peer may write the rest.
          await waitFor(
            `the first ${k} bytes of split ${k}`,
            () => lab.get(info.id)!.connections[k - 1]?.bytesIn === k,
          );
          assert.strictEqual(lab.get(info.id)!.connections[k - 1].id, id);
          assert.strictEqual(lab.get(info.id)!.connections[k - 1].messagesIn, 0, `split at ${k}: no frame yet`);
          goAhead(peer);
        }
        const replies = await finished(peer);
        assert.deepStrictEqual(replies, new Array(request.length - 1).fill(response), 'one reply per connection');
      } finally {
        await peer.kill();
      }
      for (const c of lab.get(info.id)!.connections) {
        assert.deepStrictEqual(
          lab
            .traffic(c.id)
            .filter((r) => r.direction === 'in')
            .map((r) => [Buffer.from(r.data).toString('hex'), r.headerBytes]),
          [[request.toString('hex'), 6]],
          `${c.id}: one whole frame`,
        );
      }
    }));

  it('idle framing with a pausing peer: each burst is one record, ended by the gap', () =>
    withLab(async (lab) => {
      const info = await lab.startTcpListener({ port: 0, framing: { mode: 'idle', gapMs: 60 } });
      const peer = startPeer('python3', [
        PEER,
        'pause',
        '127.0.0.1',
        String(portOf(info)),
        '400',
        hexOf('ab'),
        hexOf('cd'),
      ]);
      try {
        await finished(peer);
      } finally {
        await peer.kill();
      }
      await waitFor('two frames', () => lab.get(info.id)!.messagesIn === 2);
      assert.deepStrictEqual(records(lab, `${info.id}.c1`, 'in'), [{ data: 'ab' }, { data: 'cd' }]);
    }));

  it('idle framing: two reads closer than the gap are one record', () =>
    withLab(async (lab) => {
      const info = await lab.startTcpListener({ port: 0, framing: { mode: 'idle', gapMs: 1500 } });
      const peer = startPeer('python3', [PEER, 'gated', '127.0.0.1', String(portOf(info)), hexOf('a'), hexOf('b')]);
      try {
        await waitFor('the first read', () => lab.get(info.id)!.bytesIn === 1);
        goAhead(peer);
        await waitFor('the frame the gap ended', () => lab.get(info.id)!.messagesIn === 1, 10_000);
        assert.deepStrictEqual(records(lab, `${info.id}.c1`, 'in'), [{ data: 'ab' }]);
        await finished(peer);
      } finally {
        await peer.kill();
      }
    }));

  it('maxFrameBytes: 100 MiB without a line ending through a real listener is one cut record; memory stays bounded', () =>
    withLab(async (lab) => {
      const gc = collectGarbage();
      gc();
      const rssStart = process.memoryUsage.rss();
      const buffersStart = process.memoryUsage().arrayBuffers;
      let rssPeak = rssStart;
      let buffersPeak = buffersStart;
      // A full GC costs tens of milliseconds on the heap of a whole suite run; forcing one at every 50 ms sample
      // left the event loop one read per collection, and 100 MiB then took minutes. Collect every fifth sample.
      let samples = 0;
      const sampler = setInterval(() => {
        rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
        if (++samples % 5 !== 0) return;
        gc();
        buffersPeak = Math.max(buffersPeak, process.memoryUsage().arrayBuffers);
      }, 50);
      const info = await lab.startTcpListener({ port: 0, framing: { mode: 'line' } });
      const peer = startPeer('python3', [
        PEER,
        'flood',
        '127.0.0.1',
        String(portOf(info)),
        '',
        String(100 * MiB),
        hexOf('tail\nnext\n'),
      ]);
      try {
        await finished(peer);
        await waitFor('the connection to close', () => lab.get(info.id)!.connections[0]?.state === 'closed', 60_000);
      } finally {
        clearInterval(sampler);
        await peer.kill();
      }
      const listed = lab.get(info.id)!;
      assert.strictEqual(listed.bytesIn, 100 * MiB + 10, 'every byte was read and counted');
      assert.strictEqual(listed.messagesIn, 2);
      const frames = lab.traffic(`${info.id}.c1`);
      assert.deepStrictEqual(
        frames.map((r) => [r.data.byteLength, r.truncated, r.delimiterBytes]),
        [
          [MiB, true, undefined],
          [5, undefined, 1],
        ],
      );
      assert.ok(
        Buffer.from(frames[0].data).every((byte) => byte === 0x61),
        'the cut record holds what was sent',
      );
      const keptMiB = (buffersPeak - buffersStart) / MiB;
      const growthMiB = (rssPeak - rssStart) / MiB;
      console.log(
        `      [figure] 100 MiB without a LF through a line-framed listener: buffers kept (after GC) peak ${keptMiB.toFixed(1)} MiB, RSS growth ${growthMiB.toFixed(1)} MiB`,
      );
      // Unbounded, the frame would hold all 100 MiB. The bound leaves room for V8 freeing array buffers on a background
      // thread after gc(): on a loaded machine a sample may still count freed ones (6 MiB typically, 35 MiB seen once).
      assert.ok(keptMiB < 64, `${keptMiB.toFixed(1)} MiB of buffers stayed reachable`);
      assert.ok(growthMiB < 96, `RSS grew ${growthMiB.toFixed(1)} MiB`);
    }));

  it('a connection that closes in the middle of a frame logs it as a final record marked partial', () =>
    withLab(async (lab) => {
      const info = await lab.startTcpListener({
        port: 0,
        framing: { mode: 'delimiter', delimiter: '7e', format: 'hex' },
      });
      const client = await rawConnect({ host: '127.0.0.1', port: portOf(info) });
      client.socket.end(Buffer.from('01027e0304', 'hex'));
      await waitFor('the connection to close', () => lab.get(info.id)!.connections[0]?.state === 'closed');
      assert.deepStrictEqual(
        lab.traffic(`${info.id}.c1`).map((r) => [Buffer.from(r.data).toString('hex'), r.partial, r.delimiterBytes]),
        [
          ['01027e', undefined, 1],
          ['0304', true, undefined],
        ],
      );
      assert.strictEqual(lab.get(info.id)!.messagesIn, 2);
      client.socket.destroy();
    }));

  it('a client with fixed framing and an echo auto-reply answers once per frame, whatever the reads', () =>
    withLab(async (lab) => {
      const server = await rawServer('127.0.0.1');
      try {
        const info = await lab.connectTcp({
          port: server.port,
          framing: { mode: 'fixed', size: 3 },
          autoReply: { mode: 'echo' },
        });
        await waitFor('the accepted socket', () => server.sockets.length === 1);
        server.sockets[0].write('abcdefg');
        await waitFor('two echoes', () => server.received().toString() === 'abcdef');
        assert.deepStrictEqual(records(lab, info.id, 'in'), [{ data: 'abc' }, { data: 'def' }]);
        assert.strictEqual(lab.get(info.id)!.messagesIn, 2);
        assert.deepStrictEqual(lab.get(info.id)!.framing, { mode: 'fixed', size: 3, maxFrameBytes: MiB });
      } finally {
        await server.close();
      }
    }));

  it('framing over a Unix socket: records are frames', async function () {
    if (process.platform === 'win32') this.skip();
    const tmp = tempDir('sl-framing-');
    try {
      await withLab(async (lab) => {
        const sock = path.join(tmp.dir, 'f.sock');
        const info = await lab.startUnixListener({ path: sock, framing: { mode: 'line', eol: 'crlf' } });
        const client = await lab.connectUnix({ path: sock, framing: { mode: 'line', eol: 'crlf' } });
        await waitFor('the accepted connection', () => lab.get(info.id)!.connections.length === 1);
        await lab.send({ target: client.id, data: 'a\\r\\nb\\nc\\r\\n' });
        await waitFor('two frames', () => lab.get(info.id)!.messagesIn === 2);
        assert.deepStrictEqual(records(lab, info.id, 'in'), [
          { data: 'a\r\n', delimiterBytes: 2 },
          { data: 'b\nc\r\n', delimiterBytes: 2 },
        ]);
      });
    } finally {
      tmp.remove();
    }
  });
});

describe('setFraming on live endpoints', function () {
  this.timeout(30_000);

  it('changes a live connection keeping the frame in progress, applies to new connections and survives restart', () =>
    withLab(async (lab) => {
      const info = await lab.startTcpListener({ port: 0, framing: { mode: 'line' } });
      assert.deepStrictEqual(info.framing, { mode: 'line', eol: 'any', maxFrameBytes: MiB });
      const a = await rawConnect({ host: '127.0.0.1', port: portOf(info) });
      a.socket.write('one\nhal');
      await waitFor('the first line and the start of the next', () => lab.get(info.id)!.bytesIn === 7);
      const changed = lab.setFraming({ id: info.id, framing: { mode: 'delimiter', delimiter: ';' } });
      assert.deepStrictEqual(changed.framing, {
        mode: 'delimiter',
        delimiter: ';',
        format: 'text',
        maxFrameBytes: MiB,
      });
      assert.deepStrictEqual(lab.get(info.id)!.framing, changed.framing);
      a.socket.write('f\nway;x');
      await waitFor('the frame that began before the change', () => lab.get(info.id)!.messagesIn === 2);
      assert.deepStrictEqual(records(lab, info.id, 'in'), [
        { data: 'one\n', delimiterBytes: 1 },
        { data: 'half\nway;', delimiterBytes: 1 },
      ]);
      const b = await rawConnect({ host: '127.0.0.1', port: portOf(info) });
      b.socket.write('p;q\n');
      await waitFor('a frame of the new connection', () => lab.get(info.id)!.messagesIn === 3);
      assert.deepStrictEqual(records(lab, `${info.id}.c2`, 'in'), [{ data: 'p;', delimiterBytes: 1 }]);

      // Back to none: the bytes held for the frame in progress become one record at once.
      lab.setFraming({ id: info.id, framing: { mode: 'none' } });
      assert.deepStrictEqual(records(lab, `${info.id}.c1`, 'in').at(-1), { data: 'x' });
      assert.deepStrictEqual(records(lab, `${info.id}.c2`, 'in').at(-1), { data: 'q\n' });
      a.socket.write('raw');
      await waitFor('one record per read again', () => records(lab, `${info.id}.c1`, 'in').at(-1)?.data === 'raw');

      lab.setFraming({ id: info.id, framing: { mode: 'fixed', size: 2 } });
      const restarted = await lab.restart({ id: info.id });
      assert.deepStrictEqual(restarted.framing, { mode: 'fixed', size: 2, maxFrameBytes: MiB });
      const c = await rawConnect({ host: '127.0.0.1', port: portOf(restarted) });
      c.socket.write('xyz');
      await waitFor('a frame after the restart', () => lab.get(info.id)!.messagesIn === 1);
      assert.deepStrictEqual(records(lab, info.id, 'in'), [{ data: 'xy' }]);
      for (const s of [a, b, c]) s.socket.destroy();
    }));

  it('setFraming called from a listener of the records waits until the frame callback returned', () =>
    withLab(async (lab) => {
      const info = await lab.startTcpListener({ port: 0, framing: { mode: 'line' } });
      let changed = false;
      lab.onDidTraffic((e) => {
        if (changed || e.record.direction !== 'in') return;
        changed = true;
        lab.setFraming({ id: info.id, framing: { mode: 'fixed', size: 2 } });
      });
      const a = await rawConnect({ host: '127.0.0.1', port: portOf(info) });
      a.socket.write('one\ntwo\nth');
      await waitFor('the lines of that read, then the rest in fixed frames', () => lab.get(info.id)!.messagesIn === 3);
      // The read is cut by the framing it arrived under; what was still held then moves to the new framing.
      assert.deepStrictEqual(records(lab, info.id, 'in'), [
        { data: 'one\n', delimiterBytes: 1 },
        { data: 'two\n', delimiterBytes: 1 },
        { data: 'th' },
      ]);
      a.socket.destroy();
    }));

  it('refuses framing on UDP with a sentence (none is allowed), and bad framing before opening anything', () =>
    withLab(async (lab) => {
      await rejectsWith(
        () => lab.startUdpListener({ port: 0, framing: { mode: 'line' } }),
        'framingNotForUdp',
        /^framing is only for TCP and Unix streams; a UDP socket keeps one record per datagram \(got line framing\)\.$/,
      );
      await rejectsWith(
        () => lab.openUdpClient({ port: 9, framing: unchecked({ mode: 'fixed', size: 4 }) }),
        'framingNotForUdp',
        /got fixed framing/,
      );
      const udp = await lab.startUdpListener({ port: 0, framing: { mode: 'none' } });
      assert.strictEqual(udp.framing, undefined, 'a UDP socket has no framing to show');
      assert.throws(
        () => lab.setFraming({ id: udp.id, framing: { mode: 'line' } }),
        /^SocketLabError: UDP 127\.0\.0\.1:\d+ is a UDP socket: framing is only for TCP and Unix streams/,
      );
      await rejectsWith(
        () => lab.startTcpListener({ port: 0, framing: unchecked({ mode: 'length', bytes: 3 }) }),
        'invalidFraming',
        /^framing\.bytes must be 1, 2 or 4 \(got 3\)\.$/,
      );
      await rejectsWith(
        () => lab.connectTcp({ port: 9, framing: { mode: 'delimiter', delimiter: 'zz', format: 'hex' } }),
        'invalidFraming',
        /^framing\.delimiter: /,
      );
      assert.strictEqual(lab.list().length, 1, 'only the UDP socket opened');
      const tcp = await lab.startTcpListener({ port: 0 });
      assert.deepStrictEqual(tcp.framing, { mode: 'none', maxFrameBytes: MiB });
      assert.throws(
        () => lab.setFraming({ id: tcp.id, framing: unchecked({ mode: 'idle' }) }),
        /framing\.gapMs must be a whole number of milliseconds from 1 to 60000 \(got nothing\)/,
      );
      assert.throws(
        () => lab.setFraming(unchecked({ id: tcp.id })),
        /framing must be an object whose mode is none, line, delimiter, length, fixed or idle \(got nothing\)/,
      );
      assert.throws(() => lab.setFraming({ id: 'e99', framing: { mode: 'line' } }), /There is no endpoint e99\./);
      assert.deepStrictEqual(lab.get(tcp.id)!.framing, { mode: 'none', maxFrameBytes: MiB }, 'unchanged');
    }));
});

describe('send-and-wait with framing and the reply limit', function () {
  this.timeout(60_000);

  it('resolves as soon as the first complete frame arrives, with that frame as the reply', () =>
    withLab(async (lab) => {
      const server = await rawServer('127.0.0.1', (s) =>
        s.once('data', () => {
          s.write('PO');
          // The rest of the line comes in a later read; then another line that is not the reply.
          setImmediate(() => s.write('NG\nnext\n'));
        }),
      );
      try {
        const info = await lab.connectTcp({ port: server.port, framing: { mode: 'line' } });
        // A ten-minute wait: the test passing at all shows the wait ended with the frame.
        const result = await lab.send({ target: info.id, data: 'PING\\n', waitMs: 600_000 });
        assert.deepStrictEqual(
          { ...result, reply: Buffer.from(result.reply!).toString() },
          { bytes: 5, reply: 'PONG\n' },
        );
      } finally {
        await server.close();
      }
    }));

  it('at waitMs without a complete frame: what arrived, marked partial; a cut frame counts, marked truncated', () =>
    withLab(async (lab) => {
      const server = await rawServer('127.0.0.1', (s) =>
        s.on('data', (d) => s.write(d.toString() === 'a' ? 'PO' : 'ABCDEFGH\n')),
      );
      try {
        const info = await lab.connectTcp({ port: server.port, framing: { mode: 'line', maxFrameBytes: 4 } });
        const partial = await lab.send({ target: info.id, data: 'a', waitMs: 1500 });
        assert.deepStrictEqual(
          { ...partial, reply: Buffer.from(partial.reply!).toString() },
          {
            bytes: 1,
            reply: 'PO',
            partial: true,
          },
        );
        const cut = await lab.send({ target: info.id, data: 'b', waitMs: 600_000 });
        // 'PO' from before is the start of the frame the limit cuts.
        assert.deepStrictEqual(
          { ...cut, reply: Buffer.from(cut.reply!).toString() },
          {
            bytes: 1,
            reply: 'POAB',
            truncated: true,
          },
        );
      } finally {
        await server.close();
      }
    }));

  it('without framing, it still waits the whole waitMs and returns every read, unmarked', () =>
    withLab(async (lab) => {
      const server = await rawServer('127.0.0.1', (s) => s.on('data', () => s.write('one\ntwo\n')));
      try {
        const info = await lab.connectTcp({ port: server.port });
        const result = await lab.send({ target: info.id, data: 'x', waitMs: 1000 });
        assert.deepStrictEqual(
          { ...result, reply: Buffer.from(result.reply!).toString() },
          {
            bytes: 1,
            reply: 'one\ntwo\n',
          },
        );
      } finally {
        await server.close();
      }
    }));

  it('a flooding server: the reply stops at 16 MiB (truncated) and the wait ends there, with memory bounded', async () => {
    const server = startPeer('python3', [path.join(PEERS_DIR, 'flood_server.py'), String(256 * MiB)]);
    try {
      const port = Number(
        await waitFor('the flood server port', () => /^(\d+)\n/.exec(server.stdout().toString())?.[1]),
      );
      await withLab(
        async (lab) => {
          const gc = collectGarbage();
          gc();
          const rssStart = process.memoryUsage.rss();
          let rssPeak = rssStart;
          const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
          try {
            const info = await lab.connectTcp({ port });
            // A ten-minute wait: the test passing at all shows the wait ended at the limit.
            const result = await lab.send({ target: info.id, data: 'GET', waitMs: 600_000 });
            assert.strictEqual(result.truncated, true);
            assert.strictEqual(result.partial, undefined);
            assert.strictEqual(result.reply!.byteLength, 16 * MiB);
            assert.ok(
              Buffer.from(result.reply!).every((byte) => byte === 0x78),
              'the reply is what the server sent',
            );
          } finally {
            clearInterval(sampler);
          }
          const growthMiB = (rssPeak - rssStart) / MiB;
          console.log(
            `      [figure] send-and-wait on a server flooding 256 MiB: reply 16 MiB, RSS growth peak ${growthMiB.toFixed(1)} MiB`,
          );
          assert.ok(growthMiB < 160, `RSS grew ${growthMiB.toFixed(1)} MiB`);
        },
        // The log keeps what it is capped to: the point here is the reply, not the log.
        { logCapBytes: 1024 * 1024 },
      );
    } finally {
      server.child.stdin!.end();
      await server.exited(30_000);
    }
  });
});
