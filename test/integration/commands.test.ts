import * as assert from 'assert';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as vscode from 'vscode';
import type { EndpointInfo } from '../../src/shared/model';
import { rejection } from '../helpers/errors';
import { resolvedItem, run, socketLab, type TestApi } from '../helpers/extensionHost';
import { portOf } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { sleep, waitFor, waitForSteady } from '../helpers/wait';

/** Collects everything a Node socket receives. */
function collect(socket: net.Socket): () => Buffer {
  const chunks: Buffer[] = [];
  socket.on('data', (d) => chunks.push(d));
  return () => Buffer.concat(chunks);
}

function connect(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host, () => resolve(s));
    s.once('error', reject);
  });
}

describe('commands with argument objects (real extension host)', () => {
  let api: TestApi;
  const sockets: (net.Socket | net.Server | dgram.Socket)[] = [];
  let tmp: string;

  before(async () => {
    api = await socketLab();
    tmp = tempDir('sl-int-').dir;
  });

  afterEach(async () => {
    for (const s of sockets.splice(0)) {
      if (s instanceof net.Socket) s.destroy();
      else s.close();
    }
    await run('stopAll', {});
    assert.deepStrictEqual(api.list(), [], 'stopAll left endpoints');
  });

  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('startTcpListener {port: 0} starts a real listener that shows in the API and the tree', async () => {
    const info = await run<EndpointInfo>('startTcpListener', { port: 0 });
    assert.strictEqual(info.kind, 'tcp-listener');
    assert.strictEqual(info.state, 'listening');
    assert.deepStrictEqual(
      info.local && 'address' in info.local && info.local.address,
      '127.0.0.1',
      'omitted host means the default host',
    );
    const port = portOf(info);
    assert.ok(port > 0);

    const client = await connect(port);
    sockets.push(client);
    client.write('hello');
    const listed = await waitFor('the connection with 5 bytes in list()', () => {
      const e = api.list().find((x) => x.id === info.id);
      return e && e.connections.length === 1 && e.connections[0].bytesIn === 5 ? e : undefined;
    });
    assert.strictEqual(listed.messagesIn, 1);
    assert.strictEqual(listed.bytesIn, 5);

    const { tree } = api._test;
    const roots = tree.getChildren();
    const root = roots.find((n) => n.id === info.id)!;
    assert.ok(root, 'the endpoint is a root of the Sockets view');
    const item = tree.getTreeItem(root);
    assert.strictEqual(item.label, `TCP 127.0.0.1:${port}`);
    assert.strictEqual(item.id, info.id);
    assert.strictEqual(item.description, 'clients: 1');
    assert.strictEqual(
      item.accessibilityInformation?.label,
      `TCP listener on 127.0.0.1 port ${port}, listening, 1 client, received 5 B, sent 0 B`,
    );
    assert.strictEqual(item.contextValue, 'endpoint.tcp-listener.live');
    const children = tree.getChildren(root);
    assert.strictEqual(children.length, 1);
    const childItem = tree.getTreeItem(children[0]);
    assert.strictEqual(childItem.label, `127.0.0.1:${client.localPort}`);
    assert.strictEqual(childItem.description, '↓5 B ↑0 B');
    assert.strictEqual(
      childItem.accessibilityInformation?.label,
      `Connection from 127.0.0.1 port ${client.localPort}, connected, received 5 B, sent 0 B`,
    );
    assert.deepStrictEqual(tree.getParent(children[0]), root, 'getParent lets reveal work');
    assert.deepStrictEqual(
      api.traffic(info.id).map((r) => Buffer.from(r.data).toString()),
      ['hello'],
    );
  });

  it('halfClose {id} sends FIN on an accepted connection and on a client; both still receive, and the view says so', async () => {
    const { tree } = api._test;
    // An accepted connection: the raw client reads end-of-stream and can still send to us.
    const listener = await run<EndpointInfo>('startTcpListener', { port: 0 });
    // allowHalfOpen: a plain Node socket would otherwise end its own side as soon as it reads our FIN.
    const client = net.connect({ port: portOf(listener), host: '127.0.0.1', allowHalfOpen: true });
    sockets.push(client);
    await new Promise((resolve) => client.once('connect', resolve));
    const clientSawEnd = new Promise<void>((resolve) => client.once('end', resolve));
    client.resume();
    const conn = await waitFor(
      'the accepted connection',
      () => api.list().find((e) => e.id === listener.id)?.connections[0],
    );
    await run('halfClose', { id: conn.id });
    await clientSawEnd;
    client.write('after our FIN');
    await waitFor('what the client sent after our FIN', () =>
      api.traffic(listener.id).some((r) => Buffer.from(r.data).toString() === 'after our FIN'),
    );
    const after = api.list().find((e) => e.id === listener.id)!.connections[0];
    assert.strictEqual(after.state, 'connected');
    assert.strictEqual(after.localEnded, true);
    const root = tree.getChildren().find((n) => n.id === listener.id)!;
    const item = await waitFor('the connection row to say so', () => {
      const i = tree.getTreeItem(tree.getChildren(root)[0]);
      return /we half-closed/.test(String(i.description)) ? i : undefined;
    });
    assert.strictEqual(
      item.contextValue,
      'connection.stream.halfclosed',
      'no Send or Close Sending Side menu any more',
    );
    assert.match(
      await rejection(run('send', { target: conn.id, data: 'x' })),
      /was half-closed by this side; it can only receive now/,
    );

    // A client: the raw server reads end-of-stream, answers, and the answer is logged.
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      s.on('data', () => undefined);
      s.on('end', () => s.end('bye after your FIN'));
    });
    sockets.push(server as unknown as net.Server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const tcpClient = await run<EndpointInfo>('connectTcp', {
      host: '127.0.0.1',
      port: (server.address() as net.AddressInfo).port,
    });
    assert.strictEqual(
      tree.getTreeItem(tree.getChildren().find((n) => n.id === tcpClient.id)!).contextValue,
      'endpoint.tcp-client.live',
    );
    await run('halfClose', { id: tcpClient.id });
    await waitFor('the answer to our FIN', () =>
      api
        .traffic(tcpClient.id)
        .some((r) => r.direction === 'in' && Buffer.from(r.data).toString() === 'bye after your FIN'),
    );
    assert.strictEqual(api.list().find((e) => e.id === tcpClient.id)!.localEnded, true);

    // Not a stream, or no such id: a sentence that says so.
    const udp = await run<EndpointInfo>('startUdpListener', { port: 0 });
    assert.match(
      await rejection(run('halfClose', { id: udp.id })),
      /not a TCP or Unix stream; only streams can be half-closed/,
    );
    assert.match(await rejection(run('halfClose', { id: 'e999' })), /e999/);
    assert.match(await rejection(run('halfClose', { id: listener.id, now: true })), /now/);
  });

  it('refuses bad arguments with a sentence naming the field, and leaves nothing behind', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['startTcpListener', { host: '', port: 0 }, /host/i],
      ['startTcpListener', { port: 65536 }, /port.*0.*65535/i],
      ['startTcpListener', { port: '80a' }, /port/i],
      ['startTcpListener', { port: 0, colour: 'red' }, /colour/],
      ['startUdpListener', { host: '999.1.1.1', port: 0 }, /host/i],
      ['connectTcp', { host: '127.0.0.1', port: -1 }, /port/i],
      ['startUnixListener', { path: path.join(tmp, 'x'.repeat(200)) }, /107|at most/],
      ['send', { target: 'e999', data: 'x' }, /e999/],
      ['stop', 'e1', /argument object/],
      ['stopRepeat', { repeatId: 'r999' }, /r999/],
      ['openPanel', { id: 'nope' }, /nope/],
    ];
    for (const [command, args, expected] of cases) {
      const message = await rejection(run(command, args));
      assert.match(message, expected, `${command} ${JSON.stringify(args)} -> ${message}`);
    }
    assert.deepStrictEqual(api.list(), []);
  });

  it('refuses an external bind by argument without allowExternal, allows it with allowExternal: true', async () => {
    const message = await rejection(run('startTcpListener', { host: '0.0.0.0', port: 0 }));
    assert.match(message, /0\.0\.0\.0.*allowExternal/);
    assert.deepStrictEqual(api.list(), []);
    const info = await run<EndpointInfo>('startTcpListener', { host: '0.0.0.0', port: 0, allowExternal: true });
    assert.strictEqual(info.state, 'listening');
    const client = await connect(portOf(info), '127.0.0.1');
    sockets.push(client);
  });

  it('connectTcp sends text with escapes and a line ending, and send+waitMs returns the reply', async () => {
    const server = net.createServer((s) => {
      s.on('data', (d) => {
        received.push(d);
        s.write('ACK:' + d.toString());
      });
    });
    const received: Buffer[] = [];
    sockets.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const info = await run<EndpointInfo>('connectTcp', { host: '127.0.0.1', port, noDelay: true });
    assert.strictEqual(info.kind, 'tcp-client');
    assert.strictEqual(info.state, 'connected');
    const result = await run<{ bytes: number; reply?: Uint8Array }>('send', {
      target: info.id,
      data: 'hi\\t1',
      lineEnding: 'crlf',
      waitMs: 300,
    });
    assert.strictEqual(result.bytes, 6);
    assert.strictEqual(Buffer.from(result.reply!).toString(), 'ACK:hi\t1\r\n');
    assert.deepStrictEqual(Buffer.concat(received), Buffer.from('hi\t1\r\n'));
  });

  it('send with hex and base64 formats, and repeat + stopRepeat', async () => {
    const listener = await run<EndpointInfo>('startTcpListener', { port: 0 });
    const client = await connect(portOf(listener));
    sockets.push(client);
    const got = collect(client);
    await waitFor('accepted', () => api.list()[0]?.connections.length === 1);
    await run('send', { target: listener.id, data: '48 65 6c 6c 6f 0d 0a', format: 'hex' });
    await run('send', { target: listener.id, data: 'IQ==', format: 'base64' });
    await waitFor('hex and base64 payloads', () => got().length === 8);
    assert.deepStrictEqual(got(), Buffer.from('Hello\r\n!'));

    const rep = await run<{ repeatId?: string }>('send', {
      target: listener.id,
      data: 'x',
      repeat: { intervalMs: 10, count: 5 },
    });
    assert.ok(rep.repeatId);
    await waitFor('5 repeated sends', () => got().length === 13);
    const forever = await run<{ repeatId: string }>('send', {
      target: listener.id,
      data: 'y',
      repeat: { intervalMs: 20 },
    });
    await waitFor('some endless repeats', () => got().includes('yy'));
    await run('stopRepeat', { repeatId: forever.repeatId });
    // A send already handed to the socket may still land; then nothing more comes (silence is the behaviour
    // here: 20 polls of 10 ms without a byte is ten repeat intervals), and a sentinel shows the link still works.
    const after = await waitForSteady('the stopped repeat', () => got().length);
    assert.strictEqual((await run<{ bytes: number }>('send', { target: listener.id, data: 'Z' })).bytes, 1);
    await waitFor('the sentinel after the stopped repeat', () => got().length === after + 1);
    assert.strictEqual(
      got().toString(),
      'Hello\r\n!xxxxx' + 'y'.repeat(after - 13) + 'Z',
      'stopRepeat stops the repeat',
    );
    assert.match(await rejection(run('send', { target: listener.id, data: 'x', repeat: { intervalMs: 0 } })), /count/i);
  });

  it('UDP listener tracks peers, sends to a peer id and to an explicit address', async () => {
    const info = await run<EndpointInfo>('startUdpListener', { port: 0 });
    assert.strictEqual(info.kind, 'udp');
    const peer = dgram.createSocket('udp4');
    sockets.push(peer);
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
    const inbox: Buffer[] = [];
    peer.on('message', (m) => inbox.push(m));
    peer.send('ping', portOf(info), '127.0.0.1');
    const e = await waitFor('the UDP peer', () =>
      api.list().find((x) => x.id === info.id && x.connections.length === 1),
    );
    const peerInfo = e.connections[0];
    assert.deepStrictEqual(peerInfo.remote, { address: '127.0.0.1', port: peer.address().port });
    await run('send', { target: peerInfo.id, data: 'pong' });
    await run('send', { target: info.id, data: 'direct', to: { host: '127.0.0.1', port: peer.address().port } });
    await waitFor('two datagrams back', () => inbox.length === 2);
    assert.deepStrictEqual(inbox.map(String), ['pong', 'direct']);
    assert.match(
      await rejection(run('send', { target: info.id, data: 'x'.repeat(65508), to: { host: '127.0.0.1', port: 9 } })),
      /65507/,
    );
  });

  it('openUdpClient is a connected UDP socket that refuses `to`', async () => {
    const server = dgram.createSocket('udp4');
    sockets.push(server);
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    const inbox: Buffer[] = [];
    server.on('message', (m, rinfo) => {
      inbox.push(m);
      server.send('re:' + m, rinfo.port, rinfo.address);
    });
    const info = await run<EndpointInfo>('openUdpClient', { host: '127.0.0.1', port: server.address().port });
    assert.strictEqual(info.state, 'connected');
    const result = await run<{ reply?: Uint8Array }>('send', { target: info.id, data: 'abc', waitMs: 300 });
    assert.strictEqual(Buffer.from(result.reply!).toString(), 're:abc');
    assert.match(
      await rejection(run('send', { target: info.id, data: 'x', to: { host: '127.0.0.1', port: 9 } })),
      /to/,
    );
  });

  it('Unix listener and client talk; the socket file is removed on stop', async function () {
    if (process.platform === 'win32') this.skip();
    const sock = path.join(tmp, 'lab.sock');
    const listener = await run<EndpointInfo>('startUnixListener', {
      path: sock,
      autoReply: { mode: 'fixed', data: '我是返回的数据' },
    });
    assert.deepStrictEqual(listener.local, { path: sock });
    const client = await run<EndpointInfo>('connectUnix', { path: sock });
    const result = await run<{ reply?: Uint8Array }>('send', { target: client.id, data: 'hello', waitMs: 300 });
    assert.strictEqual(Buffer.from(result.reply!).toString('utf8'), '我是返回的数据');
    await run('stop', { id: listener.id });
    assert.strictEqual(fs.existsSync(sock), false);
  });

  it('sendFile sends a file byte for byte; a missing file is refused with its path', async () => {
    const listener = await run<EndpointInfo>('startTcpListener', { port: 0 });
    const client = await connect(portOf(listener));
    sockets.push(client);
    const got = collect(client);
    await waitFor('accepted', () => api.list()[0]?.connections.length === 1);
    const file = path.join(tmp, 'payload.bin');
    const bytes = Buffer.from(Array.from({ length: 100000 }, (_, i) => i % 251));
    fs.writeFileSync(file, bytes);
    const result = await run<{ bytes: number }>('sendFile', { target: listener.id, path: file });
    assert.strictEqual(result.bytes, bytes.length);
    await waitFor('the whole file', () => got().length === bytes.length);
    assert.ok(got().equals(bytes));
    assert.match(
      await rejection(run('sendFile', { target: listener.id, path: path.join(tmp, 'missing.bin') })),
      /missing\.bin/,
    );
  });

  it('stop (connection and endpoint), restart, clearLog, copyAddress, showOutput', async function () {
    // Longer than the output wait below, so a failure reports that wait, not mocha's timeout.
    this.timeout(60_000);
    const listener = await run<EndpointInfo>('startTcpListener', { port: 0 });
    const port = portOf(listener);
    const client = await connect(port);
    sockets.push(client);
    client.write('abc');
    const e = await waitFor('data in', () => api.list().find((x) => x.bytesIn === 3));
    const conn = e.connections[0];

    const copied = await run<{ address: string }>('copyAddress', { id: listener.id });
    assert.strictEqual(copied.address, `127.0.0.1:${port}`);
    assert.strictEqual(await vscode.env.clipboard.readText(), `127.0.0.1:${port}`);

    await run('clearLog', { id: listener.id });
    assert.deepStrictEqual(api.traffic(listener.id), []);
    assert.strictEqual(api.list()[0].bytesIn, 3, 'clearing the log keeps the counters');

    const closed = new Promise((r) => client.once('close', r));
    await run('stop', { id: conn.id });
    await closed;
    await waitFor('connection closed', () => api.list()[0].connections.every((c) => c.state === 'closed'));

    const restarted = await run<EndpointInfo>('restart', { id: listener.id });
    assert.strictEqual(restarted.id, listener.id);
    assert.strictEqual(restarted.state, 'listening');
    await run('showOutput', {});
    // Shown, the channel's text is a document of the extension host; it holds the restarted listener's line. The
    // command writes "restarted <id>: <address>"; the state diff (4 times a second) writes "<id>: <address> listening"
    // only when a flush fell between the close and the new listen, so either line counts.
    const address = `${listener.id}: TCP 127\\.0\\.0\\.1:${portOf(restarted)}`;
    const line = new RegExp(`\\] (restarted ${address}$|${address} listening)`, 'm');
    // A log channel writes to its file and the document follows that file: bounded generously for a loaded host.
    await waitFor(
      'the Socket Lab output shown with the listening line',
      () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && line.test(d.getText())),
      30_000,
    );
    await run('stop', { id: listener.id });
    assert.deepStrictEqual(api.list(), []);
  });

  it('openPanel {id} opens one panel per endpoint; opening again reveals the same one', async () => {
    const info = await run<EndpointInfo>('startTcpListener', { port: 0 });
    const panels = api._test.panels as { panels: readonly { endpointId: string }[] };
    const before = panels.panels.length;
    assert.deepStrictEqual(await run('openPanel', { id: info.id }), { id: info.id });
    await run('openPanel', { id: info.id });
    assert.strictEqual(panels.panels.length, before + 1);
    assert.ok(panels.panels.some((p) => p.endpointId === info.id));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await waitFor('the panel closed', () => !panels.panels.some((p) => p.endpointId === info.id));
  });

  it('reports a peer half-close (halfOpen), closes a client whose server closed, and an endpoint reset by its peer stays listed with the reason until stopped', async () => {
    let resetNext = false;
    const server = net.createServer((s) => {
      if (resetNext) setTimeout(() => s.resetAndDestroy(), 50);
      else s.end('bye');
    });
    sockets.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const info = await run<EndpointInfo>('connectTcp', { host: '127.0.0.1', port, halfOpen: true });
    const halfClosed = await waitFor('the peer half-close', () =>
      api.list().find((x) => x.id === info.id && x.peerEnded),
    );
    assert.strictEqual(halfClosed.state, 'connected', 'halfOpen: after the peer FIN we may still send');
    assert.strictEqual(halfClosed.halfOpen, true);
    // Without halfOpen the client closes once the server closed, as ncat and the usual tools show it.
    const plain = await run<EndpointInfo>('connectTcp', { host: '127.0.0.1', port });
    const closed = await waitFor('the server closed the connection', () =>
      api.list().find((x) => x.id === plain.id && x.state === 'closed'),
    );
    assert.match(closed.error ?? '', /^127\.0\.0\.1:\d+ closed the connection\.$/);
    assert.match(
      await rejection(run('send', { target: plain.id, data: 'x' })),
      /is closed \(.+closed the connection\.\); restart it first/,
    );
    const { tree } = api._test;
    const halfClosedItem = tree.getTreeItem(tree.getChildren().find((n) => n.id === info.id)!);
    assert.match(String(halfClosedItem.description), /^peer half-closed · ↓3 B/);
    assert.match(
      String(halfClosedItem.accessibilityInformation?.label),
      /, connected, peer closed its side, received 3 B/,
    );

    resetNext = true;
    const resetOne = await run<EndpointInfo>('connectTcp', { host: '127.0.0.1', port });
    const failed = await waitFor('reset by the peer', () =>
      api.list().find((x) => x.id === resetOne.id && (x.state === 'closed' || x.state === 'error')),
    );
    assert.match(failed.error ?? '', /reset/i, 'the reason is given in words');
    const item = resolvedItem(
      tree,
      tree.getChildren().find((n) => n.id === resetOne.id)!,
    );
    assert.match(
      String((item.tooltip as vscode.MarkdownString).value),
      /reset/i,
      'the tree tooltip shows the sentence',
    );
    await run('stop', { id: resetOne.id });
    await run('stop', { id: plain.id });
    await run('stop', { id: info.id });
    assert.deepStrictEqual(api.list(), []);
  });

  it('a failed connect rejects with the clear sentence and creates no endpoint', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const message = await rejection(run('connectTcp', { host: '127.0.0.1', port }));
    assert.match(message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.match(message, /refused/i);
    assert.deepStrictEqual(api.list(), []);
  });
});

