// The send panel's header runs a capture (the Start Capture prompts, as from the palette) and shows it; the
// text export decodes with the panel's Encoding. Real Chromium in the real workbench, ncat as the peer.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import { axeInEveryTheme, pickOption } from '../helpers/panel';
import { Workbench, waitUntil } from '../helpers/workbench';

describe('Send panel header: capture, and the text export in the panel encoding', function () {
  this.timeout(300000);
  let wb: Workbench;
  let panel: FrameLocator;
  let port = 0;
  let ncat: ChildProcess | undefined;

  /** ncat writes `data`; resolves once the panel shows it as a new row. */
  async function peerSends(data: Buffer): Promise<void> {
    const rows = await panel.locator('.rec').count();
    ncat!.stdin!.write(data);
    await waitUntil('the row of what ncat sent', async () => (await panel.locator('.rec').count()) > rows);
  }

  before(async () => {
    wb = await Workbench.start();
    const started = await wb.startTcpListenerFromPalette('capture-listener-missing');
    port = started.port;
    panel = await wb.openPanelFromTree(started.item, 'capture-panel-missing');
    ncat = spawn('ncat', ['127.0.0.1', String(port)], { stdio: ['pipe', 'ignore', 'ignore'] });
    await panel
      .locator('#target vscode-option', { hasText: '127.0.0.1:' })
      .waitFor({ state: 'attached', timeout: 20000 });
  });

  after(async () => {
    ncat?.kill('SIGKILL');
    await wb?.stop();
  });

  it('starts a capture from the header, shows its file and size, and stops it: the file holds exactly what ncat sent', async () => {
    const button = panel.locator('#capture-button');
    await button.waitFor({ state: 'visible', timeout: 10000 });
    assert.strictEqual((await button.innerText()).trim(), 'Start Capture…');
    assert.strictEqual(await panel.locator('#capture').isVisible(), false, 'no capture yet');

    const file = path.join(wb.workspace, `header-capture-${port}.bin`);
    await button.click();
    await wb.pick(/^raw/);
    await wb.answer(file);
    const capture = panel.locator('#capture');
    await capture.filter({ hasText: `Capturing to header-capture-${port}.bin: 0 B` }).waitFor({ timeout: 15000 });
    assert.strictEqual((await button.innerText()).trim(), 'Stop Capture');
    assert.strictEqual(await capture.getAttribute('title'), `Capturing (raw) to ${file}`);

    const sent = [Buffer.from([0x00, 0xff, 0x10, 0x0a]), Buffer.from('hello capture\n')];
    for (const data of sent) await peerSends(data);
    const total = sent.reduce((n, b) => n + b.length, 0);
    // The header follows the file as it grows (a few times a second, the last size once traffic settles).
    await capture
      .filter({ hasText: `Capturing to header-capture-${port}.bin: ${total} B` })
      .waitFor({ timeout: 15000 });

    // The header with a capture running (and the log's Hide delimiters box), in each theme, and axe-clean in each.
    const found = await axeInEveryTheme(wb, panel, 'panel-header-capture');
    assert.deepStrictEqual(found, []);

    await button.click();
    await capture.waitFor({ state: 'hidden', timeout: 15000 });
    await panel.locator('#capture-button', { hasText: 'Start Capture…' }).waitFor({ timeout: 15000 });
    // Stopped: what ncat sends now is in the log, not in the file.
    await peerSends(Buffer.from('after the stop\n'));
    assert.deepStrictEqual(fs.readFileSync(file), Buffer.concat(sent));
  });

  it('exports the log as text decoded with the panel Encoding: GBK text comes out as written', async () => {
    await panel.locator('#clear').click();
    await panel.locator('#empty-line', { hasText: 'No traffic yet' }).waitFor({ timeout: 10000 });
    await pickOption(panel.locator('#encoding'), 'gbk');
    // 你好世界 in GBK, and a line feed: 9 bytes.
    ncat!.stdin!.write(Buffer.from('c4e3bac3cac0bde70a', 'hex'));
    await panel.locator('.rec .data.text', { hasText: '你好世界' }).waitFor({ timeout: 10000 });
    const file = path.join(wb.workspace, `TCP_127.0.0.1_${port}.txt`);
    await pickOption(panel.locator('#export-format'), 'text');
    await panel.locator('#export').click();
    await wb.answerPath(file, { exists: false });
    await panel.locator('#status', { hasText: `Exported 1 record to ${file}` }).waitFor({ timeout: 15000 });
    assert.match(
      fs.readFileSync(file, 'utf8'),
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} <- 127\.0\.0\.1:\d+ 9 B {2}你好世界\\n\n$/,
    );
  });
});
