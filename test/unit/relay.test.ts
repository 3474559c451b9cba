import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { StreamRelay } from '../../src/core/relay/streamRelay';
import { RelayFailure, RelayPairInfo, RelayTap, StreamRelayOptions } from '../../src/core/relay/relayTypes';
import { SocketLabError } from '../../src/shared/errors';
import { PEERS_DIR, startPeer, waitForOutput } from '../helpers/peers';
import { requirePeer } from '../helpers/require';
import { freePort } from '../helpers/sockets';
import { stalledUpstream } from '../helpers/stalledUpstream';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

const SEED_REPLY = '我是返回的数据';
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A started relay with its events collected; `stop` disposes it. */
interface RelayRun {
  relay: StreamRelay;
  port: number;
  opened: RelayPairInfo[];
  closed: RelayPairInfo[];
  failures: RelayFailure[];
  taps: RelayTap[];
  /** Resolves with the snapshot of the next pair to close. */
  nextClose: () => Promise<RelayPairInfo>;
}

async function startRelay(
  options: Partial<StreamRelayOptions> & Pick<StreamRelayOptions, 'upstream'>,
  keepTaps = true,
): Promise<RelayRun> {
  const relay = new StreamRelay({
    id: 'r1',
    listen: { address: '127.0.0.1', port: 0 },
    connectTimeoutMs: 5000,
    ...options,
  });
  const run: RelayRun = {
    relay,
    port: 0,
    opened: [],
    closed: [],
    failures: [],
    taps: [],
    nextClose: () => new Promise((resolve) => relay.onDidClosePair((p) => resolve(p))),
  };
  relay.onDidOpenPair((p) => run.opened.push(p));
  relay.onDidClosePair((p) => run.closed.push(p));
  relay.onDidFail((f) => run.failures.push(f));
  // Copies: a tap's chunk is the relay's own buffer.
  if (keepTaps) relay.onDidTap((t) => run.taps.push({ ...t, data: Buffer.from(t.data) }));
  await relay.start();
  if ('port' in relay.local!) run.port = relay.local.port;
  return run;
}

/** The bytes the relay logged one way, in order. */
function logged(relay: StreamRelay, direction: 'in' | 'out'): Buffer {
  return Buffer.concat(
    relay.log
      .records()
      .filter((r) => r.direction === direction)
      .map((r) => r.data),
  );
}

