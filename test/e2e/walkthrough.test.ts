// The walkthrough "Socket Lab: the socket lesson" in the real workbench: it opens from the palette
// (Welcome: Open Walkthrough...), and its first step's button starts the lesson's server: a TCP listener
// on 127.0.0.1:8880 that answers 我是返回的数据, which a real client then talks to.
import * as assert from 'assert';
import * as net from 'net';
import { Workbench, waitUntil } from '../helpers/workbench';

/** Resolves when nothing listens on 127.0.0.1:port (the lesson's port must be free for this test). */
async function assertPortFree(port: number): Promise<void> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) =>
      reject(new Error(`127.0.0.1:${port} is in use on this machine; the walkthrough test needs it (${String(err)})`)),
    );
    probe.listen(port, '127.0.0.1', resolve);
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** Opens the lesson's walkthrough from the palette and resolves when its first step shows. */
async function openWalkthrough(wb: Workbench): Promise<void> {
  await wb.runCommand('Welcome: Open Walkthrough...');
  await wb.pick('Socket Lab: the socket lesson');
  await wb.page
    .locator('.gettingStartedContainer', { hasText: 'Start a TCP listener on 127.0.0.1:8880' })
    .waitFor({ state: 'visible', timeout: 30000 });
}

// Each test opens the walkthrough itself, so that any one of them runs alone (SOCKET_LAB_TEST_GREP).
describe('the walkthrough of the socket lesson', function () {
  this.timeout(240000);
  let wb: Workbench;

  before(async () => {
    await assertPortFree(8880);
    wb = await Workbench.start();
  });

  after(async () => {
    await wb?.stop();
  });

  it('opens from the palette with its seven steps', async () => {
    await openWalkthrough(wb);
    const page = wb.page;
    for (const title of [
      'Connect a client and watch the bytes',
      'Open the send panel and send',
      'Try UDP: no connection, just datagrams',
      'Try a Unix socket (AF_UNIX)',
      'See who listens on 8880',
      'Save the exchange as a request file and run it as a test',
    ]) {
      assert.ok(await page.locator('.gettingStartedContainer', { hasText: title }).count(), title);
    }
    await wb.screenshot('walkthrough-open');
  });

  it("the first step's button starts the listener on 127.0.0.1:8880 answering 我是返回的数据", async () => {
    await openWalkthrough(wb);
    await wb.page.getByRole('button', { name: 'Start the Listener' }).first().click();
    await wb.openSocketsView();
    await wb.treeItem(/TCP 127\.0\.0\.1:8880\s*clients: 0/).waitFor({ state: 'visible', timeout: 30000 });
    const client = net.connect({ host: '127.0.0.1', port: 8880 });
    try {
      let reply = Buffer.alloc(0);
      client.on('data', (d: Buffer) => (reply = Buffer.concat([reply, d])));
      await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
      client.write('hello\n');
      await waitUntil('the fixed reply', () => reply.length >= Buffer.byteLength('我是返回的数据'));
      assert.strictEqual(reply.toString('utf8'), '我是返回的数据');
    } finally {
      client.destroy();
    }
    await wb.screenshot('walkthrough-first-step');
    await wb.runCommand('Socket Lab: Stop All');
  });
});
