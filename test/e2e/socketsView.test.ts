// The Sockets view and the status bar as a first session sees them (issue 13) and as a screen reader
// hears them (issue 19, item 11), in the real workbench at its default sidebar width.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator } from 'playwright-core';
import { THEMES, pickOption, setSectionOpen } from '../helpers/panel';
import { Workbench, artifactsDir, repoRoot, waitUntil } from '../helpers/workbench';

/** The row's description (what is shown after the name), and whether name + description fit the row unclipped. */
async function rowText(row: Locator): Promise<{ description: string; fits: boolean; ariaLabel: string }> {
  return row.evaluate((el) => {
    const container = el.querySelector('.monaco-icon-label-container') as HTMLElement;
    const description = (el.querySelector('.label-description') as HTMLElement | null)?.innerText ?? '';
    return {
      description: description.trim(),
      fits: container.scrollWidth <= container.clientWidth + 1,
      ariaLabel: el.getAttribute('aria-label') ?? '',
    };
  });
}

describe('Sockets view and status bar at the default sidebar width, in words for screen readers', function () {
  this.timeout(300000);
  let wb: Workbench;
  const children: ChildProcess[] = [];
  let udpPeer: dgram.Socket;
  let tcpPort = 0;
  let udpPort = 0;

  before(async () => {
    wb = await Workbench.start();
    udpPeer = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udpPeer.bind(0, '127.0.0.1', resolve));
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    udpPeer?.close();
    await wb?.stop();
  });

  function ncat(port: number, text: string): ChildProcess {
    const child = spawn('ncat', ['127.0.0.1', String(port)], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(child);
    child.stdin!.write(text);
    return child;
  }

  it('shows state and counts of every row unclipped, in words for screen readers, and the status bar in words', async () => {
    ({ port: tcpPort } = await wb.startTcpListenerFromPalette('view-listener-missing'));
    ncat(tcpPort, 'hello from ncat\n');
    ncat(tcpPort, 'second client!!\n');
    await wb.runCommand('Socket Lab: Start UDP Listener');
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    const udpRow = wb.treeItem(/^UDP 127\.0\.0\.1:\d+/);
    await udpRow.waitFor({ state: 'visible', timeout: 30000 });
    udpPort = Number(/:(\d+)/.exec(await udpRow.innerText())![1]);
    udpPeer.send('hello', udpPort, '127.0.0.1');

    const listenerRow = wb.page.locator('.sidebar .monaco-list-row[aria-label^="TCP listener on 127.0.0.1 port"]');
    await waitUntil('the listener row to count its two clients', async () =>
      /2 clients, received 32 B/.test((await rowText(listenerRow)).ariaLabel),
    );
    // The selected or hovered row shows its inline actions over the end of its text (VS Code's own
    // behaviour): select a TCP connection's row (whose short text leaves room for its one action) and move
    // the mouse away before measuring.
    const peerRow = wb.page.locator('.sidebar .monaco-list-row[aria-label^="UDP peer 127.0.0.1 port"]');
    await peerRow.waitFor({ state: 'visible', timeout: 20000 });
    await wb.page.locator('.sidebar .monaco-list-row[aria-label^="Connection from 127.0.0.1 port"]').first().click();
    await wb.page.mouse.move(700, 600);
    await wb.screenshot('view-default-width-check');
    const listener = await rowText(listenerRow);
    assert.strictEqual(listener.description, 'clients: 2', 'listening is said by the icon; the words are in the name');
    assert.strictEqual(
      listener.ariaLabel,
      `TCP listener on 127.0.0.1 port ${tcpPort}, listening, 2 clients, received 32 B, sent 0 B`,
    );
    assert.ok(listener.fits, 'the listener row is not cut off at the default sidebar width');

    const connections = wb.page.locator('.sidebar .monaco-list-row[aria-label^="Connection from 127.0.0.1 port"]');
    await waitUntil('two connection rows', async () => (await connections.count()) === 2);
    for (const row of await connections.all()) {
      const c = await rowText(row);
      assert.strictEqual(c.description, '↓16 B ↑0 B');
      assert.match(c.ariaLabel, /^Connection from 127\.0\.0\.1 port \d+, connected, received 16 B, sent 0 B$/);
      assert.ok(c.fits, `${c.ariaLabel} is cut off`);
    }

    const peer = await rowText(peerRow);
    assert.match(peer.description, /^last heard \d+ s ago$/, 'a UDP peer is never "connected"');
    assert.match(
      peer.ariaLabel,
      /^UDP peer 127\.0\.0\.1 port \d+, last heard at \d\d:\d\d:\d\d, received 5 B, sent 0 B$/,
      'the spoken name has a clock time, so it does not change while nothing happens',
    );
    assert.ok(peer.fits, 'the UDP peer row is not cut off');
    const udp = await rowText(udpRow);
    assert.strictEqual(udp.description, 'peers: 1');
    assert.strictEqual(
      udp.ariaLabel,
      `UDP socket on 127.0.0.1 port ${udpPort}, listening, 1 peer, received 5 B, sent 0 B`,
    );

    // The status bar: words, and the same words for a screen reader.
    const status = wb.page.locator('.part.statusbar [aria-label="Socket Lab: 2 listeners, 2 connections"]');
    await status.first().waitFor({ state: 'visible', timeout: 20000 });
    assert.match(await status.first().innerText(), /^\s*2 listeners · 2 connections\s*$/);

    for (const theme of [...THEMES.slice(1), THEMES[0]]) {
      await wb.setColorTheme(theme.label, theme.uiClass);
      await wb.screenshot(`view-default-width-${theme.name}`);
    }
  });

  it('a connection row tooltip says when it connected and was last active; a closed row looks closed', async () => {
    const row = wb.page.locator('.sidebar .monaco-list-row[aria-label^="Connection from 127.0.0.1 port"]').first();
    const hover = await wb.tooltipOf(row, 'Connected at:');
    const text = await hover.innerText();
    assert.match(text, /Connected at: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    assert.match(text, /Last received: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    assert.match(text, /Remote: 127\.0\.0\.1:\d+/);
    await wb.screenshot('view-connection-tooltip');
    await wb.page.mouse.move(0, 0);

    // One client goes away: its row stays, dimmed, with a closed icon and 'closed' first.
    children[0].kill('SIGKILL');
    const closed = wb.page.locator('.sidebar .monaco-list-row[aria-label*=", closed, received 16 B"]');
    await closed.waitFor({ state: 'visible', timeout: 20000 });
    assert.strictEqual((await rowText(closed)).description, 'closed · ↓16 B ↑0 B');
    assert.strictEqual(await closed.locator('.codicon-circle-slash').count(), 1, 'a closed icon');
    const status = wb.page.locator('.part.statusbar [aria-label="Socket Lab: 2 listeners, 1 connection"]');
    await status.first().waitFor({ state: 'visible', timeout: 20000 });
    await wb.screenshot('view-closed-row');
  });

  it('is walked by keyboard, each row announced by its name in words', async () => {
    // Tab focus lands on the list; the arrows move the focused row, which is what a screen reader announces.
    await wb.page.locator('.sidebar .pane-body .monaco-list').first().focus();
    const focused = wb.page.locator('.sidebar .monaco-list:focus-within .monaco-list-row.focused');
    const names: string[] = [];
    await wb.page.keyboard.press('Home');
    for (let i = 0; i < 5; i++) {
      names.push((await focused.getAttribute('aria-label')) ?? '');
      await wb.page.keyboard.press('ArrowDown');
    }
    assert.match(names[0], /^TCP listener on 127\.0\.0\.1 port \d+, listening/);
    assert.match(names[1], /^Connection from 127\.0\.0\.1 port \d+, /);
    assert.ok(
      names.some((n) => /^UDP socket on 127\.0\.0\.1 port \d+, listening, 1 peer/.test(n)),
      names.join(' | '),
    );
    assert.ok(
      names.every((n) => !/[↓↑]/.test(n)),
      `no symbol is spoken: ${names.join(' | ')}`,
    );
  });
});

describe('The seed lesson in the real workbench, for the README', function () {
  this.timeout(300000);
  let wb: Workbench;

  before(async () => {
    wb = await Workbench.start();
  });

  after(async () => {
    await wb?.stop();
  });

  it('a TCP listener with the fixed reply 我是返回的数据 answers the PHP client of the lesson', async () => {
    await wb.setColorTheme('Dark Modern', 'vs-dark');
    const { item, port } = await wb.startTcpListenerFromPalette('seed-listener-missing');
    const panel = await wb.openPanelFromTree(item, 'seed-panel-missing');
    await setSectionOpen(panel, 'auto-reply');
    await pickOption(panel.locator('#auto-reply-mode'), 'fixed');
    await pickOption(panel.locator('#auto-reply-format'), 'text');
    await panel.locator('#auto-reply-data textarea').fill('我是返回的数据');
    await panel.locator('#auto-reply-apply').click();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply updated' }).waitFor({ timeout: 10000 });

    const php = spawn(
      'php',
      [path.join(repoRoot, 'test', 'peers', 'seed_client.php'), '127.0.0.1', String(port), '你好，服务器'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const out: Buffer[] = [];
    php.stdout!.on('data', (d: Buffer) => out.push(d));
    const code = await new Promise<number | null>((resolve) => php.once('close', resolve));
    assert.strictEqual(code, 0);
    assert.strictEqual(Buffer.concat(out).toString('utf8'), '我是返回的数据', 'the PHP client printed the reply');
    await panel.locator('.rec .data.text', { hasText: '我是返回的数据' }).first().waitFor({ timeout: 20000 });
    await panel.locator('.rec .data.text', { hasText: '你好，服务器' }).first().waitFor({ timeout: 20000 });
    const dir = path.join(artifactsDir, 'readme');
    fs.mkdirSync(dir, { recursive: true });
    await wb.page.screenshot({ path: path.join(dir, 'seed-lesson-dark.png') });
  });
});
