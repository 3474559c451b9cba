/**
 * pcapng export of real Socket Lab traffic, read back by tshark: conversations, streams rebuilt byte for
 * byte, checksums, expert infos, direction flags, timestamps and Unix socket comments.
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { PassThrough } from 'stream';
import '../helpers/noLeaks';
import { rejectsWith } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { portOf } from '../helpers/sockets';
import { requirePeer } from '../helpers/require';
import { tempDir } from '../helpers/tempDir';
import {
  badChecksums,
  conversations,
  expertProblems,
  fields,
  followTcp,
  packetCount,
  quietPort,
} from '../helpers/tshark';
import { waitFor } from '../helpers/wait';

import { exportPcapng } from '../../src/core/pcap';
import type { SocketLab } from '../../src/core/socketLab';
import type { EndpointInfo, TrafficRecord } from '../../src/shared/model';

/** 'address:port' as tshark's conversation table writes it (IPv6 without brackets). */
const end = (address: string, port: number) => `${address}:${port}`;

/** The bytes of one direction of a connection, as the log holds them. */
function logged(records: TrafficRecord[], direction: 'in' | 'out'): Buffer {
  return Buffer.concat(records.filter((r) => r.direction === direction).map((r) => r.data));
}

/** Asserts what every exported file must satisfy: every checksum good, no expert warning or error. */
function assertClean(file: string): void {
  assert.deepStrictEqual(badChecksums(file), [], 'packets with a bad or unverified checksum');
  assert.deepStrictEqual(expertProblems(file), [], 'tshark expert warnings or errors');
}

/** Exports `id`'s log (an endpoint or one connection) of `lab` to `file`. */
async function exportOf(lab: SocketLab, id: string, file: string): Promise<void> {
  const endpointId = id.split('.')[0];
  const r = await exportPcapng(lab.get(endpointId)!, lab.traffic(id), file);
  assert.strictEqual(r.bytes, fs.statSync(file).size);
  assert.strictEqual(r.records, lab.traffic(id).length);
}

