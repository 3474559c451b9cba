/**
 * pcapng capture as a stream: records of real traffic appended as they arrive, the file readable by tshark
 * after every flush, FINs written when the sides close, a second capture appended as a second section, and
 * what the disk cannot take counted as lost with the sequence numbers kept true.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { assertSocketLabError } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { endpointBase, tcpListener } from '../helpers/pcapFixtures';
import { portOf } from '../helpers/sockets';
import { requirePeer } from '../helpers/require';
import { tempDir } from '../helpers/tempDir';
import { pcapngBlocks, pcapngPackets, tcpFlags, tcpSourcePort } from '../helpers/pcapngReader';
import { badChecksums, conversations, expertProblems, fields, followTcp, quietPort, tshark } from '../helpers/tshark';
import { waitFor } from '../helpers/wait';

import { PCAPNG_MAGIC, PcapngCaptureWriter } from '../../src/core/pcap';
import { CAPTURE_MAX_BUFFERED_BYTES } from '../../src/core/capture';
import { openCaptureFile, type OpenedCaptureFile } from '../../src/core/captureFile';
import type { SocketLabError } from '../../src/shared/errors';
import type { CaptureSpec } from '../../src/shared/commandArgs';
import type { EndpointInfo, TrafficRecord } from '../../src/shared/model';

/** 'a.b.c.d:port' of an IPv4 packet's source and destination. */
function ends(packet: Buffer): [string, string] {
  const at = (o: number) => `${packet.subarray(o, o + 4).join('.')}:${packet.readUInt16BE(o === 12 ? 20 : 22)}`;
  return [at(12), at(16)];
}

/** A pcapng capture of `file` with room for everything these tests write. */
function pcapngSpec(file: string, append = false): CaptureSpec {
  return { path: file, format: 'pcapng', maxBytes: 1024 ** 3, append };
}

