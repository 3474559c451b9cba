// Faults in the real extension host: what list() and the tree items the provider builds show of them, and
// the extension host's own descriptors and socket handles after many open/close cycles.
import * as assert from 'assert';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import * as vscode from 'vscode';
import type { EndpointInfo } from '../../src/shared/model';
import { assertSentence } from '../helpers/badInputCases';
import { rejection } from '../helpers/errors';
import { resolvedItem, run, socketLab, treeRoots, useOfflineLookup, type TestApi } from '../helpers/extensionHost';
import { boundSockets, descriptorTargets, socketDescriptors, socketHandles } from '../helpers/processHandles';
import { portOf } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor, waitForSteady } from '../helpers/wait';

describe('faults in the real extension host', function () {
  this.timeout(60000);
  let api: TestApi;

  before(async () => {
    api = await socketLab();
    useOfflineLookup(api);
  });

  afterEach(async () => {
    await run('stopAll', {});
  });

  it('with no endpoint open, the extension host holds no listening TCP socket and no UDP socket of ours (activation opened none)', async () => {
    await run('stopAll', {});
    assert.deepStrictEqual(api.list(), []);
    assert.deepStrictEqual(boundSockets(), { tcpListening: 0, udp: 0 });
  });

  it('a stale tree item (its endpoint already stopped) makes the command show the sentence, never throw into VS Code', async () => {
    const info = await run<EndpointInfo>('startTcpListener', { port: 0 });
    const node = api._test.tree.nodeFor(info.id)!;
    await run('stop', { id: info.id });
    for (const command of ['socketLab.restart', 'socketLab.stop', 'socketLab.clearLog', 'socketLab.copyAddress']) {
      const result = await vscode.commands.executeCommand(command, node);
      assert.strictEqual(result, undefined, `${command} on a stale node`);
    }
    assert.deepStrictEqual(api.list(), []);
  });

  it('faults show in list() and the tree; the extension keeps working', async () => {
    // Connection refused and a port in use: nothing is added.
    const freeServer = net.createServer();
    await new Promise<void>((r) => freeServer.listen(0, '127.0.0.1', r));
    const freePort = (freeServer.address() as net.AddressInfo).port;
    const refusedMsg = await rejection(
      new Promise<void>((r) => freeServer.close(() => r())).then(() => run('connectTcp', { port: freePort })),
    );
    assertSentence(
      refusedMsg,
      /^Nothing is listening at 127\.0\.0\.1:\d+ \(connection refused\); start the server first or check the port\.$/,
      'refused',
    );
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    try {
      const inUse = await rejection(run('startTcpListener', { port: (holder.address() as net.AddressInfo).port }));
      assertSentence(
        inUse,
        // The holder is this extension host's own net server (not a Socket Lab endpoint): named by its process.
        new RegExp(`is already in use by \\S+ \\(pid ${process.pid}\\); choose another port or stop that process\\.$`),
        'in use',
      );
    } finally {
      holder.close();
    }
    assert.deepStrictEqual(api.list(), []);

    // A client whose peer resets: state error, the tree item in the error colour with the sentence in its tooltip.
    const accepted: net.Socket[] = [];
    const server = net.createServer((s) => {
      s.on('error', () => undefined);
      accepted.push(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const client = await run<EndpointInfo>('connectTcp', { port: (server.address() as net.AddressInfo).port });
      await waitFor('accepted', () => accepted.length === 1);
      accepted[0].resetAndDestroy();
      const failed = await waitFor('client in error', () =>
        api.list().find((e) => e.id === client.id && e.state === 'error'),
      );
      assert.match(failed.error!, /reset by the peer \(ECONNRESET\)/);
      const item = resolvedItem(api._test.tree, api._test.tree.nodeFor(client.id)!);
      assert.strictEqual((item.iconPath as vscode.ThemeIcon).id, 'error');
      assert.strictEqual(((item.iconPath as vscode.ThemeIcon).color as vscode.ThemeColor).id, 'errorForeground');
      assert.match((item.tooltip as vscode.MarkdownString).value, /reset by the peer/);
      assert.strictEqual(item.contextValue, 'endpoint.tcp-client.dead');
      const sendMsg = await rejection(run('send', { target: client.id, data: 'x' }));
      assertSentence(sendMsg, /restart it first\.$/, 'send on dead');
    } finally {
      server.close();
    }

    // An accepted connection reset mid-transfer: the connection child says why in its tooltip.
    const listener = await run<EndpointInfo>('startTcpListener', { port: 0 });
    const peer = net.connect(portOf(listener), '127.0.0.1');
    peer.on('error', () => undefined);
    await new Promise((r) => peer.once('connect', r));
    peer.write(Buffer.alloc(256 * 1024, 1));
    await waitFor('bytes in', () => (api.list().find((e) => e.id === listener.id)?.bytesIn ?? 0) > 0);
    peer.resetAndDestroy();
    const conn = await waitFor('connection closed', () =>
      api
        .list()
        .find((e) => e.id === listener.id)
        ?.connections.find((c) => c.state === 'closed'),
    );
    assert.match(conn.error!, /reset by the peer/);
    const root = api._test.tree.nodeFor(listener.id)!;
    const child = api._test.tree.getChildren(root).find((n) => n.id === conn.id)!;
    const childItem = resolvedItem(api._test.tree, child);
    assert.match(String(childItem.description), /^closed/);
    assert.match(
      (childItem.tooltip as vscode.MarkdownString).value,
      /reset by the peer/,
      'the tree shows why the connection closed',
    );
    assert.strictEqual((childItem.iconPath as vscode.ThemeIcon).id, 'error');

    // ICMP port unreachable on a connected UDP client shows as error, and it recovers.
    const gone = dgram.createSocket('udp4');
    await new Promise<void>((r) => gone.bind(0, '127.0.0.1', r));
    const udpPort = gone.address().port;
    await new Promise<void>((r) => gone.close(() => r()));
    const udp = await run<EndpointInfo>('openUdpClient', { host: '127.0.0.1', port: udpPort });
    // A later successful send clears the error (the socket recovers), so look between sends.
    const inError = () => api.list().find((e) => e.id === udp.id)?.state === 'error';
    for (let i = 0; i < 10 && !inError(); i++) {
      await Promise.resolve(run('send', { target: udp.id, data: 'anyone?' })).catch(() => undefined);
      await waitFor('ICMP reported', inError, 300).catch(() => undefined);
    }
    assert.ok(inError(), 'ICMP port unreachable never showed');
    const udpItem = resolvedItem(api._test.tree, api._test.tree.nodeFor(udp.id)!);
    assert.match((udpItem.tooltip as vscode.MarkdownString).value, /port is unreachable/);

    // Stopping a listener with live clients: the clients see the close, the root disappears.
    const l2 = await run<EndpointInfo>('startTcpListener', { port: 0 });
    const live = await Promise.all(
      Array.from(
        { length: 5 },
        () =>
          new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect(portOf(l2), '127.0.0.1', () => resolve(s));
            s.once('error', reject);
          }),
      ),
    );
    let closedCount = 0;
    for (const s of live) s.once('close', () => closedCount++).on('error', () => undefined);
    await waitFor('accepted', () => api.list().find((e) => e.id === l2.id)?.connections.length === 5);
    await run('stop', { id: l2.id });
    await waitFor('every client closed', () => closedCount === 5);
    assert.ok(!treeRoots(api).includes(l2.id));

    // Later operations succeed.
    const echo = await run<EndpointInfo>('startTcpListener', { port: 0, autoReply: { mode: 'echo' } });
    const c = await run<EndpointInfo>('connectTcp', { port: portOf(echo) });
    const r = await run<{ reply: Uint8Array }>('send', { target: c.id, data: 'alive', waitMs: 200 });
    assert.strictEqual(Buffer.from(r.reply).toString(), 'alive');
    peer.destroy();
  });

  it('300 open/close cycles through the commands and a stopAll leave the extension host with the same descriptors and socket handles', async () => {
    await run('stopAll', {});
    // The baseline is taken once the earlier tests' sockets have finished closing (a higher one would hide a leak).
    await waitForSteady(
      'the baseline socket descriptors and handles',
      () => `${socketDescriptors()}/${socketHandles()}`,
    );
    const targetsBefore = descriptorTargets();
    const socketFdsBefore = socketDescriptors(targetsBefore);
    const handlesBefore = socketHandles();
    // Under /tmp, not the host's TMPDIR: Unix socket paths must stay short.
    const { dir } = tempDir('sl-hi-', '/tmp');
    try {
      for (let i = 0; i < 100; i++) {
        const l = await run<EndpointInfo>('startTcpListener', { port: 0 });
        const c = await run<EndpointInfo>('connectTcp', { port: portOf(l) });
        await run('send', { target: c.id, data: 'x' });
        const u = await run<EndpointInfo>('startUdpListener', { port: 0 });
        await run('send', { target: u.id, data: 'y', to: { host: '127.0.0.1', port: portOf(u) } });
        const x = await run<EndpointInfo>('startUnixListener', { path: `${dir}/s${i % 4}.sock` });
        await rejection(run('connectTcp', { port: 1, timeoutMs: 1000 }));
        await run('stop', { id: c.id });
        await run('stop', { id: l.id });
        await run('stop', { id: u.id });
        await run('stop', { id: x.id });
      }
      for (let i = 0; i < 10; i++) {
        const l = await run<EndpointInfo>('startTcpListener', { port: 0 });
        await run('connectTcp', { port: portOf(l) });
      }
      await run('stopAll', {});
      await waitFor(
        'sockets and handles back to the baseline',
        () => socketDescriptors() <= socketFdsBefore && socketHandles() <= handlesBefore,
        10000,
      ).catch(() => undefined);
      const targetsAfter = descriptorTargets();
      const added = targetsAfter.filter((t) => !targetsBefore.includes(t));
      console.log(
        `      [figure] host descriptors ${targetsBefore.length} -> ${targetsAfter.length} (sockets ${socketFdsBefore} -> ${socketDescriptors(targetsAfter)}), socket handles ${handlesBefore} -> ${socketHandles()} after 300 open/close cycles; new: ${JSON.stringify(added)}`,
      );
      // The extension host is shared with VS Code, which opens and closes files of its own (logs,
      // watchers) meanwhile; what Socket Lab could leak is sockets, and files of its own folder.
      assert.ok(
        socketDescriptors(targetsAfter) <= socketFdsBefore,
        `socket descriptors leaked in the extension host: ${JSON.stringify(added)}`,
      );
      assert.deepStrictEqual(
        added.filter((t) => t.startsWith(dir)),
        [],
        'descriptors of socket files leaked',
      );
      assert.ok(
        socketHandles() <= handlesBefore,
        `socket handles leaked in the extension host: ${handlesBefore} -> ${socketHandles()}`,
      );
      assert.deepStrictEqual(fs.readdirSync(dir), [], 'socket files left behind');
      assert.deepStrictEqual(api._test.tree.getChildren(), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