/** A plain server whose connections a test scripts; closes what it accepted. */
async function scriptedServer(
  onConnection: (s: net.Socket) => void,
  options: net.ServerOpts = { allowHalfOpen: true },
): Promise<{ port: number; sockets: net.Socket[]; close: () => Promise<void> }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer(options, (s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A plain client that collects what it receives and how it ended. */
async function client(port: number): Promise<{
  socket: net.Socket;
  received: () => Buffer;
  error: () => NodeJS.ErrnoException | undefined;
  closed: () => boolean;
  ended: () => boolean;
}> {
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  const chunks: Buffer[] = [];
  let error: NodeJS.ErrnoException | undefined;
  let closed = false;
  let ended = false;
  socket.on('data', (d) => chunks.push(d));
  socket.on('error', (e) => (error = e));
  socket.on('end', () => (ended = true));
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => Buffer.concat(chunks),
    error: () => error,
    closed: () => closed,
    ended: () => ended,
  };
}

describe('stream relay', function () {
  this.timeout(30000);

  it("a Python client through the relay to the seed's PHP server: byte-exact both ways, both directions logged", async function () {
    requirePeer(this, 'php');
    const port = await freePort();
    const php = startPeer('php', [path.join(PEERS_DIR, 'seed_server.php'), String(port)]);
    const run = await startRelay({ upstream: { host: '127.0.0.1', port } });
    try {
      await waitForOutput(php, /listening/);
      const message = '你好, PHP, from Python through Socket Lab';
      const closing = run.nextClose();
      const py = startPeer('python3', [path.join(PEERS_DIR, 'client.py'), '127.0.0.1', String(run.port), message]);
      assert.strictEqual(await py.exited(10000), 0, py.stderr());
      assert.strictEqual(py.stdout().toString('utf8'), SEED_REPLY);
      assert.strictEqual(await php.exited(), 0);
      assert.match(php.stdout().toString('utf8'), new RegExp(`received: ${message}`));
      const pair = await closing;
      assert.strictEqual(logged(run.relay, 'in').toString('utf8'), message);
      assert.strictEqual(logged(run.relay, 'out').toString('utf8'), SEED_REPLY);
      assert.strictEqual(pair.bytesToUpstream, Buffer.byteLength(message));
      assert.strictEqual(pair.bytesToClient, Buffer.byteLength(SEED_REPLY));
      assert.ok(pair.clientEnded && pair.upstreamEnded, JSON.stringify(pair));
      assert.strictEqual(pair.error, undefined);
      assert.strictEqual(pair.id, 'r1.c1');
      assert.deepStrictEqual(
        run.taps.map((t) => [t.pairId, t.direction]),
        [
          ['r1.c1', 'toUpstream'],
          ['r1.c1', 'toClient'],
        ],
      );
      assert.ok(run.relay.log.records().every((r) => r.connectionId === 'r1.c1' && /^127\.0\.0\.1:\d+$/.test(r.peer)));
    } finally {
      run.relay.dispose();
      await php.kill();
    }
  });

  it('1 GiB each way through the relay, byte-exact (SHA-256 at both ends)', async function () {
    this.timeout(240000);
    requirePeer(this, 'python3');
    const echo = startPeer('python3', [path.join(PEERS_DIR, 'exact_echo_server.py'), '127.0.0.1']);
    const [, echoPort] = await waitForOutput(echo, /^(\d+)$/m);
    const run = await startRelay({ upstream: { host: '127.0.0.1', port: Number(echoPort) } }, false);
    try {
      const closing = run.nextClose();
      const py = startPeer('python3', [
        path.join(PEERS_DIR, 'hash_echo_client.py'),
        '127.0.0.1',
        String(run.port),
        String(GiB),
        '200',
      ]);
      assert.strictEqual(await py.exited(220000), 0, py.stderr());
      const r = JSON.parse(py.stdout().toString()) as Record<string, string | number>;
      assert.strictEqual(r.sent, GiB);
      assert.strictEqual(r.received, GiB);
      assert.strictEqual(r.receivedSha, r.sentSha);
      const pair = await closing;
      assert.strictEqual(pair.bytesToUpstream, GiB);
      assert.strictEqual(pair.bytesToClient, GiB);
      // The log kept the last chunks only: bounded by its cap.
      assert.ok(run.relay.log.heldBytes <= run.relay.log.capBytes);
      assert.ok(run.relay.log.dropped > 0);
    } finally {
      run.relay.dispose();
      await echo.kill();
    }
  });

  it("half-close passes through: a server answering 0.8 s after the client's FIN still reaches the client", async function () {
    requirePeer(this, 'python3');
    const upstreamEvents: string[] = [];
    const server = await scriptedServer((s) => {
      const got: Buffer[] = [];
      s.on('data', (d) => got.push(d));
      s.on('end', () => {
        upstreamEvents.push('client FIN arrived');
        // The scenario: a server that thinks a while after the request is complete.
        setTimeout(() => {
          upstreamEvents.push('answered');
          s.end(`late answer to ${Buffer.concat(got).toString()}`);
        }, 800);
      });
    });
    const run = await startRelay({ upstream: { host: '127.0.0.1', port: server.port } });
    const changes: RelayPairInfo[] = [];
    run.relay.onDidChangePair((p) => changes.push(p));
    try {
      const closing = run.nextClose();
      const py = startPeer('python3', [path.join(PEERS_DIR, 'client.py'), '127.0.0.1', String(run.port), 'request']);
      assert.strictEqual(await py.exited(10000), 0, py.stderr());
      assert.strictEqual(py.stdout().toString(), 'late answer to request');
      assert.deepStrictEqual(upstreamEvents, ['client FIN arrived', 'answered']);
      const pair = await closing;
      assert.ok(pair.clientEnded && pair.upstreamEnded);
      // The client's FIN was seen (and passed on) before the upstream's.
      const firstClientEnd = changes.findIndex((c) => c.clientEnded);
      const firstUpstreamEnd = changes.findIndex((c) => c.upstreamEnded);
      assert.ok(firstClientEnd >= 0 && firstClientEnd < firstUpstreamEnd, JSON.stringify(changes));
      assert.ok(!changes[firstClientEnd].upstreamEnded);
    } finally {
      run.relay.dispose();
      await server.close();
    }
  });

  for (const stalled of ['upstream', 'client'] as const) {
    it(`backpressure holds: a stalled ${stalled} does not make the relay buffer`, async function () {
      requirePeer(this, 'python3');
      // The stalled side never reads: its socket is paused from the start, so only kernel buffers fill.
      let flood: ReturnType<typeof startPeer> | undefined;
      let stopFlood = false;
      const server = await scriptedServer(
        (s) => {
          if (stalled === 'client') {
            // The upstream floods the client (honouring its own backpressure) until told to stop.
            const block = Buffer.alloc(64 * 1024, 0x75);
            const pump = () => {
              while (!stopFlood && s.write(block));
            };
            s.on('drain', pump);
            pump();
          }
        },
        { allowHalfOpen: true, pauseOnConnect: stalled === 'upstream' },
      );
      const run = await startRelay({ upstream: { host: '127.0.0.1', port: server.port } }, false);
      const rssBefore = process.memoryUsage().rss;
      let stalledClient: net.Socket | undefined;
      try {
        if (stalled === 'upstream') {
          flood = startPeer('python3', [
            path.join(PEERS_DIR, 'flood_no_read.py'),
            '127.0.0.1',
            String(run.port),
            '3',
            String(GiB),
          ]);
          // The peer prints how much the kernel took once it has been blocked until its time ran out.
          const [, sent] = await waitForOutput(flood, /^(\d+)$/m, 15000);
          assert.ok(Number(sent) < 128 * MiB, `the sender got ${sent} bytes out: the relay kept reading`);
        } else {
          stalledClient = net.connect({ host: '127.0.0.1', port: run.port, allowHalfOpen: true });
          stalledClient.on('error', () => undefined);
          stalledClient.pause();
          // Wait until the relay stopped reading the upstream: the flood's writes back up.
          await waitFor('the upstream to be held back', () => server.sockets[0]?.writableNeedDrain === true, 10000);
          await waitFor('some bytes through', () => (run.relay.pairs()[0]?.bytesToClient ?? 0) > 0, 10000);
        }
        const pair = run.relay.pairs()[0];
        const through = stalled === 'upstream' ? pair.bytesToUpstream : pair.bytesToClient;
        const held = run.relay.bufferedBytes();
        const rssGrowth = process.memoryUsage().rss - rssBefore;
        assert.ok(held <= 1 * MiB, `the relay holds ${held} bytes`);
        assert.ok(rssGrowth < 64 * MiB, `RSS grew by ${(rssGrowth / MiB).toFixed(1)} MiB`);
        assert.ok(through < 128 * MiB, `${through} bytes went through to a side that reads nothing`);
        console.log(
          `      (stalled ${stalled}: ${(through / MiB).toFixed(1)} MiB went through, relay holds ${held} B, RSS +${(rssGrowth / MiB).toFixed(1)} MiB)`,
        );
      } finally {
        stopFlood = true;
        stalledClient?.destroy();
        flood?.child.stdin?.end();
        await flood?.kill();
        run.relay.dispose();
        await server.close();
      }
    });
  }

  it('a reset by the upstream is mirrored to the client, and a reset by the client to the upstream', async () => {
    let upstreamError: NodeJS.ErrnoException | undefined;
    let resetOnData = true;
    const server = await scriptedServer((s) => {
      s.on('error', (e) => (upstreamError = e));
      s.on('data', () => {
        if (resetOnData) s.resetAndDestroy();
      });
    });
    const run = await startRelay({ upstream: { host: '127.0.0.1', port: server.port } });
    try {
      // The upstream resets.
      const c1 = await client(run.port);
      c1.socket.write('please reset');
      await waitFor('the client to be closed', () => c1.closed());
      assert.strictEqual(c1.error()?.code, 'ECONNRESET', 'the client sees a reset, not a FIN');
      await waitFor('the pair closed', () => run.closed.length === 1);
      assert.strictEqual(run.closed[0].resetBy, 'upstream');
      assert.strictEqual(run.closed[0].errorCode, 'connectionReset');
      // The upstream's reset names the upstream.
      assert.strictEqual(run.failures[0].error.values.target, `127.0.0.1:${server.port}`);
      assert.strictEqual(run.failures[0].error.values.operation, 'receive');
      // The client resets.
      resetOnData = false;
      const c2 = await client(run.port);
      const c2Port = c2.socket.localPort;
      c2.socket.write('hello');
      await waitFor('the upstream got the data', () => server.sockets.length === 2 && server.sockets[1].bytesRead > 0);
      c2.socket.resetAndDestroy();
      await waitFor('the upstream socket to be closed', () => server.sockets[1].destroyed);
      assert.strictEqual(upstreamError?.code, 'ECONNRESET', 'the upstream sees a reset, not a FIN');
      await waitFor('the second pair closed', () => run.closed.length === 2);
      assert.strictEqual(run.closed[1].resetBy, 'client');
      // The client's reset names the client.
      assert.strictEqual(run.failures[1].error.values.target, `127.0.0.1:${c2Port}`);
      assert.strictEqual(run.failures[1].error.values.operation, 'receive');
    } finally {
      run.relay.dispose();
      await server.close();
    }
  });

  it('an upstream that refuses is a clear sentence, and the client is reset', async () => {
    const port = await freePort();
    const run = await startRelay({ upstream: { host: '127.0.0.1', port } });
    try {
      const c = await client(run.port);
      const clientPort = c.socket.localPort;
      await waitFor('the client to be closed', () => c.closed());
      assert.strictEqual(c.error()?.code, 'ECONNRESET');
      await waitFor('the pair closed', () => run.closed.length === 1);
      const f = run.failures[0];
      assert.strictEqual(f.pairId, 'r1.c1');
      assert.strictEqual(f.error.code, 'upstreamRefused');
      assert.strictEqual(f.error.systemCode, 'ECONNREFUSED');
      assert.strictEqual(
        f.error.message,
        `The upstream 127.0.0.1:${port} refused the connection (nothing listens there), so client 127.0.0.1:${clientPort} was reset; start the server or check the upstream address.`,
      );
      assert.strictEqual(run.closed[0].errorCode, 'upstreamRefused');
      assert.strictEqual(run.closed[0].error, f.error.message);
    } finally {
      run.relay.dispose();
    }
  });

  it('an upstream that does not answer times out (connectTimeoutMs), and the client is reset', async function () {
    requirePeer(this, 'python3');
    const upstream = await stalledUpstream();
    try {
      const run = await startRelay({ upstream: { host: '127.0.0.1', port: upstream.port }, connectTimeoutMs: 300 });
      try {
        const c = await client(run.port);
        await waitFor('the client to be closed', () => c.closed(), 5000);
        assert.strictEqual(c.error()?.code, 'ECONNRESET');
        assert.strictEqual(run.failures[0]?.error.code, 'upstreamTimedOut');
        assert.strictEqual(run.failures[0].error.systemCode, 'ETIMEDOUT');
        assert.match(
          run.failures[0].error.message,
          /did not accept the connection within 300 ms, so client .* was reset/,
        );
      } finally {
        run.relay.dispose();
      }
    } finally {
      await upstream.close();
    }
  });

  it('injects toward either side, logged as such; refuses a side already finished', async () => {
    const server = await scriptedServer(() => undefined);
    const run = await startRelay({ upstream: { host: '127.0.0.1', port: server.port } });
    try {
      const c = await client(run.port);
      await waitFor('the pair to open', () => run.relay.pairs()[0]?.state === 'open');
      const id = run.relay.pairs()[0].id;
      assert.strictEqual(await run.relay.inject(id, 'toClient', Buffer.from('to the client')), 13);
      assert.strictEqual(await run.relay.inject(id, 'toUpstream', Buffer.from('to the server')), 13);
      await waitFor('the client got it', () => c.received().toString() === 'to the client');
      const upstream = server.sockets[0];
      const got: Buffer[] = [];
      upstream.on('data', (d) => got.push(d));
      await waitFor('the server got it', () => Buffer.concat(got).toString() === 'to the server');
      assert.deepStrictEqual(
        run.taps.map((t) => [t.direction, t.injected, t.data.toString()]),
        [
          ['toClient', true, 'to the client'],
          ['toUpstream', true, 'to the server'],
        ],
      );
      c.socket.end();
      await waitFor("the client's FIN passed on", () => run.relay.pairs()[0].clientEnded === true);
      await assert.rejects(run.relay.inject(id, 'toUpstream', Buffer.from('x')), (e: SocketLabError) => {
        assert.strictEqual(e.code, 'relaySideEnded');
        assert.strictEqual(
          e.message,
          `Relay connection ${id} (127.0.0.1:${c.socket.localPort}) has already passed on the client’s FIN to the upstream; nothing more can be sent that way.`,
        );
        return true;
      });
      await assert.rejects(run.relay.inject('r1.c9', 'toUpstream', Buffer.from('x')), /There is no connection r1\.c9/);
      c.socket.destroy();
    } finally {
      run.relay.dispose();
      await server.close();
    }
  });

  it('listens on a Unix path and relays to TCP; stopping removes its socket file', async () => {
    const { dir, remove } = tempDir();
    const server = await scriptedServer((s) => {
      s.on('data', (d) => s.write(Buffer.concat([Buffer.from('tcp:'), d])));
      s.on('end', () => s.end());
    });
    const sockPath = path.join(dir, 'relay.sock');
    const run = await startRelay({ listen: { path: sockPath }, upstream: { host: '127.0.0.1', port: server.port } });
    try {
      const c = net.connect({ path: sockPath });
      const got: Buffer[] = [];
      c.on('data', (d) => got.push(d));
      c.on('error', () => undefined);
      c.write('over unix');
      await waitFor('the answer through the relay', () => Buffer.concat(got).toString() === 'tcp:over unix');
      const pair = run.relay.pairs()[0];
      assert.deepStrictEqual(pair.client, { path: sockPath });
      assert.strictEqual(run.relay.log.records()[0].peer, `${sockPath}#c1`);
      c.destroy();
      await waitFor('the pair closed', () => run.closed.length === 1);
    } finally {
      run.relay.dispose();
      await server.close();
    }
    assert.throws(() => fs.lstatSync(sockPath), /ENOENT/);
    remove();
  });

  it('relays TCP to a Unix-socket upstream; a reset by the TCP client ends the Unix side (it has no reset)', async () => {
    const { dir, remove } = tempDir();
    const upstreamPath = path.join(dir, 'upstream.sock');
    const accepted: net.Socket[] = [];
    const upstream = net.createServer({ allowHalfOpen: true }, (s) => {
      accepted.push(s);
      s.on('error', () => undefined);
      s.on('data', (d) => s.write(Buffer.concat([Buffer.from('unix:'), d])));
    });
    await new Promise<void>((r) => upstream.listen(upstreamPath, r));
    const run = await startRelay({ upstream: { path: upstreamPath } });
    try {
      const c = await client(run.port);
      c.socket.write('to a unix server');
      await waitFor('the answer through the relay', () => c.received().toString() === 'unix:to a unix server');
      assert.strictEqual(run.relay.pairs()[0].upstreamLocal, undefined, 'a Unix upstream has no local port');
      // A Unix socket cannot be reset: its peer reads end-of-stream instead.
      let upstreamEnded = false;
      accepted[0].on('end', () => (upstreamEnded = true));
      c.socket.resetAndDestroy();
      await waitFor('the Unix side to read end-of-stream', () => upstreamEnded);
      await waitFor('the pair closed', () => run.closed.length === 1);
      assert.strictEqual(run.closed[0].resetBy, 'client');
    } finally {
      run.relay.dispose();
      for (const s of accepted) s.destroy();
      await new Promise((r) => upstream.close(r));
      remove();
    }
  });
});
