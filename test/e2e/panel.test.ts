// The send panel in real Chromium inside the real workbench, against a real ncat peer.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import type { FrameLocator } from 'playwright-core';
import { Workbench } from './helpers/workbench';

/** Polls until `cond` holds; fails with `what` after `timeoutMs`. */
async function waitUntil(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Send panel in the real workbench', function () {
  this.timeout(240000);
  let wb: Workbench;
  let panel: FrameLocator;
  let port = 0;
  let ncat: ChildProcess | undefined;
  let received = Buffer.alloc(0);
  const dialogs: string[] = [];

  /** Sets a vscode-single-select (custom element) the way a user's pick does: value + change event. */
  async function pick(selector: string, value: string): Promise<void> {
    await panel.locator(selector).evaluate((el, v) => {
      (el as unknown as { value: string }).value = v;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }, value);
  }

  async function shot(name: string): Promise<void> {
    await wb.screenshot(name);
  }

  before(async () => {
    wb = await Workbench.start();
    wb.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  after(async () => {
    ncat?.kill('SIGKILL');
    await wb?.stop();
  });

  it('opens the panel of a TCP listener from the Sockets view', async () => {
    await wb.openSocketsView();
    await wb.runCommand('Socket Lab: Start TCP Listener');
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    const item = wb.treeItem(/TCP 127\.0\.0\.1:\d+/);
    await item.waitFor({ state: 'visible', timeout: 20000 });
    port = Number(/127\.0\.0\.1:(\d+)/.exec(await item.innerText())![1]);
    assert.ok(port > 0);

    await item.hover();
    await item.locator('.action-label[aria-label^="Open Send Panel"]').click();
    panel = wb.webview();
    await panel.locator('#payload').waitFor({ state: 'visible', timeout: 30000 }).catch(async (err) => {
      await shot('panel-missing');
      throw err;
    });
    await panel.locator('#title', { hasText: `TCP 127.0.0.1:${port}` }).waitFor({ timeout: 10000 });
    // The editor tab carries the endpoint's label.
    await wb.page.locator('.tabs-container .tab', { hasText: `TCP 127.0.0.1:${port}` }).waitFor({ timeout: 10000 });
  });

  it('sends hex 48 65 6c 6c 6f 0d 0a from the panel and ncat gets exactly those bytes', async () => {
    ncat = spawn('ncat', ['127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
    ncat.stdout!.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    // The target list offers the accepted connection once it is there.
    await panel.locator('#target vscode-option', { hasText: '127.0.0.1:' }).waitFor({ state: 'attached', timeout: 20000 });
    await pick('#format', 'hex');
    await panel.locator('#payload textarea').fill('48 65 6c 6c 6f 0d 0a');
    await panel.locator('#byte-count', { hasText: '7' }).waitFor({ timeout: 10000 });
    await panel.locator('#send').click();
    await waitUntil(() => received.length >= 7, 'ncat to receive 7 bytes');
    assert.deepStrictEqual(received, Buffer.from([0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x0d, 0x0a]));
    // The outgoing record shows up too.
    await panel.locator('.rec .dir.out').first().waitFor({ timeout: 10000 });
  });

  it('shows an inline error for bad hex and refuses to send it', async () => {
    await panel.locator('#payload textarea').fill('48 6');
    await panel.locator('#payload-error', { hasText: /odd number of digits/ }).waitFor({ timeout: 10000 });
    const before = received.length;
    await panel.locator('#send').click();
    await panel.locator('#status.error').waitFor({ timeout: 10000 });
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(received.length, before);
  });

  it('shows a line sent by ncat as a row with the right length and hex', async () => {
    ncat!.stdin!.write('hello from ncat\n');
    const row = panel.locator('.rec', { has: panel.locator('.dir.in') }).filter({ hasText: '68 65 6c 6c 6f 20 66 72 6f 6d 20 6e 63 61 74 0a' });
    await row.first().waitFor({ timeout: 15000 });
    assert.strictEqual((await row.first().locator('.len').innerText()).trim(), '16');
    assert.strictEqual((await row.first().locator('.data.text').innerText()).trim(), 'hello from ncat\\n');
    // Expanding shows the hex dump with the ASCII column.
    await row.first().click();
    await panel.locator('.rec.expanded .dump', { hasText: '|hello from ncat.|' }).waitFor({ timeout: 10000 });
    await row.first().locator('.line').click();
  });

  it('repeats 5 x 100 ms and ncat receives the payload 5 times', async () => {
    received = Buffer.alloc(0);
    await pick('#format', 'text');
    await pick('#line-ending', 'lf');
    await panel.locator('#payload textarea').fill('tick');
    await panel.locator('#repeat-interval input').fill('100');
    await panel.locator('#repeat-count input').fill('5');
    await panel.locator('#byte-count', { hasText: '5' }).waitFor({ timeout: 10000 });
    const started = Date.now();
    await panel.locator('#repeat').click();
    await waitUntil(() => received.toString('latin1').split('tick\n').length - 1 >= 5, 'five ticks at ncat', 15000);
    // The indicator clears once the core reports the end of the repeat.
    await panel.locator('#repeat-indicator').waitFor({ state: 'hidden', timeout: 10000 });
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(received.toString('latin1'), 'tick\n'.repeat(5));
    assert.ok(Date.now() - started >= 400, 'the sends were spaced by the interval');
    await panel.locator('#status', { hasText: /5/ }).waitFor({ timeout: 5000 });
  });

  it('shows <img src=x onerror=alert(1)> as text and creates no element', async () => {
    ncat!.stdin!.write('<img src=x onerror=alert(1)>\n');
    await panel.locator('.rec .data.text', { hasText: '<img src=x onerror=alert(1)>\\n' }).first().waitFor({ timeout: 15000 });
    assert.strictEqual(await panel.locator('img').count(), 0);
    assert.strictEqual(await panel.locator('#app').evaluate((app) => app.ownerDocument.querySelectorAll('img').length), 0);
    assert.deepStrictEqual(dialogs, []);
  });

  it('keeps the history and takes screenshots in a dark and a light theme', async () => {
    await panel.locator('#history-box').click();
    await panel.locator('.history-item', { hasText: '48 65 6c 6c 6f 0d 0a' }).waitFor({ timeout: 5000 });
    await wb.setColorTheme('Dark Modern', 'vs-dark');
    await new Promise((r) => setTimeout(r, 800));
    await shot('send-panel-dark');
    await wb.setColorTheme('Light Modern', 'vs');
    await new Promise((r) => setTimeout(r, 800));
    await shot('send-panel-light');
    await wb.setColorTheme('Dark High Contrast', 'hc-black');
    await new Promise((r) => setTimeout(r, 800));
    await shot('send-panel-high-contrast');
  });

  it('clears the log from the panel', async () => {
    await panel.locator('#clear').click();
    await panel.locator('#empty-line', { hasText: 'No traffic yet' }).waitFor({ timeout: 10000 });
    assert.strictEqual(await panel.locator('.rec').count(), 0);
  });
});
