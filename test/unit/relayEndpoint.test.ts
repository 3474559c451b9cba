/**
 * The relay as an endpoint (SocketLab.startRelay, kind 'relay') against real peers: each pair is one
 * connection whose log holds both directions with timestamps, a send injects toward the side asked, FINs
 * pass through, a UDP session is a connection too, and bad arguments are sentences naming the field.
 */
import * as assert from 'assert';
import * as dgram from 'dgram';
import * as net from 'net';
import * as fs from 'fs';
import * as path from 'path';
import * as tls from 'tls';
import '../helpers/noLeaks';
import type { SocketLab } from '../../src/core/socketLab';
import type { EndpointInfo } from '../../src/shared/model';
import { assertSocketLabError, rejectsWith } from '../helpers/errors';
import type { SocketLabError } from '../../src/shared/errors';
import { withLab } from '../helpers/lab';
import { PEERS_DIR, hasCommand, startPeer, waitForOutput } from '../helpers/peers';
import { freePort, portOf, rawConnect, rawServer } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

/** What the seed's PHP server answers to every request. */
const SEED_REPLY = '我是返回的数据';

function need(cmd: string, ctx: Mocha.Context): void {
  if (!hasCommand(cmd)) {
    console.log(`      (skipped: ${cmd} is not installed)`);
    ctx.skip();
  }
}

/** The SocketLabError that `p` rejects with (or `p()` throws), checked for `code`. */
async function refusal(p: Promise<unknown> | (() => unknown), code: string): Promise<SocketLabError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return assertSocketLabError(err, code);
  }
  return assert.fail(`expected ${code}`);
}

/** Resolves when `socket`'s TLS handshake is done; rejects (and destroys it) if it fails or closes first. */
function secured(socket: tls.TLSSocket): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => {
      socket.on('error', () => undefined);
      resolve();
    });
    socket.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
    socket.once('close', () => reject(new Error('closed before the TLS handshake was done')));
  });
}

function logged(lab: SocketLab, id: string, direction: 'in' | 'out'): string {
  return Buffer.concat(
    lab
      .traffic(id)
      .filter((r) => r.direction === direction)
      .map((r) => r.data),
  ).toString('utf8');
}