describe('events, coalescing and the status bar (real extension host)', () => {
  let api: TestApi;
  before(async () => {
    api = await socketLab();
  });
  afterEach(() => run('stopAll', {}));

  it('onDidReceive batches received records; onDidChange and tree refreshes stay coalesced under a flood', async () => {
    const listener = await run<EndpointInfo>('startTcpListener', { port: 0 });
    let changes = 0;
    const batches: { id: string; count: number; skipped: number }[] = [];
    const data: Buffer[] = [];
    const subs = [
      api.onDidChange(() => changes++),
      api.onDidReceive((e) => {
        batches.push({ id: e.id, count: e.records.length + e.skipped, skipped: e.skipped });
        for (const r of e.records) data.push(Buffer.from(r.data));
      }),
    ];
    const refreshesBefore = api._test.tree.refreshCount;
    const client = await connect(portOf(listener));
    client.setNoDelay(true);
    const started = Date.now();
    // A bounded flood: 3,000 small writes over about a second.
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j < 100; j++) client.write('0123456789');
      await sleep(30);
    }
    await waitFor('all bytes in', () => api.list()[0].bytesIn === 30000);
    await waitFor(
      'every received record delivered in some batch',
      () => batches.reduce((n, b) => n + b.count, 0) === api.list()[0].messagesIn,
    );
    const seconds = (Date.now() - started) / 1000;
    assert.ok(batches.every((b) => b.id === listener.id));
    // Nothing was skipped at this rate, so the batches carry exactly the bytes sent, in order.
    assert.deepStrictEqual(
      [batches.reduce((n, b) => n + b.skipped, 0), Buffer.concat(data).toString()],
      [0, '0123456789'.repeat(3000)],
    );
    assert.ok(changes <= Math.ceil(seconds * 10) + 2, `onDidChange fired ${changes} times in ${seconds}s`);
    const refreshes = api._test.tree.refreshCount - refreshesBefore;
    assert.ok(refreshes <= Math.ceil(seconds * 4) + 2, `tree refreshed ${refreshes} times in ${seconds}s`);
    assert.ok(batches.length <= Math.ceil(seconds * 10) + 2, `${batches.length} receive batches in ${seconds}s`);
    for (const s of subs) s.dispose();
    client.destroy();
  });

  it('onDidReceive batches hold at most 1 MiB of data per endpoint; the rest is counted as skipped', async () => {
    const listener = await run<EndpointInfo>('startTcpListener', { port: 0 });
    const batches: { bytes: number; count: number }[] = [];
    const sub = api.onDidReceive((e) =>
      batches.push({
        bytes: e.records.reduce((n, r) => n + r.data.byteLength, 0),
        count: e.records.length + e.skipped,
      }),
    );
    const client = await connect(portOf(listener));
    const chunk = Buffer.alloc(64 * 1024, 7);
    for (let i = 0; i < 64; i++) client.write(chunk); // 4 MiB, faster than one batch interval on loopback
    await waitFor('4 MiB in', () => api.list()[0].bytesIn === 64 * chunk.length);
    await waitFor(
      'every record delivered or counted as skipped',
      () => batches.reduce((n, b) => n + b.count, 0) === api.list()[0].messagesIn,
    );
    sub.dispose();
    assert.ok(batches.length > 0);
    assert.ok(
      batches.every((b) => b.bytes <= 1024 * 1024),
      `batch sizes ${batches.map((b) => b.bytes).join(', ')}`,
    );
    client.destroy();
  });

  it('the status bar counts listeners and connections', async () => {
    const listener = await run<EndpointInfo>('startTcpListener', { port: 0 });
    const client = await connect(portOf(listener));
    await waitFor(
      'status bar with one connection',
      () => api._test.status.text === '$(plug) 1 listener · 1 connection',
    );
    assert.strictEqual(api._test.status.accessibleName, 'Socket Lab: 1 listener, 1 connection');
    client.destroy();
  });

  it('the status bar and the badge count the same live connections: accepted ones and clients, never UDP peers', async () => {
    const listener = await run<EndpointInfo>('startTcpListener', { port: 0 });
    await run('connectTcp', { host: '127.0.0.1', port: portOf(listener) });
    const udp = await run<EndpointInfo>('startUdpListener', { port: 0 });
    const peer = dgram.createSocket('udp4');
    peer.send('hello', portOf(udp), '127.0.0.1');
    await waitFor('the UDP peer is listed', () =>
      api.list().some((e) => e.id === udp.id && e.connections.length === 1),
    );
    // 2 listeners (TCP and UDP) and a client; live = the accepted connection + the client, not the UDP peer.
    await waitFor('status bar 2 listeners · 2 connections', () =>
      api._test.status.text.endsWith('2 listeners · 2 connections'),
    );
    assert.strictEqual(api._test.treeView.badge?.value, 2);
    peer.close();
  });

  it('a relative Unix socket path is created in the workspace folder, not in the extension host working directory', async function () {
    if (process.platform === 'win32') this.skip();
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const info = await run<EndpointInfo>('startUnixListener', { path: 'relative-test.sock' });
    const expected = path.join(folder, 'relative-test.sock');
    assert.deepStrictEqual(info.local, { path: expected });
    assert.ok(fs.statSync(expected).isSocket());
    await run('stop', { id: info.id });
    assert.ok(!fs.existsSync(expected), 'the socket file goes with the listener');
  });
});
