import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { rejectsWith } from '../helpers/errors';
import { unchecked, withLab } from '../helpers/lab';
import { PEERS_DIR, startPeer, waitForOutput } from '../helpers/peers';
import { portOf, rawConnect, rawServer, type RawClient } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor, waitForSteady } from '../helpers/wait';

import type { RepeatEndEvent } from '../../src/core/sending';
import { SocketLab } from '../../src/core/socketLab';
import { stalledUpstream } from '../helpers/stalledUpstream';

const SEED_REPLY = '我是返回的数据';

for (const host of ['127.0.0.1', '::1']) {
  describe(`TCP listener on ${host}`, () => {
    it('reports the real port, accepts many clients with their own counters, sends to one or all, closes one', () =>
      withLab(async (lab) => {
        const info = await lab.startTcpListener({ host, port: 0 });
        assert.strictEqual(info.kind, 'tcp-listener');
        assert.strictEqual(info.state, 'listening');
        assert.ok(portOf(info) > 0);
        assert.strictEqual((info.local as { address: string }).address, host);
        const a = await rawConnect({ host, port: portOf(info) });
        const b = await rawConnect({ host, port: portOf(info) });
        await waitFor('two connections', () => lab.get(info.id)!.connections.length === 2);
        const [ca, cb] = lab.get(info.id)!.connections;
        assert.deepStrictEqual([ca.id, cb.id], [`${info.id}.c1`, `${info.id}.c2`]);
        assert.strictEqual((ca.remote as { port: number }).port, a.socket.localPort);
        a.socket.write('from a');
        await waitFor('bytes in', () => lab.get(info.id)!.bytesIn === 6);
        const rec = lab.traffic(ca.id);
        assert.strictEqual(rec.length, 1);
        assert.strictEqual(Buffer.from(rec[0].data).toString(), 'from a');
        assert.strictEqual(rec[0].direction, 'in');
        assert.strictEqual(rec[0].connectionId, ca.id);
        assert.strictEqual(lab.get(info.id)!.connections[0].bytesIn, 6);
        assert.strictEqual(lab.get(info.id)!.connections[1].bytesIn, 0);

        assert.deepStrictEqual(await lab.send({ target: cb.id, data: 'only b' }), { bytes: 6 });
        assert.deepStrictEqual(await lab.send({ target: info.id, data: 'all' }), { bytes: 6 });
        await waitFor('deliveries', () => b.received().toString() === 'only ball' && a.received().toString() === 'all');

        lab.stop({ id: ca.id });
        await waitFor('a closed', () => a.closed());
        await waitFor('c1 closed state', () => lab.get(info.id)!.connections[0].state === 'closed');
        assert.strictEqual(b.closed(), false);

        lab.stop({ id: info.id });
        assert.strictEqual(lab.get(info.id), undefined);
        await waitFor('b closed by stop', () => b.closed());
      }));

    it('auto-replies a fixed UTF-8 string like the seed server, logged as out', () =>
      withLab(async (lab) => {
        const info = await lab.startTcpListener({ host, port: 0, autoReply: { mode: 'fixed', data: SEED_REPLY } });
        const c = await rawConnect({ host, port: portOf(info) });
        c.socket.write('hello');
        await waitFor('reply', () => c.received().toString() === SEED_REPLY);
        const records = lab.traffic(info.id);
        assert.deepStrictEqual(
          records.map((r) => r.direction),
          ['in', 'out'],
        );
        assert.strictEqual(Buffer.from(records[1].data).toString(), SEED_REPLY);
        c.socket.destroy();
      }));

    it('a halfOpen client connects, sends and waits for the reply (send-and-wait), half-closes, sees the peer half-close', () =>
      withLab(async (lab) => {
        const server = await rawServer(
          host,
          (s) => s.on('data', (d) => s.write(Buffer.concat([Buffer.from('echo:'), d]))),
          { allowHalfOpen: true },
        );
        try {
          const client = await lab.connectTcp({
            host,
            port: server.port,
            noDelay: true,
            keepAlive: true,
            halfOpen: true,
            // The echo's size: the send-and-wait below ends as soon as it is in, however loaded the machine.
            framing: { mode: 'fixed', size: 9 },
          });
          assert.strictEqual(client.state, 'connected');
          assert.strictEqual(client.halfOpen, true);
          assert.deepStrictEqual(client.remote, { address: host, port: server.port });
          const r = await lab.send({ target: client.id, data: 'ping', waitMs: 10_000 });
          assert.strictEqual(Buffer.from(r.reply!).toString(), 'echo:ping');
          // Peer half-closes: we are told, and (halfOpen) we may still send.
          server.sockets[0].end();
          await waitFor('peerEnded', () => lab.get(client.id)!.peerEnded === true);
          assert.strictEqual(lab.get(client.id)!.state, 'connected');
          await lab.send({ target: client.id, data: 'after-fin' });
          await waitFor('data after the peer FIN', () => server.received().toString().endsWith('after-fin'));
          // We half-close: the endpoint closes once both sides are done.
          lab.halfClose({ id: client.id });
          await waitFor('closed', () => lab.get(client.id)!.state === 'closed');
          assert.strictEqual(lab.get(client.id)!.errorCode, 'closedByPeer');
          await rejectsWith(lab.send({ target: client.id, data: 'x' }), 'endpointClosed');
        } finally {
          await server.close();
        }
      }));

    it('a client whose server closed becomes closed once its queued data is written, and refuses a send with a sentence', () =>
      withLab(async (lab) => {
        const server = await rawServer(host, undefined, { allowHalfOpen: true });
        try {
          const client = await lab.connectTcp({ host, port: server.port });
          assert.strictEqual(client.halfOpen, undefined);
          await waitFor('accepted', () => server.sockets.length === 1);
          // Queued before the FIN arrives: it is still written before the client closes.
          const queued = lab.send({ target: client.id, data: Buffer.alloc(256 * 1024, 0x71).toString('latin1') });
          server.sockets[0].end();
          await waitFor('closed after the server closed', () => lab.get(client.id)!.state === 'closed');
          await queued;
          await waitFor('queued data arrived', () => server.received().length === 256 * 1024);
          const info = lab.get(client.id)!;
          assert.strictEqual(info.errorCode, 'closedByPeer');
          assert.match(info.error!, /^(127\.0\.0\.1|\[::1\]):\d+ closed the connection\.$/);
          await rejectsWith(
            lab.send({ target: client.id, data: 'x' }),
            'endpointClosed',
            /is closed \(.+ closed the connection\.\); restart it first\.$/,
          );
        } finally {
          await server.close();
        }
      }));

    it('reports a reset by the peer as state error with the sentence, and stays in list until stopped', () =>
      withLab(async (lab) => {
        const server = await rawServer(host);
        try {
          const client = await lab.connectTcp({ host, port: server.port });
          await waitFor('accepted', () => server.sockets.length === 1);
          server.sockets[0].resetAndDestroy();
          await waitFor('error state', () => lab.get(client.id)!.state === 'error');
          const info = lab.get(client.id)!;
          assert.strictEqual(info.errorCode, 'connectionReset');
          assert.match(info.error!, /was reset by the peer/);
          lab.stop({ id: client.id });
          assert.strictEqual(lab.list().length, 0);
        } finally {
          await server.close();
        }
      }));

    it('binds the local address and port of a client (ncat -s / -p)', () =>
      withLab(async (lab) => {
        const server = await rawServer(host);
        const probe = net.createServer();
        await new Promise<void>((r) => probe.listen(0, host, r));
        const freePort = (probe.address() as net.AddressInfo).port;
        await new Promise((r) => probe.close(r));
        try {
          const client = await lab.connectTcp({ host, port: server.port, localAddress: host, localPort: freePort });
          assert.deepStrictEqual(client.local, { address: host, port: freePort });
          await waitFor('accepted', () => server.sockets.length === 1);
          assert.strictEqual(server.sockets[0].remotePort, freePort);
        } finally {
          await server.close();
        }
      }));

    it('refuses a port in use with the address in the sentence and opens nothing', () =>
      withLab(async (lab) => {
        const first = await lab.startTcpListener({ host, port: 0 });
        const shown = host.includes(':') ? `[${host}]:${portOf(first)}` : `${host}:${portOf(first)}`;
        await rejectsWith(
          lab.startTcpListener({ host, port: portOf(first) }),
          'addressInUse',
          new RegExp(
            `^${shown.replace(/[[\]]/g, '\\$&')} is already in use by Socket Lab's own TCP ${shown.replace(/[[\]]/g, '\\$&')}; stop it or choose another port\\.$`,
          ),
        );
        assert.strictEqual(lab.list().length, 1);
      }));

    it('a refused connect creates no endpoint', () =>
      withLab(async (lab) => {
        const probe = net.createServer();
        await new Promise<void>((r) => probe.listen(0, host, r));
        const port = (probe.address() as net.AddressInfo).port;
        await new Promise((r) => probe.close(r));
        await rejectsWith(lab.connectTcp({ host, port }), 'connectionRefused', /Nothing is listening at/);
        assert.deepStrictEqual(lab.list(), []);
      }));
  });
}

