import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { canConnect } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';
import { Workbench } from '../helpers/workbench';

function portFromLabel(label: string): number {
  return Number(/:(\d+)/.exec(label)![1]);
}

describe('commands driven through the real palette and quick inputs', function () {
  this.timeout(240000);
  let wb: Workbench;
  const children: ChildProcess[] = [];
  const tmp = tempDir('sl-e2e-').dir;

  before(async () => {
    wb = await Workbench.start();
    await wb.openSocketsView();
  });

  /** Waits for the prompt's message to match `re`: the prompt validates what is typed a moment after it changes. */
  async function messageMatches(re: RegExp): Promise<void> {
    await waitFor(`the prompt message to match ${re}`, async () => re.test(await wb.quickInputMessage()), 20000);
  }

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await wb?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('validates the port as the user types and does not accept a bad one', async () => {
    await wb.runCommand('Socket Lab: Start TCP Listener');
    await wb.answer('127.0.0.1');
    const input = wb.page.locator('.quick-input-widget input');
    await input.fill('65536');
    await messageMatches(/0 to 65535/);
    await input.press('Enter');
    assert.ok(await input.isVisible(), 'an invalid port keeps the prompt open');
    await input.fill(' 80 ');
    await messageMatches(/without spaces/);
    await wb.page.keyboard.press('Escape');
  });

  it('Connect TCP Client numbers its steps, splits a pasted host:port into both fields and refuses port 0 as the user types', async () => {
    await wb.runCommand('Socket Lab: Connect TCP Client');
    const input = wb.page.locator('.quick-input-widget input');
    const title = wb.page.locator('.quick-input-widget .quick-input-title');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    assert.match(await wb.page.locator('.quick-input-widget').innerText(), /to connect to/);
    await waitFor('step 1/2 in the title', async () => /\(1\/2\)/.test(await title.innerText()));
    await wb.screenshot('prompt-connect-step-1');
    await input.fill('127.0.0.1:8080');
    await waitFor('the split announced', async () =>
      /port 8080 goes to the next step/.test(await wb.quickInputMessage()),
    );
    await wb.answer('127.0.0.1:8080');
    await waitFor('step 2/2 in the title', async () => /\(2\/2\)/.test(await title.innerText()));
    assert.strictEqual(await input.inputValue(), '8080', 'the port typed with the host fills the port step');
    await wb.screenshot('prompt-connect-step-2');
    await input.fill('0');
    await waitFor('port 0 refused', async () => /from 1 to 65535/.test(await wb.quickInputMessage()));
    await input.press('Enter');
    assert.ok(await input.isVisible(), 'port 0 keeps the prompt open');
    await wb.page.keyboard.press('Escape');
    assert.strictEqual(await wb.treeItem(/TCP →/).count(), 0, 'nothing was connected');

    // The host step remembers the host alone, not the pasted host:port.
    await wb.runCommand('Socket Lab: Connect TCP Client');
    await input.waitFor({ state: 'visible', timeout: 10000 });
    assert.strictEqual(await input.inputValue(), '127.0.0.1');
    await wb.page.keyboard.press('Escape');
  });

  it('the UDP listener port prompt offers the port last typed for UDP, not the one typed for TCP', async () => {
    await wb.runCommand('Socket Lab: Start UDP Listener');
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    const udp = wb.treeItem(/UDP 127\.0\.0\.1:\d+/);
    await udp.waitFor({ state: 'visible', timeout: 20000 });
    // A TCP listener on a port typed by hand (free: asked of the OS first).
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const tcpPort = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    await wb.runCommand('Socket Lab: Start TCP Listener');
    await wb.answer('127.0.0.1');
    await wb.answer(String(tcpPort));
    await wb.answerFraming();
    await wb.treeItem(`TCP 127.0.0.1:${tcpPort}`).waitFor({ state: 'visible', timeout: 20000 });

    await wb.runCommand('Socket Lab: Start UDP Listener');
    await wb.answer('127.0.0.1');
    const input = wb.page.locator('.quick-input-widget input');
    // The port step replaces the host step (and its value): wait for it, then read what it offers.
    await waitFor('the port step', async () => (await input.inputValue()) !== '127.0.0.1', 20000);
    assert.strictEqual(await input.inputValue(), '0', 'UDP offers what was typed for UDP');
    await wb.page.keyboard.press('Escape');
    await wb.reset();
  });

  it('asks before an external bind: Cancel binds nothing, Bind binds 0.0.0.0', async () => {
    await wb.runCommand('Socket Lab: Start TCP Listener');
    await wb.answer('0.0.0.0');
    await wb.answer('0');
    await wb.answerFraming();
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 20000 });
    assert.match(await dialog.innerText(), /reachable from the network/);
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });

    await wb.runCommand('Socket Lab: Start TCP Listener');
    await wb.answer('0.0.0.0');
    await wb.answer('0');
    await wb.answerFraming();
    await dialog.waitFor({ state: 'visible', timeout: 20000 });
    await dialog.locator('.monaco-button', { hasText: /^Bind$/ }).click();
    const item = wb.treeItem(/TCP 0\.0\.0\.0:\d+/);
    await item.waitFor({ state: 'visible', timeout: 20000 });
    // The cancelled start came first: had it bound, its item would be in the tree by now.
    assert.strictEqual(await wb.treeItem(/TCP 0\.0\.0\.0/).count(), 1, 'cancel binds nothing');
    const port = portFromLabel(await item.innerText());
    // Reach it through loopback only.
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve();
      });
      s.once('error', reject);
    });
  });

  it('starts UDP and Unix listeners, connects a TCP client, sends hex from the palette, stops all', async () => {
    await wb.runCommand('Socket Lab: Start UDP Listener');
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    await wb.treeItem(/UDP 127\.0\.0\.1:\d+/).waitFor({ state: 'visible', timeout: 20000 });

    const sock = path.join(tmp, 'e2e.sock');
    await wb.runCommand('Socket Lab: Start Unix Socket Listener');
    await wb.answer(sock);
    await wb.answerFraming();
    await wb.treeItem(`Unix ${sock}`).waitFor({ state: 'visible', timeout: 20000 });
    assert.ok(fs.existsSync(sock));

    // A real ncat listener for our TCP client.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    // -k keeps ncat listening, so the readiness probe below does not use up its one accept.
    const ncat = spawn('ncat', ['-lk', '127.0.0.1', String(port)], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(ncat);
    const got: Buffer[] = [];
    ncat.stdout!.on('data', (d) => got.push(d));
    await waitFor(`something listening on ${port}`, () => canConnect(port));

    await wb.runCommand('Socket Lab: Connect TCP Client');
    await wb.answer('127.0.0.1');
    await wb.answer(String(port));
    await wb.answerFraming();
    await wb.treeItem(`TCP → 127.0.0.1:${port}`).waitFor({ state: 'visible', timeout: 20000 });

    await wb.runCommand('Socket Lab: Send…');
    await wb.pick(`TCP → 127.0.0.1:${port}`);
    await wb.pick(/Hex bytes/);
    const input = wb.page.locator('.quick-input-widget input');
    await input.fill('48 6g');
    await messageMatches(/"g" at position 5/);
    await input.fill('48 69 0a');
    await messageMatches(/3 bytes/);
    await input.press('Enter');
    await waitFor('three bytes at the server', () => Buffer.concat(got).length >= 3);
    assert.deepStrictEqual(Buffer.concat(got), Buffer.from('Hi\n'));

    await wb.runCommand('Socket Lab: Stop All');
    await wb.page.locator('.sidebar', { hasText: 'No socket is open' }).waitFor({ state: 'visible', timeout: 20000 });
    assert.strictEqual(fs.existsSync(sock), false, 'the Unix socket file is removed on stop');
  });
});
