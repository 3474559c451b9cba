// Faults with real sockets: each fault gets the clear sentence, failed starts leave nothing,
// failures of live endpoints show in list(), and the same SocketLab keeps working afterwards.
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { isSocketLabError } from '../../src/shared/errors';
import { SocketLab } from '../../src/core/socketLab';
import { assertSentence, offlineLookup, UNRESOLVABLE_HOST } from '../helpers/badInputCases';
import { rejectsWith } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { startPeer, waitForOutput } from '../helpers/peers';
import { freePort, portOf, rawConnect, rawServer } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { sleep, waitFor } from '../helpers/wait';
import '../helpers/noLeaks';
import { requireRoot, skipOrFail } from '../helpers/require';
import { stalledUpstream } from '../helpers/stalledUpstream';

/** The error a promise rejects with (fails when it resolves). */
async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(isSocketLabError(err), `not a SocketLabError: ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

/** After a fault, the same lab still opens a listener, connects to it and echoes. */
async function stillWorks(lab: SocketLab): Promise<void> {
  const l = await lab.startTcpListener({ port: 0, autoReply: { mode: 'echo' } });
  // Line framing: the wait ends with the echoed line, however slow the machine, rather than at a fixed time.
  const c = await lab.connectTcp({ port: portOf(l), framing: { mode: 'line' } });
  const { reply } = await lab.send({ target: c.id, data: 'still alive\n', waitMs: 10_000 });
  assert.strictEqual(Buffer.from(reply!).toString(), 'still alive\n');
  lab.stop({ id: c.id });
  lab.stop({ id: l.id });
}

describe('faults with real sockets', function () {
  this.timeout(20000);

  // The peer's 1 MiB is read in full before it resets, on purpose: a reset that arrives with received data still
  // queued behind it is read as that data and then a plain end of stream (libuv reports a hang-up after a short
  // read as EOF without reading the pending ECONNRESET), so it would show as a clean close depending on how far
  // the reads had got. Our own send to the peer is what is in flight when the reset comes.
  it('peer reset mid-transfer (accepted connection, our 64 MiB sendFile in flight): the send rejects, the connection shows the reset, the listener keeps serving', () =>
    withLab(async (lab) => {
      const t = tempDir();
      const file = path.join(t.dir, 'big.bin');
      fs.writeFileSync(file, Buffer.alloc(64 << 20, 7));
      try {
        const l = await lab.startTcpListener({ port: 0 });
        const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
        client.socket.pause(); // never reads: what we send fills its buffers and stays in flight
        client.socket.write(crypto.randomBytes(1 << 20));
        await waitFor("the peer's 1 MiB read", () => lab.get(l.id)!.bytesIn === 1 << 20);
        const connection = lab.get(l.id)!.connections[0];
        const sending = failure(lab.sendFile({ target: connection.id, path: file }));
        await waitFor('our sendFile under way', () => lab.get(l.id)!.bytesOut > 0);
        client.socket.resetAndDestroy();
        const err = await sending;
        assert.ok(['connectionReset', 'brokenPipe'].includes(err.code), err.code);
        assertSentence(
          err.message,
          /^Sending .*big\.bin stopped after \d+ of 67108864 bytes \((The connection to 127\.0\.0\.1:\d+ was reset by the peer \(ECONNRESET\)|127\.0\.0\.1:\d+ closed the connection while data was still being sent \(EPIPE\))\)\.$/,
          'reset during our sendFile',
        );
        await waitFor('connection closed', () => lab.get(l.id)!.connections[0]?.state === 'closed');
        const info = lab.get(l.id)!;
        assert.strictEqual(info.state, 'listening');
        // The write in flight may meet the reset as EPIPE before the read side sees ECONNRESET: the connection keeps
        // whichever came first, as the send did.
        assertSentence(
          info.connections[0].error,
          /^(The connection to 127\.0\.0\.1:\d+ was reset by the peer \(ECONNRESET\)|127\.0\.0\.1:\d+ closed the connection while data was still being sent \(EPIPE\))\.$/,
          'reset',
        );
        const again = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
        again.socket.write('ok');
        await waitFor('a new client served', () =>
          lab.get(l.id)!.connections.some((c) => c.state === 'connected' && c.bytesIn === 2),
        );
        again.socket.destroy();
        await stillWorks(lab);
      } finally {
        t.remove();
      }
    }));

  it('peer reset mid-transfer (our sendFile in flight): the send rejects with the sentence, the client shows error, restart reconnects', () =>
    withLab(async (lab) => {
      const t = tempDir();
      const file = path.join(t.dir, 'big.bin');
      fs.writeFileSync(file, Buffer.alloc(64 << 20, 7));
      let received = 0;
      const server = await rawServer('127.0.0.1', (s) => {
        s.on('data', (d) => {
          received += d.length;
          if (received > 1 << 20) s.resetAndDestroy();
        });
      });
      try {
        const c = await lab.connectTcp({ port: server.port });
        const err = await failure(lab.sendFile({ target: c.id, path: file }));
        assert.ok(['connectionReset', 'brokenPipe'].includes(err.code), err.code);
        assertSentence(
          err.message,
          /^Sending .*big\.bin stopped after \d+ of 67108864 bytes \((The connection to 127\.0\.0\.1:\d+ was reset by the peer \(ECONNRESET\)|127\.0\.0\.1:\d+ closed the connection while data was still being sent \(EPIPE\))\)\.$/,
          'reset during sendFile',
        );
        await waitFor('client in error', () => lab.get(c.id)!.state === 'error');
        assert.ok(lab.get(c.id)!.error, 'list() carries the sentence');
        const restarted = await lab.restart({ id: c.id });
        assert.strictEqual(restarted.state, 'connected');
        assert.strictEqual(restarted.id, c.id);
        await stillWorks(lab);
      } finally {
        await server.close();
        t.remove();
      }
    }));

  it('peer half-close: a halfOpen client sees peerEnded, can still send, and the peer gets it', () =>
    withLab(async (lab) => {
      const server = await rawServer('127.0.0.1', (s) => s.end('bye'));
      try {
        const c = await lab.connectTcp({ port: server.port, halfOpen: true });
        await waitFor('peer FIN seen', () => lab.get(c.id)!.peerEnded === true);
        assert.strictEqual(lab.get(c.id)!.state, 'connected');
        assert.strictEqual(Buffer.from(lab.traffic(c.id)[0].data).toString(), 'bye');
        assert.strictEqual((await lab.send({ target: c.id, data: 'after your FIN' })).bytes, 14);
        await waitFor('peer received after its half-close', () => server.received().toString() === 'after your FIN');
        lab.halfClose({ id: c.id });
        await waitFor('closed after both FINs', () => lab.get(c.id)!.state === 'closed');
        assertSentence(lab.get(c.id)!.error, /^127\.0\.0\.1:\d+ closed the connection\.$/, 'closed by peer');
        await stillWorks(lab);
      } finally {
        await server.close();
      }
    }));

  it('connection refused: a clear sentence and no endpoint', () =>
    withLab(async (lab) => {
      const port = await freePort();
      const err = await failure(lab.connectTcp({ port }));
      assert.strictEqual(err.code, 'connectionRefused');
      assertSentence(
        err.message,
        new RegExp(
          `^Nothing is listening at 127\\.0\\.0\\.1:${port} \\(connection refused\\); start the server first or check the port\\.$`,
        ),
        'refused',
      );
      assert.deepStrictEqual(lab.list(), []);
      await stillWorks(lab);
    }));

  it('connect timeout against a listener whose backlog is full: the sentence names the time, nothing is left', async function () {
    const upstream = await stalledUpstream(8);
    try {
      const port = upstream.port;
      await withLab(async (lab) => {
        const err = await failure(lab.connectTcp({ port, timeoutMs: 400 }));
        assert.strictEqual(err.code, 'timedOut');
        assertSentence(
          err.message,
          /^Connecting to 127\.0\.0\.1:\d+ timed out after 400 ms; check the address, the port and any firewall\.$/,
          'timeout',
        );
        assert.deepStrictEqual(lab.list(), []);
        await stillWorks(lab);
      });
    } finally {
      await upstream.close();
    }
  });

  it('EADDRINUSE held by another process (TCP, UDP, Unix): refused with the address, nothing half-created', async () => {
    const t = tempDir();
    const sock = path.join(t.dir, 'held.sock');
    const holder = startPeer('python3', [
      '-c',
      [
        'import socket,sys,time',
        't=socket.socket(); t.bind(("127.0.0.1",0)); t.listen(1)',
        'u=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); u.bind(("127.0.0.1",0))',
        'x=socket.socket(socket.AF_UNIX); x.bind(sys.argv[1]); x.listen(1)',
        'print(t.getsockname()[1], u.getsockname()[1], flush=True)',
        'time.sleep(15)',
      ].join('\n'),
      sock,
    ]);
    try {
      const [, tcpPort, udpPort] = (await waitForOutput(holder, /^(\d+) (\d+)/m)).map(Number);
      await withLab(async (lab) => {
        const tcp = await failure(lab.startTcpListener({ port: tcpPort }));
        assert.strictEqual(tcp.code, 'addressInUse');
        assertSentence(
          tcp.message,
          new RegExp(
            `^127\\.0\\.0\\.1:${tcpPort} is already in use by python3 \\(pid ${holder.child.pid}\\); choose another port or stop that process\\.$`,
          ),
          'tcp in use',
        );
        const udp = await failure(lab.startUdpListener({ port: udpPort }));
        assert.strictEqual(udp.code, 'addressInUse');
        assertSentence(
          udp.message,
          new RegExp(`^127\\.0\\.0\\.1:${udpPort} is already in use by python3 \\(pid ${holder.child.pid}\\); `),
          'udp in use',
        );
        const unix = await failure(lab.startUnixListener({ path: sock }));
        assert.strictEqual(unix.code, 'addressInUse');
        assertSentence(
          unix.message,
          /held\.sock is already in use by another listening process; choose another path or stop that process\.$/,
          'unix in use',
        );
        assert.ok(fs.statSync(sock).isSocket(), 'the live socket file of the other process was left alone');
        assert.deepStrictEqual(lab.list(), []);
        await stillWorks(lab);
      });
    } finally {
      await holder.kill();
      t.remove();
    }
  });

  it('stopping a listener with live clients closes every client and leaves nothing', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const clients = await Promise.all(
        Array.from({ length: 20 }, () => rawConnect({ host: '127.0.0.1', port: portOf(l) })),
      );
      await waitFor('all accepted', () => lab.get(l.id)!.connections.length === 20);
      for (const c of clients) c.socket.write('busy');
      lab.stop({ id: l.id });
      assert.deepStrictEqual(lab.list(), []);
      await waitFor('every client saw the close', () => clients.every((c) => c.closed()));
      const refused = await failure(lab.connectTcp({ port: portOf(l) }));
      assert.strictEqual(refused.code, 'connectionRefused', 'the port is free again');
      await stillWorks(lab);
    }));

  it('write after the peer closed: the sentence, then state error in list()', () =>
    withLab(async (lab) => {
      const server = await rawServer('127.0.0.1', (s) => s.destroy());
      try {
        const c = await lab.connectTcp({ port: server.port });
        await waitFor('peer FIN', () => lab.get(c.id)!.peerEnded === true);
        let err: { code: string; message: string } | undefined;
        for (let i = 0; i < 250 && !err; i++) {
          try {
            await lab.send({ target: c.id, data: 'are you there?' });
            await sleep(20);
          } catch (e) {
            err = e as { code: string; message: string };
          }
        }
        assert.ok(err, 'writing to a closed peer never failed');
        assert.ok(['connectionReset', 'brokenPipe', 'endpointClosed', 'connectionClosed'].includes(err.code), err.code);
        assertSentence(
          err.message,
          /(reset by the peer|closed the connection while data was still being sent|restart it first|is closed; nothing was sent)/,
          'write after close',
        );
        await waitFor('client ended', () => ['error', 'closed'].includes(lab.get(c.id)!.state));
        const info = lab.get(c.id)!;
        assert.ok(info.error, `list() shows why: ${JSON.stringify(info)}`);
        const again = await failure(lab.send({ target: c.id, data: 'x' }));
        assert.strictEqual(again.code, 'endpointClosed');
        assertSentence(again.message, /restart it first\.$/, 'send on dead client');
        await stillWorks(lab);
      } finally {
        await server.close();
      }
    }));

  it('UDP to a closed port: ICMP port unreachable shows as error on the connected client, and it recovers once something listens', () =>
    withLab(async (lab) => {
      const port = await freePort();
      const c = await lab.openUdpClient({ port });
      // Up to 5 s: the ICMP answer comes at once on loopback, but a loaded machine may be slow to read it.
      for (let i = 0; i < 250 && lab.get(c.id)!.state !== 'error'; i++) {
        await lab.send({ target: c.id, data: 'anyone?' }).catch(() => undefined);
        await sleep(20);
      }
      const info = lab.get(c.id)!;
      assert.strictEqual(info.state, 'error');
      assert.strictEqual(info.errorCode, 'portUnreachable');
      assertSentence(
        info.error,
        new RegExp(
          `^127\\.0\\.0\\.1:${port} answered that the port is unreachable \\(ICMP, ECONNREFUSED\\); nothing listens there\\.$`,
        ),
        'icmp',
      );
      const rx = dgram.createSocket('udp4');
      await new Promise<void>((r) => rx.bind(port, '127.0.0.1', r));
      try {
        const got = new Promise<string>((r) => rx.once('message', (m) => r(m.toString())));
        await lab.send({ target: c.id, data: 'now?' });
        assert.strictEqual(await got, 'now?');
        await waitFor('recovered', () => lab.get(c.id)!.state === 'connected');
      } finally {
        rx.close();
      }
      await stillWorks(lab);
    }));

  it('a name that does not resolve (injected lookup: no query leaves), a lookup that throws, one that returns garbage', async () => {
    const lookups: Record<
      string,
      (h: string, o: unknown, cb: (e: NodeJS.ErrnoException | null, a: string, f: number) => void) => void
    > = {
      refuses: offlineLookup,
      throws: () => {
        throw Object.assign(new Error('resolver crashed'), { code: 'EAI_FAIL' });
      },
      garbage: (_h, _o, cb) => cb(null, 'not-an-address', 4),
    };
    for (const [kind, lookup] of Object.entries(lookups)) {
      await withLab(
        async (lab) => {
          const err = await failure(lab.connectTcp({ host: UNRESOLVABLE_HOST, port: 80 }));
          assert.strictEqual(err.code, 'hostNotFound', kind);
          assertSentence(
            err.message,
            /^Host name 'no-such-device\.invalid' could not be resolved \((ENOTFOUND|EAI_FAIL)\); check the spelling or use an IP address\.$/,
            kind,
          );
          assert.deepStrictEqual(lab.list(), []);
          await stillWorks(lab);
        },
        { lookup: lookup as never },
      );
    }
  });

  it('a Unix socket file left by a crashed process (kill -9): connect says nothing listens, listen replaces it, stop removes it', async () => {
    const t = tempDir();
    const sock = path.join(t.dir, 'crashed.sock');
    try {
      const crashed = startPeer('python3', [
        '-c',
        'import socket,sys,time\nx=socket.socket(socket.AF_UNIX); x.bind(sys.argv[1]); x.listen(1)\nprint("up", flush=True)\ntime.sleep(30)',
        sock,
      ]);
      await waitForOutput(crashed, /up/);
      crashed.child.kill('SIGKILL');
      await crashed.exited();
      assert.ok(fs.statSync(sock).isSocket(), 'kill -9 left the socket file behind');
      await withLab(async (lab) => {
        const err = await failure(lab.connectUnix({ path: sock }));
        assert.strictEqual(err.code, 'connectionRefused');
        assertSentence(
          err.message,
          /crashed\.sock \(connection refused\); start the server first or check the path\.$/,
          'stale connect',
        );
        assert.deepStrictEqual(lab.list(), []);
        const l = await lab.startUnixListener({ path: sock, autoReply: { mode: 'echo' } });
        // A frame of the reply's size ends the wait as soon as the echo is in; the long wait only bounds a stall.
        const c = await lab.connectUnix({ path: sock, framing: { mode: 'fixed', size: 4 } });
        const { reply } = await lab.send({ target: c.id, data: 'ping', waitMs: 10_000 });
        assert.strictEqual(Buffer.from(reply!).toString(), 'ping');
        lab.stop({ id: l.id });
        assert.ok(!fs.existsSync(sock), 'stop removed the socket file');
        await stillWorks(lab);
      });
    } finally {
      t.remove();
    }
  });

  it('a restart that fails (the server went away): error in list() with the sentence, a later restart succeeds', () =>
    withLab(async (lab) => {
      const server = await rawServer('127.0.0.1');
      const port = server.port;
      const c = await lab.connectTcp({ port });
      await server.close();
      await waitFor('client saw the server go', () => lab.get(c.id)!.peerEnded === true);
      const err = await failure(lab.restart({ id: c.id }));
      assert.strictEqual(err.code, 'connectionRefused');
      const info = lab.get(c.id)!;
      assert.strictEqual(info.state, 'error');
      assertSentence(
        info.error,
        new RegExp(`^Nothing is listening at 127\\.0\\.0\\.1:${port} \\(connection refused\\)`),
        'restart refused',
      );
      const back = net.createServer((s) => s.on('error', () => undefined));
      await new Promise<void>((r) => back.listen(port, '127.0.0.1', r));
      try {
        const ok = await lab.restart({ id: c.id });
        assert.strictEqual(ok.state, 'connected');
        assert.strictEqual(lab.list().length, 1);
        lab.stop({ id: c.id });
      } finally {
        await new Promise((r) => back.close(r));
      }
      await stillWorks(lab);
    }));

  it('disposing the SocketLab (deactivate) with traffic in flight: nothing escapes, nothing stays open, sockets files go', async () => {
    const t = tempDir();
    const escaped: unknown[] = [];
    const onEscape = (err: unknown) => escaped.push(err);
    process.on('unhandledRejection', onEscape);
    process.on('uncaughtException', onEscape);
    const file = path.join(t.dir, 'big.bin');
    fs.writeFileSync(file, Buffer.alloc(32 << 20, 1));
    // A peer in another process floods our echo listener and reads nothing back.
    let flooder: ReturnType<typeof startPeer> | undefined;
    try {
      const lab = new SocketLab();
      const echo = await lab.startTcpListener({ port: 0, autoReply: { mode: 'echo' } });
      flooder = startPeer('python3', [
        '-c',
        'import socket,sys\ns=socket.create_connection(("127.0.0.1",int(sys.argv[1])))\nb=b"x"*65536\nwhile True: s.sendall(b)',
        String(portOf(echo)),
      ]);
      const sink = await rawServer('127.0.0.1', (s) => s.pause()); // accepts and never reads
      const unix = await lab.startUnixListener({ path: path.join(t.dir, 'in-flight.sock') });
      const unixClient = await lab.connectUnix({ path: path.join(t.dir, 'in-flight.sock') });
      const udp = await lab.startUdpListener({ port: 0 });
      const toSink = await lab.connectTcp({ port: sink.port });
      const fileSend = lab.sendFile({ target: toSink.id, path: file }).then(
        () => 'resolved',
        (err: Error) => err,
      );
      const repeat = await lab.send({
        target: unixClient.id,
        data: 'tick',
        repeat: { intervalMs: 0, count: 1_000_000 },
      });
      const udpRepeat = await lab.send({
        target: udp.id,
        data: 'u',
        to: { host: '127.0.0.1', port: portOf(udp) },
        repeat: { intervalMs: 1 },
      });
      assert.ok(repeat.repeatId && udpRepeat.repeatId);
      await waitFor(
        'traffic flowing',
        () => lab.get(echo.id)!.bytesIn > 1 << 20 && lab.get(unix.id)!.bytesIn > 0,
        5000,
      );
      lab.dispose();
      assert.ok(!fs.existsSync(path.join(t.dir, 'in-flight.sock')), 'the Unix socket file was removed on dispose');
      let timer: NodeJS.Timeout | undefined;
      const settled = await Promise.race([
        fileSend,
        new Promise((r) => (timer = setTimeout(() => r('still pending'), 3000))),
      ]);
      clearTimeout(timer);
      assert.notStrictEqual(settled, 'still pending', 'a sendFile in flight never settled after dispose');
      if (settled instanceof Error)
        assertSentence(
          settled.message,
          /^Sending .*big\.bin stopped after \d+ of 33554432 bytes \((TCP|Unix)( →)? \S+ was stopped; the data was not sent\)\.$/,
          'sendFile after dispose',
        );
      console.log(
        `      [figure] sendFile in flight at dispose: ${settled instanceof Error ? `rejected: ${settled.message}` : settled}`,
      );
      await rejectsWith(lab.startTcpListener({ port: 0 }), 'disposed', /^Socket Lab has been shut down\.$/);
      assert.deepStrictEqual(lab.list(), []);
      await sink.close();
      await flooder.kill();
      // An absence cannot be awaited: let a late socket error from the killed flooder surface, if any would.
      await sleep(100);
      assert.deepStrictEqual(escaped, [], 'an error escaped after dispose');
    } finally {
      process.off('unhandledRejection', onEscape);
      process.off('uncaughtException', onEscape);
      await flooder?.kill();
      t.remove();
    }
  });

  it('host and network unreachable, only inside a network namespace made for the test', function () {
    requireRoot(this, 'cannot create a network namespace');
    const ns = `sl-h-${crypto.randomBytes(4).toString('hex')}`;
    const add = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
    if (add.status !== 0) {
      skipOrFail(this, `ip netns add failed: ${add.stderr.trim()}`);
    }
    try {
      for (const args of [
        ['-n', ns, 'link', 'set', 'lo', 'up'],
        // 10.201.0.0/24 is explicitly unreachable (EHOSTUNREACH); 10.200.0.0/24 has no route at all (ENETUNREACH).
        ['-n', ns, 'route', 'add', 'unreachable', '10.201.0.0/24'],
      ]) {
        const r = spawnSync('ip', args, { encoding: 'utf8' });
        assert.strictEqual(r.status, 0, `ip ${args.join(' ')}: ${r.stderr}`);
      }
      const script = path.join(__dirname, '..', 'helpers', 'scenarios', 'unreachableNetworks.js');
      const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, script], { encoding: 'utf8', timeout: 15000 });
      assert.strictEqual(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as Record<
        string,
        { code?: string; message?: string; list?: number; ok?: boolean }
      >;
      assert.strictEqual(out.tcpNet.code, 'networkUnreachable', JSON.stringify(out.tcpNet));
      assertSentence(
        out.tcpNet.message,
        /^The network of 10\.200\.0\.1:80 is unreachable \(ENETUNREACH\); check the address and the network connection\.$/,
        'tcp net',
      );
      assert.strictEqual(out.tcpHost.code, 'hostUnreachable', JSON.stringify(out.tcpHost));
      assertSentence(
        out.tcpHost.message,
        /^10\.201\.0\.1:80 cannot be reached: no route to the host \(EHOSTUNREACH\); check the address and the network\.$/,
        'tcp host',
      );
      assert.strictEqual(out.udpNet.code, 'networkUnreachable', JSON.stringify(out.udpNet));
      assertSentence(out.udpNet.message, /10\.200\.0\.1:9 is unreachable \(ENETUNREACH\)/, 'udp net');
      assert.strictEqual(out.udpHost.code, 'hostUnreachable', JSON.stringify(out.udpHost));
      assert.strictEqual(out.listAfter.list, 1, 'only the UDP socket used for the sends is listed');
      assert.strictEqual(out.afterwards.ok, true);
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});
