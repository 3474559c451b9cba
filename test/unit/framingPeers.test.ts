import * as assert from 'assert';
import * as net from 'net';
import * as path from 'path';
import * as v8 from 'v8';
import * as vm from 'vm';
import '../helpers/noLeaks';
import { createDeframer, type Deframer, type FrameInfo } from '../../src/core/framing/deframer';
import { parseFramingSpec } from '../../src/shared/framing';
import { lengthFrame } from '../helpers/framing';
import { startPeer } from '../helpers/peers';
import { waitFor } from '../helpers/wait';

const PEER = path.join(__dirname, '../../../test/peers/framing_peer.py');
const MiB = 1024 * 1024;

/** What one accepted connection read and framed. */
interface Connection {
  reads: number;
  /** Each event in order: 'read' or the frame's text (latin1). */
  events: string[];
  /** The frames: their bytes (the first 64 only when the server keeps no more), length and info. */
  frames: Array<{ data: Buffer; length: number; info: FrameInfo }>;
  deframer: Deframer;
  closed: boolean;
}

/**
 * A loopback server that runs a deframer on each connection: every read is pushed into it (and answered
 * with one byte when `ack`, so a scripted peer knows the read happened), flush on the peer's FIN, dispose
 * on close. `onRead` sees the deframer after each read.
 */
