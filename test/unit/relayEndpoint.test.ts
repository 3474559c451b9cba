/**
 * The relay as an endpoint (SocketLab.startRelay, kind 'relay') against real peers: each pair is one
 * connection whose log holds both directions with timestamps, a send injects toward the side asked, FINs
 * pass through, a UDP session is a connection too, and bad arguments are sentences naming the field.
 */
import * as assert from 'assert';
import * as dgram from 'dgram';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import type { SocketLab } from '../../src/core/socketLab';
import type { EndpointInfo } from '../../src/shared/model';
import { rejectsWith } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { PEERS_DIR, hasCommand, startPeer, waitForOutput } from '../helpers/peers';
import { freePort, portOf, rawServer } from '../helpers/sockets';
import { waitFor } from '../helpers/wait';

/** What the seed's PHP server answers to every request. */
const SEED_REPLY = '我是返回的数据';

function need(cmd: string, ctx: Mocha.Context): void {
  if (!hasCommand(cmd)) {
    console.log(`      (skipped: ${cmd} is not installed)`);
    ctx.skip();
  }
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
