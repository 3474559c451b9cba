// The send panel with a framed TCP listener, as a user debugging a line protocol sees it: two lines sent in
// one write by a real client are two rows, each with its CR LF shown dimmed after the message.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import { Workbench, waitUntil } from '../helpers/workbench';

describe('Send panel with framing', function () {
  this.timeout(240000);
  let wb: Workbench;
  const children: ChildProcess[] = [];

  before(async () => {
    wb = await Workbench.start();
    await wb.openSocketsView();
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await wb?.stop();
  });

  // Without framing the two lines would be one row "a\r\nb\r\n"; a user could not tell message from terminator.
  it('a line-framed listener shows one row per line, the delimiter dimmed apart from the message', async () => {
    await wb.runCommand('Socket Lab: Start TCP Listener');
    await wb.answer('127.0.0.1');
    await wb.answer('0');
    await wb.answerFraming(/Lines \(LF, with or without CR\)/);
    const item = wb.treeItem(/^TCP 127\.0\.0\.1:\d+/);
    await item.waitFor({ state: 'visible', timeout: 30000 });
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await item.innerText())![1]);
    await item.click();
    const panel = wb.webview();
    await panel.locator('#title', { hasText: `TCP 127.0.0.1:${port}` }).waitFor({ timeout: 30000 });

    // One write of both lines from a real peer (python3), which then closes.
    const client = spawn('python3', [
      '-c',
      'import socket,sys\ns=socket.create_connection(("127.0.0.1",int(sys.argv[1])))\ns.sendall(b"a\\r\\nb\\r\\n")\ns.close()',
      String(port),
    ]);
    children.push(client);
    const delimiters = panel.locator('.rec .data.text .frame-delim');
    await waitUntil('two framed rows', async () => (await delimiters.count()) === 2);
    const cells = panel.locator('.rec .data.text');
    assert.deepStrictEqual(await cells.allInnerTexts(), ['a\\r\\n', 'b\\r\\n']);
    assert.deepStrictEqual(await delimiters.allInnerTexts(), ['\\r\\n', '\\r\\n']);
    assert.deepStrictEqual(await panel.locator('.rec .len').allInnerTexts(), ['3', '3']);
    // Dimmed: the delimiter takes the theme's description colour, not the message's colour.
    const colours = await delimiters.first().evaluate((span) => {
      const probe = document.createElement('span');
      probe.style.color = 'var(--vscode-descriptionForeground)';
      document.body.append(probe);
      const description = getComputedStyle(probe).color;
      probe.remove();
      return {
        delimiter: getComputedStyle(span).color,
        message: getComputedStyle(span.parentElement!).color,
        description,
      };
    });
    assert.strictEqual(colours.delimiter, colours.description);
    assert.notStrictEqual(colours.delimiter, colours.message);
    // The spoken summary of a row reads the message with its delimiter, and no frame marker.
    const label = await panel.locator('.rec').first().getAttribute('aria-label');
    assert.match(label ?? '', /, 3 bytes: a\\r\\n$/);
    await wb.screenshot('panel-framing-lines');

    // The header names the framing, and its named button (reached and pressed by keyboard) changes it.
    await panel.locator('#framing', { hasText: 'Framing: line (any)' }).waitFor({ timeout: 10000 });
    const button = panel.locator('#set-framing');
    assert.strictEqual(await button.getAttribute('aria-label'), 'Framing… (now line (any))');
    await button.focus();
    await button.press('Enter');
    await wb.answerFraming(/Lines \(CR LF only\)/);
    await panel.locator('#framing', { hasText: 'Framing: line (crlf)' }).waitFor({ timeout: 10000 });
    assert.strictEqual(await button.getAttribute('aria-label'), 'Framing… (now line (crlf))');
    await wb.screenshot('panel-framing-header');
  });
});
