import * as assert from 'assert';
import * as dgram from 'dgram';
import * as path from 'path';
import '../helpers/noLeaks';
import { RelayFailure, RelayPairInfo, UdpRelayOptions } from '../../src/core/relay/relayTypes';
import { UdpRelay } from '../../src/core/relay/udpRelay';
import { SocketLabError } from '../../src/shared/errors';
import { PEERS_DIR, startPeer } from '../helpers/peers';
import { waitFor } from '../helpers/wait';
import { requirePeer } from '../helpers/require';

/** A UDP echo server that answers 'echo:' + data and records who sent what. */
async function udpEcho(): Promise<{ port: number; from: string[]; close: () => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const from: string[] = [];
  socket.on('message', (msg, rinfo) => {
    from.push(`${rinfo.port}:${msg}`);
    socket.send(Buffer.concat([Buffer.from('echo:'), msg]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { port: socket.address().port, from, close: () => new Promise((r) => socket.close(() => r())) };
}

/** A UDP client socket that collects what it receives. */
async function udpClient(): Promise<{ socket: dgram.Socket; got: string[]; close: () => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  const got: string[] = [];
  socket.on('message', (msg) => got.push(msg.toString()));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return { socket, got, close: () => new Promise((r) => socket.close(() => r())) };
}

async function startRelay(options: Partial<UdpRelayOptions> & Pick<UdpRelayOptions, 'upstream'>) {
  const relay = new UdpRelay({ id: 'u1', listen: { address: '127.0.0.1', port: 0 }, ...options });
  const opened: RelayPairInfo[] = [];
  const closed: RelayPairInfo[] = [];
  const failures: RelayFailure[] = [];
  relay.onDidOpenPair((p) => opened.push(p));
  relay.onDidClosePair((p) => closed.push(p));
  relay.onDidFail((f) => failures.push(f));
  await relay.start();
  return { relay, port: relay.local!.port, opened, closed, failures };
}

describe('UDP relay', function () {
  this.timeout(20000);

  it('a session per client address: a Python client and a Node client each get their own upstream socket and their own replies', async function () {
    requirePeer(this, 'python3');
    const echo = await udpEcho();
    const run = await startRelay({ upstream: { host: '127.0.0.1', port: echo.port } });
    const node = await udpClient();
    try {
      const py = startPeer('python3', [
        path.join(PEERS_DIR, 'udp_sender.py'),
        '127.0.0.1',
        String(run.port),
        '3',
        '16',
      ]);
      assert.strictEqual(await py.exited(), 0, py.stderr());
      node.socket.send('from node', run.port, '127.0.0.1');
      await waitFor("node's reply", () => node.got.length === 1);
      await waitFor('all four datagrams at the upstream', () => echo.from.length === 4);
      assert.deepStrictEqual(node.got, ['echo:from node']);
      const sessions = run.relay.pairs();
      assert.strictEqual(sessions.length, 2);
      const [pySession, nodeSession] = sessions;
      assert.strictEqual(pySession.messagesToUpstream, 3);
      assert.strictEqual(pySession.bytesToUpstream, 48);
      await waitFor('the replies to the Python client', () => run.relay.pairs()[0].messagesToClient === 3);
      assert.deepStrictEqual(nodeSession.client, { address: '127.0.0.1', port: node.socket.address().port });
      // Each session speaks to the upstream from a port of its own.
      const upstreamPorts = new Set(echo.from.map((f) => f.split(':')[0]));
      assert.strictEqual(upstreamPorts.size, 2);
      assert.deepStrictEqual(
        new Set(sessions.map((s) => String((s.upstreamLocal as { port: number }).port))),
        upstreamPorts,
      );
      const log = run.relay.log.records();
      assert.strictEqual(log.filter((r) => r.direction === 'in').length, 4);
      assert.ok(log.some((r) => r.direction === 'out' && r.data.toString() === 'echo:from node'));
    } finally {
      run.relay.dispose();
      await node.close();
      await echo.close();
    }
  });

  it('closes a silent session after the idle timeout; the next datagram opens a new one', async () => {
    const echo = await udpEcho();
    const run = await startRelay({ upstream: { host: '127.0.0.1', port: echo.port }, idleTimeoutMs: 300 });
    const c = await udpClient();
    try {
      c.socket.send('one', run.port, '127.0.0.1');
      await waitFor('the first reply', () => c.got.length === 1);
      await waitFor('the idle session to close', () => run.closed.length === 1);
      assert.strictEqual(run.closed[0].id, 'u1.c1');
      assert.strictEqual(run.closed[0].state, 'closed');
      c.socket.send('two', run.port, '127.0.0.1');
      await waitFor('the second reply', () => c.got.length === 2);
      assert.deepStrictEqual(
        run.opened.map((p) => p.id),
        ['u1.c1', 'u1.c2'],
      );
      const ports = echo.from.map((f) => f.split(':')[0]);
      assert.notStrictEqual(ports[0], ports[1], 'a new session has a new upstream socket');
    } finally {
      run.relay.dispose();
      await c.close();
      await echo.close();
    }
  });

  it('an upstream port with nothing behind it is reported (ICMP port unreachable)', async () => {
    const closed = dgram.createSocket('udp4');
    await new Promise<void>((r) => closed.bind(0, '127.0.0.1', r));
    const port = closed.address().port;
    await new Promise<void>((r) => closed.close(() => r()));
    const run = await startRelay({ upstream: { host: '127.0.0.1', port } });
    const c = await udpClient();
    try {
      // The first datagram may go out before the ICMP answer of the previous one arrives: send until reported.
      for (let i = 0; i < 20 && !run.failures.length; i++) {
        c.socket.send('anyone?', run.port, '127.0.0.1');
        await waitFor('a failure', () => run.failures.length > 0, 200).catch(() => undefined);
      }
      assert.strictEqual(run.failures[0]?.error.code, 'portUnreachable');
      assert.match(
        run.failures[0].error.message,
        new RegExp(`127\\.0\\.0\\.1:${port} answered that the port is unreachable`),
      );
      assert.strictEqual(run.relay.pairs()[0].errorCode, 'portUnreachable');
      assert.strictEqual(run.failures[0].pairId, 'u1.c1');
      assert.strictEqual(run.failures[0].error.values.operation, 'send');
    } finally {
      run.relay.dispose();
      await c.close();
    }
  });

  it('refuses clients past maxSessions, saying so once', async () => {
    const echo = await udpEcho();
    const run = await startRelay({ upstream: { host: '127.0.0.1', port: echo.port }, maxSessions: 1 });
    const a = await udpClient();
    const b = await udpClient();
    try {
      a.socket.send('a', run.port, '127.0.0.1');
      await waitFor("a's reply", () => a.got.length === 1);
      for (let i = 0; i < 3; i++) b.socket.send('b', run.port, '127.0.0.1');
      await waitFor('the refusal', () => run.failures.length === 1);
      a.socket.send('a again', run.port, '127.0.0.1');
      await waitFor("a's second reply", () => a.got.length === 2);
      assert.deepStrictEqual(b.got, []);
      assert.strictEqual(run.failures.length, 1, 'said once, not once per datagram');
      assert.strictEqual(run.failures[0].error.code, 'relaySessionsFull');
      assert.strictEqual(
        run.failures[0].error.message,
        `The UDP relay u1 already has 1 sessions; datagrams of new clients such as 127.0.0.1:${b.socket.address().port} are dropped until one goes idle.`,
      );
      assert.strictEqual(run.failures[0].pairId, undefined);
      assert.strictEqual(run.relay.pairs().length, 1);
    } finally {
      run.relay.dispose();
      await a.close();
      await b.close();
      await echo.close();
    }
  });

  it('a new session is announced as connecting with no upstream end yet, then as open with its upstream port', async () => {
    const echo = await udpEcho();
    const run = await startRelay({ upstream: { host: '127.0.0.1', port: echo.port } });
    const changed: RelayPairInfo[] = [];
    run.relay.onDidChangePair((p) => changed.push(p));
    const c = await udpClient();
    try {
      c.socket.send('hello', run.port, '127.0.0.1');
      await waitFor('the reply', () => c.got.length === 1);
      const client = { address: '127.0.0.1', port: c.socket.address().port };
      const zero = { bytesToUpstream: 0, bytesToClient: 0, messagesToUpstream: 0, messagesToClient: 0 };
      assert.deepStrictEqual(run.opened, [{ id: 'u1.c1', client, state: 'connecting', ...zero }]);
      assert.strictEqual(changed.length, 1);
      assert.strictEqual(changed[0].state, 'open');
      assert.deepStrictEqual(changed[0].upstreamLocal, {
        address: '127.0.0.1',
        port: Number(echo.from[0].split(':')[0]),
      });
    } finally {
      run.relay.dispose();
      await c.close();
      await echo.close();
    }
  });

  it('inject sends a datagram of an open session to the upstream or to its client, counted and tapped as injected', async () => {
    const echo = await udpEcho();
    const run = await startRelay({ upstream: { host: '127.0.0.1', port: echo.port } });
    const taps: { direction: string; data: string; injected?: boolean }[] = [];
    run.relay.onDidTap((t) => taps.push({ direction: t.direction, data: t.data.toString(), injected: t.injected }));
    const c = await udpClient();
    try {
      c.socket.send('hi', run.port, '127.0.0.1');
      await waitFor('the reply', () => c.got.length === 1);
      // A view into a larger buffer: only its own bytes go out.
      const toUpstream = Buffer.from('__up!__').subarray(2, 5);
      assert.strictEqual(await run.relay.inject('u1.c1', 'toUpstream', toUpstream), 3);
      await waitFor("the echo of the upstream's injected datagram", () => c.got.length === 2);
      assert.strictEqual(await run.relay.inject('u1.c1', 'toClient', Buffer.from('to you')), 6);
      await waitFor('the datagram injected toward the client', () => c.got.length === 3);
      assert.deepStrictEqual(c.got, ['echo:hi', 'echo:up!', 'to you']);
      assert.deepStrictEqual(
        echo.from.map((f) => f.split(':')[1]),
        ['hi', 'up!'],
      );
      assert.deepStrictEqual(taps, [
        { direction: 'toUpstream', data: 'hi', injected: undefined },
        { direction: 'toClient', data: 'echo:hi', injected: undefined },
        { direction: 'toUpstream', data: 'up!', injected: true },
        { direction: 'toClient', data: 'echo:up!', injected: undefined },
        { direction: 'toClient', data: 'to you', injected: true },
      ]);
      const s = run.relay.pair('u1.c1')!;
      assert.deepStrictEqual(
        [s.messagesToUpstream, s.bytesToUpstream, s.messagesToClient, s.bytesToClient],
        [2, 5, 3, 21],
      );
      assert.deepStrictEqual(
        run.relay.log.records().map((r) => `${r.direction} ${r.data}`),
        ['in hi', 'out echo:hi', 'in up!', 'out echo:up!', 'out to you'],
      );
    } finally {
      run.relay.dispose();
      await c.close();
      await echo.close();
    }
  });

  it('closePair closes a session once (an unknown id is left alone); inject then refuses with a sentence naming it', async () => {
    const echo = await udpEcho();
    const run = await startRelay({ upstream: { host: '127.0.0.1', port: echo.port } });
    const c = await udpClient();
    try {
      c.socket.send('hi', run.port, '127.0.0.1');
      await waitFor('the reply', () => c.got.length === 1);
      run.relay.closePair('u1.c1');
      run.relay.closePair('u1.c1');
      run.relay.closePair('u1.c9');
      assert.deepStrictEqual(
        run.closed.map((p) => [p.id, p.state]),
        [['u1.c1', 'closed']],
      );
      assert.deepStrictEqual(
        run.relay.pairs().map((p) => [p.id, p.state]),
        [['u1.c1', 'closed']],
      );
      const label = `127.0.0.1:${c.socket.address().port}`;
      await assert.rejects(run.relay.inject('u1.c1', 'toClient', Buffer.from('x')), {
        code: 'relayPairClosed',
        message: `Relay connection u1.c1 (${label}) is not open; nothing was sent.`,
      });
      await assert.rejects(run.relay.inject('u1.c9', 'toUpstream', Buffer.from('x')), {
        code: 'relayPairClosed',
        message: 'Relay connection u1.c9 (?) is not open; nothing was sent.',
      });
      // The client's next datagram opens a new session.
      c.socket.send('again', run.port, '127.0.0.1');
      await waitFor('the second reply', () => c.got.length === 2);
      assert.deepStrictEqual(
        run.opened.map((p) => p.id),
        ['u1.c1', 'u1.c2'],
      );
    } finally {
      run.relay.dispose();
      await c.close();
      await echo.close();
    }
  });

  it('listens on ::1 and relays IPv6 clients to an IPv4 upstream', async () => {
    const echo = await udpEcho();
    const run = await startRelay({
      listen: { address: '::1', port: 0 },
      upstream: { host: '127.0.0.1', port: echo.port },
    });
    const c = dgram.createSocket('udp6');
    const got: string[] = [];
    c.on('message', (m) => got.push(m.toString()));
    await new Promise<void>((r) => c.bind(0, '::1', r));
    try {
      assert.strictEqual(run.relay.local?.address, '::1');
      c.send('v6', run.port, '::1');
      await waitFor('the reply over IPv6', () => got.length === 1);
      assert.deepStrictEqual(got, ['echo:v6']);
      assert.deepStrictEqual(run.relay.pairs()[0].client, { address: '::1', port: c.address().port });
    } finally {
      run.relay.dispose();
      await new Promise<void>((r) => c.close(() => r()));
      await echo.close();
    }
  });

  it('a listening port already taken is a sentence naming it, and nothing is left bound', async () => {
    const taken = dgram.createSocket('udp4');
    await new Promise<void>((r) => taken.bind(0, '127.0.0.1', r));
    const port = taken.address().port;
    const relay = new UdpRelay({
      id: 'u1',
      listen: { address: '127.0.0.1', port },
      upstream: { host: '127.0.0.1', port: 9 },
    });
    try {
      await assert.rejects(relay.start(), (err: SocketLabError) => {
        assert.strictEqual(err.code, 'addressInUse');
        assert.strictEqual(
          err.message,
          `127.0.0.1:${port} is already in use by another process; choose another port or stop that process.`,
        );
        assert.strictEqual(err.values.operation, 'bind');
        return true;
      });
      assert.strictEqual(relay.local, undefined);
    } finally {
      relay.dispose();
      await new Promise<void>((r) => taken.close(() => r()));
    }
  });

  it('stopped while starting: start rejects with a sentence and the socket it bound is closed', async () => {
    const relay = new UdpRelay({
      id: 'u1',
      listen: { address: '127.0.0.1', port: 0 },
      upstream: { host: '127.0.0.1', port: 9 },
    });
    const starting = relay.start();
    relay.dispose();
    await assert.rejects(starting, { code: 'stopped', message: 'Endpoint u1 was stopped while starting.' });
    assert.strictEqual(relay.local, undefined);
  });

  it('a relay never started can be stopped, twice', () => {
    const relay = new UdpRelay({
      id: 'u1',
      listen: { address: '127.0.0.1', port: 0 },
      upstream: { host: '127.0.0.1', port: 9 },
    });
    relay.dispose();
    relay.dispose();
    assert.deepStrictEqual(relay.pairs(), []);
  });

  it('keeps the last 100 closed sessions listed: the 101st to close pushes out the oldest', async () => {
    const echo = await udpEcho();
    const run = await startRelay({ upstream: { host: '127.0.0.1', port: echo.port } });
    const c = await udpClient();
    try {
      for (let n = 1; n <= 101; n++) {
        c.socket.send('x', run.port, '127.0.0.1');
        await waitFor(`session ${n} to open`, () => run.opened.length === n);
        run.relay.closePair(`u1.c${n}`);
      }
      const listed = run.relay.pairs().map((p) => p.id);
      assert.strictEqual(listed.length, 100);
      assert.strictEqual(listed[0], 'u1.c2');
      assert.strictEqual(listed[99], 'u1.c101');
      assert.strictEqual(run.relay.pair('u1.c1'), undefined);
      assert.strictEqual(run.relay.pair('u1.c2')?.state, 'closed');
      assert.strictEqual(run.closed.length, 101);
    } finally {
      run.relay.dispose();
      await c.close();
      await echo.close();
    }
  });

  it('a log of cap 0 records nothing (not even as dropped) while taps still fire', async () => {
    const echo = await udpEcho();
    const run = await startRelay({ upstream: { host: '127.0.0.1', port: echo.port }, logCapBytes: 0 });
    const taps: string[] = [];
    run.relay.onDidTap((t) => taps.push(`${t.direction} ${t.data}`));
    const c = await udpClient();
    try {
      c.socket.send('quiet', run.port, '127.0.0.1');
      await waitFor('the reply', () => c.got.length === 1);
      await waitFor('both taps', () => taps.length === 2);
      assert.deepStrictEqual(taps, ['toUpstream quiet', 'toClient echo:quiet']);
      assert.deepStrictEqual(run.relay.log.records(), []);
      assert.strictEqual(run.relay.log.dropped, 0);
      assert.strictEqual(run.relay.log.last, undefined);
    } finally {
      run.relay.dispose();
      await c.close();
      await echo.close();
    }
  });

  it('a datagram IPv6 carries but IPv4 cannot (65,520 bytes) is reported naming the side it could not reach', async () => {
    // IPv6 upstream, IPv4 client: the upstream's large reply cannot be passed on to the client.
    const echo6 = dgram.createSocket('udp6');
    echo6.on('message', (msg, rinfo) =>
      echo6.send(msg.toString() === 'big?' ? Buffer.alloc(65520, 0x62) : msg, rinfo.port, rinfo.address),
    );
    await new Promise<void>((r) => echo6.bind(0, '::1', r));
    const toV4 = await startRelay({ upstream: { host: '::1', port: echo6.address().port } });
    const c4 = await udpClient();
    // IPv4 upstream, IPv6 client: the client's large datagram cannot be passed on to the upstream.
    const echo4 = await udpEcho();
    const toUp = await startRelay({
      listen: { address: '::1', port: 0 },
      upstream: { host: '127.0.0.1', port: echo4.port },
    });
    const c6 = dgram.createSocket('udp6');
    await new Promise<void>((r) => c6.bind(0, '::1', r));
    try {
      c4.socket.send('big?', toV4.port, '127.0.0.1');
      await waitFor('the failure toward the client', () => toV4.failures.length === 1);
      const client = `127.0.0.1:${c4.socket.address().port}`;
      assert.strictEqual(toV4.failures[0].pairId, 'u1.c1');
      assert.strictEqual(toV4.failures[0].error.systemCode, 'EMSGSIZE');
      assert.strictEqual(toV4.failures[0].error.values.target, client);
      assert.strictEqual(toV4.failures[0].error.values.operation, 'send');
      assert.strictEqual(toV4.relay.pair('u1.c1')?.messagesToClient, 1);
      c4.socket.send('small', toV4.port, '127.0.0.1');
      await waitFor('a small reply still passes', () => c4.got.length === 1);
      assert.deepStrictEqual(c4.got, ['small']);

      c6.send(Buffer.alloc(65520, 0x63), toUp.port, '::1');
      await waitFor('the failure toward the upstream', () => toUp.failures.length === 1);
      assert.strictEqual(toUp.failures[0].pairId, 'u1.c1');
      assert.strictEqual(toUp.failures[0].error.systemCode, 'EMSGSIZE');
      assert.strictEqual(toUp.failures[0].error.values.target, `127.0.0.1:${echo4.port}`);
      assert.strictEqual(toUp.failures[0].error.values.operation, 'send');
      assert.deepStrictEqual(echo4.from, []);
    } finally {
      toV4.relay.dispose();
      toUp.relay.dispose();
      await c4.close();
      await new Promise<void>((r) => c6.close(() => r()));
      await new Promise<void>((r) => echo6.close(() => r()));
      await echo4.close();
    }
  });
});