describe('TCP behaviours', () => {
  it('times out a connect that never completes, leaving nothing open', async function () {
    this.timeout(15000);
    const upstream = await stalledUpstream(8);
    try {
      const port = upstream.port;
      await withLab(async (lab) => {
        await rejectsWith(
          lab.connectTcp({ port, timeoutMs: 300 }),
          'timedOut',
          /^Connecting to 127\.0\.0\.1:\d+ timed out after 300 ms/,
        );
        assert.deepStrictEqual(lab.list(), []);
      });
    } finally {
      await upstream.close();
    }
  });

  it('resolves host names through the injected lookup and reports the address; failures name the host', async () => {
    const lookup = ((
      hostname: string,
      _o: unknown,
      cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
    ) => {
      if (hostname === 'device.test') cb(null, '127.0.0.1', 4);
      else cb(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }), '', 0);
    }) as unknown as net.LookupFunction;
    await withLab(
      async (lab) => {
        const l = await lab.startTcpListener({ host: 'device.test', port: 0 });
        assert.strictEqual(l.host, 'device.test');
        assert.strictEqual((l.local as { address: string }).address, '127.0.0.1');
        const c = await lab.connectTcp({ host: 'device.test', port: portOf(l) });
        assert.deepStrictEqual(c.remote, { address: '127.0.0.1', port: portOf(l) });
        await rejectsWith(
          lab.connectTcp({ host: 'nowhere.test', port: 80 }),
          'hostNotFound',
          /^Host name 'nowhere\.test' could not be resolved \(ENOTFOUND\)/,
        );
        assert.strictEqual(lab.list().length, 2);
      },
      { lookup },
    );
  });

  it('validates every argument field and names it', () =>
    withLab(async (lab) => {
      await rejectsWith(lab.startTcpListener(unchecked({ port: 'abc' })), 'invalidPort', /port/i);
      await rejectsWith(lab.startTcpListener({ port: 70000 }), 'invalidPort');
      await rejectsWith(lab.startTcpListener({ host: '', port: 0 }), 'invalidHost');
      await rejectsWith(lab.startTcpListener(unchecked({ port: 0, colour: 'red' })), 'unknownField', /colour/);
      await rejectsWith(lab.startTcpListener(unchecked({ port: 0, autoReply: { mode: 'nope' } })), 'invalidAutoReply');
      await rejectsWith(lab.startTcpListener(unchecked(undefined)), 'invalidArgument');
      await rejectsWith(lab.connectTcp({ port: 0 }), 'invalidArgument', /port/);
      await rejectsWith(lab.startTcpListener({ host: '0.0.0.0', port: 0 }), 'externalBindNotAllowed', /allowExternal/);
      await rejectsWith(lab.send({ target: 'e99', data: 'x' }), 'unknownId');
      const l = await lab.startTcpListener({ port: 0 });
      await rejectsWith(lab.send({ target: l.id, data: 'x' }), 'noConnections');
      await rejectsWith(lab.send({ target: l.id, data: 'x', repeat: { intervalMs: 10 } }), 'noConnections');
      assert.deepStrictEqual(lab.activeRepeats(), []);
      await rejectsWith(lab.send({ target: l.id, data: 'zz', format: 'hex' }), 'hexBadChar');
      await rejectsWith(lab.send({ target: l.id, data: 'x', waitMs: -1 }), 'invalidWait');
      await rejectsWith(lab.send({ target: l.id, data: 'x', repeat: { intervalMs: 0 } }), 'repeatNeedsCount');
      await rejectsWith(lab.send({ target: l.id, data: 'x', to: { host: '127.0.0.1', port: 1 } }), 'toNotAllowed');
      assert.strictEqual(lab.list().length, 1);
    }));

  it('binds 0.0.0.0 and :: with allowExternal', () =>
    withLab(async (lab) => {
      const v4 = await lab.startTcpListener({ host: '0.0.0.0', port: 0, allowExternal: true });
      const v6 = await lab.startTcpListener({ host: '::', port: 0, allowExternal: true });
      const c = await rawConnect({ host: '127.0.0.1', port: portOf(v6) });
      await waitFor('dual-stack accept', () => lab.get(v6.id)!.connections.length === 1);
      assert.strictEqual((lab.get(v4.id)!.local as { address: string }).address, '0.0.0.0');
      c.socket.destroy();
    }));

  it('repeats a send every N ms M times, and back to back with backpressure', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const peer = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      await waitFor('accepted', () => lab.get(l.id)!.connections.length === 1);
      const ends: string[] = [];
      lab.onDidEndRepeat((e) => ends.push(e.repeatId));
      const r = await lab.send({ target: `${l.id}.c1`, data: 'ab', repeat: { intervalMs: 10, count: 5 } });
      assert.strictEqual(r.bytes, 2);
      assert.ok(r.repeatId);
      assert.strictEqual(lab.activeRepeats()[0].id, r.repeatId);
      await waitFor('5 payloads', () => peer.received().length === 10);
      await waitFor('repeat ended', () => ends.length === 1);
      assert.deepStrictEqual(lab.activeRepeats(), []);
      const payload = 'x'.repeat(1000);
      await lab.send({ target: l.id, data: payload, repeat: { intervalMs: 0, count: 2000 } });
      await waitFor('back-to-back payloads', () => peer.received().length === 10 + 2000 * 1000, 10000);
      assert.strictEqual(lab.get(l.id)!.messagesOut, 5 + 2000);
      peer.socket.destroy();
    }));

  it('a back-to-back repeat to a peer that does not read stalls on backpressure instead of queueing', async function () {
    this.timeout(10000);
    await withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const peer = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      peer.socket.pause();
      await waitFor('accepted', () => lab.get(l.id)!.connections.length === 1);
      const total = 200 * 1024 * 1024;
      const r = await lab.send({
        target: `${l.id}.c1`,
        data: 'q'.repeat(1024),
        repeat: { intervalMs: 0, count: total / 1024 },
      });
      // The repeat fills the kernel buffers and one stream high-water mark, then waits for 'drain': it settles.
      const stalled = await waitForSteady('the repeat to stall on backpressure', () => lab.get(l.id)!.bytesOut);
      // Only kernel buffers plus one stream high-water mark can be in flight: far below the 200 MiB asked for.
      assert.ok(stalled > 0 && stalled < 64 * 1024 * 1024, `queued ${stalled} bytes`);
      assert.strictEqual(lab.activeRepeats().length, 1, 'the repeat waits, it did not give up');
      // It was waiting for the peer: once the peer reads, sending goes on.
      peer.socket.resume();
      await waitFor('sending resumes once the peer reads', () => lab.get(l.id)!.bytesOut > stalled + 4 * 1024 * 1024);
      lab.stopRepeat({ repeatId: r.repeatId! });
      peer.socket.destroy();
    });
  });

  it('stops a repeat on request and when its connection closes', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const peer = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      await waitFor('accepted', () => lab.get(l.id)!.connections.length === 1);
      const a = await lab.send({ target: `${l.id}.c1`, data: 'a', repeat: { intervalMs: 5 } });
      await waitFor('a few sends', () => peer.received().length >= 3);
      lab.stopRepeat({ repeatId: a.repeatId! });
      assert.deepStrictEqual(lab.activeRepeats(), []);
      const b = await lab.send({ target: `${l.id}.c1`, data: 'b', repeat: { intervalMs: 60_000 } });
      assert.strictEqual(lab.activeRepeats().length, 1);
      peer.socket.destroy();
      await waitFor('repeat ended by close', () => lab.activeRepeats().length === 0);
      assert.throws(() => lab.stopRepeat({ repeatId: b.repeatId! }), /There is no running repeat/);
    }));

  it('sends a file with backpressure and refuses a missing file or a folder', () =>
    withLab(async (lab) => {
      const t = tempDir();
      try {
        const file = path.join(t.dir, 'blob.bin');
        const content = Buffer.alloc(3 * 1024 * 1024 + 7);
        for (let i = 0; i < content.length; i++) content[i] = i % 251;
        fs.writeFileSync(file, content);
        const l = await lab.startTcpListener({ port: 0 });
        const peer = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
        await waitFor('accepted', () => lab.get(l.id)!.connections.length === 1);
        assert.deepStrictEqual(await lab.sendFile({ target: `${l.id}.c1`, path: file }), { bytes: content.length });
        await waitFor('whole file', () => peer.received().length === content.length);
        assert.ok(peer.received().equals(content));
        await rejectsWith(
          lab.sendFile({ target: l.id, path: path.join(t.dir, 'missing') }),
          'fileNotFound',
          /missing does not exist/,
        );
        await rejectsWith(lab.sendFile({ target: l.id, path: t.dir }), 'isDirectory', /is a folder/);
        peer.socket.destroy();
      } finally {
        t.remove();
      }
    }));

  it('restarts an endpoint with the same id and settings', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0, autoReply: { mode: 'echo' } });
      const c = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const again = await lab.restart({ id: l.id });
      assert.strictEqual(again.id, l.id);
      assert.strictEqual(again.state, 'listening');
      assert.strictEqual(again.autoReply, true);
      assert.strictEqual(again.connections.length, 0);
      await waitFor('old connection closed by restart', () => c.closed());
      const d = await rawConnect({ host: '127.0.0.1', port: portOf(again) });
      d.socket.write('hi');
      await waitFor('echo after restart', () => d.received().toString() === 'hi');
      d.socket.destroy();
      assert.deepStrictEqual(
        lab.list().map((e) => e.id),
        [l.id],
      );
    }));

  it('bounds the log by its cap; counters never change by eviction; clearLog keeps counters', () =>
    withLab(
      async (lab) => {
        const l = await lab.startTcpListener({ port: 0 });
        const c = await lab.connectTcp({ port: portOf(l) });
        for (let i = 0; i < 50; i++) await lab.send({ target: c.id, data: 'y'.repeat(1000) });
        await waitFor('all bytes in', () => lab.get(l.id)!.bytesIn === 50_000);
        const info = lab.get(c.id)!;
        assert.strictEqual(info.messagesOut, 50);
        assert.strictEqual(info.bytesOut, 50_000);
        assert.ok(info.dropped > 0);
        const held = lab.traffic(c.id);
        assert.ok(held.length * 1064 <= 4096);
        lab.clearLog({ id: c.id });
        assert.strictEqual(lab.traffic(c.id).length, 0);
        assert.strictEqual(lab.get(c.id)!.bytesOut, 50_000);
      },
      { logCapBytes: 4096 },
    ));

  it('fires traffic per record but endpoint changes only on state changes', () =>
    withLab(async (lab) => {
      const changes: string[] = [];
      let records = 0;
      lab.onDidChangeEndpoints((id) => changes.push(id));
      lab.onDidTraffic(() => records++);
      const l = await lab.startTcpListener({ port: 0 });
      const c = await lab.connectTcp({ port: portOf(l) });
      await waitFor('accepted', () => lab.get(l.id)!.connections.length === 1);
      const before = changes.length;
      for (let i = 0; i < 100; i++) await lab.send({ target: c.id, data: 'z' });
      await waitFor('bytes in', () => lab.get(l.id)!.messagesIn >= 1 && lab.get(l.id)!.bytesIn === 100);
      assert.ok(records >= 101);
      assert.strictEqual(changes.length, before);
    }));

  it('list() lists 10,000 connections, and keeps only the last closed ones when they go (its time is a figure; npm run bench measures it)', async function () {
    this.timeout(60000);
    await withLab(async (lab) => {
      const N = 10_000;
      const l = await lab.startTcpListener({ port: 0, backlog: 4096, maxConnections: 20000 });
      // The clients live in another process so this one only spends one descriptor per accepted connection.
      const clients = startPeer('python3', [
        path.join(PEERS_DIR, 'many_clients.py'),
        '127.0.0.1',
        String(portOf(l)),
        String(N),
      ]);
      try {
        await waitForOutput(clients, /ready/, 30000);
        await waitFor('all accepted', () => lab.get(l.id)!.connections.length === N, 20000);
        let worst = 0;
        for (let i = 0; i < 5; i++) {
          const t0 = process.hrtime.bigint();
          const list = lab.list();
          worst = Math.max(worst, Number(process.hrtime.bigint() - t0) / 1e6);
          assert.strictEqual(list[0].connections.length, N);
        }
        console.log(`      [figure] list() with ${N} connections: slowest of 5 calls ${worst.toFixed(1)} ms`);
      } finally {
        clients.child.stdin!.end();
        await clients.exited();
      }
      await waitFor('all closed', () => lab.get(l.id)!.connections.every((c) => c.state === 'closed'), 20000);
      assert.ok(lab.get(l.id)!.connections.length <= 100, 'only the last closed connections are kept');
    });
  });

  it('captures to a file past the log cap (JSON Lines), keeps capture across setCapture changes', () =>
    withLab(
      async (lab) => {
        const t = tempDir();
        try {
          const file = path.join(t.dir, 'cap.jsonl');
          const l = await lab.startTcpListener({
            port: 0,
            capture: { path: path.join(t.dir, 'listener.bin'), format: 'raw' },
          });
          assert.strictEqual(l.capturePath, path.join(t.dir, 'listener.bin'));
          const c = await lab.connectTcp({ port: portOf(l) });
          await lab.setCapture(c.id, { path: file, format: 'jsonl' });
          for (let i = 0; i < 40; i++) await lab.send({ target: c.id, data: `msg${i};` });
          await waitFor('all in', () => lab.get(l.id)!.bytesIn === lab.get(c.id)!.bytesOut);
          assert.ok(lab.get(c.id)!.dropped > 0, 'the log alone lost records');
          await lab.setCapture(c.id, undefined);
          await lab.setCapture(l.id, undefined);
          const expected = Array.from({ length: 40 }, (_, i) => `msg${i};`).join('');
          assert.strictEqual(fs.readFileSync(path.join(t.dir, 'listener.bin'), 'utf8'), expected);
          const captured = fs
            .readFileSync(file, 'utf8')
            .trim()
            .split('\n')
            .map((line) => Buffer.from(JSON.parse(line).data, 'base64').toString())
            .join('');
          assert.strictEqual(captured, expected);
        } finally {
          t.remove();
        }
      },
      { logCapBytes: 512 },
    ));

  it('maxConnections: past the limit a new connection is closed at once and counted; a closed one frees its slot', () =>
    withLab(async (lab) => {
      const dflt = await lab.startTcpListener({ port: 0 });
      assert.strictEqual(dflt.maxConnections, 1000, 'the default limit is shown');
      const l = await lab.startTcpListener({ port: 0, maxConnections: 3 });
      assert.strictEqual(l.maxConnections, 3);
      const clients: RawClient[] = [];
      for (let i = 0; i < 3; i++) clients.push(await rawConnect({ host: '127.0.0.1', port: portOf(l) }));
      await waitFor('three accepted', () => lab.get(l.id)!.connections.length === 3);
      const extra: RawClient[] = [];
      for (let i = 0; i < 4; i++) extra.push(await rawConnect({ host: '127.0.0.1', port: portOf(l) }));
      await waitFor('the four extra ones closed by the listener', () => extra.every((c) => c.closed()));
      const info = lab.get(l.id)!;
      assert.strictEqual(info.refusedConnections, 4);
      assert.strictEqual(info.connections.length, 3, 'refused connections are not listed');
      clients[0].socket.destroy();
      await waitFor(
        'a slot freed',
        () => lab.get(l.id)!.connections.filter((c) => c.state === 'connected').length === 2,
      );
      const again = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      again.socket.write('in');
      await waitFor('served again', () => lab.get(l.id)!.bytesIn === 2);
      assert.strictEqual(lab.get(l.id)!.refusedConnections, 4);
      for (const c of [...clients, again]) c.socket.destroy();
      await rejectsWith(
        lab.startTcpListener({ port: 0, maxConnections: 0 }),
        'invalidArgument',
        /Connection limit \(maxConnections\)/,
      );
    }));

  it('auto-replies on a client too, and half-closes one accepted connection', () =>
    withLab(async (lab) => {
      // Frames of the reply's size: the send-and-wait ends as soon as 'ack' is in, however loaded the machine.
      const l = await lab.startTcpListener({ port: 0, framing: { mode: 'fixed', size: 3 } });
      const c = await lab.connectTcp({ port: portOf(l), autoReply: { mode: 'fixed', data: 'ack' }, halfOpen: true });
      await waitFor('accepted', () => lab.get(l.id)!.connections.length === 1);
      const r = await lab.send({ target: `${l.id}.c1`, data: 'cmd', waitMs: 10_000 });
      assert.strictEqual(Buffer.from(r.reply!).toString(), 'ack');
      lab.halfClose({ id: `${l.id}.c1` });
      await waitFor('client sees FIN', () => lab.get(c.id)!.peerEnded === true);
      assert.strictEqual(lab.get(l.id)!.connections[0].localEnded, true);
      await rejectsWith(lab.send({ target: `${l.id}.c1`, data: 'x' }), 'connectionEnded', /half-closed by this side/);
      await lab.send({ target: c.id, data: 'still open that way' });
      await waitFor('client may still send', () => lab.get(l.id)!.bytesIn === 3 + 19);
    }));

  it('a throwing event listener is reported and breaks nothing', async () => {
    const reported: unknown[] = [];
    await withLab(
      async (lab) => {
        lab.onDidTraffic(() => {
          throw new Error('listener bug');
        });
        lab.onDidChangeEndpoints(() => {
          throw new Error('listener bug');
        });
        const l = await lab.startTcpListener({ port: 0, autoReply: { mode: 'echo' } });
        const c = await lab.connectTcp({ port: portOf(l), framing: { mode: 'fixed', size: 11 } });
        const r = await lab.send({ target: c.id, data: 'still works', waitMs: 10_000 });
        assert.strictEqual(Buffer.from(r.reply!).toString(), 'still works');
      },
      { onListenerError: (err) => reported.push(err) },
    );
    assert.ok(reported.length >= 4);
  });

  it('dispose() stops everything and is idempotent', async () => {
    const lab = new SocketLab();
    const l = await lab.startTcpListener({ port: 0 });
    const c = await lab.connectTcp({ port: portOf(l) });
    await lab.send({ target: c.id, data: 'x', repeat: { intervalMs: 1000 } });
    lab.dispose();
    lab.dispose();
    assert.deepStrictEqual(lab.list(), []);
    assert.deepStrictEqual(lab.activeRepeats(), []);
    await rejectsWith(lab.startTcpListener({ port: 0 }), 'disposed');
  });
});

