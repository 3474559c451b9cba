// Defects found by exploratory QA, as a user of Packet Sender / ncat / a 网络调试助手 would hit them, each
// driven through the real workbench against real peers. Every test here fails today and is skipped so
// that main stays green; the comment on each names the bug. Remove the `.skip` when the bug is fixed.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import { Workbench, waitUntil } from './helpers/workbench';

describe('QA findings (known bugs, skipped until fixed)', function () {
  this.timeout(240000);
  let wb: Workbench;
  const children: ChildProcess[] = [];
  const sockets: dgram.Socket[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-qa-'));

  /** Sets a vscode-single-select (custom element) the way a user's pick does: value + change event. */
  async function pick(panel: FrameLocator, selector: string, value: string): Promise<void> {
    await panel.locator(selector).evaluate((el, v) => {
      (el as unknown as { value: string }).value = v;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }, value);
  }

  /** Starts a listener from the palette on port 0 and opens its send panel; returns the panel and the real port. */
  async function listenerPanel(command: string, labelPrefix: string): Promise<{ panel: FrameLocator; port: number }> {
    await wb.runCommand(command);
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    const item = wb.treeItem(new RegExp(`^${labelPrefix} 127\\.0\\.0\\.1:\\d+`));
    await item.waitFor({ state: 'visible', timeout: 30000 });
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await item.innerText())![1]);
    await item.click();
    const panel = wb.webview();
    await panel.locator('#title', { hasText: `${labelPrefix} 127.0.0.1:${port}` }).waitFor({ timeout: 30000 });
    return { panel, port };
  }

  before(async () => {
    wb = await Workbench.start();
    await wb.openSocketsView();
  });

  // Each test starts from an empty Sockets view and no open editor, so labels and webviews are unambiguous.
  beforeEach(async () => {
    await wb.runCommand('Socket Lab: Stop All');
    await wb.page.locator('.sidebar .pane-body', { hasText: 'No socket is open.' }).waitFor({ timeout: 20000 });
    await wb.runCommand('View: Close All Editors');
    await wb.page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 20000 }).catch(() => undefined);
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const s of sockets) s.close();
    await wb?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  // BUG: the UDP listener panel's Destination is filled once from the first peer heard from
  // (src/webview/main.ts renderTarget: `if (!state.to && ep.lastPeer) state.to = ep.lastPeer`) and never
  // follows later peers, although the README says it "defaults to the last peer heard from". A device
  // that re-opens its socket (new source port) is answered at its old, dead port: the reply is lost.
  it.skip('the UDP Destination follows the last peer heard from, so the reply reaches the device', async () => {
    const { panel, port } = await listenerPanel('Socket Lab: Start UDP Listener', 'UDP');
    const first = dgram.createSocket('udp4');
    const second = dgram.createSocket('udp4');
    sockets.push(first, second);
    await new Promise<void>((r) => first.bind(0, '127.0.0.1', r));
    await new Promise<void>((r) => second.bind(0, '127.0.0.1', r));
    const inbox: Buffer[] = [];
    second.on('message', (m) => inbox.push(m));
    first.send('hello from the old socket', port, '127.0.0.1');
    await panel.locator('.rec .data.text', { hasText: 'hello from the old socket' }).waitFor({ timeout: 15000 });
    second.send('hello from the new socket', port, '127.0.0.1');
    await panel.locator('.rec .data.text', { hasText: 'hello from the new socket' }).waitFor({ timeout: 15000 });
    await pick(panel, '#format', 'text');
    await panel.locator('#payload textarea').fill('ack');
    await panel.locator('#send').click();
    await panel.locator('#status', { hasText: /Sent|bytes/ }).waitFor({ timeout: 10000 });
    const newPeer = `127.0.0.1:${second.address().port}`;
    assert.strictEqual(await panel.locator('#destination').evaluate((el) => (el as unknown as { value: string }).value), newPeer);
    await waitUntil('the reply at the peer heard from last', () => inbox.some((m) => m.toString() === 'ack'), 5000);
  });

  // BUG: while a repeat runs, the panel says "Repeating rN: 0 sent" and the count never moves: the host
  // posts `{ type: 'repeat', running: true, sent }` only when the panel is rendered
  // (src/host/panel/sendPanel.ts, the loop over lab.activeRepeats() in render's ready path), never as sends happen.
  it.skip('the repeat indicator counts the sends while the repeat runs', async () => {
    const { panel, port } = await listenerPanel('Socket Lab: Start TCP Listener', 'TCP');
    let received = '';
    const ncat = spawn('ncat', ['127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(ncat);
    ncat.stdout!.on('data', (d: Buffer) => (received += d.toString('latin1')));
    await panel.locator('#target vscode-option', { hasText: '127.0.0.1:' }).waitFor({ state: 'attached', timeout: 20000 });
    await pick(panel, '#format', 'text');
    await panel.locator('#payload textarea').fill('tick\\n');
    await panel.locator('#repeat-interval input').fill('100');
    await panel.locator('#repeat-count input').fill('100');
    await panel.locator('#repeat').click();
    await waitUntil('ten ticks at ncat', () => received.split('tick\n').length - 1 >= 10, 15000);
    await wb.page.waitForTimeout(300); // a few posts (at most 20 a second)
    const text = await panel.locator('#repeat-indicator').innerText();
    const sent = Number(/(\d+) sent/.exec(text)?.[1] ?? NaN);
    await panel.locator('#stop-repeat').click();
    assert.ok(sent >= 5, `the indicator should count the sends so far, but it says ${JSON.stringify(text)}`);
  });

  // BUG: a negative, fractional or too large Repeat interval/count in the panel is sent as is and refused
  // by the host's protocol check, so the user reads "The panel sent a message the extension does not
  // understand: repeat.intervalMs: Invalid value: Expected >=0 but received -5" (src/webview/main.ts
  // doSend converts the fields with Number() and no check; src/host/panel/sendPanel.ts _onMessage).
  // Expected: a sentence naming the field and its range, like the palette's "Port must be ..." messages.
  it.skip('a bad Repeat interval or count is refused with a sentence naming the field, not a protocol error', async () => {
    const { panel } = await listenerPanel('Socket Lab: Start TCP Listener', 'TCP');
    await pick(panel, '#format', 'text');
    await panel.locator('#payload textarea').fill('x');
    for (const [interval, count] of [['-5', '3'], ['100', '0'], ['0.5', '2'], ['100', '20000000']]) {
      await panel.locator('#repeat-interval input').fill(interval);
      await panel.locator('#repeat-count input').fill(count);
      await panel.locator('#repeat').click();
      await panel.locator('#status.error').waitFor({ timeout: 10000 });
      const status = await panel.locator('#status').innerText();
      assert.doesNotMatch(status, /does not understand|Invalid value|Expected|safe integer/, `interval ${interval}, count ${count}: ${status}`);
      assert.match(status, /interval|count|times|every/i, `interval ${interval}, count ${count}: ${status}`);
    }
  });

  // BUG: the Target list of a Unix listener's panel labels every accepted connection with the listener's
  // own path, so two clients are two identical entries (src/host/panel/sendPanel.ts toEndpointView:
  // `label: formatAddress(c.remote) || c.id`, and an accepted Unix connection's remote is the listener path).
  // The tree tells them apart as #c1, #c2.
  it.skip('the Target list tells two Unix clients apart', async () => {
    const sock = path.join(tmp, 'qa.sock');
    await wb.runCommand('Socket Lab: Start Unix Socket Listener');
    await wb.answer(sock);
    const item = wb.treeItem(`Unix ${sock}`);
    await item.waitFor({ state: 'visible', timeout: 30000 });
    await item.click();
    const panel = wb.webview();
    await panel.locator('#title', { hasText: `Unix ${sock}` }).waitFor({ timeout: 30000 });
    for (let i = 0; i < 2; i++) {
      const socat = spawn('socat', ['-', `UNIX-CONNECT:${sock}`], { stdio: ['pipe', 'ignore', 'ignore'] });
      children.push(socat);
    }
    await waitUntil('two clients in the Target list', async () => (await panel.locator('#target vscode-option').count()) === 3);
    const labels = (await panel.locator('#target vscode-option').allInnerTexts()).slice(1);
    assert.notStrictEqual(labels[0], labels[1], `both clients are listed as ${JSON.stringify(labels)}`);
  });

  // BUG: Connect TCP Client asks for the port with the listener's prompt ("0 lets the system pick a free
  // one", src/host/prompts.ts askHostAndPort) and accepts 0; only after the prompt has closed does a
  // notification say "port must be 1-65535 to connect" (src/core/socketLab.ts). Expected: the prompt
  // refuses 0 as the user types, like it refuses 70000.
  it.skip('Connect TCP Client refuses port 0 in the prompt', async () => {
    await wb.runCommand('Socket Lab: Connect TCP Client');
    await wb.answer('127.0.0.1');
    const input = wb.page.locator('.quick-input-widget input');
    await input.fill('0');
    await wb.page.waitForTimeout(400);
    const message = await wb.quickInputMessage();
    await wb.page.keyboard.press('Escape');
    assert.doesNotMatch(message, /system pick/, 'a client cannot connect to "a free port"');
    assert.match(message, /1.*65535/, `the prompt should refuse 0: ${message}`);
  });

  // BUG: with Encoding gbk chosen in the panel, received GBK text is shown correctly (温度…), but the
  // auto-reply rules table is sent without an encoding (src/webview/main.ts, the Apply handler builds
  // `{ mode: 'rules', rules }` and `{ mode: 'fixed', data, format }`), so a `contains 温度` rule is tested
  // on UTF-8-decoded text and never matches a GBK device, and text replies go out in UTF-8.
  it.skip('a contains rule written in Chinese matches a GBK device when the panel encoding is gbk', async () => {
    const { panel, port } = await listenerPanel('Socket Lab: Start TCP Listener', 'TCP');
    await pick(panel, '#encoding', 'gbk');
    await panel.locator('#auto-reply-box').click();
    await pick(panel, '#auto-reply-mode', 'rules');
    const row = panel.locator('.rule-row').first();
    await row.locator('.rule-match input').fill('温度');
    await row.locator('.rule-reply input').fill('收到');
    await panel.locator('#auto-reply-apply').click();
    await panel.locator('#state', { hasText: 'Auto-reply is on' }).waitFor({ timeout: 10000 });
    const GBK_TEMPERATURE = Buffer.from('cec2b6c82032350a', 'hex'); // "温度 25\n" in GBK
    const reply = await new Promise<Buffer>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(GBK_TEMPERATURE));
      let got = Buffer.alloc(0);
      s.on('data', (d) => (got = Buffer.concat([got, d])));
      setTimeout(() => {
        s.destroy();
        resolve(got);
      }, 2000);
    });
    assert.strictEqual(reply.toString('hex'), 'cad5b5bd', `expected 收到 in GBK, got ${reply.toString('hex') || 'nothing'}`);
  });
});
