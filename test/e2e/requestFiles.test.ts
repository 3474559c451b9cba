// Request files in the real workbench (Chromium): the CodeLens and the diagnostics a user sees when opening a
// `.socklab` file, "Send to…" reaching ncat byte for byte, and the panel's "Save to Request File…" writing a
// block that connects to the same peer and sends the same payload.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { THEMES, focusedId, panelAxTree, pickOption, setPayload, tabTo, useTheme } from '../helpers/panel';
import { Workbench, waitUntil } from '../helpers/workbench';

/** A free loopback port (the OS's pick, released at once) for ncat to listen on. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

const FILE = [
  '@host = 127.0.0.1',
  '### read registers',
  'connect tcp {{host}}:502',
  'send hex;checksum=crc16-modbus 01 03 00 00 00 0a',
  'expect hex;within=1000 01 03',
  '### broken',
  'connect tcp {{host}}:502',
  'send hex;checksum=crc99 0g',
  '',
].join('\n');

describe('Request files in the editor (Chromium)', function () {
  this.timeout(240000);
  let wb: Workbench;
  const children: ChildProcess[] = [];

  before(async () => {
    wb = await Workbench.start({ files: { 'lab.socklab': FILE } });
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await wb?.stop();
  });

  /** ncat listening on a fresh port, collecting what it receives as bytes. */
  async function ncatListener(): Promise<{ port: number; received: () => Buffer }> {
    const port = await freePort();
    const chunks: Buffer[] = [];
    let said = '';
    const ncat = spawn('ncat', ['-v', '-l', '127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(ncat);
    ncat.stdout!.on('data', (d: Buffer) => chunks.push(d));
    ncat.stderr!.on('data', (d: Buffer) => (said += d.toString()));
    await waitUntil('ncat listening', () => /Listening on/.test(said), 10000);
    return { port, received: () => Buffer.concat(chunks) };
  }

  async function openFile(name: string): Promise<void> {
    const { page } = wb;
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20000 });
    await input.fill(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 20000 });
    await input.press('Enter');
    await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 20000 });
  }

  it('opening a .socklab file shows Run and Send to… lenses and the problems of a broken line', async () => {
    await openFile('lab.socklab');
    const { page } = wb;
    const lenses = page.locator('.contentWidgets .codelens-decoration');
    await waitUntil('two Run and two Send to… lenses', async () => {
      const text = (await lenses.allInnerTexts()).join(' | ');
      return (text.match(/Run/g) ?? []).length === 2 && (text.match(/Send to…/g) ?? []).length === 2;
    });
    // The broken send line is underlined, and the Problems view names both mistakes.
    await page.locator('.squiggly-error').first().waitFor({ timeout: 20000 });
    await wb.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const problems = page.locator('.markers-panel .monaco-list-row');
    await waitUntil('the checksum problem in the Problems view', async () =>
      (await problems.allInnerTexts()).some((t) => /crc99/.test(t)),
    );
    await wb.screenshot('request-file-editor');
  });

  it('Send to… sends the send line through the client the user picks, byte-exact to ncat', async () => {
    const peer = await ncatListener();
    await wb.runCommand('Socket Lab: Connect TCP Client');
    await wb.answer('127.0.0.1');
    await wb.answer(String(peer.port));
    await wb.answerFraming();
    await wb.openSocketsView();
    await wb.treeItem(`TCP → 127.0.0.1:${peer.port}`).waitFor({ state: 'visible', timeout: 30000 });
    await openFile('lab.socklab');
    await wb.page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Send to…' }).first().click();
    await wb.pick(`TCP → 127.0.0.1:${peer.port}`);
    await waitUntil('8 bytes at ncat', () => peer.received().length >= 8, 15000);
    assert.strictEqual(peer.received().toString('hex'), '01030000000ac5cd');
  });

  it('Save to Request File… appends a block that connects to the peer and sends the payload', async () => {
    const peer = await ncatListener();
    await wb.runCommand('Socket Lab: Connect TCP Client');
    await wb.answer('127.0.0.1');
    await wb.answer(String(peer.port));
    await wb.answerFraming();
    await wb.openSocketsView();
    const item = wb.treeItem(`TCP → 127.0.0.1:${peer.port}`);
    await item.waitFor({ state: 'visible', timeout: 30000 });
    const panel = await wb.openPanelFromTree(item);
    await panel.locator('#payload textarea').fill('hello\\r\\n');
    await panel.locator('#save-request').click();
    await wb.pick('lab.socklab');
    const file = path.join(wb.workspace, 'lab.socklab');
    const block = `connect tcp 127.0.0.1:${peer.port}\nsend text hello\\r\\n\n`;
    await waitUntil('the block in the file', () => fs.readFileSync(file, 'utf8').includes(block), 20000);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.startsWith(FILE), 'the file kept what it had');
    assert.match(text.slice(FILE.length), /^\n### text "hello\\r\\n" · TCP → 127\.0\.0\.1:\d+\n/);
    await panel.locator('#send-status', { hasText: /Saved as a block in .*lab\.socklab/ }).waitFor({ timeout: 10000 });
  });

  it('the composer Checksum, Byte order, Built-ins and Save are named, reached by Tab, and the checksum reaches ncat', async () => {
    const peer = await ncatListener();
    await wb.runCommand('Socket Lab: Connect TCP Client');
    await wb.answer('127.0.0.1');
    await wb.answer(String(peer.port));
    await wb.answerFraming();
    await wb.runCommand('Socket Lab: Open Send Panel');
    await wb.pick(`TCP → 127.0.0.1:${peer.port}`);
    const panel = wb.webview();
    await panel.locator('#payload').waitFor({ state: 'visible', timeout: 30000 });
    await setPayload(panel, 'hex', '01 03 00 00 00 0a');
    // Keyboard only: back from the payload to the Checksum, then on to Built-ins and Save to Request File….
    await panel.locator('#payload textarea').focus();
    await tabTo(wb.page, panel, 'checksum', true);
    await pickOption(panel.locator('#checksum'), 'crc16-modbus');
    await tabTo(wb.page, panel, 'checksum-endian');
    await tabTo(wb.page, panel, 'variables');
    await tabTo(wb.page, panel, 'save-request');
    assert.strictEqual(await focusedId(panel), 'save-request');
    const names = (await panelAxTree(wb.page)).map((n) => n.name?.value ?? '');
    for (const name of ['Checksum', 'Byte order', 'Built-ins ({{$counter}} …)', 'Save to Request File…'])
      assert.ok(names.includes(name), `no control named ${name}`);
    await panel.locator('#byte-count', { hasText: /8 bytes/ }).waitFor({ timeout: 10000 });
    await panel.locator('#send').click();
    await waitUntil('8 bytes at ncat', () => peer.received().length >= 8, 15000);
    assert.strictEqual(peer.received().toString('hex'), '01030000000ac5cd');
    for (const theme of THEMES.slice(0, 3)) {
      await useTheme(wb, panel, theme);
      await wb.screenshot(`request-file-composer-${theme.name}`);
    }
    await useTheme(wb, panel, THEMES[0]);
  });

  it('Run Request File… from the palette runs the file picked and says how it went', async () => {
    const echo = net.createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    try {
      const { port } = echo.address() as net.AddressInfo;
      const text = `### echo\nconnect tcp 127.0.0.1:${port}\nsend text hi\\n\nexpect text hi\\n\n`;
      fs.writeFileSync(path.join(wb.workspace, 'echo.socklab'), text);
      await wb.runCommand('Socket Lab: Run Request File…');
      await wb.pick('echo.socklab');
      await wb.page
        .locator('.notifications-toasts .notification-toast', { hasText: 'echo.socklab: 1 passed, 0 failed' })
        .waitFor({ timeout: 30000 });
      await wb.screenshot('request-file-run-from-palette');
    } finally {
      echo.close();
    }
  });
});
