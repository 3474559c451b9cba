// The System Ports view in the real workbench (issue 16): our listener listed as Socket Lab's own, its row
// named for screen readers and reached by keyboard, Connect from the row, in dark, light and high-contrast themes.
import * as assert from 'assert';
import { Workbench } from '../helpers/workbench';

describe('System Ports view in the real workbench', function () {
  this.timeout(240000);
  let wb: Workbench;

  before(async () => {
    wb = await Workbench.start();
  });

  after(async () => {
    await wb?.stop();
  });

  it("lists our listener as Socket Lab's own, by keyboard too, and connects a TCP client from its row", async () => {
    const { port } = await wb.startTcpListenerFromPalette('system-ports-listener-missing');
    await wb.runCommand('Socket Lab: List System Ports');
    const pane = wb.page.locator('.sidebar .pane', {
      has: wb.page.locator('.pane-header', { hasText: /System Ports/i }),
    });
    const row = pane.locator('.monaco-list-row', { hasText: `127.0.0.1:${port}` }).first();
    await row.waitFor({ state: 'visible', timeout: 30000 }).catch(async (err) => {
      await wb.screenshot('system-ports-row-missing');
      throw err;
    });
    assert.match(await row.innerText(), /Socket Lab e\d+/);
    // Its spoken name is in words: protocol, port, address, state, who holds it, and that it is ours.
    assert.match(
      (await row.getAttribute('aria-label')) ?? '',
      new RegExp(
        `^TCP port ${port} on 127\\.0\\.0\\.1, listening, held by .+, process id \\d+, Socket Lab endpoint e\\d+$`,
      ),
    );

    // Keyboard: focus the list, then move to our row with the arrow keys; the focused row carries the name.
    await pane.locator('.monaco-list').first().focus();
    await wb.page.keyboard.press('Home');
    for (let i = 0; i < 200 && !(await row.evaluate((e) => e.classList.contains('focused'))); i++) {
      await wb.page.keyboard.press('ArrowDown');
    }
    assert.ok(await row.evaluate((e) => e.classList.contains('focused')), 'the row was not reached by keyboard');
    // Every row is named in words; no row's name is only an address and a pid.
    const names = await pane
      .locator('.monaco-list-row')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('aria-label') ?? ''));
    assert.ok(names.length > 0);
    for (const name of names)
      assert.match(name, /^(TCP port \d+ on .+, listening|UDP port \d+ on .+, bound), (held by |process not shown)/);

    for (const [name, cls] of [
      ['Dark Modern', 'vs-dark'],
      ['Light Modern', 'vs'],
      ['Dark High Contrast', 'hc-black'],
      ['Light High Contrast', 'hc-light'],
    ] as const) {
      await wb.setColorTheme(name, cls);
      await row.waitFor({ state: 'visible', timeout: 20000 });
      await wb.screenshot(`system-ports-${cls}`);
    }

    // Its tooltip says the same in lines.
    const hover = await wb.tooltipOf(row, 'Socket Lab endpoint');
    assert.match(
      await hover.innerText(),
      new RegExp(`TCP 127\\.0\\.0\\.1:${port}\\s+Listening on 127\\.0\\.0\\.1\\s+Process: `),
    );
    await wb.screenshot('system-ports-tooltip');
    await row.locator('.action-label[aria-label^="Connect to This Port"]').click();
    const client = wb.treeItem(new RegExp(`TCP → 127\\.0\\.0\\.1:${port}`));
    await client.waitFor({ state: 'visible', timeout: 30000 }).catch(async (err) => {
      await wb.screenshot('system-ports-client-missing');
      throw err;
    });
  });
});
