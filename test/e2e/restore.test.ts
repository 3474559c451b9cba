// Endpoints survive a window reload (issue 13, setting socketLab.restoreEndpoints): the listener comes back on
// its port with its auto-reply, its send panel reattaches, and a port taken meanwhile is said in the view.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as net from 'net';
import { pickOption, setSectionOpen } from '../helpers/panel';
import { freePort } from '../helpers/sockets';
import { waitForStoredState, waitForStoredStateWithout } from '../helpers/storedState';
import { Workbench, waitUntil } from '../helpers/workbench';

/** Connects, sends `text`, resolves with what came back within the bound. */
async function exchange(port: number, text: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const chunks: Buffer[] = [];
  socket.on('data', (d) => chunks.push(d));
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(text);
  try {
    await waitUntil(`a reply on ${port}`, () => chunks.length > 0);
    return Buffer.concat(chunks).toString();
  } finally {
    socket.destroy();
  }
}

/** True when a connection to `port` is refused (nothing listens there). */
async function exchangeRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
  });
}

async function reloadWindow(wb: Workbench): Promise<void> {
  // A page reload, as the browser's own: the old extension host lingers until code-server lets it go.
  await wb.page.reload();
  await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
  await wb.openSocketsView();
}

describe('Endpoints survive a window reload (socketLab.restoreEndpoints)', function () {
  this.timeout(300000);
  let wb: Workbench;
  const children: ChildProcess[] = [];

  before(async () => {
    wb = await Workbench.start();
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await wb?.stop();
  });

  it('brings a TCP listener back on its port with its auto-reply, and its send panel reattaches', async () => {
    const { item, port } = await wb.startTcpListenerFromPalette('restore-listener-missing');
    const panel = await wb.openPanelFromTree(item, 'restore-panel-missing');
    await setSectionOpen(panel, 'auto-reply');
    await pickOption(panel.locator('#auto-reply-mode'), 'fixed');
    await pickOption(panel.locator('#auto-reply-format'), 'text');
    await panel.locator('#auto-reply-data textarea').fill('pong before');
    await panel.locator('#auto-reply-apply').click();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply updated' }).waitFor({ timeout: 10000 });
    assert.strictEqual(await exchange(port, 'ping'), 'pong before');
    // What a reload restores is what the workbench wrote: the stored endpoint (with its auto-reply) and the panel.
    await waitForStoredState(wb.page, `"port":${port}`);
    await waitForStoredState(wb.page, 'pong before');
    await waitForStoredState(wb.page, `TCP 127.0.0.1:${port}`);

    await reloadWindow(wb);
    const row = wb.page.locator(
      `.sidebar .monaco-list-row[aria-label^="TCP listener on 127.0.0.1 port ${port}, listening"]`,
    );
    await row.waitFor({ state: 'visible', timeout: 60000 });
    assert.strictEqual(await exchange(port, 'ping'), 'pong before', 'the auto-reply came back with it');
    const restored = wb.webview();
    await restored.locator('#title', { hasText: `TCP 127.0.0.1:${port}` }).waitFor({ timeout: 60000 });
    // Reattached: no "no longer exists" banner, the composer works, and the new exchange is in its log.
    await restored.locator('.rec .data.text', { hasText: 'pong before' }).last().waitFor({ timeout: 20000 });
    assert.strictEqual(await restored.locator('#banner', { hasText: 'no longer exists' }).count(), 0);
    assert.strictEqual(await restored.locator('#composer').getAttribute('inert'), null);
    await wb.screenshot('restore-listener-and-panel');
    await wb.reset();
  });

  it('does not bring back a listener stopped right before the reload', async () => {
    const kept = await wb.startTcpListenerFromPalette('restore-kept-missing');
    await wb.runCommand('Socket Lab: Start TCP Listener');
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    await wb.answerFraming();
    const stoppedItem = wb.treeItem(new RegExp(`TCP 127\\.0\\.0\\.1:(?!${kept.port}(?!\\d))\\d+`));
    await stoppedItem.waitFor({ state: 'visible', timeout: 30000 });
    const stoppedPort = Number(/127\.0\.0\.1:(\d+)/.exec(await stoppedItem.innerText())![1]);
    await waitForStoredState(wb.page, `"port":${stoppedPort}`);
    await stoppedItem.hover();
    await stoppedItem.locator('.action-label[aria-label^="Stop"]').click();
    await stoppedItem.waitFor({ state: 'detached', timeout: 15000 });
    // The web workbench writes what the extension stored to its IndexedDB a few seconds later (desktop VS Code
    // writes it at shutdown): wait for that write, not for the extension's, which is at once (see the
    // integration test of the restorer); the listener kept is still in it.
    await waitForStoredStateWithout(wb.page, `"port":${stoppedPort}`);
    await waitForStoredState(wb.page, `"port":${kept.port}`);
    await reloadWindow(wb);
    const keptRow = wb.page.locator(
      `.sidebar .monaco-list-row[aria-label^="TCP listener on 127.0.0.1 port ${kept.port}, listening"]`,
    );
    await keptRow.waitFor({ state: 'visible', timeout: 60000 });
    assert.strictEqual(await exchangeRefused(stoppedPort), true, `nothing listens on ${stoppedPort}`);
    assert.strictEqual(await wb.treeItem(`TCP 127.0.0.1:${stoppedPort}`).count(), 0);
    await wb.screenshot('restore-stopped-stays-stopped');
    await wb.reset();
  });

  it('says in the view when a port was taken by another process before the endpoint could come back', async () => {
    const port = await freePort();
    await wb.runCommand('Socket Lab: Start TCP Listener');
    await wb.answer('127.0.0.1');
    await wb.answer(String(port));
    await wb.answerFraming();
    await wb.treeItem(`TCP 127.0.0.1:${port}`).waitFor({ state: 'visible', timeout: 30000 });
    await waitForStoredState(wb.page, `"port":${port}`);
    // Another program that grabs the port the moment the old extension host lets it go (it tries every
    // millisecond; the restore retries every 250 ms, so the other program wins).
    const grabber = spawn(
      'python3',
      [
        '-c',
        [
          'import socket, sys, time',
          'deadline = time.time() + 60',
          'while time.time() < deadline:',
          '    s = socket.socket()',
          '    try:',
          `        s.bind(("127.0.0.1", ${port})); s.listen(); print("bound", flush=True); break`,
          '    except OSError:',
          '        s.close(); time.sleep(0.001)',
          'sys.stdin.read()',
        ].join('\n'),
      ],
      { stdio: ['pipe', 'pipe', 'ignore'] },
    );
    children.push(grabber);
    let bound = false;
    grabber.stdout!.on('data', (d: Buffer) => (bound ||= d.toString().includes('bound')));

    await reloadWindow(wb);
    await waitUntil('the other program to hold the port', () => bound, 60000);
    const row = wb.page.locator(
      `.sidebar .monaco-list-row[aria-label^="TCP listener on 127.0.0.1 port ${port}, error"]`,
    );
    await row.waitFor({ state: 'visible', timeout: 60000 });
    await wb.screenshot('restore-port-taken-row');
    const hover = await wb.tooltipOf(row, 'in use');
    assert.match(await hover.innerText(), new RegExp(`${port}`));
    await wb.screenshot('restore-port-taken');
  });
});
