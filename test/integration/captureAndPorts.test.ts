/**
 * Capture, pcapng export, System Ports and the port-in-use sentence through the real extension host's
 * commands (issue 16, issue 12 finding 7, issue 13's "port held by Socket Lab itself").
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import type { SystemPort } from '../../src/core/ports/systemPort';
import type { SystemPortsProvider } from '../../src/host/systemPortsView';
import type { EndpointInfo } from '../../src/shared/model';
import { rejection } from '../helpers/errors';
import { resolvedItem, run, socketLab, type TestApi } from '../helpers/extensionHost';
import { portOf } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { followTcp, hasTshark, packetCount } from '../helpers/tshark';
import { waitFor } from '../helpers/wait';

/** Sends `text` to a TCP port from a plain Node client and waits for `echo` back. */
async function exchange(port: number, text: string): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  const got: Buffer[] = [];
  socket.on('data', (d) => got.push(d));
  try {
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(text);
    await waitFor('the echo', () => Buffer.concat(got).toString() === text);
  } finally {
    socket.destroy();
  }
}

describe('capture, pcapng and system ports (real extension host)', () => {
  let api: TestApi;
  let t: ReturnType<typeof tempDir>;
  const ports = () => (api._test as unknown as { systemPorts: SystemPortsProvider }).systemPorts;

  before(async () => {
    api = await socketLab();
  });
  beforeEach(() => (t = tempDir('sl-cap-')));
  afterEach(async () => {
    await run('stopAll', {});
    t.remove();
  });

  it('startCapture pcapng, then stopCapture: the file opens in tshark with both directions', async function () {
    const file = path.join(t.dir, 'live.pcapng');
    const l = await run<EndpointInfo>('startTcpListener', { port: 0, autoReply: { mode: 'echo' } });
    const started = await run<EndpointInfo>('startCapture', { id: l.id, path: file, format: 'pcapng' });
    assert.deepStrictEqual(
      [started.capturePath, started.captureFormat, started.captureMaxBytes],
      [file, 'pcapng', 1024 ** 3],
    );
    const item = resolvedItem(api._test.tree, api._test.tree.nodeFor(l.id)!);
    assert.match(
      (item.tooltip as vscode.MarkdownString).value,
      /Capturing \\\(pcapng\\\) to .*live\\\.pcapng: \d+ B of 1\\.0 GB$/m,
    );
    await exchange(portOf(l), 'captured hello');
    await waitFor('closed', () => api.list()[0]?.connections[0]?.state === 'closed');
    const stopped = await run<EndpointInfo>('stopCapture', { id: l.id });
    assert.strictEqual(stopped.capturePath, undefined);
    if (!hasTshark()) this.skip();
    const stream = followTcp(file, 0);
    assert.strictEqual(stream.from0.toString(), 'captured hello');
    assert.strictEqual(stream.from1.toString(), 'captured hello');
  });

  it('a relative capture path is taken from the workspace folder (else the temp folder); an existing file needs append', async () => {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.tmpdir();
    const name = `sl-capture-${process.pid}-${Date.now()}.jsonl`;
    const expected = path.join(base, name);
    try {
      const l = await run<EndpointInfo>('startTcpListener', { port: 0, capture: { path: name } });
      assert.strictEqual(l.capturePath, expected);
      await run('stopCapture', { id: l.id });
      const refused = await rejection(run('startCapture', { id: l.id, path: name }));
      assert.strictEqual(refused, `${expected} already exists; choose a new file, or pass append: true to add to it.`);
      const appended = await run<EndpointInfo>('startCapture', { id: l.id, path: name, append: true });
      assert.strictEqual(appended.capturePath, expected);
    } finally {
      await run('stopAll', {});
      fs.rmSync(expected, { force: true });
    }
  });

  it('a capture at its maxBytes stops with the sentence in the tooltip; the listener keeps working', async () => {
    const file = path.join(t.dir, 'small.bin');
    const l = await run<EndpointInfo>('startTcpListener', {
      port: 0,
      autoReply: { mode: 'echo' },
      capture: { path: file, format: 'raw', maxBytes: 4096 },
    });
    await exchange(portOf(l), 'x'.repeat(3000));
    await exchange(portOf(l), 'y'.repeat(3000));
    const info = await waitFor('the capture to stop', () => {
      const now = api._test.lab.get(l.id);
      return now?.captureStopped ? now : undefined;
    });
    assert.match(info.captureStopped!, /stopped at its limit of 4096 bytes \(maxBytes\); start a new capture/);
    assert.strictEqual(info.state, 'listening');
    const item = resolvedItem(api._test.tree, api._test.tree.nodeFor(l.id)!);
    assert.match((item.tooltip as vscode.MarkdownString).value, /stopped at its limit of 4096 bytes/);
    assert.ok(fs.statSync(file).size <= 4096);
  });

  it('exportPcapng writes what the log holds, of the endpoint or of one connection', async function () {
    const l = await run<EndpointInfo>('startTcpListener', { port: 0, autoReply: { mode: 'echo' } });
    await exchange(portOf(l), 'exported bytes');
    const connection = await waitFor('the connection', () => api.list()[0]?.connections[0]);
    const whole = path.join(t.dir, 'whole.pcapng');
    const result = await run<{ records: number; packets: number; bytes: number; path: string }>('exportPcapng', {
      id: l.id,
      path: whole,
    });
    assert.strictEqual(result.records, 2);
    assert.strictEqual(result.bytes, fs.statSync(whole).size);
    const one = path.join(t.dir, 'one.pcapng');
    await run('exportPcapng', { id: connection.id, path: one });
    assert.match(await rejection(run('exportPcapng', { id: l.id })), /path/);
    if (!hasTshark()) this.skip();
    assert.strictEqual(packetCount(whole), result.packets);
    assert.strictEqual(followTcp(one, 0).from0.toString(), 'exported bytes');
  });

  it('listSystemPorts names our listener; the view lists it, filters it, and lists nothing while hidden', async () => {
    const l = await run<EndpointInfo>('startTcpListener', { port: 0 });
    const listed = await run<SystemPort[]>('listSystemPorts', {});
    const own = listed.find((p) => p.protocol === 'tcp' && p.port === portOf(l));
    assert.deepStrictEqual([own?.endpointId, own?.pid, own?.address], [l.id, process.pid, '127.0.0.1']);
    assert.match(
      await rejection(run('listSystemPorts', { extra: 1 })),
      /^listSystemPorts takes no fields; pass \{\}\.$/,
    );

    const view = ports();
    const hiddenCount = view.listCount;
    await vscode.commands.executeCommand('socketLab.listSystemPorts');
    await waitFor('the view to list', () => view.ports.some((p) => p.endpointId === l.id));
    assert.ok(view.listCount > hiddenCount);
    view.setFilter(String(portOf(l)));
    assert.deepStrictEqual(
      view.ports.map((p) => p.endpointId),
      view.ports.map(() => l.id),
    );
    const node = view.getChildren().find((n) => n.port.endpointId === l.id)!;
    const item = view.getTreeItem(node);
    assert.strictEqual(item.contextValue, 'systemPort.own');
    assert.match(String(item.description), new RegExp(`pid ${process.pid}\\).*Socket Lab ${l.id}`));
    // Spoken in words (issue 19), and a tooltip on every row.
    assert.match(
      String(item.accessibilityInformation?.label),
      new RegExp(
        `^TCP port ${portOf(l)} on 127\\.0\\.0\\.1, listening, held by [^,]+, process id ${process.pid}, Socket Lab endpoint ${l.id}$`,
      ),
    );
    assert.match(
      String(item.tooltip),
      new RegExp(
        `^TCP 127\\.0\\.0\\.1:${portOf(l)}\nListening on 127\\.0\\.0\\.1\nProcess: .*\\(pid ${process.pid}\\)\nSocket Lab endpoint ${l.id}$`,
      ),
    );
    const copied = await vscode.commands.executeCommand<{ address: string }>('socketLab.copySystemPortAddress', node);
    assert.strictEqual(copied.address, `127.0.0.1:${portOf(l)}`);
    assert.strictEqual(await vscode.env.clipboard.readText(), `127.0.0.1:${portOf(l)}`);
    const client = await vscode.commands.executeCommand<EndpointInfo>('socketLab.connectSystemPort', node);
    assert.deepStrictEqual([client.kind, client.state], ['tcp-client', 'connected']);
    view.setFilter('');

    // Hidden (the side bar closed): the view stops listing by itself.
    assert.ok(view.following);
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await waitFor('the view to stop following', () => !view.following);
  });

  it('a port held by Socket Lab itself is named as its own endpoint, with its id in the values', async () => {
    const l = await run<EndpointInfo>('startTcpListener', { port: 0 });
    const err = await Promise.resolve(run('startTcpListener', { port: portOf(l) })).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string; values?: Record<string, unknown> },
    );
    assert.strictEqual(
      err?.message,
      `127.0.0.1:${portOf(l)} is already in use by Socket Lab's own TCP 127.0.0.1:${portOf(l)}; stop it or choose another port.`,
    );
    assert.deepStrictEqual([err?.code, err?.values?.endpointId], ['addressInUse', l.id]);
    assert.strictEqual(api.list().length, 1);
  });
});
