// Framing through the real extension host: the start/connect commands' `framing`, Set Framing on a live
// endpoint (and kept by a restart), send-and-wait ending on the first frame, the Sockets view's words, and
// the refusals for UDP.
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { EndpointInfo } from '../../src/shared/model';
import { rejection } from '../helpers/errors';
import { resolvedItem, run, socketLab, type TestApi } from '../helpers/extensionHost';
import { portOf } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

function connect(options: net.NetConnectOpts): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(options, () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything a Node socket has received so far, as one string. */
function collected(socket: net.Socket): () => string {
  const chunks: Buffer[] = [];
  socket.on('data', (d) => chunks.push(d));
  return () => Buffer.concat(chunks).toString('latin1');
}

describe('framing commands (real extension host)', () => {
  let api: TestApi;
  const sockets: (net.Socket | net.Server)[] = [];
  let tmp: string;

  before(async () => {
    api = await socketLab();
    tmp = tempDir('sl-int-framing-').dir;
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) {
      if (s instanceof net.Socket) s.destroy();
      else s.close();
    }
    await run('stopAll', {});
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('startTcpListener with line framing: three lines in one write are three records and three replies', async () => {
    const info = await run<EndpointInfo>('startTcpListener', {
      port: 0,
      framing: { mode: 'line' },
      autoReply: { mode: 'rules', rules: [{ contains: 'PING', reply: { data: 'PONG\\n' } }] },
    });
    assert.deepStrictEqual(info.framing, { mode: 'line', eol: 'any', maxFrameBytes: 1024 * 1024 });
    const client = await connect({ port: portOf(info), host: '127.0.0.1' });
    sockets.push(client);
    const got = collected(client);
    client.write('PING 1\nPING 2\r\nPING 3\n');
    await waitFor('three replies', () => got() === 'PONG\nPONG\nPONG\n');
    const records = api.traffic(info.id).filter((r) => r.direction === 'in');
    assert.deepStrictEqual(
      records.map((r) => Buffer.from(r.data).toString('latin1')),
      ['PING 1\n', 'PING 2\r\n', 'PING 3\n'],
    );
    assert.deepStrictEqual(
      records.map((r) => r.delimiterBytes),
      [1, 2, 1],
    );
    const listed = api.list().find((e) => e.id === info.id)!;
    assert.strictEqual(listed.messagesIn, 3);
    assert.strictEqual(listed.bytesIn, 22);

    const { tree } = api._test;
    const node = tree.getChildren().find((n) => n.id === info.id)!;
    const item = resolvedItem(tree, node);
    assert.match(String(item.description), /^clients: 1 · line \(any\)$/);
    const tooltip = (item.tooltip as { value: string }).value;
    // Markdown: the parentheses come escaped.
    assert.match(tooltip, /Framing: line \\\(any\\\)\n/);
    assert.match(tooltip, /In: 22 B in 3 messages/);
  });

  it('setFraming on a live connection applies to new data, and a restart keeps it', async () => {
    const info = await run<EndpointInfo>('startTcpListener', { port: 0 });
    assert.strictEqual(info.framing?.mode ?? 'none', 'none');
    const client = await connect({ port: portOf(info), host: '127.0.0.1' });
    sockets.push(client);
    client.write('raw');
    await waitFor('the unframed read', () => api.list().find((e) => e.id === info.id)?.messagesIn === 1);

    const changed = await run<EndpointInfo>('setFraming', {
      id: info.id,
      framing: { mode: 'delimiter', delimiter: '7e', format: 'hex' },
    });
    assert.strictEqual(changed.framing?.mode, 'delimiter');
    // One write, two frames and the start of a third (kept until its delimiter arrives).
    client.write('a~bb~cc');
    await waitFor('two frames', () => api.list().find((e) => e.id === info.id)?.messagesIn === 3);
    client.write('c~');
    await waitFor('the third frame', () => api.list().find((e) => e.id === info.id)?.messagesIn === 4);
    const data = api
      .traffic(info.id)
      .filter((r) => r.direction === 'in')
      .map((r) => Buffer.from(r.data).toString('latin1'));
    assert.deepStrictEqual(data, ['raw', 'a~', 'bb~', 'ccc~']);

    const restarted = await run<EndpointInfo>('restart', { id: info.id });
    assert.strictEqual(restarted.framing?.mode, 'delimiter');
    const again = await connect({ port: portOf(restarted), host: '127.0.0.1' });
    sockets.push(again);
    again.write('x~y');
    await waitFor('one frame after the restart', () => api.list().find((e) => e.id === info.id)?.messagesIn === 1);
  });

  it('connectUnix with MODBUS/TCP length framing: send-and-wait returns the first frame, not the rest', async () => {
    const sock = path.join(tmp, 'modbus.sock');
    const response = Buffer.from('000100000005010302000a', 'hex');
    const server = net.createServer((s) => {
      s.on('data', () => {
        // The response in two writes, then a second frame: the wait ends with the first frame whole.
        s.write(response.subarray(0, 5));
        setImmediate(() => s.write(Buffer.concat([response.subarray(5), response])));
      });
    });
    sockets.push(server);
    await new Promise<void>((r) => server.listen(sock, r));
    const info = await run<EndpointInfo>('connectUnix', {
      path: sock,
      framing: { mode: 'length', bytes: 2, offset: 4 },
    });
    const result = await run<{ reply?: Uint8Array; partial?: boolean }>('send', {
      target: info.id,
      data: '00 01 00 00 00 06 01 03 00 00 00 0a',
      format: 'hex',
      waitMs: 20000,
    });
    assert.strictEqual(Buffer.from(result.reply!).toString('hex'), response.toString('hex'));
    assert.ok(!result.partial, 'a complete frame is not partial');
    await waitFor('both frames logged', () => api.list().find((e) => e.id === info.id)?.messagesIn === 2);
    assert.deepStrictEqual(
      api
        .traffic(info.id)
        .filter((r) => r.direction === 'in')
        .map((r) => r.headerBytes),
      [6, 6],
    );
  });

  it('UDP refuses framing with a sentence, on start and on setFraming', async () => {
    const startRefusal = await rejection(run('startUdpListener', { port: 0, framing: { mode: 'line' } }));
    assert.match(startRefusal, /framing is only for TCP and Unix streams/);
    assert.deepStrictEqual(api.list(), [], 'a refused start opens nothing');
    const udp = await run<EndpointInfo>('startUdpListener', { port: 0 });
    const setRefusal = await rejection(run('setFraming', { id: udp.id, framing: { mode: 'line' } }));
    assert.match(setRefusal, /is a UDP socket: framing is only for TCP and Unix streams/);
    const bad = await rejection(run('startTcpListener', { port: 0, framing: { mode: 'length', bytes: 3 } }));
    assert.match(bad, /framing\.bytes must be 1, 2 or 4/);
  });
});
