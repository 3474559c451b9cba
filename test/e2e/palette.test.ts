// The commands not covered elsewhere, each run from the real command palette with its prompts:
// Open UDP Client, Connect Unix Socket Client, Send File…, Copy Address, Clear Log, Restart, Stop Repeat,
// Show Output, Open Send Panel, Close Sending Side (FIN).
import * as assert from 'assert';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { Workbench, waitUntil } from '../helpers/workbench';

describe('the remaining commands through the real palette', function () {
  this.timeout(240000);
  let wb: Workbench;
  let udpServer: dgram.Socket;
  let tcpServer: net.Server;
  const udpInbox: Buffer[] = [];
  let tcpReceived = Buffer.alloc(0);

  before(async () => {
    wb = await Workbench.start();
    await wb.openSocketsView();
    udpServer = dgram.createSocket('udp4');
    udpServer.on('message', (m) => udpInbox.push(m));
    await new Promise<void>((r) => udpServer.bind(0, '127.0.0.1', r));
    tcpServer = net.createServer((s) => {
      s.on('data', (d) => (tcpReceived = Buffer.concat([tcpReceived, d])));
    });
    await new Promise<void>((r) => tcpServer.listen(0, '127.0.0.1', r));
  });

  after(async () => {
    udpServer?.close();
    tcpServer?.close();
    await wb?.stop();
  });

  it('Open UDP Client connects a UDP socket that sends from the palette', async () => {
    const port = udpServer.address().port;
    await wb.runCommand('Socket Lab: Open UDP Client');
    await wb.answer('127.0.0.1');
    await wb.answer(String(port));
    await wb.treeItem(`UDP → 127.0.0.1:${port}`).waitFor({ state: 'visible', timeout: 30000 });
    await wb.runCommand('Socket Lab: Send…');
    await wb.pick(`UDP → 127.0.0.1:${port}`);
    await wb.pick(/^Text/);
    await wb.answer('datagram');
    await waitUntil('the datagram', () => udpInbox.length === 1);
    assert.strictEqual(udpInbox[0].toString(), 'datagram');
  });

  it('Connect Unix Socket Client reaches a Unix listener started from the palette', async () => {
    const sock = path.join(wb.workspace, 'palette.sock');
    await wb.runCommand('Socket Lab: Start Unix Socket Listener');
    await wb.answer(sock);
    await wb.answerFraming();
    await wb.treeItem(`Unix ${sock}`).waitFor({ state: 'visible', timeout: 30000 });
    await wb.runCommand('Socket Lab: Connect Unix Socket Client');
    await wb.answer(sock);
    await wb.answerFraming();
    await wb.treeItem(`Unix → ${sock}`).waitFor({ state: 'visible', timeout: 30000 });
    // The listener's child: the accepted connection, told apart by id.
    await wb.treeItem(/#c1\s*↓/).waitFor({ state: 'visible', timeout: 30000 });
  });

  it('Send File… sends the chosen file through a TCP client', async () => {
    const port = (tcpServer.address() as net.AddressInfo).port;
    await wb.runCommand('Socket Lab: Connect TCP Client');
    await wb.answer('127.0.0.1');
    await wb.answer(String(port));
    await wb.answerFraming();
    await wb.treeItem(`TCP → 127.0.0.1:${port}`).waitFor({ state: 'visible', timeout: 30000 });
    const file = path.join(wb.workspace, 'file.bin');
    const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256));
    fs.writeFileSync(file, bytes);
    await wb.runCommand('Socket Lab: Send File…');
    await wb.pick(`TCP → 127.0.0.1:${port}`);
    await wb.answerPath(file); // the workbench's own open dialog (a quick input in the web workbench)
    await waitUntil('the file at the server', () => tcpReceived.length >= bytes.length);
    assert.ok(tcpReceived.equals(bytes));
  });

  it('Copy Address, Clear Log, Restart, Stop Repeat and Show Output work from the palette', async () => {
    // Its own server and client, so that this test runs alone. The server greets each connection: the greeting
    // is the client's log record that Clear Log must remove (while the counters stay).
    const greeting = 'greeting\n';
    const accepted: net.Socket[] = [];
    const greeter = net.createServer((s) => {
      accepted.push(s);
      s.resume();
      s.write(greeting);
    });
    await new Promise<void>((r) => greeter.listen(0, '127.0.0.1', r));
    try {
      const port = (greeter.address() as net.AddressInfo).port;
      const label = `TCP → 127.0.0.1:${port}`;
      const received = `↓${greeting.length} B`;
      await wb.runCommand('Socket Lab: Connect TCP Client');
      await wb.answer('127.0.0.1');
      await wb.answer(String(port));
      await wb.answerFraming();
      await wb.treeItem(label).filter({ hasText: received }).waitFor({ state: 'visible', timeout: 30000 });

      await wb.runCommand('Socket Lab: Copy Address');
      await wb.pick(label);
      await wb.page.locator('.statusbar', { hasText: `Copied 127.0.0.1:${port}` }).waitFor({ timeout: 15000 });

      await wb.runCommand('Socket Lab: Open Send Panel');
      await wb.pick(label);
      const panel = wb.webview();
      await panel.locator('#title', { hasText: label }).waitFor({ timeout: 30000 });
      await panel.locator('.rec .data.text', { hasText: 'greeting' }).waitFor({ timeout: 15000 });

      await wb.runCommand('Socket Lab: Clear Log');
      await wb.pick(label);
      // The effect: the open panel empties (no record left), and the counters keep what was received.
      await panel.locator('#empty-line', { hasText: 'No traffic yet' }).waitFor({ timeout: 15000 });
      assert.strictEqual(await panel.locator('.rec').count(), 0);
      await wb.treeItem(label).filter({ hasText: received }).waitFor({ state: 'visible', timeout: 15000 });

      const connectionsBefore = accepted.length;
      await wb.runCommand('Socket Lab: Restart');
      await wb.pick(label);
      await waitUntil('the client to reconnect', () => accepted.length === connectionsBefore + 1);
      await wb.treeItem(label).waitFor({ state: 'visible', timeout: 30000 });

      await wb.runCommand('Socket Lab: Stop Repeat');
      await wb.page.locator('.notifications-toasts', { hasText: 'No repeat is running.' }).waitFor({ timeout: 15000 });

      await wb.runCommand('Socket Lab: Show Output');
      const output = wb.page.locator('.panel .monaco-editor').first();
      await output.waitFor({ state: 'visible', timeout: 30000 });
      // The editor holds only the lines in view, and earlier tests may have filled more than a view: read the
      // first line (the activation) at the top and this test's restart at the bottom.
      await output.locator('.view-lines').click();
      await wb.page.keyboard.press('Control+Home');
      await wb.page
        .locator('.panel .monaco-editor', { hasText: 'Socket Lab' })
        .filter({ hasText: 'activated' })
        .first()
        .waitFor({ timeout: 15000 })
        .catch(async (err) => {
          await wb.screenshot('palette-output-top');
          throw new Error(`${String(err)}\nthe output shows: ${await output.innerText()}`);
        });
      await wb.page.keyboard.press('Control+End');
      await wb.page.locator('.panel .monaco-editor', { hasText: 'restarted' }).first().waitFor({ timeout: 15000 });
      // Later tests address "the" webview: leave none open.
      await wb.runCommand('View: Close All Editors');
    } finally {
      for (const s of accepted) s.destroy();
      greeter.close();
    }
  });

  it('Open Send Panel asks which endpoint and opens its panel', async () => {
    // Its own UDP client (to a socket of this test), so that this test runs alone.
    const target = dgram.createSocket('udp4');
    await new Promise<void>((r) => target.bind(0, '127.0.0.1', r));
    try {
      const label = `UDP → 127.0.0.1:${target.address().port}`;
      await wb.runCommand('Socket Lab: Open UDP Client');
      await wb.answer('127.0.0.1');
      await wb.answer(String(target.address().port));
      await wb.treeItem(label).waitFor({ state: 'visible', timeout: 30000 });
      await wb.runCommand('Socket Lab: Open Send Panel');
      await wb.pick(label);
      await wb.page.locator('.tab', { hasText: label }).waitFor({ timeout: 30000 });
      await wb.webview().locator('#title', { hasText: label }).waitFor({ timeout: 30000 });
    } finally {
      target.close();
    }
  });

  it('Close Sending Side (FIN) asks which connection and half-closes it: the server reads end-of-stream', async () => {
    // A server that keeps its own side open after our FIN, as a half-close test needs.
    let serverSawEnd = false;
    const halfOpen = net.createServer({ allowHalfOpen: true }, (s) => {
      s.resume();
      s.on('end', () => (serverSawEnd = true));
    });
    await new Promise<void>((r) => halfOpen.listen(0, '127.0.0.1', r));
    try {
      const port = (halfOpen.address() as net.AddressInfo).port;
      const label = `TCP → 127.0.0.1:${port}`;
      await wb.runCommand('Socket Lab: Connect TCP Client');
      await wb.answer('127.0.0.1');
      await wb.answer(String(port));
      await wb.answerFraming();
      await wb.treeItem(label).waitFor({ state: 'visible', timeout: 30000 });
      await wb.runCommand('Socket Lab: Close Sending Side (FIN)');
      await wb.pick(label);
      await waitUntil('the server to read end-of-stream', () => serverSawEnd);
      await wb.page
        .locator('.sidebar .pane-body .monaco-list-row', { hasText: label })
        .filter({ hasText: 'we half-closed' })
        .waitFor({ timeout: 15000 });
    } finally {
      halfOpen.close();
    }
  });
});
