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
import { portOf } from '../helpers/sockets';
import { requirePeer } from '../helpers/require';
import { tempDir } from '../helpers/tempDir';
import { badChecksums, conversations, expertProblems, fields, followTcp, quietPort, tshark } from '../helpers/tshark';
import { waitFor } from '../helpers/wait';

import { PcapngCaptureWriter } from '../../src/core/pcap';
import { CAPTURE_MAX_BUFFERED_BYTES } from '../../src/core/capture';
import { openCaptureFile } from '../../src/core/captureFile';
import type { CaptureSpec } from '../../src/shared/commandArgs';
import type { EndpointInfo, TrafficRecord } from '../../src/shared/model';

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
      id: 'e1',
      kind: 'tcp-client',
      state: 'connected',
      local: { address: '127.0.0.1', port: await quietPort('tcp', '127.0.0.1') },
      remote: { address: '127.0.0.1', port: await quietPort('tcp', '127.0.0.1') },
      bytesIn: 0,
      bytesOut: 0,
      messagesIn: 0,
      messagesOut: 0,
      dropped: 0,
      connections: [],
    };
    const writer = new PcapngCaptureWriter(pcapngSpec(file), await openCaptureFile(pcapngSpec(file)), {
      endpoint: () => endpoint,
    });
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const records: TrafficRecord[] = [];
    // Written in one turn of the event loop, faster than any disk: the stream's buffer passes its bound.
    const count = CAPTURE_MAX_BUFFERED_BYTES / chunk.length + 4;
    const accepted: boolean[] = [];
    for (let i = 0; i < count; i++) {
      const r: TrafficRecord = { time: Date.now(), direction: 'out', peer: '127.0.0.1:1', data: chunk };
      records.push(r);
      accepted.push(writer.write(r));
    }
    assert.ok(writer.lost > 0, 'nothing was counted lost');
    assert.strictEqual(accepted.filter((a) => !a).length >= writer.lost, true);
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
});
