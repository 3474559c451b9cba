// Framing from the palette in the real workbench: the framing step of Start TCP Listener (remembered for the
// next start), Set Framing on a live listener with a value checked as it is typed, and what the Sockets view
// then says; a real client checks that the listener cuts what it receives as the view says.
import * as assert from 'assert';
import * as net from 'net';
import { waitFor } from '../helpers/wait';
import { Workbench } from '../helpers/workbench';

/** Opens a client to `port`, writes `text` and resolves with the client (its data collected in `got`). */
function writeTo(port: number, text: string, got: Buffer[]): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(text);
      resolve(s);
    });
    s.on('data', (d) => got.push(d));
    s.once('error', reject);
  });
}

describe('framing through the real palette and quick inputs', function () {
  this.timeout(240000);
  let wb: Workbench;
  const clients: net.Socket[] = [];

  before(async () => {
    wb = await Workbench.start();
    await wb.openSocketsView();
  });

  afterEach(() => {
    for (const c of clients.splice(0)) c.destroy();
  });

  after(async () => {
    await wb?.stop();
  });

  it('Start TCP Listener asks for the framing last; the view shows it and the next start offers it first', async () => {
    await wb.runCommand('Socket Lab: Start TCP Listener');
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    await wb.answerFraming(/Lines \(LF, with or without CR\)/);
    const item = wb.treeItem(/TCP 127\.0\.0\.1:\d+/);
    await item.waitFor({ state: 'visible', timeout: 30000 });
    await waitFor('the framing in the description', async () => /line \(any\)/.test(await item.innerText()), 20000);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await item.innerText())![1]);
    await wb.screenshot('framing-tree-line');

    // A real client reaches the listener the prompts opened (the suites below the UI check the frames).
    const got: Buffer[] = [];
    clients.push(await writeTo(port, 'one\ntwo\n', got));
    // The listener's row counts clients; the connection's row under it counts the bytes.
    await wb.treeItem(/↓8 B/).waitFor({ state: 'visible', timeout: 20000 });

    // The next start offers the framing chosen last as its first row.
    await wb.runCommand('Socket Lab: Start TCP Listener');
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    const first = wb.page.locator('.quick-input-list .monaco-list-row').first();
    await first.waitFor({ state: 'visible', timeout: 20000 });
    assert.match(await first.innerText(), /line \(any\)[\s\S]*last used/);
    await wb.page.keyboard.press('Escape');
  });

  it('Set Framing changes a live listener: a bad length is refused as typed, MODBUS/TCP is accepted', async () => {
    await wb.runCommand('Socket Lab: Stop All');
    await wb.startTcpListenerFromPalette('framing-listener-missing');
    const item = wb.treeItem(/TCP 127\.0\.0\.1:\d+/);
    await wb.runCommand('Socket Lab: Set Framing…');
    await wb.pick(/TCP 127\.0\.0\.1:\d+/);
    await wb.pick(/Length prefix/);
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20000 });
    await input.fill('3');
    await waitFor(
      'the sentence for 3 bytes',
      async () => /framing\.bytes must be 1, 2 or 4/.test(await wb.quickInputMessage().catch(() => '')),
      20000,
    );
    await input.press('Enter');
    assert.ok(await input.isVisible(), 'an invalid length keeps the prompt open');
    await wb.answer('2:offset=4');
    await waitFor(
      'the length framing in the description',
      async () => /length 2 BE at 4, \+0/.test(await item.innerText()),
      20000,
    );
    await wb.screenshot('framing-tree-length');
  });
});