describe('pcapng capture, streamed while traffic flows', function () {
  this.timeout(60000);
  let t: ReturnType<typeof tempDir>;

  before(function () {
    requirePeer(this, 'tshark');
  });
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it('real TCP traffic: readable after each flush, FINs on close, a restart appends a second section', () =>
    withLab(async (lab) => {
      const file = path.join(t.dir, 'capture.pcapng');
      const listener = await lab.startTcpListener({ port: await quietPort('tcp', '127.0.0.1') });
      const port = portOf(listener);
      // What an endpoint gives its capture: itself, and its connections by id.
      const source = {
        endpoint: () => lab.get(listener.id)!,
        connection: (id: string) => lab.get(listener.id)!.connections.find((c) => c.id === id),
      };
      let writer = new PcapngCaptureWriter(pcapngSpec(file), await openCaptureFile(pcapngSpec(file)), source);
      const sub = lab.onDidTraffic((e) => {
        if (e.endpointId === listener.id) writer.write(e.record);
      });
      const clientPort = await quietPort('tcp', '127.0.0.1');
      const client = net.connect({ host: '127.0.0.1', port, localPort: clientPort, allowHalfOpen: true });
      const got: Buffer[] = [];
      client.on('data', (d) => got.push(d));
      client.on('error', () => undefined);
      try {
        await new Promise((r) => client.once('connect', r));
        await waitFor('accepted', () => lab.get(listener.id)!.connections.length === 1);
        const conn = lab.get(listener.id)!.connections[0].id;
        client.write('first request');
        await waitFor('first request', () => lab.get(listener.id)!.bytesIn === 13);
        await writer.flush();
        // Opened mid-capture: a valid file with the handshake and the first segment.
        assert.deepStrictEqual(followTcp(file, 0).from0, Buffer.from('first request'));
        assert.deepStrictEqual(expertProblems(file), []);

        await lab.send({ target: conn, data: 'first reply' });
        client.write('second request');
        await waitFor('second request', () => lab.get(listener.id)!.bytesIn === 27);
        await writer.flush();
        const mid = followTcp(file, 0);
        assert.deepStrictEqual(mid.from0, Buffer.from('first requestsecond request'));
        assert.deepStrictEqual(mid.from1, Buffer.from('first reply'));

        // The client half-closes, the listener answers with its FIN: the sides close in that order.
        client.end();
        await waitFor('closed', () => lab.get(listener.id)!.connections[0].state === 'closed');
        writer.close(conn, 'remote', 'fin');
        writer.close(conn, 'local', 'fin');
        writer.close(conn, 'local', 'fin'); // a side closes once
        writer.dispose();
        await writer.closed();
        const fins = fields(file, ['tcp.srcport'], 'tcp.flags.fin == 1').map((r) => Number(r[0]));
        assert.deepStrictEqual(fins, [clientPort, port]);
        assert.deepStrictEqual(conversations(file, 'tcp'), [[`127.0.0.1:${clientPort}`, `127.0.0.1:${port}`].sort()]);
        assert.deepStrictEqual(badChecksums(file), []);
        assert.deepStrictEqual(expertProblems(file), []);
        const firstSection = fields(file, ['frame.number']).length;

        // Capture again into the same file (a restart): a new section after the first.
        writer = new PcapngCaptureWriter(pcapngSpec(file, true), await openCaptureFile(pcapngSpec(file, true)), source);
        const again = await lab.connectTcp({ port, localPort: await quietPort('tcp', '127.0.0.1') });
        await lab.send({ target: again.id, data: 'after restart' });
        await waitFor('the new request', () => lab.get(listener.id)!.bytesIn === 40);
        writer.dispose();
        await writer.closed();
        const sections = tshark(file, ['-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream']).trim().split('\n');
        assert.ok(sections.length > firstSection, 'the second section was not read');
        assert.deepStrictEqual(followTcp(file, 1).from0, Buffer.from('after restart'));
        assert.deepStrictEqual(expertProblems(file), []);
      } finally {
        sub.dispose();
        client.destroy();
        writer.dispose();
        await writer.closed();
      }
    }));

  it('when the disk falls behind, records are counted lost and later segments keep their true sequence numbers', async () => {
    const file = path.join(t.dir, 'lost.pcapng');
    const endpoint: EndpointInfo = {
      ...endpointBase,
      id: 'e1',
      kind: 'tcp-client',
      state: 'connected',
      local: { address: '127.0.0.1', port: await quietPort('tcp', '127.0.0.1') },
      remote: { address: '127.0.0.1', port: await quietPort('tcp', '127.0.0.1') },
    };
    const writer = new PcapngCaptureWriter(pcapngSpec(file), await openCaptureFile(pcapngSpec(file)), {
      endpoint: () => endpoint,
    });
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const records: TrafficRecord[] = [];
    // Written in one turn of the event loop, faster than any disk: the stream's buffer passes its bound.
    const count = CAPTURE_MAX_BUFFERED_BYTES / chunk.length + 4;
    const refusedAccepted: number[] = [];
    for (let i = 0; i < count; i++) {
      const r: TrafficRecord = { time: Date.now(), direction: 'out', peer: '127.0.0.1:1', data: chunk };
      records.push(r);
      const lostBefore = writer.lost;
      // A record counted lost must still ask the source to pause.
      if (writer.write(r) && writer.lost > lostBefore) refusedAccepted.push(i);
    }
    assert.ok(writer.lost > 0, 'nothing was counted lost');
    assert.deepStrictEqual(refusedAccepted, [], 'records counted lost without pausing the source');
    await new Promise<void>((r) => writer.onDrain(r));
    const last = Buffer.from('after the gap');
    writer.write({ time: Date.now(), direction: 'out', peer: '127.0.0.1:1', data: last });
    writer.dispose();
    await writer.closed();
    const segments = fields(file, ['tcp.seq', 'tcp.len'], 'tcp.len > 0').map((r) => r.map(Number));
    const final = segments[segments.length - 1];
    assert.strictEqual(final[1], last.length);
    // Relative sequence numbers start at 1 after the SYN: the final segment comes after every byte, lost ones too.
    assert.strictEqual(final[0], 1 + count * chunk.length);
    const written = segments.slice(0, -1).reduce((n, s) => n + s[1], 0);
    assert.strictEqual(written, (count - writer.lost) * chunk.length);
    assert.ok(
      expertProblems(file).some((p) => /Previous segment\(s\) not captured/.test(p)),
      'tshark should see the gap',
    );
    assert.deepStrictEqual(badChecksums(file), []);
  });

  it('refuses to append to a file that holds something else, and says so', async () => {
    const file = path.join(t.dir, 'notes.txt');
    fs.writeFileSync(file, 'my notes\n');
    const err = await openCaptureFile(pcapngSpec(file, true)).then(
      () => undefined,
      (e: unknown) => e,
    );
    assertSocketLabError(err, 'captureNotPcapng', { path: file });
    assert.match((err as Error).message, /notes\.txt already holds data that is not pcapng; choose a new file/);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'my notes\n');
  });

  it('names the interface after the endpoint and asks the source for a connection only by id, once per flow', async () => {
    const file = path.join(t.dir, 'source.pcapng');
    const listener = tcpListener('e4');
    const asked: (string | undefined)[] = [];
    const writer = new PcapngCaptureWriter(pcapngSpec(file), await openCaptureFile(pcapngSpec(file)), {
      endpoint: () => listener,
      connection: (id) => {
        asked.push(id);
        return { remote: { address: '127.0.0.7', port: 4444 }, local: { address: '127.0.0.1', port: 5000 } };
      },
    });
    // The label says another peer: the connection's own address is what the packets show.
    const r = { time: 1_700_000_000_000, peer: '127.0.0.9:1', connectionId: 'e4.c1', data: Buffer.from('hi') };
    writer.write({ ...r, direction: 'in' });
    writer.write({ ...r, direction: 'out' });
    writer.dispose();
    await writer.closed();
    assert.deepStrictEqual(asked, ['e4.c1']);
    const bytes = fs.readFileSync(file);
    const idb = pcapngBlocks(bytes)[1];
    assert.strictEqual(idb.options[0].value.toString(), 'socket-lab e4');
    const packets = pcapngPackets(bytes);
    assert.deepStrictEqual(
      packets.map((p) => ends(p.packet)),
      [
        ['127.0.0.7:4444', '127.0.0.1:5000'], // SYN
        ['127.0.0.1:5000', '127.0.0.7:4444'], // SYN-ACK
        ['127.0.0.7:4444', '127.0.0.1:5000'], // ACK
        ['127.0.0.7:4444', '127.0.0.1:5000'], // 'hi' in
        ['127.0.0.1:5000', '127.0.0.7:4444'], // 'hi' out
      ],
    );
  });

  it("a client's own records do not ask the source for a connection; a source without connections will do", async () => {
    const file = path.join(t.dir, 'client.pcapng');
    const tcpClient: EndpointInfo = {
      ...endpointBase,
      id: 'e5',
      kind: 'tcp-client',
      state: 'connected',
      local: { address: '127.0.0.1', port: 6000 },
      remote: { address: '127.0.0.1', port: 6001 },
    };
    const asked: (string | undefined)[] = [];
    const writer = new PcapngCaptureWriter(pcapngSpec(file), await openCaptureFile(pcapngSpec(file)), {
      endpoint: () => tcpClient,
      connection: (id) => {
        asked.push(id);
        return { remote: { address: '127.0.0.8', port: 1 }, local: { address: '127.0.0.8', port: 2 } };
      },
    });
    writer.write({ time: 1, direction: 'out', peer: '127.0.0.1:6001', data: Buffer.from('x') });
    writer.dispose();
    await writer.closed();
    assert.deepStrictEqual(asked, []);
    assert.deepStrictEqual(ends(pcapngPackets(fs.readFileSync(file))[3].packet), ['127.0.0.1:6000', '127.0.0.1:6001']);

    const udpFile = path.join(t.dir, 'udp.pcapng');
    const udp: EndpointInfo = { ...tcpClient, id: 'e6', kind: 'udp', state: 'listening', remote: undefined };
    const udpWriter = new PcapngCaptureWriter(pcapngSpec(udpFile), await openCaptureFile(pcapngSpec(udpFile)), {
      endpoint: () => udp,
    });
    udpWriter.write({
      time: 1,
      direction: 'in',
      peer: '127.0.0.3:6002',
      connectionId: 'e6.p1',
      data: Buffer.from('y'),
    });
    udpWriter.dispose();
    await udpWriter.closed();
    assert.deepStrictEqual(
      pcapngPackets(fs.readFileSync(udpFile)).map((p) => ends(p.packet)),
      [['127.0.0.3:6002', '127.0.0.1:6000']],
    );
  });

  it("closes a client's own connection (no connection id): its FIN, then the peer's ACK; nothing once disposed", async () => {
    const file = path.join(t.dir, 'fin.pcapng');
    const tcpClient: EndpointInfo = {
      ...endpointBase,
      id: 'e7',
      kind: 'tcp-client',
      state: 'connected',
      local: { address: '127.0.0.1', port: 6100 },
      remote: { address: '127.0.0.1', port: 6101 },
    };
    const writer = new PcapngCaptureWriter(pcapngSpec(file), await openCaptureFile(pcapngSpec(file)), {
      endpoint: () => tcpClient,
    });
    assert.strictEqual(
      writer.write({ time: 1, direction: 'out', peer: '127.0.0.1:6101', data: Buffer.from('x') }),
      true,
    );
    // A record that adds no packet (the handshake is written already) is taken without pausing the source.
    assert.strictEqual(
      writer.write({ time: 2, direction: 'out', peer: '127.0.0.1:6101', data: Buffer.alloc(0) }),
      true,
    );
    writer.close(undefined, 'local', 'fin', 3);
    writer.dispose();
    // Once disposed: records are taken (true, nothing to wait for) and nothing more is written.
    assert.strictEqual(
      writer.write({ time: 4, direction: 'in', peer: '127.0.0.1:6101', data: Buffer.from('z') }),
      true,
    );
    writer.close(undefined, 'remote', 'fin', 5);
    await writer.closed();
    const packets = pcapngPackets(fs.readFileSync(file));
    assert.deepStrictEqual(
      packets.map((p) => [tcpSourcePort(p.packet), tcpFlags(p.packet)]),
      [
        [6100, 0x02], // SYN
        [6101, 0x12], // SYN-ACK
        [6100, 0x10], // ACK
        [6100, 0x18], // PSH-ACK 'x'
        [6100, 0x11], // FIN-ACK
        [6101, 0x10], // ACK
      ],
    );
  });

  it('refuses a file whose first bytes are not pcapng even when handed one already open, and writes nothing to it', async () => {
    const file = path.join(t.dir, 'notes.txt');
    fs.writeFileSync(file, 'my notes\n');
    const st = fs.statSync(file);
    const opened: OpenedCaptureFile = {
      fd: fs.openSync(file, 'a'),
      path: file,
      size: st.size,
      created: false,
      dev: st.dev,
      ino: st.ino,
      head: Buffer.from('my n'),
    };
    const stops: SocketLabError[] = [];
    const endpoint = () => ({ id: 'e8', kind: 'tcp-client' as const });
    const writer = new PcapngCaptureWriter(pcapngSpec(file, true), opened, { endpoint }, (r) => stops.push(r));
    assert.strictEqual(stops.length, 1);
    assertSocketLabError(writer.stopped, 'captureNotPcapng', { path: file, field: 'capture.path' });
    assert.strictEqual(
      writer.error,
      `${file} already holds data that is not pcapng; choose a new file for a pcapng capture.`,
    );
    assert.strictEqual(writer.write({ time: 1, direction: 'out', peer: 'x', data: Buffer.from('x') }), true);
    await writer.closed();
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'my notes\n');

    // A file cut short inside the magic is still a pcapng file: a new section goes after it.
    const cut = path.join(t.dir, 'cut.pcapng');
    fs.writeFileSync(cut, PCAPNG_MAGIC.subarray(0, 2));
    const again = new PcapngCaptureWriter(pcapngSpec(cut, true), await openCaptureFile(pcapngSpec(cut, true)), {
      endpoint,
    });
    assert.strictEqual(again.stopped, undefined);
    again.dispose();
    await again.closed();
    assert.deepStrictEqual(fs.readFileSync(cut).subarray(0, 6), Buffer.from([0x0a, 0x0d, 0x0a, 0x0d, 0x0d, 0x0a]));
  });
});
