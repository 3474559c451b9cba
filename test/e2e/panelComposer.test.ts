// The send panel's composer as a user of Packet Sender / ncat / a 网络调试助手 drives it against real peers:
// the UDP destination, repeats, the Target list, the panel's encoding for auto-replies, line endings and the
// history. Each test guards a defect exploratory QA once found; its comment says what the user would lose if
// it came back.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { setSectionOpen } from '../helpers/panel';
import { tempDir } from '../helpers/tempDir';
import { Workbench, selectOption, waitUntil } from '../helpers/workbench';

describe('Send panel composer with real peers', function () {
  this.timeout(240000);
  let wb: Workbench;
  const children: ChildProcess[] = [];
  const sockets: dgram.Socket[] = [];
  const tmp = tempDir('sl-panel-').dir;

  before(async () => {
    wb = await Workbench.start();
    await wb.openSocketsView();
  });

  // Each test starts from an empty Sockets view and no open editor, so labels and webviews are unambiguous.
  beforeEach(() => wb.reset());

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const s of sockets) s.close();
    await wb?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  // The README says a UDP listener's Destination defaults to the last peer heard from: a device that
  // re-opens its socket (new source port) must be answered at its new port, not at its old, dead one.
  it('the UDP Destination follows the last peer heard from, so the reply reaches the device', async () => {
    const { panel, port } = await wb.openListenerPanel('Socket Lab: Start UDP Listener', 'UDP');
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
    await selectOption(panel, '#format', 'text');
    await panel.locator('#payload textarea').fill('ack');
    await panel.locator('#send').click();
    await panel.locator('#send-status', { hasText: /Sent|bytes/ }).waitFor({ timeout: 10000 });
    const newPeer = `127.0.0.1:${second.address().port}`;
    assert.strictEqual(
      await panel.locator('#destination').evaluate((el) => (el as unknown as { value: string }).value),
      newPeer,
    );
    await waitUntil('the reply at the peer heard from last', () => inbox.some((m) => m.toString() === 'ack'), 5000);
    // A destination the user writes is kept when another peer is heard from; 'Last peer' follows again.
    const mine = `127.0.0.1:${first.address().port}`;
    await panel.locator('#destination input').fill(mine);
    second.send('again from the new socket', port, '127.0.0.1');
    await panel.locator('.rec .data.text', { hasText: 'again from the new socket' }).waitFor({ timeout: 15000 });
    assert.strictEqual(await panel.locator('#destination input').inputValue(), mine);
    await panel.locator('#follow-peer').click();
    assert.strictEqual(await panel.locator('#destination input').inputValue(), newPeer);
  });

  // While a repeat runs, its indicator says what it sends and counts the sends as they happen (the host
  // posts the progress with its coalesced traffic posts), not only when the panel is rendered.
  it('the repeat indicator counts the sends while the repeat runs', async () => {
    const { panel, port } = await wb.openListenerPanel('Socket Lab: Start TCP Listener', 'TCP');
    let received = '';
    const ncat = spawn('ncat', ['127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(ncat);
    ncat.stdout!.on('data', (d: Buffer) => (received += d.toString('latin1')));
    await panel
      .locator('#target vscode-option', { hasText: '127.0.0.1:' })
      .waitFor({ state: 'attached', timeout: 20000 });
    await selectOption(panel, '#format', 'text');
    await panel.locator('#payload textarea').fill('tick\\n');
    await panel.locator('#repeat-interval input').fill('100');
    await panel.locator('#repeat-count input').fill('100');
    await panel.locator('#repeat').click();
    await waitUntil('ten ticks at ncat', () => received.split('tick\n').length - 1 >= 10, 15000);
    let text = '';
    const sent = () => Number(/(\d+) sent/.exec(text)?.[1] ?? NaN);
    // The count follows the sends (a few posts later, at most 20 posts a second) while the repeat still runs.
    await waitUntil(
      'the indicator counting the sends',
      async () => {
        text = await panel.locator('#repeat-indicator').innerText();
        return sent() >= 5;
      },
      5000,
    ).catch(() => undefined);
    await panel.locator('#stop-repeat').click();
    assert.ok(sent() >= 5, `the indicator should count the sends so far, but it says ${JSON.stringify(text)}`);
    assert.doesNotMatch(
      text,
      /\br\d+\b/,
      `the indicator names the repeat by what it sends, not its id: ${JSON.stringify(text)}`,
    );
    assert.match(text, /tick/, `the indicator names the repeat by what it sends: ${JSON.stringify(text)}`);
  });

  // A negative, fractional or too large Repeat interval or count is refused in the panel with a sentence
  // naming the field and its range (as the palette's "Port must be ..." messages do), never by the host's
  // protocol check, whose "does not understand: repeat.intervalMs: Invalid value" means nothing to a user.
  // The sentence is next to the fields (once: not again next to Send) and the focus goes to the field.
  it('a bad Repeat interval or count is refused with a sentence naming the field, not a protocol error', async () => {
    const { panel } = await wb.openListenerPanel('Socket Lab: Start TCP Listener', 'TCP');
    await selectOption(panel, '#format', 'text');
    await panel.locator('#payload textarea').fill('x');
    for (const [interval, count] of [
      ['-5', '3'],
      ['100', '0'],
      ['0.5', '2'],
      ['100', '20000000'],
      ['', '3'],
      ['0', ''],
    ]) {
      await panel.locator('#repeat-interval input').fill(interval);
      await panel.locator('#repeat-count input').fill(count);
      await panel.locator('#repeat').click();
      await panel.locator('#repeat-error:not(:empty)').waitFor({ timeout: 10000 });
      const status = await panel.locator('#repeat-error').innerText();
      assert.doesNotMatch(
        status,
        /does not understand|Invalid value|Expected|safe integer/,
        `interval ${interval}, count ${count}: ${status}`,
      );
      assert.match(status, /interval|count|times|every/i, `interval ${interval}, count ${count}: ${status}`);
      const field =
        /count|times/i.test(status) && !/interval is|interval must/i.test(status) ? 'repeat-count' : 'repeat-interval';
      await waitUntil(`the focus in #${field}`, () =>
        panel.locator('body').evaluate((_, id) => document.activeElement?.id === id, field),
      );
      // Said once, next to the fields, and nothing was started.
      assert.strictEqual(await panel.locator('#send-status').innerText(), '');
      assert.ok(
        await panel.locator('#repeat-indicator').isHidden(),
        `interval ${interval}, count ${count}: no repeat runs`,
      );
    }
    await panel.locator('#repeat-interval input').fill('100');
    await panel.locator('#repeat-count input').fill('2');
    await panel.locator('#repeat-error:empty').waitFor({ state: 'attached', timeout: 5000 });
  });

  // Every accepted Unix connection's remote is the listener's own path: the Target list must still tell two
  // clients apart, as the tree does (#c1, #c2).
  it('the Target list tells two Unix clients apart', async () => {
    const sock = path.join(tmp, 'composer.sock');
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
    await waitUntil(
      'two clients in the Target list',
      async () => (await panel.locator('#target vscode-option').count()) === 3,
    );
    const labels = (await panel.locator('#target vscode-option').allInnerTexts()).slice(1);
    assert.notStrictEqual(labels[0], labels[1], `both clients are listed as ${JSON.stringify(labels)}`);
    for (const label of labels)
      assert.match(label, new RegExp(`^#c\\d+ ${sock.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  });

  // Connect TCP Client refusing port 0 as the user types is tested in prompts.test.ts.

  // With the auto-reply's own Encoding gbk, the rules are applied with that encoding: a `contains 温度` rule
  // is matched on GBK-decoded text and its text reply goes out in GBK, while the composer stays utf8.
  it("a contains rule written in Chinese matches a GBK device when the auto-reply's encoding is gbk", async () => {
    const { panel, port } = await wb.openListenerPanel('Socket Lab: Start TCP Listener', 'TCP');
    await setSectionOpen(panel, 'auto-reply');
    await selectOption(panel, '#auto-reply-mode', 'rules');
    await selectOption(panel, '#auto-reply-encoding', 'gbk');
    const row = panel.locator('.rule-row').first();
    await row.locator('.rule-match input').fill('温度');
    await row.locator('.rule-reply input').fill('收到');
    // Its own field: the composer's encoding (and the rows' decoding) is not borrowed or changed.
    assert.strictEqual(
      await panel.locator('#encoding').evaluate((s) => (s as unknown as { value: string }).value),
      'utf8',
    );
    assert.match(await panel.locator('#display-encoding').innerText(), /decoded as utf8/);
    await panel.locator('#auto-reply-apply').click();
    await panel.locator('#state', { hasText: 'Auto-reply is on' }).waitFor({ timeout: 10000 });
    const GBK_TEMPERATURE = Buffer.from('cec2b6c82032350a', 'hex'); // "温度 25\n" in GBK
    // The reply's 4 bytes, or what came within 5 s.
    const reply = await new Promise<Buffer>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => s.write(GBK_TEMPERATURE));
      let got = Buffer.alloc(0);
      const done = () => {
        clearTimeout(timer);
        s.destroy();
        resolve(got);
      };
      const timer = setTimeout(done, 5000);
      s.on('data', (d) => {
        got = Buffer.concat([got, d]);
        if (got.length >= 4) done();
      });
      s.on('error', done);
    });
    assert.strictEqual(
      reply.toString('hex'),
      'cad5b5bd',
      `expected 收到 in GBK, got ${reply.toString('hex') || 'nothing'}`,
    );
  });

  // Hex and base64 are the bytes as written: line ending and escapes do not apply to them (no CRLF after
  // hex), and the history tells a text payload from a hex one.
  it('line ending and escapes apply to text only, and the history tells the payloads apart', async () => {
    const { panel, port } = await wb.openListenerPanel('Socket Lab: Start TCP Listener', 'TCP');
    let received = Buffer.alloc(0);
    const ncat = spawn('ncat', ['127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(ncat);
    ncat.stdout!.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    await panel
      .locator('#target vscode-option', { hasText: '127.0.0.1:' })
      .waitFor({ state: 'attached', timeout: 20000 });
    await selectOption(panel, '#format', 'text');
    await selectOption(panel, '#line-ending', 'crlf');
    await panel.locator('#payload textarea').fill('hi');
    await panel.locator('#byte-count', { hasText: '4 bytes' }).waitFor({ timeout: 10000 });
    assert.strictEqual(await panel.locator('#line-ending').getAttribute('disabled'), null);
    await panel.locator('#send').click();
    await waitUntil('hi CRLF at ncat', () => received.length >= 4);
    await selectOption(panel, '#format', 'hex');
    await panel.locator('#line-ending[disabled]').waitFor({ state: 'attached', timeout: 5000 });
    await panel.locator('#escapes[disabled]').waitFor({ state: 'attached', timeout: 5000 });
    await panel.locator('#payload textarea').fill('68 69');
    await panel.locator('#byte-count', { hasText: '2 bytes' }).waitFor({ timeout: 10000 });
    await panel.locator('#send').click();
    await waitUntil('six bytes at ncat', () => received.length >= 6);
    await selectOption(panel, '#format', 'text');
    await panel.locator('#payload textarea').fill('68 69');
    await panel.locator('#send').click();
    // What follows the hex payload on the stream proves nothing was appended to it.
    await waitUntil('the text payload after it', () => received.length >= 13);
    assert.strictEqual(received.toString('hex'), `68690d0a6869${Buffer.from('68 69\r\n').toString('hex')}`);
    await setSectionOpen(panel, 'history');
    const badges = await panel.locator('.history-item .badge').allInnerTexts();
    assert.deepStrictEqual(badges.slice(0, 3), ['text · utf8 · CRLF', 'hex', 'text · utf8 · CRLF']);
    await panel.locator('#payload textarea').fill('x');
    await panel.locator('#byte-count', { hasText: /^3 bytes$/ }).waitFor({ timeout: 10000 });
    await selectOption(panel, '#line-ending', 'none');
    await panel.locator('#byte-count', { hasText: /^1 byte$/ }).waitFor({ timeout: 10000 });
  });
});