describe('relay endpoint (startRelay)', function () {
  this.timeout(30000);

  it("a Python client through the relay endpoint to the seed's PHP server: byte-exact both ways, one connection logging both directions", async function () {
    need('php', this);
    need('python3', this);
    await withLab(async (lab) => {
      const port = await freePort();
      const php = startPeer('php', [path.join(PEERS_DIR, 'seed_server.php'), String(port)]);
      try {
        await waitForOutput(php, /listening/);
        const relay = await lab.startRelay({ listen: { port: 0 }, upstream: { host: '127.0.0.1', port } });
        assert.strictEqual(relay.kind, 'relay');
        assert.strictEqual(relay.state, 'listening');
        assert.deepStrictEqual(relay.remote, { address: '127.0.0.1', port });
        const message = '你好, PHP, from Python through the relay endpoint';
        const py = startPeer('python3', [
          path.join(PEERS_DIR, 'client.py'),
          '127.0.0.1',
          String(portOf(relay)),
          message,
        ]);
        assert.strictEqual(await py.exited(10000), 0, py.stderr());
        assert.strictEqual(py.stdout().toString('utf8'), SEED_REPLY);
        assert.strictEqual(await php.exited(), 0);
        assert.match(php.stdout().toString('utf8'), new RegExp(`received: ${message}`));

        const info = await waitFor('the pair closed', () => {
          const e = lab.get(relay.id);
          return e?.connections[0]?.state === 'closed' ? e : undefined;
        });
        assert.strictEqual(info.connections.length, 1, 'the pair is one connection');
        const pair = info.connections[0];
        assert.strictEqual(pair.bytesIn, Buffer.byteLength(message), 'bytesIn = client → upstream');
        assert.strictEqual(pair.bytesOut, Buffer.byteLength(SEED_REPLY), 'bytesOut = upstream → client');
        assert.ok(pair.upstreamLocal && 'port' in pair.upstreamLocal && pair.upstreamLocal.port > 0);
        assert.strictEqual(pair.upstreamEnded, true);
        assert.strictEqual(pair.peerEnded, true);
        assert.strictEqual(logged(lab, relay.id, 'in'), message);
        assert.strictEqual(logged(lab, relay.id, 'out'), SEED_REPLY);
        const records = lab.traffic(relay.id);
        assert.ok(records.every((r) => r.connectionId === pair.id && typeof r.time === 'number' && r.time > 0));
        assert.deepStrictEqual(
          records.map((r) => r.direction),
          ['in', 'out'],
        );
        assert.ok(records[0].time <= records[1].time, 'timestamps in order');
      } finally {
        await php.kill();
      }
    });
  });

  it("half-close through the relay endpoint: a server answering after the client's FIN still reaches the client", async () => {
    await withLab(async (lab) => {
      const server = await rawServer(
        '127.0.0.1',
        (s) => {
          const got: Buffer[] = [];
          s.on('data', (d) => got.push(d));
          s.on('end', () => s.end(`answer after FIN to ${Buffer.concat(got).toString()}`));
        },
        { allowHalfOpen: true },
      );
      try {
        const relay = await lab.startRelay({ listen: { port: 0 }, upstream: { host: '127.0.0.1', port: server.port } });
        const client = net.connect({ host: '127.0.0.1', port: portOf(relay), allowHalfOpen: true });
        const got: Buffer[] = [];
        let ended = false;
        client.on('data', (d) => got.push(d));
        client.on('end', () => {
          ended = true;
          client.end();
        });
        client.on('error', () => undefined);
        await new Promise<void>((r) => client.once('connect', () => r()));
        client.end('request');
        await waitFor('the answer and its FIN', () => ended);
        assert.strictEqual(Buffer.concat(got).toString(), 'answer after FIN to request');
        const pair = await waitFor('the pair closed', () =>
          lab.get(relay.id)?.connections.find((c) => c.state === 'closed'),
        );
        assert.strictEqual(pair.peerEnded, true);
        assert.strictEqual(pair.upstreamEnded, true);
        assert.strictEqual(pair.error, undefined);
        client.destroy();
      } finally {
        await server.close();
      }
    });
  });

  it('send injects toward the side asked, into one pair or every open one; without a direction it is refused', async () => {
    await withLab(async (lab) => {
      const server = await rawServer('127.0.0.1');
      try {
        const relay: EndpointInfo = await lab.startRelay({
          listen: { port: 0 },
          upstream: { host: '127.0.0.1', port: server.port },
        });
        const client = net.connect(portOf(relay), '127.0.0.1');
        const got: Buffer[] = [];
        client.on('data', (d) => got.push(d));
        client.on('error', () => undefined);
        const pair = await waitFor('the pair open', () =>
          lab.get(relay.id)?.connections.find((c) => c.state === 'connected' && c.upstreamLocal),
        );
        await lab.send({ target: pair.id, data: 'to the server', direction: 'toUpstream' });
        await waitFor('the server got it', () => server.received().toString() === 'to the server');
        await lab.send({ target: relay.id, data: 'to every client', direction: 'toClient' });
        await waitFor('the client got it', () => Buffer.concat(got).toString() === 'to every client');
        assert.strictEqual(logged(lab, relay.id, 'in'), 'to the server');
        assert.strictEqual(logged(lab, relay.id, 'out'), 'to every client');

        await rejectsWith(lab.send({ target: pair.id, data: 'x' }), 'relayDirectionMissing', /needs a direction/);
        await rejectsWith(
          lab.send({ target: pair.id, data: 'x', direction: 'sideways' as never }),
          'invalidArgument',
          /direction must be 'toUpstream' or 'toClient'/,
        );
        assert.throws(
          () => lab.setAutoReply(relay.id, { mode: 'echo' }),
          /is a relay: it passes on what each side says/,
        );
        await rejectsWith(() => lab.halfClose({ id: pair.id }), 'notAStream', /passes on each side’s FIN by itself/);
        client.destroy();
      } finally {
        await server.close();
      }
    });
  });

  it("a pair's state follows the relay: open with its upstream address, then the upstream's FIN, then the client's reset", async () => {
    await withLab(async (lab) => {
      const server = await rawServer('127.0.0.1', undefined, { allowHalfOpen: true });
      try {
        const relay = await lab.startRelay({ listen: { port: 0 }, upstream: { host: '127.0.0.1', port: server.port } });
        assert.deepStrictEqual(relay.relay, { protocol: 'tcp', tlsListen: false, tlsUpstream: false });
        assert.strictEqual('tls' in relay, false, 'no TLS toward clients: no tls info');
        // A pair that says nothing is still told to watchers: by a change event, not only by polling.
        let toldOfOpenPair = false;
        const watching = lab.onDidChangeEndpoints((id) => {
          if (id === relay.id && lab.get(id)?.connections[0]?.upstreamLocal) toldOfOpenPair = true;
        });
        const client = net.connect({ host: '127.0.0.1', port: portOf(relay), allowHalfOpen: true });
        client.on('error', () => undefined);
        let clientEnded = false;
        client.on('end', () => (clientEnded = true));
        const open = await waitFor('the pair open', () =>
          lab.get(relay.id)?.connections.find((c) => c.state === 'connected' && c.upstreamLocal),
        );
        await waitFor('a change event for the open pair', () => toldOfOpenPair);
        watching.dispose();
        const upstreamSocket = await waitFor('the upstream accepted', () => server.sockets[0]);
        assert.deepStrictEqual(open.upstreamLocal, { address: '127.0.0.1', port: upstreamSocket.remotePort });
        for (const field of ['peerEnded', 'localEnded', 'upstreamEnded', 'resetBy', 'upstreamTls', 'tls', 'error']) {
          assert.strictEqual(field in open, false, `an open pair has no ${field}`);
        }

        upstreamSocket.end();
        await waitFor('the FIN passed to the client', () => clientEnded);
        const halfClosed = await waitFor('the upstream end listed', () =>
          lab.get(relay.id)?.connections.find((c) => c.upstreamEnded),
        );
        assert.strictEqual(halfClosed.state, 'connected');
        assert.strictEqual(halfClosed.localEnded, true, "the upstream's FIN is the pair's local end");
        assert.strictEqual(halfClosed.upstreamEnded, true);
        assert.strictEqual('peerEnded' in halfClosed, false, 'the client has not ended');

        client.resetAndDestroy();
        const closed = await waitFor('the pair closed', () =>
          lab.get(relay.id)?.connections.find((c) => c.state === 'closed'),
        );
        assert.strictEqual(closed.resetBy, 'client');
        assert.strictEqual(closed.upstreamEnded, true);
      } finally {
        await server.close();
      }
    });
  });

  it('send without a direction, with `to`, or to a relay without clients is refused with a sentence naming it', async () => {
    await withLab(async (lab) => {
      const server = await rawServer('127.0.0.1');
      try {
        const relay = await lab.startRelay({ listen: { port: 0 }, upstream: { host: '127.0.0.1', port: server.port } });
        const name = `Relay 127.0.0.1:${portOf(relay)} → 127.0.0.1:${server.port}`;
        const noClients = await refusal(
          lab.send({ target: relay.id, data: 'x', direction: 'toClient' }),
          'noConnections',
        );
        assert.strictEqual(noClients.message, `${name} has no connected clients to send to.`);
        const noDirection = await refusal(lab.send({ target: relay.id, data: 'x' }), 'relayDirectionMissing');
        assert.strictEqual(
          noDirection.message,
          `Sending through ${name} needs a direction: 'toUpstream' (to the server) or 'toClient'.`,
        );
        assert.strictEqual(noDirection.values.field, 'direction');
        const withTo = await refusal(
          lab.send({ target: relay.id, data: 'x', direction: 'toClient', to: { host: '127.0.0.1', port: 9 } }),
          'toNotAllowed',
        );
        assert.strictEqual(
          withTo.message,
          `'to' is only for UDP sockets; ${relay.id} is a relay: pick one of its connections or the listener.`,
        );
        const halfClose = await refusal(() => lab.halfClose({ id: relay.id }), 'notAStream');
        assert.match(halfClose.message, new RegExp(`^${relay.id} is a relay connection;`));
      } finally {
        await server.close();
      }
    });
  });

  it('send to one pair reaches only that client; send to the relay reaches every open pair and sums the bytes; stop closes one pair', async () => {
    await withLab(async (lab) => {
      const server = await rawServer('127.0.0.1');
      try {
        const relay = await lab.startRelay({ listen: { port: 0 }, upstream: { host: '127.0.0.1', port: server.port } });
        const openPairs = () =>
          lab.get(relay.id)?.connections.filter((c) => c.state === 'connected' && c.upstreamLocal) ?? [];
        const first = await rawConnect({ host: '127.0.0.1', port: portOf(relay) });
        const [pair1] = await waitFor('pair 1 open', () => (openPairs().length === 1 ? openPairs() : undefined));
        const second = await rawConnect({ host: '127.0.0.1', port: portOf(relay) });
        const secondPort = second.socket.localPort;
        const pair2 = await waitFor('pair 2 open', () => openPairs().find((c) => c.id !== pair1.id));

        const one = await lab.send({ target: pair1.id, data: 'only one', direction: 'toClient' });
        assert.strictEqual(one.bytes, 8);
        const both = await lab.send({ target: relay.id, data: 'all', direction: 'toClient' });
        assert.strictEqual(both.bytes, 6, 'three bytes to each of two pairs');
        await waitFor('client 2 got its bytes', () => second.received().toString() === 'all');
        await waitFor('client 1 got its bytes', () => first.received().toString() === 'only oneall');

        const halfClose = await refusal(() => lab.halfClose({ id: pair2.id }), 'notAStream');
        assert.strictEqual(
          halfClose.message,
          `${pair2.id} is a relay connection; the relay passes on each side’s FIN by itself, so it cannot be half-closed here.`,
        );

        lab.stop({ id: pair1.id });
        await waitFor('client 1 closed by the relay', () => first.closed());
        await waitFor('pair 1 listed closed', () =>
          lab.get(relay.id)?.connections.find((c) => c.id === pair1.id && c.state === 'closed'),
        );
        const rest = await lab.send({ target: relay.id, data: 'left', direction: 'toClient' });
        assert.strictEqual(rest.bytes, 4, 'only the open pair is sent to');
        await waitFor('client 2 got the rest', () => second.received().toString() === 'allleft');
        second.socket.destroy();
        await waitFor('pair 2 listed closed', () =>
          lab.get(relay.id)?.connections.find((c) => c.id === pair2.id && c.state === 'closed'),
        );
        // With no pair open, a send to one closed pair is refused by that pair (not as "no connected clients").
        const late = await refusal(
          lab.send({ target: pair2.id, data: 'late', direction: 'toClient' }),
          'relayPairClosed',
        );
        assert.strictEqual(
          late.message,
          `Relay connection ${pair2.id} (127.0.0.1:${secondPort}) is not open; nothing was sent.`,
        );
      } finally {
        await server.close();
      }
    });
  });

  it('a pair whose upstream refuses the connection is closed with the error on that connection, not on the relay', async () => {
    await withLab(async (lab) => {
      const port = await freePort();
      const relay = await lab.startRelay({ listen: { port: 0 }, upstream: { host: '127.0.0.1', port } });
      const client = await rawConnect({ host: '127.0.0.1', port: portOf(relay) });
      const clientPort = client.socket.localPort;
      await waitFor('the client closed', () => client.closed());
      const pair = await waitFor('the pair failed', () => lab.get(relay.id)?.connections.find((c) => c.error));
      assert.strictEqual(pair.state, 'closed');
      assert.strictEqual('upstreamLocal' in pair, false, 'no upstream connection was made');
      assert.strictEqual(
        pair.error,
        `The upstream 127.0.0.1:${port} refused the connection (nothing listens there), so client 127.0.0.1:${clientPort} was reset; start the server or check the upstream address.`,
      );
      const info = lab.get(relay.id)!;
      assert.strictEqual(info.state, 'listening');
      assert.strictEqual(info.error, undefined, 'the relay itself did not fail');
    });
  });

  it('a Unix relay to a Unix upstream: remote is the path, each client is labelled by path and pair number', async () => {
    const { dir, remove } = tempDir('sl-relay-');
    const upstreamPath = path.join(dir, 'up.sock');
    const listenPath = path.join(dir, 'relay.sock');
    const upstream = net.createServer((s) => s.on('data', (d) => s.write(Buffer.concat([Buffer.from('re:'), d]))));
    try {
      await new Promise<void>((r) => upstream.listen(upstreamPath, r));
      await withLab(async (lab) => {
        const relay = await lab.startRelay({ listen: { path: listenPath }, upstream: { path: upstreamPath } });
        assert.deepStrictEqual(relay.remote, { path: upstreamPath });
        assert.deepStrictEqual(relay.local, { path: listenPath });
        const client = await rawConnect({ path: listenPath });
        client.socket.write('hi');
        await waitFor('the answer through the relay', () => client.received().toString() === 're:hi');
        const pair = lab.get(relay.id)!.connections[0];
        const suffix = pair.id.slice(relay.id.length + 1);
        assert.match(suffix, /^c\d+$/);
        assert.deepStrictEqual(
          lab.traffic(relay.id).map((r) => [r.direction, r.peer, Buffer.from(r.data).toString()]),
          [
            ['in', `${listenPath}#${suffix}`, 'hi'],
            ['out', `${listenPath}#${suffix}`, 're:hi'],
          ],
        );
        client.socket.destroy();
      });
    } finally {
      await new Promise((r) => upstream.close(r));
      remove();
    }
  });

  it('TLS on both sides: the relay has its own CA for clients, verifies the upstream by its name, and lists both sessions', async () => {
    const { dir, remove } = tempDir('sl-relaytls-');
    try {
      await withLab(
        async (lab) => {
          const server = await lab.startTlsListener({ port: 0, autoReply: { mode: 'fixed', data: 'pong' } });
          const upstreamCa = server.tls?.caPath;
          assert.ok(upstreamCa && fs.existsSync(upstreamCa));
          const relay = await lab.startRelay({
            listen: { port: 0 },
            upstream: { host: 'localhost', port: portOf(server) },
            tls: { listen: true, upstream: { ca: upstreamCa } },
          });
          assert.deepStrictEqual(relay.relay, { protocol: 'tcp', tlsListen: true, tlsUpstream: true });
          const relayCa = relay.tls?.caPath;
          assert.ok(relayCa && fs.existsSync(relayCa), JSON.stringify(relay.tls));
          const client = tls.connect({
            host: '127.0.0.1',
            port: portOf(relay),
            servername: 'localhost',
            ca: fs.readFileSync(relayCa),
          });
          const got: Buffer[] = [];
          client.on('data', (d) => got.push(d));
          await secured(client);
          assert.strictEqual(client.authorized, true, 'the client trusts the relay by its CA');
          client.write('ping');
          await waitFor('the answer through both TLS sessions', () => Buffer.concat(got).toString() === 'pong');
          const pair = lab.get(relay.id)!.connections[0];
          assert.strictEqual(pair.tls?.servername, 'localhost', 'the session with the client');
          assert.strictEqual(pair.upstreamTls?.authorized, true, 'the upstream verified against the given CA');
          assert.strictEqual(pair.upstreamTls?.servername, 'localhost', 'SNI toward the upstream: its host name');
          client.destroy();

          // A client sending no SNI (an IP address): the relay names the upstream by the host it was given.
          const noSni = tls.connect({ host: '127.0.0.1', port: portOf(relay), ca: fs.readFileSync(relayCa) });
          await secured(noSni);
          const second = await waitFor('the second pair with its upstream session', () =>
            lab.get(relay.id)?.connections.find((c) => c.state === 'connected' && c.upstreamTls?.authorized),
          );
          assert.strictEqual(second.tls?.servername, undefined, 'the client sent no SNI');
          assert.strictEqual(second.upstreamTls?.servername, 'localhost');
          noSni.destroy();

          // A servername given for the upstream is used whatever SNI the client sends.
          const fixed = await lab.startRelay({
            listen: { port: 0 },
            upstream: { host: 'localhost', port: portOf(server) },
            tls: { listen: true, upstream: { ca: upstreamCa, servername: 'localhost' } },
          });
          const otherName = tls.connect({
            host: '127.0.0.1',
            port: portOf(fixed),
            servername: 'other.localhost',
            ca: fs.readFileSync(fixed.tls!.caPath!),
            // The relay's certificate need not name other.localhost: this client only tests the SNI it passes on.
            checkServerIdentity: () => undefined,
          });
          await secured(otherName);
          const third = await waitFor('the pair of the fixed-servername relay', () =>
            lab.get(fixed.id)?.connections.find((c) => c.upstreamTls?.authorized),
          );
          assert.strictEqual(third.tls?.servername, 'other.localhost');
          assert.strictEqual(third.upstreamTls?.servername, 'localhost');
          otherName.destroy();

          // No servername given: the client's SNI is passed on toward the upstream (insecure: no name check).
          const passing = await lab.startRelay({
            listen: { port: 0 },
            upstream: { host: 'localhost', port: portOf(server) },
            tls: { listen: true, upstream: { insecure: true } },
          });
          const passedOn = tls.connect({
            host: '127.0.0.1',
            port: portOf(passing),
            servername: 'other.localhost',
            ca: fs.readFileSync(passing.tls!.caPath!),
            checkServerIdentity: () => undefined,
          });
          await secured(passedOn);
          const fourth = await waitFor('the pair of the SNI-passing relay', () =>
            lab.get(passing.id)?.connections.find((c) => c.upstreamTls),
          );
          assert.strictEqual(fourth.upstreamTls?.servername, 'other.localhost');
          passedOn.destroy();
        },
        { tlsFolder: dir },
      );
    } finally {
      remove();
    }
  });

  it('a UDP relay: a session per client address is a connection, datagrams exact both ways', async () => {
    await withLab(async (lab) => {
      const server = dgram.createSocket('udp4');
      server.on('message', (msg, from) =>
        server.send(Buffer.concat([Buffer.from('re:'), msg]), from.port, from.address),
      );
      await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
      const client = dgram.createSocket('udp4');
      try {
        const relay = await lab.startRelay({
          listen: { port: 0 },
          upstream: { host: '127.0.0.1', port: server.address().port },
          protocol: 'udp',
        });
        assert.strictEqual(relay.relay?.protocol, 'udp');
        const got: Buffer[] = [];
        client.on('message', (m) => got.push(m));
        client.send(Buffer.from([0, 1, 2, 255]), portOf(relay), '127.0.0.1');
        await waitFor('the answer through the relay', () => got.length === 1);
        assert.deepStrictEqual([...got[0]], [...Buffer.from('re:'), 0, 1, 2, 255]);
        const session = await waitFor('the session listed', () => lab.get(relay.id)?.connections[0]);
        assert.strictEqual(session.bytesIn, 4);
        assert.strictEqual(session.bytesOut, 7);
      } finally {
        client.close();
        server.close();
      }
    });
  });

  it('bad arguments are sentences naming the field', async () => {
    await withLab(async (lab) => {
      await rejectsWith(lab.startRelay({ listen: { port: 0 } } as never), 'invalidArgument', /upstream/);
      await rejectsWith(
        lab.startRelay({ listen: { port: 0 }, upstream: { host: '127.0.0.1', port: 0 } }),
        'invalidArgument',
        /^upstream\.port must be 1-65535 to connect/,
      );
      await rejectsWith(
        lab.startRelay({ listen: { path: '/tmp/x.sock' }, upstream: { host: '127.0.0.1', port: 9 }, protocol: 'udp' }),
        'invalidArgument',
        /^listen must be \{ host, port \} for a UDP relay/,
      );
      await rejectsWith(
        lab.startRelay({
          listen: { port: 0 },
          upstream: { host: '127.0.0.1', port: 9 },
          tls: { listen: 'yes' } as never,
        }),
        'invalidArgument',
        /^tls\.listen must be true or false/,
      );
      await rejectsWith(
        lab.startRelay({ listen: { port: 0, extra: 1 } as never, upstream: { host: '127.0.0.1', port: 9 } }),
        'unknownField',
        /^listen\.extra has no field/,
      );
      assert.deepStrictEqual(lab.list(), []);
    });
  });
});
