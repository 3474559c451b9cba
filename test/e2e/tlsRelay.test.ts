/**
 * TLS and the relay through the real palette, its prompts and the send panel (Chromium against the
 * workbench): a TLS listener and a TLS client from the palette (each with its framing step), the client's certificate not trusted and the
 * "Connect anyway (insecure)" dialog, a relay started from its three prompts whose rows show both
 * directions in the panel, and the composer injecting toward the client.
 */
import * as assert from 'assert';
import * as net from 'net';
import { pickOption } from '../helpers/panel';
import { Workbench, waitUntil } from '../helpers/workbench';

describe('TLS and relay from the palette and the send panel', function () {
  this.timeout(240000);
  let wb: Workbench;
  const sockets: net.Socket[] = [];
  let server: net.Server | undefined;

  before(async () => {
    wb = await Workbench.start();
    await wb.openSocketsView();
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await wb?.stop();
  });

  it('Start TLS Listener, then Connect TLS Client: both ask for the framing; an untrusted certificate asks, and "Connect anyway (insecure)" connects', async () => {
    await wb.runCommand('Socket Lab: Start TLS Listener');
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    await wb.answerFraming(/Lines \(LF, with or without CR\)/);
    const listener = wb.treeItem(/TLS 127\.0\.0\.1:\d+/);
    await listener.waitFor({ state: 'visible', timeout: 60000 });
    // The framing chosen in the prompt is the listener's: the view describes it.
    await waitUntil('the framing in the description', async () => /line \(any\)/.test(await listener.innerText()));
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await listener.innerText())![1]);

    await wb.runCommand('Socket Lab: Connect TLS Client');
    await wb.answer('127.0.0.1');
    await wb.answer(String(port));
    await wb.answerFraming(/Lines \(LF, with or without CR\)/);
    const dialog = wb.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30000 });
    // The generated CA is not one the system trusts: the sentence says so and names the way out.
    assert.match(await dialog.innerText(), /not trusted|untrusted|unknown/i);
    assert.match(await dialog.innerText(), /nothing proves who is at the other end/);
    await wb.screenshot('tls-connect-anyway-dialog');
    await dialog.locator('.monaco-button', { hasText: 'Connect anyway (insecure)' }).click();
    await dialog.waitFor({ state: 'detached' });
    const client = wb.treeItem(new RegExp(`TLS → 127\\.0\\.0\\.1:${port}`));
    await client.waitFor({ state: 'visible', timeout: 30000 });
    await waitUntil('the client framing in the description', async () => /line \(any\)/.test(await client.innerText()));
    await wb.screenshot('tls-listener-and-client');
    await wb.reset();
  });

  it('Start Relay from its prompts; the panel shows both directions and injects toward the client', async () => {
    server = net.createServer((s) => {
      s.on('error', () => undefined);
      s.on('data', (d) => s.write(`echo:${d}`));
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const upstreamPort = (server.address() as net.AddressInfo).port;

    const { item: relay, port } = await wb.startRelayFromPalette(upstreamPort);

    const client = net.connect(port, '127.0.0.1');
    sockets.push(client);
    let received = '';
    client.on('data', (d) => (received += d.toString()));
    client.on('error', () => undefined);
    client.write('ping');
    await waitUntil('the echo through the relay', async () => received === 'echo:ping');

    const panel = await wb.openPanelFromTree(relay, 'relay-panel-missing');
    await panel.locator('#title', { hasText: `Relay 127.0.0.1:${port}` }).waitFor({ timeout: 30000 });
    // Both directions, one row each, in the log's two directions (client → server received, back sent).
    await panel.locator('.rec .dir.in').first().waitFor({ timeout: 20000 });
    await panel.locator('.rec .dir.out').first().waitFor({ timeout: 20000 });

    const direction = panel.locator('#relay-direction');
    await direction.waitFor({ timeout: 20000 });
    await pickOption(direction, 'toClient');
    await panel.locator('#payload textarea').fill('injected');
    await panel.locator('#send').click();
    await waitUntil('the injection reached the client', async () => received === 'echo:pinginjected');
    await panel.locator('#send-status', { hasText: /8/ }).waitFor({ timeout: 10000 });
    await wb.screenshot('relay-panel-rows');
    await wb.reset();
  });
});
