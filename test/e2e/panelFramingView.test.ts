// How the send panel shows frames (issue 14): the delimiter hidden by a toggle, a length-framed record's header
// dumped apart from its body, and both still so in the rows a window reload brings back. Real Chromium in the
// real workbench, python3 as the peer.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import type { FrameLocator } from 'playwright-core';
import { waitForStoredPanelState } from '../helpers/panel';
import { Workbench, waitUntil } from '../helpers/workbench';

describe('Send panel: frames in the rows and the dump', function () {
  this.timeout(300000);
  let wb: Workbench;
  let panel: FrameLocator;
  let port = 0;
  const children: ChildProcess[] = [];

  /** A python3 client writes `hex` in one write, then closes; resolves when the panel holds `rows` rows. */
  async function peerWrites(hex: string, rows: number): Promise<void> {
    const client = spawn('python3', [
      '-c',
      'import socket,sys\ns=socket.create_connection(("127.0.0.1",int(sys.argv[1])))\ns.sendall(bytes.fromhex(sys.argv[2]))\ns.close()',
      String(port),
      hex,
    ]);
    children.push(client);
    await waitUntil(`${rows} rows`, async () => (await panel.locator('.rec').count()) === rows);
  }

  /** The text cells of the rows, and how many show a delimiter. */
  async function textCells(p: FrameLocator): Promise<{ texts: string[]; delimiters: number }> {
    return {
      texts: await p.locator('.rec .data.text').allInnerTexts(),
      delimiters: await p.locator('.rec .data.text .frame-delim').count(),
    };
  }

  /** Expands the row at `index` and reads its dump's titles and parts. */
  async function dumpOf(p: FrameLocator, index: number): Promise<{ titles: string[]; header: string; body: string }> {
    await p.locator('.rec').nth(index).locator('.line').click();
    const expanded = p.locator('.rec.expanded');
    await expanded.locator('.frame-body-dump').waitFor({ timeout: 10000 });
    return {
      titles: await expanded.locator('.dump-title').allInnerTexts(),
      header: await expanded.locator('.frame-header-dump').innerText(),
      body: await expanded.locator('.frame-body-dump').innerText(),
    };
  }

  before(async () => {
    wb = await Workbench.start();
    await wb.openSocketsView();
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await wb?.stop();
  });

  it('hides the delimiter of line frames with a toggle, and shows it dimmed again', async () => {
    await wb.runCommand('Socket Lab: Start TCP Listener');
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    await wb.answerFraming(/Lines \(LF, with or without CR\)/);
    const item = wb.treeItem(/^TCP 127\.0\.0\.1:\d+/);
    await item.waitFor({ state: 'visible', timeout: 30000 });
    port = Number(/127\.0\.0\.1:(\d+)/.exec(await item.innerText())![1]);
    await item.click();
    panel = wb.webview();
    await panel.locator('#title', { hasText: `TCP 127.0.0.1:${port}` }).waitFor({ timeout: 30000 });

    await peerWrites(Buffer.from('a\r\nb\r\n').toString('hex'), 2);
    assert.deepStrictEqual(await textCells(panel), { texts: ['a\\r\\n', 'b\\r\\n'], delimiters: 2 });
    const toggle = panel.locator('#hide-delimiters');
    await toggle.click();
    await waitUntil('the delimiters hidden', async () => (await textCells(panel)).delimiters === 0);
    assert.deepStrictEqual(await textCells(panel), { texts: ['a', 'b'], delimiters: 0 });
    // The record itself is unchanged: its length still counts the delimiter.
    assert.deepStrictEqual(await panel.locator('.rec .len').allInnerTexts(), ['3', '3']);
    await wb.screenshot('panel-framing-delimiters-hidden');
    await toggle.click();
    await waitUntil('the delimiters back', async () => (await textCells(panel)).delimiters === 2);
  });

  it('dumps the length header of a length-framed record apart from its body', async () => {
    await panel.locator('#set-framing').click();
    await wb.answerFraming(/Length prefix/);
    await wb.answer('2');
    await panel.locator('#framing', { hasText: /Framing: length/ }).waitFor({ timeout: 10000 });
    // Two length-prefixed records in one write: 00 03 "abc", 00 01 "z".
    await peerWrites('0003616263' + '00017a', 4);
    const dump = await dumpOf(panel, 2);
    assert.deepStrictEqual(dump.titles, ['Length header: 2 bytes', 'Body: 3 bytes']);
    assert.match(dump.header, /^00000000 {2}00 03 +\|\.\.\|$/);
    assert.match(dump.body, /^00000000 {2}61 62 63 +\|abc\|$/);
    await wb.screenshot('panel-framing-length-dump');
  });

  it('keeps the frames as they were in the rows a window reload brings back', async () => {
    // Stopped: the panel keeps its rows, and the endpoint does not come back with the reload.
    await wb.openSocketsView();
    const item = wb.treeItem(new RegExp(`TCP 127\\.0\\.0\\.1:${port}`));
    await item.hover();
    await item.locator('.action-label[aria-label^="Stop"]').click();
    await panel.locator('#banner', { hasText: 'no longer exists' }).waitFor({ timeout: 15000 });
    // The newest row's preview (00 01 7a) in base64, as the saved rows hold it.
    await waitForStoredPanelState(wb.page, 'AAF6');
    await wb.page.reload();
    await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    const restored = wb.webview();
    await restored.locator('#banner', { hasText: 'no longer exists' }).waitFor({ timeout: 60000 });
    await waitUntil('the four saved rows', async () => (await restored.locator('.rec').count()) === 4);
    const cells = await textCells(restored);
    assert.deepStrictEqual(cells.texts.slice(0, 2), ['a\\r\\n', 'b\\r\\n']);
    assert.strictEqual(cells.delimiters, 2, 'the delimiter is still told apart from the message');
    assert.strictEqual(await restored.locator('.rec .data.text .frame-header').count(), 2);
    const dump = await dumpOf(restored, 3);
    assert.deepStrictEqual(dump.titles, ['Length header: 2 bytes', 'Body: 1 byte']);
    assert.match(dump.body, /^00000000 {2}7a +\|z\|$/);
    await restored.locator('#hide-delimiters').click();
    await waitUntil('the delimiters hidden', async () => (await textCells(restored)).delimiters === 0);
    await wb.screenshot('panel-framing-restored');
  });
});
