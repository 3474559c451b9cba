import * as assert from 'assert';
import * as dgram from 'dgram';
import * as path from 'path';
import '../helpers/noLeaks';
import { RelayFailure, RelayPairInfo, UdpRelayOptions } from '../../src/core/relay/relayTypes';
import { UdpRelay } from '../../src/core/relay/udpRelay';
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
      assert.strictEqual(run.relay.pairs().length, 1);
    } finally {
      run.relay.dispose();
      await a.close();
      await b.close();
      await echo.close();
    }
  });
});
