// Integrity, load and hostile peers: byte-exact bulk transfer, UDP counters against the kernel, many
// clients, open/close cycles without leaks, floods and catastrophic regexes from a peer.
// Every loop is bounded in count and time; peers run in other processes; loopback only.
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { SocketLab } from '../../src/core/socketLab';
import { figure } from '../helpers/figures';
import { withLab } from '../helpers/lab';
import { PEERS_DIR, startPeer, waitForOutput } from '../helpers/peers';
import { activeResources, descriptorsByKind } from '../helpers/processHandles';
import { portOf, rawConnect } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { sleep, waitFor } from '../helpers/wait';
import '../helpers/noLeaks';
import { skipOrFail } from '../helpers/require';

/** The kernel's drop counter of the UDP socket bound to `port` (last column of /proc/net/udp). */
function udpDrops(port: number): number {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of fs.readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols[1]?.endsWith(hexPort)) return Number(cols[cols.length - 1]);
  }
  throw new Error(`no UDP socket on port ${port} in /proc/net/udp`);
}

const linux = process.platform === 'linux';

describe('integrity and load', function () {
  this.timeout(120000);

  it('1 GiB through an echo listener comes back byte-exact (SHA-256 both directions, client in another process)', async function () {
    if (!linux) this.skip();
    const TOTAL = 1 << 30;
    await withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0, autoReply: { mode: 'echo' } });
      const inHash = crypto.createHash('sha256');
      const outHash = crypto.createHash('sha256');
      const sub = lab.onDidTraffic(({ record }) => (record.direction === 'in' ? inHash : outHash).update(record.data));
      const t0 = Date.now();
      const client = startPeer('python3', [
        path.join(PEERS_DIR, 'hash_echo_client.py'),
        '127.0.0.1',
        String(portOf(l)),
        String(TOTAL),
        '90',
      ]);
      try {
        const line = await waitForOutput(client, /^\{.*\}$/m, 100000);
        const r = JSON.parse(line[0]) as {
          sent: number;
          received: number;
          sentSha: string;
          receivedSha: string;
          seconds: number;
        };
        const seconds = (Date.now() - t0) / 1000;
        assert.strictEqual(r.sent, TOTAL);
        assert.strictEqual(r.received, TOTAL, 'the echo came back short');
        const info = lab.get(l.id)!;
        assert.strictEqual(info.bytesIn, TOTAL, 'bytesIn');
        assert.strictEqual(info.bytesOut, TOTAL, 'bytesOut');
        assert.strictEqual(
          inHash.digest('hex'),
          r.sentSha,
          'what the listener received differs from what the client sent',
        );
        assert.strictEqual(outHash.digest('hex'), r.sentSha, 'what the listener echoed differs from what it received');
        assert.strictEqual(r.receivedSha, r.sentSha, 'what the client got back differs from what it sent');
        assert.ok(
          info.dropped > 0 && lab.traffic(l.id).reduce((n, x) => n + x.data.byteLength, 0) <= 8 << 20,
          'the log stayed within its cap',
        );
        figure(
          '1 GiB echo',
          `${seconds.toFixed(1)} s, ${((2 * TOTAL) / seconds / 1e6).toFixed(0)} MB/s both directions together, ${info.messagesIn} chunks in, ${info.dropped} log records evicted, sha256 ${r.sentSha.slice(0, 16)}…`,
        );
      } finally {
        sub.dispose();
        await client.kill();
      }
    });
  });

  it('a peer that floods an echo listener and never reads cannot grow memory: reading pauses (bounded by socket buffers)', async function () {
    await withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0, autoReply: { mode: 'echo' } });
      const rss0 = process.memoryUsage().rss;
      const flooder = startPeer('python3', [
        path.join(PEERS_DIR, 'flood_no_read.py'),
        '127.0.0.1',
        String(portOf(l)),
        '3',
        String(512 << 20),
      ]);
      try {
        const accepted = Number((await waitForOutput(flooder, /^(\d+)$/m, 10000))[1]);
        const info = lab.get(l.id)!;
        const growth = process.memoryUsage().rss - rss0;
        figure(
          'flood without reading (3 s, echo)',
          `peer got ${(accepted / 1e6).toFixed(1)} MB into the kernel, listener read ${(info.bytesIn / 1e6).toFixed(1)} MB, RSS change ${growth >= 0 ? '+' : ''}${(growth / 1e6).toFixed(0)} MB`,
        );
        assert.ok(
          info.bytesIn < 64 << 20,
          `the listener kept reading (${info.bytesIn} bytes) from a peer that reads nothing`,
        );
        assert.strictEqual(info.bytesIn, info.bytesOut, 'every byte read was echoed');
        lab.stop({ id: l.id });
      } finally {
        await flooder.kill();
      }
    });
  });

  it('a peer feeding a catastrophic auto-reply regex over TCP cannot stall the event loop: matching is linear', async () => {
    await withLab(async (lab) => {
      const l = await lab.startTcpListener({
        port: 0,
        autoReply: {
          mode: 'rules',
          rules: [
            { regex: '^(a+)+$', reply: { data: 'x' } },
            { contains: 'ping', reply: { data: 'pong' } },
          ],
        },
      });
      let stalled = 0;
      let last = Date.now();
      const probe = setInterval(() => {
        const now = Date.now();
        stalled += Math.max(0, now - last - 20);
        last = now;
      }, 10);
      const c = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      try {
        for (let i = 0; i < 30; i++) {
          c.socket.write(`${'a'.repeat(40)}!`);
          await sleep(5);
        }
        await waitFor('hostile messages in', () => lab.get(l.id)!.bytesIn >= 30 * 41, 20000);
        const t0 = Date.now();
        c.socket.write('ping');
        await waitFor('the other rule still answers', () => c.received().toString().endsWith('pong'), 5000);
        figure(
          'catastrophic regex flood',
          `30 messages stalled the event loop ${stalled} ms in total; a later rule answered in ${Date.now() - t0} ms`,
        );
        assert.ok(stalled < 1500, `the event loop stalled ${stalled} ms`);
        assert.strictEqual(lab.get(l.id)!.autoReplyRulesOff, undefined);
      } finally {
        clearInterval(probe);
        c.socket.destroy();
      }
    });
  });

  it('100,000 UDP datagrams: counters equal what the kernel delivered; log eviction never changes counters', async function () {
    if (!linux) this.skip();
    const N = 100_000;
    const SIZE = 64;
    await withLab(
      async (lab) => {
        const u = await lab.startUdpListener({ port: 0 });
        const port = portOf(u);
        const t0 = Date.now();
        const sender = startPeer('python3', [
          path.join(PEERS_DIR, 'udp_sender.py'),
          '127.0.0.1',
          String(port),
          String(N),
          String(SIZE),
        ]);
        const sent = Number((await waitForOutput(sender, /^(\d+)$/m, 60000))[1]);
        await sender.exited();
        // Everything the kernel queued for the socket is read within a moment once the sender stops.
        let last = -1;
        await waitFor(
          'the socket drained',
          () => {
            const now = lab.get(u.id)!.messagesIn;
            const still = now === last;
            last = now;
            return still && now + udpDrops(port) === sent;
          },
          20000,
        );
        const info = lab.get(u.id)!;
        const drops = udpDrops(port);
        const held = lab.traffic(u.id).length;
        figure(
          '100,000 UDP datagrams',
          `${sent} sent in ${((Date.now() - t0) / 1000).toFixed(1)} s; socket counted ${info.messagesIn}, kernel dropped ${drops} (receive buffer full); log holds ${held}, evicted ${info.dropped}`,
        );
        assert.strictEqual(info.messagesIn + drops, sent, 'received + dropped by the kernel = sent');
        assert.strictEqual(info.bytesIn, info.messagesIn * SIZE);
        assert.strictEqual(info.connections.length, 1);
        assert.strictEqual(info.connections[0].messagesIn, info.messagesIn, 'the peer counters agree');
        assert.ok(info.dropped > 0, 'the small cap evicted records');
        assert.strictEqual(
          held + info.dropped,
          info.messagesIn,
          'held + evicted = received: eviction loses records, never counts',
        );
        lab.clearLog({ id: u.id });
        assert.strictEqual(lab.get(u.id)!.messagesIn, info.messagesIn, 'clearLog keeps counters');
      },
      { logCapBytes: 256 * 1024 },
    );
  });

  it('UDP datagrams from 12,000 source ports: peers are capped at 10,000 (oldest forgotten), counters keep every datagram', async function () {
    if (!linux) this.skip();
    await withLab(async (lab) => {
      const u = await lab.startUdpListener({ port: 0 });
      // Sockets stay open so that every datagram has its own source port (a closed one may be reused).
      const script =
        'import resource,socket,sys\nh=resource.getrlimit(resource.RLIMIT_NOFILE)[1]\nresource.setrlimit(resource.RLIMIT_NOFILE,(min(h,13000),h))\nk=[]\nfor i in range(12000):\n  s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.sendto(b"p",("127.0.0.1",int(sys.argv[1]))); k.append(s)\nprint("done",flush=True)\nsys.stdin.read()';
      const sender = startPeer('python3', ['-c', script, String(portOf(u))]);
      await waitForOutput(sender, /done/, 30000);
      sender.child.stdin!.end();
      await sender.exited();
      await waitFor('all datagrams counted', () => lab.get(u.id)!.messagesIn + udpDrops(portOf(u)) >= 12000, 10000);
      const info = lab.get(u.id)!;
      figure('12,000 UDP source ports', `${info.messagesIn} datagrams counted, ${info.connections.length} peers kept`);
      assert.strictEqual(info.connections.length, 10000, 'peers are capped');
      assert.strictEqual(info.messagesIn + udpDrops(portOf(u)), 12000);
    });
  });

  it('10,000 concurrent TCP clients (another process) are accepted and listed; stopping closes all of them', async function () {
    if (!linux) this.skip();
    const N = 10_000;
    const soft = Number(/Max open files\s+(\d+)/.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? Infinity);
    if (soft < N + 500) {
      skipOrFail(this, `this process may open only ${soft} descriptors; 10,000 accepted connections need ${N + 500}`);
    }
    await withLab(async (lab) => {
      const before = descriptorsByKind().socket ?? 0;
      const l = await lab.startTcpListener({ port: 0, backlog: 4096, maxConnections: 20000 });
      const t0 = Date.now();
      const clients = startPeer('python3', [
        path.join(PEERS_DIR, 'many_clients_eof.py'),
        '127.0.0.1',
        String(portOf(l)),
        String(N),
      ]);
      try {
        await waitForOutput(clients, /ready/, 40000);
        await waitFor('all accepted', () => lab.get(l.id)!.connections.length === N, 30000);
        const accepted = (Date.now() - t0) / 1000;
        const list = lab.list();
        assert.strictEqual(list[0].connections.filter((c) => c.state === 'connected').length, N);
        assert.strictEqual(new Set(list[0].connections.map((c) => c.id)).size, N, 'every connection has its own id');
        assert.ok((descriptorsByKind().socket ?? 0) >= before + N, 'one descriptor per accepted client');
        lab.stop({ id: l.id });
        clients.child.stdin!.write('wait\n');
        const closed = Number((await waitForOutput(clients, /^(\d+)$/m, 30000))[1]);
        figure('10,000 TCP clients', `accepted and listed in ${accepted.toFixed(1)} s; stop closed ${closed} of ${N}`);
        assert.strictEqual(closed, N, 'every client saw the listener close');
        await waitFor('descriptors released', () => (descriptorsByKind().socket ?? 0) <= before, 10000);
      } finally {
        clients.child.stdin!.end();
        await clients.kill();
      }
    });
  });

  it('2,000 open/close cycles and a stopAll leave no extra handle or file descriptor', async function () {
    if (!linux) this.skip();
    const t = tempDir();
    const lab = new SocketLab();
    try {
      // Warm up once so lazily created process-wide handles (DNS, signal pipes) are in the baseline.
      const w = await lab.startTcpListener({ port: 0 });
      lab.stop({ id: (await lab.connectTcp({ port: portOf(w) })).id });
      lab.stop({ id: w.id });
      await sleep(100);
      const fdBefore = descriptorsByKind();
      const resBefore = activeResources();
      const t0 = Date.now();
      const CYCLES = 2000;
      for (let i = 0; i < CYCLES; i++) {
        const kind = i % 4;
        if (kind === 0) {
          const l = await lab.startTcpListener({ port: 0, autoReply: { mode: 'echo' } });
          const c = await lab.connectTcp({ port: portOf(l) });
          await lab.send({ target: c.id, data: `cycle ${i}` });
          lab.stop({ id: c.id });
          lab.stop({ id: l.id });
        } else if (kind === 1) {
          const u = await lab.startUdpListener({ port: 0 });
          const c = await lab.openUdpClient({ port: portOf(u) });
          await lab.send({ target: c.id, data: 'x' });
          lab.stop({ id: c.id });
          lab.stop({ id: u.id });
        } else if (kind === 2) {
          const p = path.join(t.dir, `c${i % 8}.sock`);
          const l = await lab.startUnixListener({ path: p });
          const c = await lab.connectUnix({ path: p });
          lab.stop({ id: c.id });
          lab.stop({ id: l.id });
        } else {
          // Failures count too: a refused connect and a port in use must leave nothing.
          const l = await lab.startTcpListener({ port: 0 });
          await lab.startTcpListener({ port: portOf(l) }).catch(() => undefined);
          lab.stop({ id: l.id });
          await lab.connectTcp({ port: portOf(l) }).catch(() => undefined);
        }
      }
      // Leave some open and let stopAll close them.
      for (let i = 0; i < 20; i++) {
        const l = await lab.startTcpListener({ port: 0 });
        await lab.connectTcp({ port: portOf(l) });
        await lab.startUnixListener({ path: path.join(t.dir, `open${i}.sock`) });
      }
      lab.stopAll();
      const seconds = (Date.now() - t0) / 1000;
      assert.deepStrictEqual(lab.list(), []);
      let fdAfter = descriptorsByKind();
      let resAfter = activeResources();
      const deadline = Date.now() + 5000;
      while (
        (JSON.stringify(fdAfter) !== JSON.stringify(fdBefore) ||
          (resAfter.TCPSocketWrap ?? 0) +
            (resAfter.TCPServerWrap ?? 0) +
            (resAfter.UDPWrap ?? 0) +
            (resAfter.PipeWrap ?? 0) +
            (resAfter.PipeServerWrap ?? 0) >
            0) &&
        Date.now() < deadline
      ) {
        await sleep(50);
        fdAfter = descriptorsByKind();
        resAfter = activeResources();
      }
      figure(
        '2,000 open/close cycles',
        `${seconds.toFixed(1)} s; descriptors before ${JSON.stringify(fdBefore)}, after ${JSON.stringify(fdAfter)}; handles before ${JSON.stringify(resBefore)}, after ${JSON.stringify(resAfter)}`,
      );
      assert.deepStrictEqual(fdAfter, fdBefore, 'file descriptors leaked');
      for (const kind of ['TCPSocketWrap', 'TCPServerWrap', 'UDPWrap', 'PipeWrap', 'PipeServerWrap']) {
        assert.strictEqual(resAfter[kind] ?? 0, resBefore[kind] ?? 0, `${kind} handles leaked`);
      }
      assert.deepStrictEqual(fs.readdirSync(t.dir), [], 'socket files left behind');
    } finally {
      lab.dispose();
      t.remove();
    }
  });

  it('Unix socket files are removed on stop, on stopAll and on dispose (deactivate), never when somebody else replaced them', async () => {
    const t = tempDir();
    try {
      const lab = new SocketLab();
      const a = path.join(t.dir, 'a.sock');
      const b = path.join(t.dir, 'b.sock');
      const c = path.join(t.dir, 'c.sock');
      const la = await lab.startUnixListener({ path: a });
      await lab.startUnixListener({ path: b });
      lab.stop({ id: la.id });
      assert.ok(!fs.existsSync(a), 'stop');
      lab.stopAll();
      assert.ok(!fs.existsSync(b), 'stopAll');
      await lab.startUnixListener({ path: c });
      const client = await rawConnect({ path: c });
      lab.dispose();
      assert.ok(!fs.existsSync(c), 'dispose');
      await waitFor('the client saw the close', () => client.closed());

      // Somebody else replaced our files: another program's server bound at one path, a regular file at the other.
      const other = new SocketLab();
      const d = path.join(t.dir, 'd.sock');
      const e = path.join(t.dir, 'e.sock');
      const ld = await other.startUnixListener({ path: d });
      await other.startUnixListener({ path: e });
      fs.unlinkSync(d);
      const theirs = net.createServer((s) => s.end('theirs'));
      await new Promise<void>((resolve) => theirs.listen(d, resolve));
      fs.unlinkSync(e);
      fs.writeFileSync(e, 'not a socket');
      try {
        other.stop({ id: ld.id });
        assert.ok(fs.lstatSync(d).isSocket(), "stop removed the other program's socket");
        const probe = await rawConnect({ path: d });
        await waitFor('their server still answers', () => probe.received().toString() === 'theirs');
        other.dispose();
        assert.strictEqual(fs.readFileSync(e, 'utf8'), 'not a socket', 'dispose removed the regular file');
      } finally {
        other.dispose();
        await new Promise((resolve) => theirs.close(resolve));
      }
    } finally {
      t.remove();
    }
  });
});
