import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { resetSocket } from '../../src/core/relay/relayPair';
import { RelayPairInfo, RelayTap, StreamRelayOptions } from '../../src/core/relay/relayTypes';
import { StreamRelay } from '../../src/core/relay/streamRelay';
import { SocketLabError } from '../../src/shared/errors';
import { requirePeer } from '../helpers/require';
import { rawConnect, rawServer } from '../helpers/sockets';
import { stalledUpstream } from '../helpers/stalledUpstream';
import { startStreamRelay } from '../helpers/streamRelays';
import { tempDir } from '../helpers/tempDir';
import { waitFor, waitForSteady } from '../helpers/wait';

const MiB = 1024 * 1024;

/** A relay 'r1' that is not started yet, on 127.0.0.1 unless `options` say otherwise. */
function newRelay(options: Partial<StreamRelayOptions> = {}): StreamRelay {
  return new StreamRelay({
    id: 'r1',
    listen: { address: '127.0.0.1', port: 0 },
    upstream: { host: '127.0.0.1', port: 9 },
    connectTimeoutMs: 5000,
    ...options,
  });
}

describe('stream relay pairs: snapshots, inject, closePair, bufferedBytes, start failures', function () {
  this.timeout(30000);

  it('a pair is announced as connecting with nothing but counters, and closes with exact counts, its upstream end and both FINs', async () => {
    const upstreamPorts: number[] = [];
    const server = await rawServer('127.0.0.1', (s) => {
      upstreamPorts.push(s.remotePort!);
      s.on('data', (d) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
      s.on('end', () => s.end());
    });
    const run = await startStreamRelay({ upstream: { host: '127.0.0.1', port: server.port } });
    const opened: RelayPairInfo[] = [];
    const taps: RelayTap[] = [];
    run.relay.onDidOpenPair((p) => opened.push(p));
    run.relay.onDidTap((t) => taps.push({ ...t, data: Buffer.from(t.data) }));
    try {
      for (const n of [1, 2]) {
        const c = await rawConnect({ host: '127.0.0.1', port: run.port });
        const client = { address: '127.0.0.1', port: c.socket.localPort! };
        c.socket.write('abc');
        await waitFor('the echo', () => c.received().toString() === 'echo:abc');
        c.socket.end();
        await waitFor('the pair closed', () => run.closed.length === n);
        const zero = { bytesToUpstream: 0, bytesToClient: 0, messagesToUpstream: 0, messagesToClient: 0 };
        assert.deepStrictEqual(opened[n - 1], { id: `r1.c${n}`, client, state: 'connecting', ...zero });
        assert.deepStrictEqual(run.closed[n - 1], {
          id: `r1.c${n}`,
          client,
          upstreamLocal: { address: '127.0.0.1', port: upstreamPorts[n - 1] },
          state: 'closed',
          bytesToUpstream: 3,
          bytesToClient: 8,
          messagesToUpstream: 1,
          messagesToClient: 1,
          clientEnded: true,
          upstreamEnded: true,
        });
      }
      assert.deepStrictEqual(
        taps.map((t) => [t.pairId, t.direction, t.data.toString(), t.injected]),
        [
          ['r1.c1', 'toUpstream', 'abc', undefined],
          ['r1.c1', 'toClient', 'echo:abc', undefined],
          ['r1.c2', 'toUpstream', 'abc', undefined],
          ['r1.c2', 'toClient', 'echo:abc', undefined],
        ],
      );
      assert.strictEqual(run.relay.bufferedBytes(), 0);
    } finally {
      run.relay.dispose();
      await server.close();
    }
  });

  it('while its upstream is still connecting, a pair reads nothing from its client, refuses inject, and closePair ends it once', async function () {
    requirePeer(this, 'python3');
    const upstream = await stalledUpstream();
    try {
      const run = await startStreamRelay({ upstream: { host: '127.0.0.1', port: upstream.port } });
      try {
        const c = await rawConnect({ host: '127.0.0.1', port: run.port });
        await waitFor('the pair to be listed', () => run.relay.pairs().length === 1);
        c.socket.write('early bytes');
        // Paused on connect: the early bytes stay in the kernel, not in the relay's memory.
        assert.strictEqual(await waitForSteady('the buffered bytes', () => run.relay.bufferedBytes()), 0);
        assert.strictEqual(run.relay.pairs()[0].state, 'connecting');
        const label = `127.0.0.1:${c.socket.localPort}`;
        for (const direction of ['toUpstream', 'toClient'] as const) {
          await assert.rejects(run.relay.inject('r1.c1', direction, Buffer.from('x')), {
            code: 'relayPairClosed',
            message: `Relay connection r1.c1 (${label}) is not open; nothing was sent.`,
          });
        }
        run.relay.closePair('r1.c1');
        await waitFor('the client to be closed', () => c.closed());
        await waitFor('the pair closed', () => run.closed.length === 1);
        run.relay.closePair('r1.c1');
        run.relay.closePair('r1.c9');
        assert.deepStrictEqual(
          run.closed.map((p) => [p.id, p.state]),
          [['r1.c1', 'closed']],
        );
        assert.deepStrictEqual(run.failures, []);
      } finally {
        run.relay.dispose();
      }
    } finally {
      await upstream.close();
    }
  });

  it('bufferedBytes counts what a stalled upstream has not taken yet, and nothing once closePair dropped it', async () => {
    const server = await rawServer('127.0.0.1', (s) => s.pause());
    const run = await startStreamRelay({ upstream: { host: '127.0.0.1', port: server.port } });
    try {
      const c = await rawConnect({ host: '127.0.0.1', port: run.port });
      const label = `127.0.0.1:${c.socket.localPort}`;
      await waitFor('the pair to open', () => run.relay.pairs()[0]?.state === 'open');
      // More than loopback's socket buffers hold: the rest waits in the relay's upstream socket.
      const sending = run.relay.inject('r1.c1', 'toUpstream', Buffer.alloc(32 * MiB, 0x61));
      // Node settles a write cut short by destroy() without an error: only that it settles is certain.
      const settled = sending.then(
        () => true,
        () => true,
      );
      await waitFor('bytes held by the relay', () => run.relay.bufferedBytes() > MiB);
      assert.ok(run.relay.bufferedBytes() <= 32 * MiB);
      run.relay.closePair('r1.c1');
      await waitFor('the pair closed', () => run.closed.length === 1);
      assert.strictEqual(run.relay.bufferedBytes(), 0);
      assert.strictEqual(await settled, true);
      await assert.rejects(run.relay.inject('r1.c1', 'toClient', Buffer.from('x')), {
        code: 'relayPairClosed',
        message: `Relay connection r1.c1 (${label}) is not open; nothing was sent.`,
      });
      await waitFor('the client to be closed', () => c.closed());
    } finally {
      run.relay.dispose();
      await server.close();
    }
  });

  it("inject toward a client the upstream's FIN already reached is refused with a sentence saying so", async () => {
    const server = await rawServer('127.0.0.1', (s) => s.end(), { allowHalfOpen: true });
    const run = await startStreamRelay({ upstream: { host: '127.0.0.1', port: server.port } });
    try {
      // Half-open, so that the client does not answer the FIN with its own and the pair stays open.
      const c = net.connect({ host: '127.0.0.1', port: run.port, allowHalfOpen: true });
      c.on('error', () => undefined);
      await new Promise((r) => c.once('connect', r));
      await waitFor("the upstream's FIN passed on", () => run.relay.pairs()[0]?.upstreamEnded === true);
      await assert.rejects(run.relay.inject('r1.c1', 'toClient', Buffer.from('x')), {
        code: 'relaySideEnded',
        message: `Relay connection r1.c1 (127.0.0.1:${c.localPort}) has already passed on the upstream’s FIN to the client; nothing more can be sent that way.`,
      });
      assert.strictEqual(await run.relay.inject('r1.c1', 'toUpstream', Buffer.from('still open')), 10);
      await waitFor('the upstream got it', () => server.received().toString() === 'still open');
      await assert.rejects(run.relay.inject('r1.c9', 'toUpstream', Buffer.from('x')), {
        code: 'unknownId',
        message: 'There is no connection r1.c9.',
      });
      c.destroy();
    } finally {
      run.relay.dispose();
      await server.close();
    }
  });

  it('resetSocket resets a TCP peer, closes a Unix peer (no reset there), and leaves a closed socket alone', async () => {
    const server = await rawServer();
    const { dir, remove } = tempDir();
    const unixPath = path.join(dir, 'peer.sock');
    const unixAccepted: net.Socket[] = [];
    const unixServer = net.createServer((s) => unixAccepted.push(s));
    await new Promise<void>((r) => unixServer.listen(unixPath, r));
    try {
      const tcp = await rawConnect({ host: '127.0.0.1', port: server.port });
      await waitFor('the server to accept', () => server.sockets.length === 1);
      let peerError: NodeJS.ErrnoException | undefined;
      server.sockets[0].on('error', (e) => (peerError = e));
      resetSocket(tcp.socket);
      assert.strictEqual(tcp.socket.destroyed, true);
      await waitFor('the reset at the peer', () => peerError);
      assert.strictEqual(peerError?.code, 'ECONNRESET');
      resetSocket(tcp.socket);

      const unix = await rawConnect({ path: unixPath });
      await waitFor('the Unix server to accept', () => unixAccepted.length === 1);
      let unixEnded = false;
      unixAccepted[0].on('end', () => (unixEnded = true));
      unixAccepted[0].resume();
      resetSocket(unix.socket);
      assert.strictEqual(unix.socket.destroyed, true);
      await waitFor('end-of-stream at the Unix peer', () => unixEnded);
    } finally {
      for (const s of unixAccepted) s.destroy();
      await new Promise((r) => unixServer.close(r));
      await server.close();
      remove();
    }
  });

  it('a port already taken is a sentence naming it and the operation', async () => {
    const taken = await rawServer();
    const relay = newRelay({ listen: { address: '127.0.0.1', port: taken.port } });
    try {
      await assert.rejects(relay.start(), (err: SocketLabError) => {
        assert.strictEqual(err.code, 'addressInUse');
        assert.strictEqual(
          err.message,
          `127.0.0.1:${taken.port} is already in use by another process; choose another port or stop that process.`,
        );
        assert.strictEqual(err.values.operation, 'listen');
        return true;
      });
      assert.strictEqual(relay.local, undefined);
    } finally {
      relay.dispose();
      await taken.close();
    }
  });

  it('a Unix path that is a plain file is refused, one in a missing folder is a sentence naming the path; a good one is the local address', async () => {
    const { dir, remove } = tempDir();
    const file = path.join(dir, 'plain.txt');
    fs.writeFileSync(file, 'not a socket');
    const missing = path.join(dir, 'no-such-folder', 'relay.sock');
    try {
      const onFile = newRelay({ listen: { path: file } });
      await assert.rejects(onFile.start(), { code: 'pathNotSocket' });
      onFile.dispose();
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'not a socket');

      const inMissing = newRelay({ listen: { path: missing } });
      await assert.rejects(inMissing.start(), (err: SocketLabError) => {
        assert.strictEqual(err.values.operation, 'listen');
        assert.strictEqual(err.values.target, missing);
        return true;
      });
      inMissing.dispose();

      const good = path.join(dir, 'relay.sock');
      const relay = newRelay({ listen: { path: good } });
      await relay.start();
      assert.deepStrictEqual(relay.local, { path: good });
      relay.dispose();
    } finally {
      remove();
    }
  });

  it("listening on '::' takes IPv4 clients too (dual stack)", async () => {
    const server = await rawServer('127.0.0.1', (s) => s.on('data', (d) => s.write(d)));
    const relay = newRelay({ listen: { address: '::', port: 0 }, upstream: { host: '127.0.0.1', port: server.port } });
    await relay.start();
    try {
      const port = (relay.local as { port: number }).port;
      const c = await rawConnect({ host: '127.0.0.1', port });
      c.socket.write('v4 to ::');
      await waitFor('the echo', () => c.received().toString() === 'v4 to ::');
      c.socket.destroy();
    } finally {
      relay.dispose();
      await server.close();
    }
  });

  it('stopped while starting: start rejects with a sentence and nothing is left listening', async () => {
    const relay = newRelay();
    const starting = relay.start();
    relay.dispose();
    await assert.rejects(starting, { code: 'stopped', message: 'Endpoint r1 was stopped while starting.' });
    assert.strictEqual(relay.local, undefined);
  });

  it('a relay never started can be stopped, twice', () => {
    const relay = newRelay();
    relay.dispose();
    relay.dispose();
    assert.deepStrictEqual(relay.pairs(), []);
    assert.strictEqual(relay.bufferedBytes(), 0);
  });
});
