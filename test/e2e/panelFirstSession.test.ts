// What a first session trips on in the send panel (issue 13), each in the real workbench against real peers
// (two ncat clients of a TCP listener, a UDP peer), with screenshots in dark, light and high-contrast themes.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import {
  THEMES,
  listRows,
  pickOption,
  setPayload,
  setSectionOpen,
  useTheme,
  waitForStoredPanelState,
} from '../helpers/panel';
import { Workbench, artifactsDir, waitUntil } from '../helpers/workbench';

/** Contrast ratio of two CSS colours (rgb()/rgba() as getComputedStyle gives them), as WCAG computes it. */
function contrast(a: string, b: string): number {
  const lum = (c: string) => {
    const [r, g, bl] = (c.match(/[\d.]+/g) ?? [])
      .slice(0, 3)
      .map((x) => Number(x) / 255)
      .map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  return (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
}

/** Screenshots of the panel in each theme (dark last, so the run goes on in dark). */
async function shotInThemes(wb: Workbench, panel: FrameLocator, name: string): Promise<void> {
  for (const theme of [...THEMES.slice(1), THEMES[0]]) {
    await useTheme(wb, panel, theme);
    await wb.screenshot(`${name}-${theme.name}`);
  }
}

/** Saves a screenshot for the README under test-artifacts/readme/ (the docs copy them to docs/images/). */
async function readmeShot(wb: Workbench, name: string): Promise<void> {
  const dir = path.join(artifactsDir, 'readme');
  fs.mkdirSync(dir, { recursive: true });
  await wb.page.screenshot({ path: path.join(dir, `${name}.png`) });
}

describe('Send panel of a TCP listener, as a first session meets it (issue 13)', function () {
  this.timeout(300000);
  let wb: Workbench;
  let panel: FrameLocator;
  let port = 0;
  const clients: { ncat: ChildProcess; received: Buffer }[] = [];

  /** The accepted connections' labels in the Target list ('127.0.0.1:PORT'). */
  async function connectionLabels(): Promise<string[]> {
    return (await panel.locator('#target vscode-option').allInnerTexts()).slice(1);
  }

  before(async () => {
    wb = await Workbench.start();
    const started = await wb.startTcpListenerFromPalette('ux-listener-missing');
    port = started.port;
    panel = await wb.openPanelFromTree(started.item, 'ux-panel-missing');
    for (let i = 0; i < 2; i++) {
      const ncat = spawn('ncat', ['127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
      const client = { ncat, received: Buffer.alloc(0) };
      ncat.stdout!.on('data', (d: Buffer) => (client.received = Buffer.concat([client.received, d])));
      clients.push(client);
    }
    await waitUntil('two connections in the Target list', async () => (await connectionLabels()).length === 2);
  });

  after(async () => {
    for (const c of clients) c.ncat.kill('SIGKILL');
    await wb?.stop();
  });

  it('says "Sent 12 bytes to 2 connections" next to Send, and clears it when the draft changes', async () => {
    await setPayload(panel, 'text', 'hello!');
    await panel.locator('#byte-count', { hasText: /^6 bytes$/ }).waitFor({ timeout: 10000 });
    await panel.locator('#send').click();
    await panel.locator('#send-status', { hasText: 'Sent 12 bytes to 2 connections' }).waitFor({ timeout: 10000 });
    await waitUntil('both clients to get hello!', () => clients.every((c) => c.received.toString() === 'hello!'));
    // Next to the Send button: in its row.
    assert.ok(
      await panel
        .locator('#send-status')
        .evaluate((s) => s.parentElement === s.ownerDocument.getElementById('send')!.parentElement),
      'the send status is in the row of the Send button',
    );
    await wb.screenshot('ux-send-status-dark');
    // It no longer applies once the payload changes.
    await panel.locator('#payload textarea').fill('hello again');
    await panel.locator('#send-status:empty').waitFor({ state: 'attached', timeout: 5000 });
    // A send to one connection names it.
    const [first] = await connectionLabels();
    const id = await panel
      .locator('#target vscode-option', { hasText: first })
      .evaluate((o) => (o as unknown as { value: string }).value);
    await pickOption(panel.locator('#target'), id);
    await panel.locator('#send').click();
    await panel.locator('#send-status', { hasText: `Sent 11 bytes to ${first}` }).waitFor({ timeout: 10000 });
    // Changing the target clears it too.
    await pickOption(
      panel.locator('#target'),
      await panel
        .locator('#target vscode-option')
        .first()
        .evaluate((o) => (o as unknown as { value: string }).value),
    );
    await panel.locator('#send-status:empty').waitFor({ state: 'attached', timeout: 5000 });
  });

  it('disables Send for an invalid payload and reports it once, under the field', async () => {
    await setPayload(panel, 'hex', '48 zz');
    const error = panel.locator('#payload-error', { hasText: /./ });
    await error.waitFor({ timeout: 10000 });
    const sentence = (await error.innerText()).trim();
    await panel.locator('#send[disabled]').waitFor({ state: 'attached', timeout: 5000 });
    await panel.locator('#repeat[disabled]').waitFor({ state: 'attached', timeout: 5000 });
    const before = clients.map((c) => c.received.length);
    await panel.locator('#payload textarea').press('Control+Enter');
    // Shown once: under the field, not again next to Send (the screen reader's hidden announcer aside).
    const times = await panel.locator('#app').evaluate((app, s) => {
      const count = (e: Element | null) => ((e as HTMLElement | null)?.innerText ?? '').split(s).length - 1;
      return count(app) - count(app.querySelector('#announcer'));
    }, sentence);
    assert.strictEqual(times, 1, `"${sentence}" shows ${times} times`);
    assert.strictEqual(await panel.locator('#send-status').innerText(), '');
    assert.strictEqual(
      await panel
        .locator('#payload')
        .evaluate((f) => f.shadowRoot!.querySelector('textarea')!.getAttribute('aria-invalid')),
      'true',
    );
    await wb.screenshot('ux-invalid-payload-dark');
    await panel.locator('#payload textarea').fill('48 69');
    await panel.locator('#send:not([disabled])').waitFor({ state: 'attached', timeout: 10000 });
    assert.deepStrictEqual(
      clients.map((c) => c.received.length),
      before,
      'nothing was sent',
    );
  });

  it('switching Format converts a valid payload (text, hex, base64) and says when it cannot', async () => {
    await setPayload(panel, 'text', 'Hi\\x00\\xff');
    await pickOption(panel.locator('#format'), 'hex');
    await panel
      .locator('#convert-status', { hasText: 'Converted the payload from text to hex.' })
      .waitFor({ timeout: 10000 });
    assert.strictEqual(await panel.locator('#payload textarea').inputValue(), '48 69 00 ff');
    await pickOption(panel.locator('#format'), 'base64');
    await panel.locator('#convert-status', { hasText: 'from hex to base64' }).waitFor({ timeout: 10000 });
    assert.strictEqual(await panel.locator('#payload textarea').inputValue(), 'SGkA/w==');
    // Back to text: the NUL and the byte that is no UTF-8 character are written as escapes.
    await pickOption(panel.locator('#format'), 'text');
    await panel.locator('#convert-status', { hasText: 'from base64 to text' }).waitFor({ timeout: 10000 });
    assert.strictEqual(await panel.locator('#payload textarea').inputValue(), 'Hi\\0\\xff');
    // Not valid as written: kept, and the reason given.
    await setPayload(panel, 'hex', '48 6');
    await pickOption(panel.locator('#format'), 'base64');
    await panel.locator('#convert-status.error', { hasText: 'not converted to base64' }).waitFor({ timeout: 10000 });
    assert.strictEqual(await panel.locator('#payload textarea').inputValue(), '48 6');
    await wb.screenshot('ux-format-not-converted-dark');
    await setPayload(panel, 'text', 'ok');
  });

  it('writes bytes that are no character as \\xff, never as U+FFFD', async () => {
    clients[0].ncat.stdin!.write(Buffer.from([0x41, 0xff, 0xfe, 0x42, 0xe6, 0x88, 0x91, 0xe6, 0x0a]));
    const row = panel.locator('.rec .data.text', { hasText: 'A\\xff\\xfeB我' });
    await row.first().waitFor({ timeout: 15000 });
    assert.strictEqual((await row.first().innerText()).trim(), 'A\\xff\\xfeB我\\xe6\\n');
    assert.ok(!(await panel.locator('#list').innerText()).includes('\uFFFD'), 'no U+FFFD in the log');
  });

  it('Apply sits under the auto-reply with a "Not applied yet" state, its encoding is its own, and its replies are marked', async () => {
    await setSectionOpen(panel, 'auto-reply');
    await pickOption(panel.locator('#auto-reply-mode'), 'fixed');
    await panel.locator('#auto-reply-pending').waitFor({ state: 'visible', timeout: 5000 });
    await pickOption(panel.locator('#auto-reply-encoding'), 'gbk');
    await pickOption(panel.locator('#auto-reply-format'), 'text');
    await panel.locator('#auto-reply-data textarea').fill('收到');
    // Apply comes after what it applies.
    const [replyBottom, applyTop] = await Promise.all([
      panel.locator('#auto-reply-data').evaluate((e) => e.getBoundingClientRect().bottom),
      panel.locator('#auto-reply-apply').evaluate((e) => e.getBoundingClientRect().top),
    ]);
    assert.ok(applyTop >= replyBottom, `Apply (top ${applyTop}) under the reply (bottom ${replyBottom})`);
    await wb.screenshot('ux-auto-reply-not-applied-dark');
    await panel.locator('#auto-reply-apply').click();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply updated' }).waitFor({ timeout: 10000 });
    await panel.locator('#auto-reply-pending').waitFor({ state: 'hidden', timeout: 5000 });
    // The composer's encoding was not touched.
    assert.strictEqual(
      await panel.locator('#encoding').evaluate((s) => (s as unknown as { value: string }).value),
      'utf8',
    );
    const client = clients[1];
    client.received = Buffer.alloc(0);
    client.ncat.stdin!.write('ping\n');
    await waitUntil('the GBK reply', () => client.received.length >= 4);
    assert.strictEqual(client.received.toString('hex'), 'cad5b5bd');
    const auto = panel.locator('.rec', { has: panel.locator('.dir.auto') });
    await auto.first().waitFor({ timeout: 10000 });
    assert.strictEqual((await auto.first().locator('.dir').innerText()).trim(), 'auto');
    assert.match((await auto.first().getAttribute('aria-label')) ?? '', /^auto-reply, /);
    // Sends of the composer are not marked.
    assert.ok((await panel.locator('.rec .dir.out:not(.auto)').count()) > 0);
    await shotInThemes(wb, panel, 'ux-auto-reply-applied');
    // Edited again: not applied yet, until Apply.
    await panel.locator('#auto-reply-data textarea').fill('收到了');
    await panel.locator('#auto-reply-pending').waitFor({ state: 'visible', timeout: 5000 });
    await pickOption(panel.locator('#auto-reply-mode'), 'off');
    await panel.locator('#auto-reply-apply').click();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply turned off' }).waitFor({ timeout: 10000 });
    await panel.locator('#auto-reply-pending').waitFor({ state: 'hidden', timeout: 5000 });
    await setSectionOpen(panel, 'auto-reply', false);
  });

  it('the log: Data takes the free width, Both shows as many hex bytes as fit, Peer is as wide as an address', async () => {
    await pickOption(panel.locator('#view-mode'), 'both');
    clients[0].ncat.stdin!.write(Buffer.alloc(200, 0x41));
    const row = panel.locator('.rec', { has: panel.locator('.len', { hasText: /^200$/ }) }).first();
    await row.waitFor({ timeout: 15000 });
    const m = await row.evaluate((node) => {
      const line = node.querySelector<HTMLElement>('.line')!;
      const cell = (c: string) => node.querySelector<HTMLElement>(c)!;
      const probe = node.ownerDocument.createElement('span');
      probe.textContent = '0'.repeat(100);
      line.append(probe);
      const charWidth = probe.getBoundingClientRect().width / 100;
      probe.remove();
      const hex = cell('.data.hex');
      const peer = cell('.peer');
      return {
        charWidth,
        lineRight: line.getBoundingClientRect().right,
        hexRight: hex.getBoundingClientRect().right,
        hex: hex.textContent!,
        hexWidth: hex.clientWidth,
        textWidth: cell('.data.text').clientWidth,
        peer: peer.textContent!,
        peerWidth: peer.getBoundingClientRect().width,
        peerOverflows: peer.scrollWidth > peer.clientWidth,
      };
    });
    // The data cells reach the end of the line (less its padding).
    assert.ok(m.lineRight - m.hexRight <= 8, `hex ends ${m.lineRight - m.hexRight} px before the line`);
    // Whole bytes, as many as fit: one byte more would not.
    assert.match(m.hex, /^(41 )+…$/);
    assert.ok(
      m.hex.length * m.charWidth <= m.hexWidth + 1 && (m.hex.length + 3) * m.charWidth > m.hexWidth,
      `${m.hex.length} hex characters in ${m.hexWidth} px (${m.charWidth} px a character)`,
    );
    // Hex gets three times the text's share.
    assert.ok(Math.abs(m.hexWidth / m.textWidth - 3) < 0.2, `hex ${m.hexWidth} px, text ${m.textWidth} px`);
    // The peer fits whole, and the column is no wider than it needs.
    assert.ok(!m.peerOverflows, `the peer ${m.peer} is cut`);
    assert.ok(m.peerWidth <= (m.peer.length + 1) * m.charWidth, `peer column ${m.peerWidth} px for ${m.peer}`);
  });

  it('a filter shows "N of M rows" (and the filter\'s result is announced)', async () => {
    const total = await listRows(panel);
    await panel.locator('#filter input').fill('hello');
    await panel.locator('#filter-count', { hasText: / of / }).waitFor({ timeout: 10000 });
    await waitUntil('the filtered rows', async () => (await listRows(panel)) < total);
    const shown = await listRows(panel);
    assert.strictEqual((await panel.locator('#filter-count').innerText()).trim(), `${shown} of ${total} rows`);
    await panel.locator('#announcer', { hasText: `${shown} of ${total} rows` }).waitFor({ timeout: 10000 });
    await wb.screenshot('ux-filter-count-dark');
    await panel.locator('#filter input').fill('no row has this');
    await panel.locator('#filter-count', { hasText: 'No row matches the filter.' }).waitFor({ timeout: 10000 });
    await panel.locator('#filter input').fill('');
    await panel.locator('#filter-count').waitFor({ state: 'hidden', timeout: 10000 });
  });

  it('the selected row stays readable in light themes (selection colours) and shows in high contrast', async () => {
    // A click selects a row and opens its hex dump; a second one closes it, and the row stays selected.
    const row = panel.locator('.rec', { has: panel.locator('.len', { hasText: /^200$/ }) }).first();
    await row.locator('.line').click();
    await panel.locator('.rec.selected.expanded').waitFor({ timeout: 5000 });
    await panel.locator('.rec.selected.expanded .line').click();
    await panel.locator('.rec.selected:not(.expanded)').waitFor({ timeout: 5000 });
    const colours = () =>
      panel.locator('.rec.selected').evaluate((node) => {
        // The row's background over the page's (a theme may give the selection a translucent tint).
        const page = (getComputedStyle(node.ownerDocument.body).backgroundColor.match(/[\d.]+/g) ?? []).map(Number);
        const [r, g, b, a = 1] = (getComputedStyle(node).backgroundColor.match(/[\d.]+/g) ?? []).map(Number);
        const bg = `rgb(${[r, g, b].map((x, i) => Math.round(x * a + page[i] * (1 - a))).join(', ')})`;
        const cells = ['.time', '.dir span:last-child', '.peer', '.len', '.data.text', '.data.hex'];
        return {
          bg,
          outline: getComputedStyle(node).outlineStyle,
          outlineColor: getComputedStyle(node).outlineColor,
          cells: cells.map((c) => [c, getComputedStyle(node.querySelector(c)!).color] as const),
        };
      });
    for (const theme of [THEMES[1], THEMES[0], THEMES[2], THEMES[3]]) {
      await useTheme(wb, panel, theme);
      for (const focused of [false, true]) {
        if (focused) await panel.locator('#list').focus();
        else await panel.locator('#filter input').focus();
        const c = await colours();
        for (const [cell, colour] of c.cells)
          assert.ok(
            contrast(colour, c.bg) >= 4.5,
            `${theme.label}${focused ? ', focused' : ''}: ${cell} ${colour} on ${c.bg}`,
          );
        if (theme.uiClass.startsWith('hc'))
          assert.ok(
            c.outline !== 'none' && contrast(c.outlineColor, c.bg) >= 3,
            `${theme.label}: the selected row's outline ${c.outline} ${c.outlineColor} on ${c.bg}`,
          );
      }
      await wb.screenshot(`ux-selected-row-${theme.name}`);
    }
  });

  it('README: the panel beside the Sockets view, the log in Both view (dark theme)', async () => {
    await useTheme(wb, panel, THEMES[0]);
    await panel.locator('#clear').click();
    await panel.locator('#empty-line', { hasText: 'No traffic yet' }).waitFor({ timeout: 10000 });
    // A device asks, the auto-reply answers, a client sends a binary frame, the panel sends to both.
    await setSectionOpen(panel, 'auto-reply');
    await pickOption(panel.locator('#auto-reply-mode'), 'fixed');
    await pickOption(panel.locator('#auto-reply-encoding'), 'utf8');
    await panel.locator('#auto-reply-data textarea').fill('pong\\n');
    await panel.locator('#auto-reply-apply').click();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply updated' }).waitFor({ timeout: 10000 });
    const steps: [number, string | Buffer][] = [
      [0, 'ping\n'],
      [1, 'GET /status HTTP/1.0\r\n\r\n'],
      [1, Buffer.from([0x01, 0x02, 0x03, 0xff, 0xfe, 0x4f, 0x4b, 0x0d, 0x0a])],
    ];
    for (const [i, data] of steps) {
      const rows = await panel.locator('.rec').count();
      clients[i].ncat.stdin!.write(data);
      await waitUntil('the row', async () => (await panel.locator('.rec').count()) > rows);
    }
    await panel.locator('.rec .dir.auto').first().waitFor({ timeout: 10000 });
    await setPayload(panel, 'text', 'hello from Socket Lab\\n');
    await panel.locator('#send').click();
    await panel.locator('#send-status', { hasText: 'to 2 connections' }).waitFor({ timeout: 10000 });
    await pickOption(panel.locator('#view-mode'), 'both');
    await panel.locator('.rec', { hasText: 'GET /status' }).first().locator('.line').click();
    await panel.locator('.rec.expanded .dump').waitFor({ timeout: 10000 });
    await readmeShot(wb, 'panel-tcp');
    await pickOption(panel.locator('#auto-reply-mode'), 'off');
    await panel.locator('#auto-reply-apply').click();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply turned off' }).waitFor({ timeout: 10000 });
  });
});

describe('Send panel of a UDP listener heard from before it opened (issue 13)', function () {
  this.timeout(300000);
  let wb: Workbench;
  let peer: dgram.Socket;
  const inbox: Buffer[] = [];

  before(async () => {
    // Its reload test is about the rows a panel keeps when its endpoint is gone: no restore of the endpoint.
    wb = await Workbench.start({ settings: { 'socketLab.restoreEndpoints': false } });
    peer = dgram.createSocket('udp4');
    peer.on('message', (m) => inbox.push(m));
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
  });

  after(async () => {
    peer?.close();
    await wb?.stop();
  });

  it('answers the peer heard before the panel opened, with an empty Destination that names it', async () => {
    await wb.openSocketsView();
    await wb.runCommand('Socket Lab: Start UDP Listener');
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    const item = wb.treeItem(/UDP 127\.0\.0\.1:\d+/);
    await item.waitFor({ state: 'visible', timeout: 60000 });
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await item.innerText())![1]);
    // The datagram arrives first (the normal order): the view changes when the listener has it.
    const before = await item.innerText();
    peer.send('hello before the panel', port, '127.0.0.1');
    await waitUntil('the listener to hear the peer', async () => (await item.innerText()) !== before);
    const panel = await wb.openPanelFromTree(item, 'ux-udp-panel-missing');
    const peerAddress = `127.0.0.1:${peer.address().port}`;
    await panel.locator('#destination-hint', { hasText: peerAddress }).waitFor({ timeout: 15000 });
    assert.strictEqual(await panel.locator('#destination input').inputValue(), peerAddress);
    // The peers heard from are offered as a list too.
    assert.deepStrictEqual((await panel.locator('#peers vscode-option').allInnerTexts()).slice(1), [peerAddress]);
    await panel.locator('.rec .data.text', { hasText: 'hello before the panel' }).waitFor({ timeout: 15000 });
    await panel.locator('#payload textarea').fill('pong');
    await panel.locator('#byte-count', { hasText: /^4 bytes$/ }).waitFor({ timeout: 10000 });
    await panel.locator('#payload textarea').press('Control+Enter');
    await waitUntil('the reply at the peer', () => inbox.some((m) => m.toString() === 'pong'));
    await panel.locator('#send-status', { hasText: `Sent 4 bytes to ${peerAddress}` }).waitFor({ timeout: 10000 });
    await shotInThemes(wb, panel, 'ux-udp-destination');
    await readmeShot(wb, 'panel-udp');
  });

  it('keeps its rows and counters through a window reload', async () => {
    const panel = wb.webview();
    // The rows are saved with the panel's state a moment after they arrive.
    await panel.locator('.rec .data.text', { hasText: 'pong' }).waitFor({ timeout: 10000 });
    await panel.locator('#traffic[data-saved-rows="2"]').waitFor({ state: 'attached', timeout: 15000 });
    // The rows are in the state the workbench stored ('pong' in the base64 of the saved previews).
    await waitForStoredPanelState(wb.page, Buffer.from('pong').toString('base64'));
    await wb.page.reload();
    await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    const restored = wb.webview();
    await restored.locator('#banner', { hasText: 'no longer exists' }).waitFor({ timeout: 60000 });
    await restored.locator('.rec .data.text', { hasText: 'hello before the panel' }).waitFor({ timeout: 15000 });
    await restored.locator('.rec .data.text', { hasText: 'pong' }).waitFor({ timeout: 15000 });
    assert.match(await restored.locator('#counters').innerText(), /In: 22 B · 1 msg/);
    // A kept row can still be looked at and copied.
    await restored.locator('.rec', { hasText: 'hello before the panel' }).first().click();
    await restored.locator('.rec.expanded .dump', { hasText: '|hello before the|' }).waitFor({ timeout: 10000 });
    await restored.locator('.rec.expanded .copy-text').click();
    await restored.locator('#status', { hasText: 'Copied' }).waitFor({ timeout: 10000 });
    await shotInThemes(wb, restored, 'ux-restored-rows');
  });
});