/** A plain Node client that keeps its side open after our FIN (as a half-duplex peer does) and records what it sees. */
async function halfOpenPeer(
  port: number,
): Promise<{ socket: net.Socket; received: () => Buffer; ended: () => boolean; closed: () => boolean }> {
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  const chunks: Buffer[] = [];
  let ended = false;
  let closed = false;
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('end', () => (ended = true));
  socket.on('close', () => (closed = true));
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  return { socket, received: () => Buffer.concat(chunks), ended: () => ended, closed: () => closed };
}

describe('TCP where two features meet', () => {
  it('echo after our own FIN: later messages are received, never answered, and the connection lives on', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0, autoReply: { mode: 'echo' } });
      const peer = await halfOpenPeer(portOf(l));
      await waitFor('accepted', () => lab.get(l.id)!.connections.length === 1);
      const id = `${l.id}.c1`;
      peer.socket.write('before');
      await waitFor('echo before the FIN', () => peer.received().toString() === 'before');
      lab.halfClose({ id });
      await waitFor('our FIN reaches the peer', () => peer.ended());
      peer.socket.write('after one');
      await waitFor('first message after our FIN', () => lab.get(l.id)!.connections[0].bytesIn === 15);
      // A write after our end would have failed the socket: a second message must still arrive.
      peer.socket.write('after two');
      await waitFor('second message after our FIN', () => lab.get(l.id)!.connections[0].bytesIn === 24);
      const conn = lab.get(l.id)!.connections[0];
      assert.strictEqual(conn.state, 'connected');
      assert.strictEqual(conn.error, undefined);
      assert.deepStrictEqual(
        lab.traffic(id).map((r) => `${r.direction} ${Buffer.from(r.data).toString()}`),
        ['in before', 'out before', 'in after one', 'in after two'],
      );
      peer.socket.end();
      await waitFor('closed once the peer finished', () => lab.get(l.id)!.connections[0].state === 'closed');
      assert.strictEqual(lab.get(l.id)!.connections[0].error, undefined);
      assert.strictEqual(peer.received().toString(), 'before');
    }));

  it('a repeat ended by a failed send reports exactly the sends that went out (stream path)', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const peer = await halfOpenPeer(portOf(l));
      await waitFor('accepted', () => lab.get(l.id)!.connections.length === 1);
      const ends: RepeatEndEvent[] = [];
      lab.onDidEndRepeat((e) => ends.push(e));
      await lab.send({ target: `${l.id}.c1`, data: 'r', repeat: { intervalMs: 20, count: 1000 } });
      await waitFor('a few sends', () => peer.received().length >= 3);
      lab.halfClose({ id: `${l.id}.c1` });
      await waitFor('repeat ended', () => ends.length === 1);
      // Our FIN comes after every byte that was handed over, so the peer now holds all of them.
      await waitFor('our FIN reaches the peer', () => peer.ended());
      assert.match(ends[0].error ?? '', /half-closed by this side/);
      const received = peer.received().length;
      assert.ok(received < 1000, `${received} sends: the repeat ended early`);
      assert.strictEqual(ends[0].sent, received);
      assert.strictEqual(lab.traffic(`${l.id}.c1`).filter((r) => r.direction === 'out').length, received);
      peer.socket.end();
    }));

  it('send to all skips a client that already closed and one we half-closed, and sends to the rest', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const gone = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      await waitFor('first accepted', () => lab.get(l.id)!.connections.length === 1);
      const finished = await halfOpenPeer(portOf(l));
      await waitFor('second accepted', () => lab.get(l.id)!.connections.length === 2);
      const open = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      await waitFor('third accepted', () => lab.get(l.id)!.connections.length === 3);
      gone.socket.end();
      await waitFor('the first is closed', () => lab.get(l.id)!.connections[0].state === 'closed');
      lab.halfClose({ id: `${l.id}.c2` });
      await waitFor('our FIN reaches the second', () => finished.ended());
      assert.deepStrictEqual(await lab.send({ target: l.id, data: 'all' }), { bytes: 3 });
      await waitFor('the open client got it', () => open.received().toString() === 'all');
      assert.strictEqual(gone.received().length, 0);
      assert.strictEqual(finished.received().length, 0);
      // Once none is left open, the sentence says so.
      open.socket.end();
      await waitFor('the third is closed', () => lab.get(l.id)!.connections[2].state === 'closed');
      await rejectsWith(lab.send({ target: l.id, data: 'x' }), 'noConnections', /no connected clients/);
      finished.socket.end();
    }));
});