async function framedServer(
  spec: unknown,
  options: {
    ack?: boolean;
    /** Sends 'F' to the peer after each frame. */
    tellFrames?: boolean;
    onRead?: (deframer: Deframer, chunk: Buffer) => void;
    keepFrames?: boolean;
  } = {},
): Promise<{ port: number; connections: Connection[]; close: () => Promise<void> }> {
  const connections: Connection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const connection: Connection = {
      reads: 0,
      events: [],
      frames: [],
      closed: false,
      deframer: createDeframer(parseFramingSpec(spec), (frame, info) => {
        const data = Buffer.from(frame);
        const kept = options.keepFrames === false ? Buffer.from(data.subarray(0, 64)) : data;
        connection.frames.push({ data: kept, length: data.length, info: { ...info } });
        connection.events.push(data.length > 64 ? `<${data.length} bytes>` : data.toString('latin1'));
        if (options.tellFrames && !socket.destroyed) socket.write('F');
      }),
    };
    connections.push(connection);
    socket.on('data', (chunk) => {
      connection.reads++;
      connection.events.push('read');
      connection.deframer.push(chunk);
      options.onRead?.(connection.deframer, chunk);
      if (options.ack) socket.write('k');
    });
    socket.on('end', () => connection.deframer.flush());
    socket.on('error', () => undefined);
    socket.on('close', () => {
      connection.deframer.dispose();
      connection.closed = true;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Runs the Python peer to its end and checks it succeeded. */
async function runPeer(args: string[], timeoutMs = 60_000): Promise<void> {
  const peer = startPeer('python3', [PEER, ...args]);
  const code = await peer.exited(timeoutMs);
  assert.strictEqual(code, 0, `framing_peer.py ${args[0]}: ${peer.stderr()}`);
}

/** V8's gc(), to measure what is still reachable rather than what the collector has not reclaimed yet. */
function collectGarbage(): () => void {
  v8.setFlagsFromString('--expose_gc');
  return vm.runInNewContext('gc') as () => void;
}

const hexOf = (text: string) => Buffer.from(text, 'latin1').toString('hex');

describe('framing with real peers over loopback TCP', function () {
  this.timeout(120_000);

  it("a Python client writing 'PI', waiting, then 'NG\\n' gives one frame 'PING\\n' from two reads", async () => {
    const server = await framedServer({ mode: 'line' }, { ack: true });
    try {
      await runPeer(['steps', '127.0.0.1', String(server.port), hexOf('PI'), hexOf('NG\n')]);
      await waitFor('the connection to close', () => server.connections[0]?.closed === true);
      const [c] = server.connections;
      assert.strictEqual(c.reads, 2, 'the peer waited for the first read, so there were two');
      assert.deepStrictEqual(c.events, ['read', 'read', 'PING\n']);
      assert.deepStrictEqual(c.frames[0].info, { delimiterBytes: 1 });
    } finally {
      await server.close();
    }
  });

  it('three lines in one write give three frames', async () => {
    const server = await framedServer({ mode: 'line' });
    try {
      await runPeer(['steps', '127.0.0.1', String(server.port), hexOf('one\ntwo\r\nthree\n')]);
      await waitFor('the connection to close', () => server.connections[0]?.closed === true);
      const [c] = server.connections;
      assert.deepStrictEqual(
        c.frames.map((f) => [f.data.toString(), f.info.delimiterBytes]),
        [
          ['one\n', 1],
          ['two\r\n', 2],
          ['three\n', 1],
        ],
      );
    } finally {
      await server.close();
    }
  });

  it('a MODBUS/TCP request and response split at every byte boundary are two frames each time', async () => {
    const request = Buffer.from('0001 0000 0006 01 03 0000 000a'.replace(/ /g, ''), 'hex');
    const response = lengthFrame(Buffer.from('0103040000000a', 'hex'), {
      bytes: 2,
      offset: 4,
      prefix: Buffer.from('00010000', 'hex'),
    });
    const stream = Buffer.concat([request, response]);
    const server = await framedServer({ mode: 'length', bytes: 2, offset: 4 }, { ack: true });
    try {
      await runPeer(['splits', '127.0.0.1', String(server.port), stream.toString('hex')]);
      await waitFor(
        'every split connection to close',
        () => server.connections.length === stream.length - 1 && server.connections.every((c) => c.closed),
        30_000,
      );
      for (const [i, c] of server.connections.entries()) {
        assert.ok(c.reads >= 2, `split at ${i + 1}: the peer waited between its two writes`);
        assert.deepStrictEqual(
          c.frames.map((f) => [f.data.toString('hex'), f.info]),
          [
            [request.toString('hex'), { headerBytes: 6 }],
            [response.toString('hex'), { headerBytes: 6 }],
          ],
          `split at ${i + 1}`,
        );
      }
    } finally {
      await server.close();
    }
  });

  it('idle: a peer that pauses longer than the gap sends two frames; the first ends before the second read', async () => {
    const server = await framedServer({ mode: 'idle', gapMs: 60 });
    try {
      await runPeer(['pause', '127.0.0.1', String(server.port), '400', hexOf('ab'), hexOf('cd')]);
      await waitFor('the connection to close', () => server.connections[0]?.closed === true);
      const [c] = server.connections;
      assert.deepStrictEqual(c.events, ['read', 'ab', 'read', 'cd']);
      assert.deepStrictEqual(
        c.frames.map((f) => f.info),
        [{}, {}],
      );
    } finally {
      await server.close();
    }
  });

  it('idle: reads closer together than the gap are one frame, ended by the gap', async () => {
    const server = await framedServer({ mode: 'idle', gapMs: 1000 }, { ack: true, tellFrames: true });
    try {
      // The peer writes 'b' once the server has read 'a', then stays connected until the gap has ended the frame.
      await runPeer(['hold', '127.0.0.1', String(server.port), hexOf('a'), hexOf('b')]);
      await waitFor('the connection to close', () => server.connections[0]?.closed === true);
      assert.deepStrictEqual(server.connections[0].events, ['read', 'read', 'ab']);
      assert.deepStrictEqual(server.connections[0].frames[0].info, {});
    } finally {
      await server.close();
    }
  });

  /** Floods a server running `spec` with 100 MiB from the Python peer; returns its connection, read bytes and peaks. */
  async function flood(spec: unknown, head: string, tail: string) {
    const gc = collectGarbage();
    gc();
    let pendingPeak = 0;
    const rssStart = process.memoryUsage.rss();
    const buffersStart = process.memoryUsage().arrayBuffers;
    let rssPeak = rssStart;
    let buffersPeak = buffersStart;
    let bytes = 0;
    let reads = 0;
    const server = await framedServer(spec, {
      keepFrames: false,
      onRead: (deframer, chunk) => {
        bytes += chunk.length;
        pendingPeak = Math.max(pendingPeak, deframer.pending);
        rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
        if (++reads % 100 === 0) {
          // What the flood keeps reachable: the read in hand and the frame in progress (the bound leaves room
          // for backing stores V8 frees on a background thread after gc() returns).
          gc();
          buffersPeak = Math.max(buffersPeak, process.memoryUsage().arrayBuffers);
        }
      },
    });
    try {
      await runPeer(['flood', '127.0.0.1', String(server.port), head, String(100 * MiB), tail]);
      await waitFor('the connection to close', () => server.connections[0]?.closed === true, 60_000);
      return {
        connection: server.connections[0],
        bytes,
        pendingPeak,
        growthMiB: (rssPeak - rssStart) / MiB,
        keptMiB: (buffersPeak - buffersStart) / MiB,
      };
    } finally {
      await server.close();
    }
  }

  // What the process grows by itself on this flow the first time (heap and buffer pools warming up), with
  // framing none (nothing held); the floods below then measure their own growth on a warm process.
  before(async function () {
    this.timeout(120_000);
    const reference = await flood({ mode: 'none' }, '', '');
    console.log(
      `      [figure] reference, framing none: RSS growth ${reference.growthMiB.toFixed(1)} MiB, buffers kept ${reference.keptMiB.toFixed(1)} MiB`,
    );
  });

  for (const [what, spec, head, tail, expected] of [
    [
      'line: 100 MiB without a LF',
      { mode: 'line' },
      '',
      hexOf('tail\nnext\n'),
      [
        [MiB, { truncated: true }],
        ['next\n', { delimiterBytes: 1 }],
      ],
    ],
    [
      'length: a 4-byte field announcing 100 MiB',
      { mode: 'length', bytes: 4 },
      (100 * MiB).toString(16).padStart(8, '0'),
      lengthFrame(Buffer.from('next'), { bytes: 4 }).toString('hex'),
      [
        [MiB, { truncated: true, headerBytes: 4 }],
        ['\0\0\0\u0004next', { headerBytes: 4 }],
      ],
    ],
  ] as const) {
    it(`maxFrameBytes: ${what} from a real peer: one frame cut at 1 MiB, bounded memory, the next frame whole`, async () => {
      const { connection: c, bytes, pendingPeak, growthMiB, keptMiB } = await flood(spec, head, tail);
      assert.strictEqual(bytes, head.length / 2 + 100 * MiB + tail.length / 2, 'every byte was read');
      assert.deepStrictEqual(
        c.frames.map((f) => [f.length > 64 ? f.length : f.data.toString('latin1'), f.info]),
        expected,
      );
      assert.ok(
        c.frames[0].data.subarray(head.length / 2).every((byte) => byte === 0x61),
        'the cut frame holds what was sent',
      );
      assert.ok(pendingPeak <= MiB, `pending peaked at ${pendingPeak} bytes, over maxFrameBytes`);
      console.log(
        `      [figure] ${what}: ${c.reads} reads, pending peak ${pendingPeak} B, buffers kept (after GC) peak ${keptMiB.toFixed(1)} MiB, RSS growth ${growthMiB.toFixed(1)} MiB`,
      );
      assert.ok(
        keptMiB < 32,
        `${keptMiB.toFixed(1)} MiB of buffers stayed reachable while 100 MiB went through a 1 MiB limit`,
      );
      assert.ok(growthMiB < 64, `RSS grew ${growthMiB.toFixed(1)} MiB while 100 MiB went through a 1 MiB limit`);
    });
  }
});