describe('pcapng export, read back by tshark', function () {
  this.timeout(60000);
  let t: ReturnType<typeof tempDir>;

  before(function () {
    requirePeer(this, 'tshark');
  });
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  for (const host of ['127.0.0.1', '::1']) {
    it(`TCP on ${host}: one conversation per connection, each direction byte-exact, FINs, direction flags and times`, () =>
      withLab(async (lab) => {
        const listener = await lab.startTcpListener({ host, port: await quietPort('tcp', host) });
        const port = portOf(listener);
        const c1 = await lab.connectTcp({ host, port, localPort: await quietPort('tcp', host) });
        const c2 = await lab.connectTcp({ host, port, localPort: await quietPort('tcp', host) });
        await waitFor('two accepted connections', () => lab.get(listener.id)!.connections.length === 2);
        const [a1, a2] = lab.get(listener.id)!.connections;
        await lab.send({ target: c1.id, data: 'hello from client 1' });
        await lab.send({ target: c2.id, data: '00 01 02 fe ff', format: 'hex' });
        await waitFor('both requests arrive', () => lab.get(listener.id)!.bytesIn === 24);
        await lab.send({ target: a1.id, data: '我是返回的数据' });
        await lab.send({ target: listener.id, data: 'to everyone\r\n' });
        await waitFor('replies arrive', () => lab.get(c1.id)!.bytesIn === 21 + 13 && lab.get(c2.id)!.bytesIn === 13);
        // Client 1 half-closes; the listener answers the FIN with its own (as a plain server does).
        lab.halfClose({ id: c1.id });
        await waitFor('connection 1 closed', () => lab.get(listener.id)!.connections[0].state === 'closed');

        const all = path.join(t.dir, 'listener.pcapng');
        await exportOf(lab, listener.id, all);
        const p1 = portOf(c1);
        const p2 = portOf(c2);
        assert.deepStrictEqual(
          conversations(all, 'tcp'),
          [[end(host, p1), end(host, port)].sort(), [end(host, p2), end(host, port)].sort()].sort(),
        );
        for (const [stream, conn, clientPort] of [
          [0, a1.id, p1],
          [1, a2.id, p2],
        ] as const) {
          const f = followTcp(all, stream);
          // Node 0 is the side that sent the SYN: the client.
          assert.strictEqual(f.node0, host.includes(':') ? `[${host}]:${clientPort}` : `${host}:${clientPort}`);
          assert.deepStrictEqual(f.from0, logged(lab.traffic(conn), 'in'));
          assert.deepStrictEqual(f.from1, logged(lab.traffic(conn), 'out'));
        }
        assertClean(all);

        // Packets from the clients are inbound (1), from the listener outbound (2).
        const flags = fields(all, ['tcp.srcport', 'frame.packet_flags_direction']);
        for (const [src, direction] of flags) {
          assert.strictEqual(Number(direction), Number(src) === port ? 2 : 1, `direction of a packet from ${src}`);
        }
        // One FIN from each side of connection 1, none on connection 2 (still open).
        const fins = fields(all, ['tcp.srcport'], 'tcp.flags.fin == 1').map((r) => Number(r[0]));
        assert.deepStrictEqual(fins.sort(), [p1, port].sort());
        // The data packets carry the logged times (microseconds).
        const times = fields(all, ['frame.time_epoch'], 'tcp.len > 0').map((r) => Math.round(Number(r[0]) * 1e6));
        assert.deepStrictEqual(
          times,
          lab.traffic(listener.id).map((r) => Math.round(r.time * 1000)),
        );

        // One connection alone, and the client's own log: the same conversation and bytes.
        const one = path.join(t.dir, 'c1.pcapng');
        await exportOf(lab, a1.id, one);
        assert.deepStrictEqual(conversations(one, 'tcp'), [[end(host, p1), end(host, port)].sort()]);
        assert.deepStrictEqual(followTcp(one, 0).from1, Buffer.from('我是返回的数据to everyone\r\n'));
        assertClean(one);
        const client = path.join(t.dir, 'client1.pcapng');
        await exportOf(lab, c1.id, client);
        assert.deepStrictEqual(conversations(client, 'tcp'), [[end(host, p1), end(host, port)].sort()]);
        const fc = followTcp(client, 0);
        assert.deepStrictEqual(fc.from0, Buffer.from('hello from client 1'));
        assert.deepStrictEqual(fc.from1, Buffer.from('我是返回的数据to everyone\r\n'));
        assertClean(client);
      }));

    it(`UDP on ${host}: one conversation per peer, each datagram's payload exact`, () =>
      withLab(async (lab) => {
        const bound = await lab.startUdpListener({ host, port: await quietPort('udp', host) });
        const port = portOf(bound);
        const u1 = await lab.openUdpClient({ host, port, localPort: await quietPort('udp', host) });
        const u2 = await lab.openUdpClient({ host, port, localPort: await quietPort('udp', host) });
        await lab.send({ target: u1.id, data: 'ping 1' });
        await lab.send({ target: u2.id, data: 'ping 2' });
        await lab.send({ target: u1.id, data: 'ping 3' });
        await waitFor('three datagrams', () => lab.get(bound.id)!.messagesIn === 3);
        await lab.send({ target: bound.id, data: 'pong 1', to: { host, port: portOf(u1) } });
        await lab.send({ target: bound.id, data: '', to: { host, port: portOf(u2) } });
        await waitFor('the replies', () => lab.get(u1.id)!.messagesIn === 1 && lab.get(u2.id)!.messagesIn === 1);

        const file = path.join(t.dir, 'udp.pcapng');
        await exportOf(lab, bound.id, file);
        assert.deepStrictEqual(
          conversations(file, 'udp'),
          [[end(host, portOf(u1)), end(host, port)].sort(), [end(host, portOf(u2)), end(host, port)].sort()].sort(),
        );
        const packets = fields(file, ['udp.srcport', 'udp.dstport', 'udp.length', 'data.data']);
        assert.deepStrictEqual(
          packets,
          lab.traffic(bound.id).map((r) => {
            const peer = Number(/:(\d+)$/.exec(r.peer)![1]);
            const [src, dst] = r.direction === 'in' ? [peer, port] : [port, peer];
            return [String(src), String(dst), String(8 + r.data.length), Buffer.from(r.data).toString('hex')];
          }),
        );
        assertClean(file);
        const client = path.join(t.dir, 'client.pcapng');
        await exportOf(lab, u1.id, client);
        assert.deepStrictEqual(conversations(client, 'udp'), [[end(host, portOf(u1)), end(host, port)].sort()]);
        assertClean(client);
      }));
  }

  it('Unix sockets: each connection on its own 127.x address and port, the socket path in every comment', () =>
    withLab(async (lab) => {
      const sock = path.join(t.dir, 'lab.sock');
      const listener = await lab.startUnixListener({ path: sock });
      const u1 = await lab.connectUnix({ path: sock });
      const u2 = await lab.connectUnix({ path: sock });
      await waitFor('two accepted', () => lab.get(listener.id)!.connections.length === 2);
      await lab.send({ target: u1.id, data: 'one' });
      await waitFor('first request', () => lab.get(listener.id)!.bytesIn === 3);
      await lab.send({ target: u2.id, data: 'two' });
      await waitFor('second request', () => lab.get(listener.id)!.bytesIn === 6);
      await lab.send({ target: listener.id, data: 'reply' });
      await waitFor('replies', () => lab.get(u2.id)!.bytesIn === 5 && lab.get(u1.id)!.bytesIn === 5);

      const file = path.join(t.dir, 'unix.pcapng');
      await exportOf(lab, listener.id, file);
      const convs = conversations(file, 'tcp');
      assert.strictEqual(convs.length, 2);
      const server = convs[0].find((e) => e.endsWith(':40000'))!;
      assert.match(server, /^127\.\d+\.\d+\.1:40000$/);
      const base = server.slice(0, server.lastIndexOf('.'));
      assert.deepStrictEqual(convs, [
        [server, `${base}.2:50001`],
        [server, `${base}.2:50002`],
      ]);
      const comments = fields(file, ['frame.comment']).map((r) => r[0]);
      assert.strictEqual(comments.length, packetCount(file));
      for (const c of comments) assert.match(c, new RegExp(`^Unix socket ${sock}, connection ${listener.id}\\.c[12]$`));
      const [a1, a2] = lab.get(listener.id)!.connections;
      for (const [stream, conn] of [
        [0, a1.id],
        [1, a2.id],
      ] as const) {
        const f = followTcp(file, stream);
        assert.deepStrictEqual(f.from0, logged(lab.traffic(conn), 'in'));
        assert.deepStrictEqual(f.from1, logged(lab.traffic(conn), 'out'));
      }
      assertClean(file);

      const client = path.join(t.dir, 'unix-client.pcapng');
      await exportOf(lab, u1.id, client);
      assert.deepStrictEqual(conversations(client, 'tcp'), [[server, `${base}.2:50000`]]);
      assert.deepStrictEqual(followTcp(client, 0).from0, Buffer.from('one'));
      assert.match(fields(client, ['frame.comment'])[0][0], new RegExp(`^Unix socket ${sock}$`));
      assertClean(client);
    }));

  it('a 10 MiB exchange each way is rebuilt byte-exact, split into segments of at most 65,455 bytes', () =>
    withLab(
      async (lab) => {
        const size = 10 * 1024 * 1024;
        const up = crypto.randomBytes(size);
        const down = crypto.randomBytes(size);
        const downFile = path.join(t.dir, 'down.bin');
        fs.writeFileSync(downFile, down);
        const listener = await lab.startTcpListener({ port: await quietPort('tcp', '127.0.0.1') });
        const client = net.connect({
          host: '127.0.0.1',
          port: portOf(listener),
          localPort: await quietPort('tcp', '127.0.0.1'),
        });
        let received = 0;
        client.on('data', (d) => (received += d.length));
        client.on('error', () => undefined);
        try {
          await new Promise((r) => client.once('connect', r));
          client.write(up);
          await waitFor('the upload', () => lab.get(listener.id)!.bytesIn === size, 30000);
          const conn = lab.get(listener.id)!.connections[0];
          await lab.sendFile({ target: conn.id, path: downFile });
          await waitFor('the download', () => received === size, 30000);
          client.end();
          await waitFor('closed', () => lab.get(listener.id)!.connections[0].state === 'closed', 10000);
        } finally {
          client.destroy();
        }
        const file = path.join(t.dir, 'big.pcapng');
        await exportOf(lab, listener.id, file);
        const f = followTcp(file, 0);
        assert.strictEqual(f.from0.length, size);
        assert.ok(f.from0.equals(up), 'the upload differs');
        assert.strictEqual(f.from1.length, size);
        assert.ok(f.from1.equals(down), 'the download differs');
        const lengths = fields(file, ['tcp.len'], 'tcp.len > 0').map((r) => Number(r[0]));
        assert.ok(Math.max(...lengths) <= 65455, `a segment of ${Math.max(...lengths)} bytes`);
        assert.ok(
          lab.traffic(listener.id).some((r) => r.data.length > 65455),
          'no logged record was large enough to need splitting',
        );
        assertClean(file);
      },
      { logCapBytes: 64 * 1024 * 1024 },
    ));

  it('a peer reset shows as a RST from the peer', () =>
    withLab(async (lab) => {
      const server = net.createServer((s) => {
        s.on('error', () => undefined);
        s.once('data', () => s.resetAndDestroy());
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as net.AddressInfo).port;
        const c = await lab.connectTcp({ port, localPort: await quietPort('tcp', '127.0.0.1') });
        await lab.send({ target: c.id, data: 'please reset' });
        await waitFor('the reset', () => lab.get(c.id)!.state === 'error');
        const file = path.join(t.dir, 'reset.pcapng');
        await exportOf(lab, c.id, file);
        const resets = fields(file, ['tcp.srcport'], 'tcp.flags.reset == 1').map((r) => Number(r[0]));
        assert.deepStrictEqual(resets, [port]);
        // tshark notes the reset itself (a warning about the connection, not about the file).
        assert.deepStrictEqual(
          expertProblems(file).filter((p) => !/Connection reset \(RST\)/.test(p)),
          [],
        );
        assert.deepStrictEqual(badChecksums(file), []);
      } finally {
        await new Promise((r) => server.close(r));
      }
    }));

  it('writes to a stream the same bytes as to a file, and says why a path cannot be written', () =>
    withLab(async (lab) => {
      const listener = await lab.startTcpListener({ port: await quietPort('tcp', '127.0.0.1') });
      const c = await lab.connectTcp({ port: portOf(listener) });
      await lab.send({ target: c.id, data: 'abc' });
      await waitFor('data', () => lab.get(listener.id)!.bytesIn === 3);
      const info: EndpointInfo = lab.get(listener.id)!;
      const file = path.join(t.dir, 'file.pcapng');
      await exportPcapng(info, lab.traffic(listener.id), file);
      const stream = new PassThrough();
      const chunks: Buffer[] = [];
      stream.on('data', (d: Buffer) => chunks.push(d));
      const r = await exportPcapng(info, lab.traffic(listener.id), stream);
      assert.deepStrictEqual(Buffer.concat(chunks), fs.readFileSync(file));
      assert.strictEqual(r.bytes, fs.statSync(file).size);
      assert.strictEqual(stream.writableEnded, false, 'the caller owns the stream');
      stream.destroy();

      await rejectsWith(
        exportPcapng(info, [], path.join(t.dir, 'missing', 'x.pcapng')),
        'fileNotFound',
        /^The folder of .*missing\/x\.pcapng does not exist; create it or choose another path\.$/,
      );
      await rejectsWith(exportPcapng(info, [], t.dir), 'isDirectory', /is a folder, not a file\.$/);
    }));
});
