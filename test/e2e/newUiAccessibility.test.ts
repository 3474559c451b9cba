// The round's new panel UI held to issue 19's bar in the real workbench: a relay's panel (rows of both
// directions, the "Inject toward" choice) and the composer's request-file extras (checksum, byte order,
// built-ins, Save to Request File… and a history entry's save button), each checked by axe-core in Dark
// Modern, Light Modern and both high-contrast themes, with a screenshot per theme; the new controls' names
// read through Chromium's accessibility tree.
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { FrameLocator, Locator } from 'playwright-core';
import { axeInEveryTheme, panelAxTree, pickOption, setPayload, setSectionOpen } from '../helpers/panel';
import { Workbench, waitUntil } from '../helpers/workbench';

describe('New panel UI of this round for keyboard and screen-reader users (issue 19)', function () {
  this.timeout(300000);
  let wb: Workbench;
  let panel: FrameLocator;
  let upstream: net.Server;
  let client: net.Socket;
  let received = '';
  /** The relay's row in the Sockets view. */
  let relayRow: Locator;

  before(async () => {
    wb = await Workbench.start({ files: { 'lab.socklab': '### saved from the panel\n' } });
    await wb.openSocketsView();
    // An echo server upstream, a relay in front of it started from the palette, and one client through it.
    upstream = net.createServer((s) => {
      s.on('error', () => undefined);
      s.on('data', (d) => s.write(`echo:${d}`));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const upstreamPort = (upstream.address() as net.AddressInfo).port;
    const { item: relay, port } = await wb.startRelayFromPalette(upstreamPort);
    relayRow = relay;
    client = net.connect(port, '127.0.0.1');
    client.on('data', (d) => (received += d.toString()));
    client.on('error', () => undefined);
    client.write('ping\n');
    await waitUntil('the echo through the relay', async () => received === 'echo:ping\n');
    panel = await wb.openPanelFromTree(relay, 'a11y-relay-panel-missing');
    await panel.locator('#title', { hasText: `Relay 127.0.0.1:${port}` }).waitFor({ timeout: 30000 });
  });

  after(async () => {
    client?.destroy();
    await new Promise((r) => (upstream ? upstream.close(r) : r(undefined)));
    await wb?.stop();
  });

  it('the relay panel: rows of both directions, one expanded, and "Inject toward" pass axe-core in four themes', async () => {
    await waitUntil(
      'a row of each direction',
      async () => (await panel.locator('.rec .dir.in, .rec .dir.out').count()) >= 2,
    );
    // Inject toward the client, sent by the keyboard (Ctrl+Enter in the payload): a third row, and a History entry.
    await pickOption(panel.locator('#relay-direction'), 'toClient');
    const payload = panel.locator('#payload textarea');
    await payload.fill('injected');
    await payload.press('Control+Enter');
    await waitUntil('the injection reached the client', async () => received === 'echo:ping\ninjected');
    await waitUntil('three rows', async () => (await panel.locator('.rec').count()) >= 3);
    await setSectionOpen(panel, 'history');
    await panel.locator('.rec').first().locator('.line').click();
    await panel.locator('.rec.expanded.selected .dump').waitFor({ timeout: 10000 });

    // The injection side is a named combobox, its visible label first; a row of each direction is named as
    // client to server, or back.
    const nodes = await panelAxTree(wb.page);
    const names = nodes.map((n) => `${n.role?.value}:${n.name?.value}`);
    assert.ok(names.includes('combobox:Inject toward'), `no combobox named Inject toward: ${names.join(' | ')}`);
    const rows = nodes.filter((n) => n.role?.value === 'row').map((n) => n.name?.value ?? '');
    assert.ok(
      rows.some((n) => /^in, client to server, .*, client 127\.0\.0\.1:\d+, 5 bytes: ping\\n$/.test(n)),
      `no row for the client's ping: ${rows.join(' | ')}`,
    );
    assert.ok(
      rows.some((n) => /^out, server to client, .*, client 127\.0\.0\.1:\d+, 10 bytes: echo:ping\\n$/.test(n)),
      `no row for the server's echo: ${rows.join(' | ')}`,
    );

    // Its row in the Sockets view is spoken in words, without the arrow of its label.
    assert.match(
      (await relayRow.getAttribute('aria-label')) ?? '',
      /^TCP relay from 127\.0\.0\.1 port \d+ to 127\.0\.0\.1 port \d+, listening, 1 client, received \d+ B, sent \d+ B$/,
    );

    assert.deepStrictEqual(await axeInEveryTheme(wb, panel, 'a11y-relay-panel'), []);
  });

  it("the composer's Checksum, Byte order, Built-ins and Save to Request File… pass axe-core in four themes", async () => {
    await setPayload(panel, 'hex', '01 03 00 00 00 0a');
    await pickOption(panel.locator('#checksum'), 'crc16-modbus');
    await pickOption(panel.locator('#checksum-endian'), 'le');
    await panel.locator('#variables').click();
    await panel.locator('#variables[checked]').waitFor({ state: 'attached', timeout: 10000 });
    await panel.locator('#byte-count', { hasText: /8 bytes/ }).waitFor({ timeout: 10000 });
    // Save to Request File… writes the block and says where (the sentence is in the axe run too).
    await panel.locator('#save-request').click();
    await wb.pick('lab.socklab');
    const file = path.join(wb.workspace, 'lab.socklab');
    await waitUntil('the block in the file', () => /send hex;checksum=crc16-modbus/.test(readText(file)), 20000).catch(
      (err: Error) => {
        throw new Error(`${err.message}; the file holds ${JSON.stringify(readText(file))}`);
      },
    );
    assert.match(readText(file), /checksum-endian=le/);
    await panel.locator('#send-status', { hasText: /lab\.socklab/ }).waitFor({ timeout: 10000 });
    // A sent entry in History with its own save button.
    await panel.locator('#send').click();
    await panel.locator('.history-save').first().waitFor({ timeout: 10000 });

    const nodes = await panelAxTree(wb.page);
    const names = nodes.map((n) => `${n.role?.value}:${n.name?.value}`);
    for (const expected of [
      'combobox:Checksum',
      'combobox:Byte order',
      'checkbox:Built-ins ({{$counter}} …)',
      'button:Save to Request File…',
    ])
      assert.ok(names.includes(expected), `no ${expected}: ${names.join(' | ')}`);
    const saves = names.filter(
      (n) => n.startsWith('button:') && /request file/i.test(n) && n !== 'button:Save to Request File…',
    );
    assert.ok(saves.length >= 1, `a history entry's save button is named for its entry: ${names.join(' | ')}`);

    assert.deepStrictEqual(await axeInEveryTheme(wb, panel, 'a11y-request-file-composer'), []);
    await pickOption(panel.locator('#checksum'), '');
    await pickOption(panel.locator('#format'), 'text');
  });
});

function readText(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}
