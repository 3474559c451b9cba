// The send panel in real Chromium inside the real workbench, against a real ncat peer.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator } from 'playwright-core';
import { hidePanel, listRows, setSectionOpen, waitForStoredPanelState } from '../helpers/panel';
import { waitForStoredStateWithout } from '../helpers/storedState';
import { Workbench, selectOption, waitUntil } from '../helpers/workbench';
import { BATCH_MAX_RECORDS } from '../../src/shared/limits';

describe('Send panel in the real workbench', function () {
  this.timeout(240000);
  let wb: Workbench;
  let panel: FrameLocator;
  let port = 0;
  let ncat: ChildProcess | undefined;
  let received = Buffer.alloc(0);
  /** The listener was stopped from the Sockets view (its panel shows the endpoint-gone banner). */
  let stopped = false;
  /** The composer's draft left when the listener is stopped (what a window reload must bring back). */
  const DRAFT_AT_STOP = 'draft over a reload';
  const dialogs: string[] = [];
  const cspErrors: string[] = [];
  const pick = (selector: string, value: string) => selectOption(panel, selector, value);

  before(async () => {
    wb = await Workbench.start();
    wb.page.on('console', (m) => {
      if (/Content Security Policy|Refused to (load|apply|execute)/i.test(m.text())) cspErrors.push(m.text());
    });
    wb.page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  after(async () => {
    ncat?.kill('SIGKILL');
    await wb?.stop();
  });

  // Each test makes the state it needs through the ensure steps below (each a no-op when the state is there
  // already), so that any test passes alone (SOCKET_LAB_TEST_GREP) as well as after the ones before it.

  const panelTab = () => wb.page.locator('.tabs-container .tab', { hasText: `TCP 127.0.0.1:${port}` });

  /** A TCP listener on 127.0.0.1 and its send panel, the active editor. */
  async function ensurePanel(): Promise<void> {
    if (!port || stopped) {
      if (stopped) {
        // The stopped listener's panel stays open: close it, so that the active webview is the new one.
        await wb.runCommand('View: Close All Editors');
        stopped = false;
      }
      ncat?.kill('SIGKILL');
      ncat = undefined;
      const started = await wb.startTcpListenerFromPalette('panel-listener-missing');
      port = started.port;
      panel = await wb.openPanelFromTree(started.item);
    } else if (!(await panelTab().evaluate((tab) => tab.classList.contains('active')))) {
      await panelTab().click();
    }
    await panel.locator('#title', { hasText: `TCP 127.0.0.1:${port}` }).waitFor({ timeout: 10000 });
  }

  /** ensurePanel, with ncat connected to the listener (what it receives collects in `received`). */
  async function ensureNcat(): Promise<void> {
    await ensurePanel();
    if (ncat && ncat.exitCode === null && ncat.signalCode === null) return;
    received = Buffer.alloc(0);
    ncat = spawn('ncat', ['127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
    ncat.stdout!.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    // The target list offers the accepted connection once it is there.
    await panel
      .locator('#target vscode-option', { hasText: '127.0.0.1:' })
      .waitFor({ state: 'attached', timeout: 20000 });
  }

  /** The row of a record ncat sent whose text column shows `text` (escaped the way the panel shows it). */
  const rowFromNcat = (text: string) =>
    panel.locator('.rec', { has: panel.locator('.dir.in') }).filter({ hasText: text });

  /** ensureNcat, with a record of `line` from ncat in the log (ncat sends it if the log has none). */
  async function ensureRecordFromNcat(line: string): Promise<void> {
    await ensureNcat();
    if ((await rowFromNcat(line.trimEnd()).count()) > 0) return;
    ncat!.stdin!.write(line);
    await rowFromNcat(line.trimEnd()).first().waitFor({ timeout: 15000 });
  }

  /** ensureNcat, with at least one record in the log (a line from ncat if the log is empty). */
  async function ensureSomeRecord(): Promise<void> {
    await ensureNcat();
    if ((await panel.locator('.rec').count()) === 0) await ensureRecordFromNcat('a record for the log\n');
  }

  /** Sends hex 48 65 6c 6c 6f 0d 0a from the panel and waits until ncat has it; returns what ncat got. */
  async function sendHelloAsHex(): Promise<Buffer> {
    await ensureNcat();
    await pick('#format', 'hex');
    await pick('#line-ending', 'none');
    await panel.locator('#payload textarea').fill('48 65 6c 6c 6f 0d 0a');
    await panel.locator('#byte-count', { hasText: '7' }).waitFor({ timeout: 10000 });
    received = Buffer.alloc(0);
    await panel.locator('#send').click();
    await waitUntil('ncat to receive 7 bytes', () => received.length >= 7);
    return received;
  }

  /**
   * Leaves DRAFT_AT_STOP in the composer, stops the listener from its row in the Sockets view and waits for the
   * panel's endpoint-gone banner.
   */
  async function stopListener(): Promise<void> {
    await pick('#format', 'text');
    await panel.locator('#payload textarea').fill(DRAFT_AT_STOP);
    const item = wb.treeItem(new RegExp(`TCP 127\\.0\\.0\\.1:${port}`));
    await wb.openSocketsView();
    await item.hover();
    await item.locator('.action-label[aria-label^="Stop"]').click();
    await panel.locator('#banner', { hasText: 'no longer exists' }).waitFor({ timeout: 15000 });
    stopped = true;
  }

  it('opens the panel of a TCP listener from the Sockets view', async () => {
    await ensurePanel();
    assert.ok(port > 0);
    // The editor tab carries the endpoint's label.
    await panelTab().waitFor({ timeout: 10000 });
  });

  it('sends hex 48 65 6c 6c 6f 0d 0a from the panel and ncat gets exactly those bytes', async () => {
    assert.deepStrictEqual(await sendHelloAsHex(), Buffer.from([0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x0d, 0x0a]));
    // The outgoing record shows up too.
    await panel
      .locator('.rec', { has: panel.locator('.dir.out') })
      .filter({ hasText: '48 65 6c 6c 6f 0d 0a' })
      .first()
      .waitFor({ timeout: 10000 });
  });

  it('shows an inline error for bad hex, disables Send and refuses to send it with Ctrl+Enter', async () => {
    await ensureNcat();
    await pick('#format', 'hex');
    await pick('#line-ending', 'none');
    await panel.locator('#payload textarea').fill('48 6');
    await panel.locator('#payload-error', { hasText: /odd number of digits/ }).waitFor({ timeout: 10000 });
    await panel.locator('#send[disabled]').waitFor({ state: 'attached', timeout: 10000 });
    const before = received.length;
    await panel.locator('#payload textarea').press('Control+Enter');
    // Reported once, under the field: not again next to Send.
    assert.strictEqual(await panel.locator('#send-status').innerText(), '');
    // Proof that nothing left: a valid send after it reaches ncat alone (a TCP stream keeps the order).
    await panel.locator('#payload textarea').fill('21');
    await panel.locator('#byte-count', { hasText: '1' }).waitFor({ timeout: 10000 });
    await panel.locator('#payload textarea').press('Control+Enter');
    await waitUntil('ncat to receive the valid send', () => received.length > before);
    assert.deepStrictEqual(received.subarray(before), Buffer.from([0x21]));
  });

  it('shows a line sent by ncat as a row with the right length and hex', async () => {
    await ensureNcat();
    ncat!.stdin!.write('hello from ncat\n');
    const row = panel
      .locator('.rec', { has: panel.locator('.dir.in') })
      .filter({ hasText: '68 65 6c 6c 6f 20 66 72 6f 6d 20 6e 63 61 74 0a' });
    await row.first().waitFor({ timeout: 15000 });
    assert.strictEqual((await row.first().locator('.len').innerText()).trim(), '16');
    assert.strictEqual((await row.first().locator('.data.text').innerText()).trim(), 'hello from ncat\\n');
    // Expanding shows the hex dump with the ASCII column.
    await row.first().click();
    await panel.locator('.rec.expanded .dump', { hasText: '|hello from ncat.|' }).waitFor({ timeout: 10000 });
    await row.first().locator('.line').click();
  });

  it('lays out only a line of a long record, and expanding it shows all of its preview', async () => {
    // 600 bytes: 'L' then 'x'... then 'E' at the end of the 512-byte preview.
    const payload = Buffer.alloc(600, 'x');
    payload[0] = 0x4c;
    payload[511] = 0x45;
    await ensureNcat();
    ncat!.stdin!.write(payload);
    const row = panel
      .locator('.rec', { has: panel.locator('.dir.in') })
      .filter({ has: panel.locator('.len', { hasText: /^600$/ }) });
    await row.first().waitFor({ timeout: 15000 });
    const { text, hex, hexWidth, charWidth } = await row.first().evaluate((node) => {
      const cell = node.querySelector<HTMLElement>('.data.hex')!;
      const probe = node.ownerDocument.createElement('span');
      probe.textContent = '0'.repeat(100);
      cell.parentElement!.append(probe);
      const charWidth = probe.getBoundingClientRect().width / 100;
      probe.remove();
      return {
        text: node.querySelector('.data.text')!.textContent!,
        hex: cell.textContent!,
        hexWidth: cell.clientWidth,
        charWidth,
      };
    });
    // The hex cell holds the whole bytes its column shows, not 1,535 characters: one byte more would not fit.
    assert.ok(hex.startsWith('4c 78 78'), hex.slice(0, 20));
    assert.match(hex, /^([0-9a-f]{2} )+…$/, `hex cell: ${hex}`);
    assert.ok(
      hex.length * charWidth <= hexWidth + 1 && (hex.length + 3) * charWidth > hexWidth - 3 * charWidth,
      `hex cell: ${hex.length} characters for ${hexWidth} px (${charWidth} px a character)`,
    );
    assert.ok(
      text.startsWith('Lxxx') && text.endsWith('…') && !text.includes('E'),
      `text cell: ${text.length} characters`,
    );
    // Expanded, the dump has the whole preview, the last byte of it included.
    await row.first().click();
    await panel.locator('.rec.expanded .dump', { hasText: /\|x*E\|/ }).waitFor({ timeout: 10000 });
    await row.first().locator('.line').click();
  });

  it('repeats 5 x 100 ms and ncat receives the payload 5 times', async () => {
    await ensureNcat();
    received = Buffer.alloc(0);
    await pick('#format', 'text');
    await pick('#line-ending', 'lf');
    await panel.locator('#payload textarea').fill('tick');
    await panel.locator('#repeat-interval input').fill('100');
    await panel.locator('#repeat-count input').fill('5');
    await panel.locator('#byte-count', { hasText: '5' }).waitFor({ timeout: 10000 });
    const started = Date.now();
    await panel.locator('#repeat').click();
    await waitUntil('five ticks at ncat', () => received.toString('latin1').split('tick\n').length - 1 >= 5, 15000);
    // The indicator clears once the core reports the end of the repeat.
    await panel.locator('#repeat-indicator').waitFor({ state: 'hidden', timeout: 10000 });
    assert.ok(Date.now() - started >= 400, 'the sends were spaced by the interval');
    await panel.locator('#send-status', { hasText: /5/ }).waitFor({ timeout: 5000 });
    // Nothing more after the fifth tick: a later send arrives right after the five, with nothing between.
    await panel.locator('#payload textarea').fill('fin');
    await panel.locator('#byte-count', { hasText: '4' }).waitFor({ timeout: 10000 });
    await panel.locator('#send').click();
    await waitUntil('the sentinel at ncat', () => received.toString('latin1').endsWith('fin\n'), 15000);
    assert.strictEqual(received.toString('latin1'), 'tick\n'.repeat(5) + 'fin\n');
  });

  it('shows <img src=x onerror=alert(1)> as text and creates no element', async () => {
    await ensureNcat();
    ncat!.stdin!.write('<img src=x onerror=alert(1)>\n');
    await panel
      .locator('.rec .data.text', { hasText: '<img src=x onerror=alert(1)>\\n' })
      .first()
      .waitFor({ timeout: 15000 });
    assert.strictEqual(await panel.locator('img').count(), 0);
    assert.strictEqual(
      await panel.locator('#app').evaluate((app) => app.ownerDocument.querySelectorAll('img').length),
      0,
    );
    assert.deepStrictEqual(dialogs, []);
  });

  it('keeps the history; in a dark, a light and a high-contrast theme the panel takes the theme and the three screenshots differ', async () => {
    await ensurePanel();
    await setSectionOpen(panel, 'history');
    const hello = panel.locator('.history-item', { hasText: '48 65 6c 6c 6f 0d 0a' });
    if ((await hello.count()) === 0) await sendHelloAsHex();
    await hello.waitFor({ timeout: 5000 });
    const themes = [
      ['Dark Modern', 'vs-dark', 'vscode-dark', 'send-panel-dark'],
      ['Light Modern', 'vs', 'vscode-light', 'send-panel-light'],
      ['Dark High Contrast', 'hc-black', 'vscode-high-contrast', 'send-panel-high-contrast'],
    ] as const;
    const shots: string[] = [];
    for (const [label, uiClass, bodyClass, name] of themes) {
      await wb.setColorTheme(label, uiClass);
      // The webview's body carries the theme's class once the workbench has handed it the theme's colours.
      await panel.locator(`body.${bodyClass}`).waitFor({ state: 'attached', timeout: 20000 });
      shots.push(fs.readFileSync(await wb.screenshot(name)).toString('base64'));
    }
    assert.strictEqual(new Set(shots).size, 3, 'the three themes look the same');
  });

  it('copies a record as hex through the host clipboard', async () => {
    await ensureRecordFromNcat('hello from ncat\n');
    await wb.page
      .context()
      .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(wb.page.url()).origin });
    const row = rowFromNcat('hello from ncat').first();
    await row.locator('.line').click();
    await panel.locator('.rec.expanded .copy-hex').click();
    await panel.locator('#status', { hasText: 'Copied' }).waitFor({ timeout: 10000 });
    const text = await wb.page.evaluate(() => navigator.clipboard.readText());
    assert.strictEqual(text, '68 65 6c 6c 6f 20 66 72 6f 6d 20 6e 63 61 74 0a');
    await row.locator('.line').click();
  });

  it('turns on echo auto-reply from the panel', async () => {
    await ensureNcat();
    await setSectionOpen(panel, 'auto-reply');
    await pick('#auto-reply-mode', 'echo');
    await panel.locator('#auto-reply-apply').click();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply updated' }).waitFor({ timeout: 10000 });
    await panel.locator('#state', { hasText: 'Auto-reply is on' }).waitFor({ timeout: 10000 });
    received = Buffer.alloc(0);
    ncat!.stdin!.write('echo me\n');
    await waitUntil('the echo at ncat', () => received.toString('latin1') === 'echo me\n');
    await pick('#auto-reply-mode', 'off');
    await panel.locator('#auto-reply-apply').click();
    await panel.locator('#state', { hasText: /^listening$/ }).waitFor({ timeout: 10000 });
    await setSectionOpen(panel, 'auto-reply', false);
  });

  it('clears the log from the panel', async () => {
    await ensureSomeRecord();
    assert.ok((await panel.locator('.rec').count()) > 0, 'a record to clear');
    await panel.locator('#clear').click();
    await panel.locator('#empty-line', { hasText: 'No traffic yet' }).waitFor({ timeout: 10000 });
    assert.strictEqual(await panel.locator('.rec').count(), 0);
  });

  it('keeps the draft and the rows when the panel is hidden and shown again', async () => {
    await ensureNcat();
    await pick('#format', 'text');
    await panel.locator('#payload textarea').fill('draft survives');
    ncat!.stdin!.write('while visible\n');
    await panel.locator('.rec .data.text', { hasText: 'while visible' }).waitFor({ timeout: 10000 });
    await hidePanel(wb, panel);
    await panelTab().click();
    await panel.locator('.rec .data.text', { hasText: 'while visible' }).waitFor({ timeout: 15000 });
    assert.strictEqual(await panel.locator('#payload textarea').inputValue(), 'draft survives');
  });

  it('exports the log as JSON Lines through the save dialog', async () => {
    // The log ends with the line 'while visible' from ncat (as the test before leaves it).
    await ensureNcat();
    const lastRow = panel.locator('.rec').last();
    const endsWithIt = async () =>
      (await lastRow.locator('.dir.in').count()) > 0 &&
      (await lastRow.locator('.data.text').innerText()).trim() === 'while visible\\n';
    if (!(await endsWithIt())) {
      ncat!.stdin!.write('while visible\n');
      await waitUntil('the line from ncat last in the log', endsWithIt, 15000);
    }
    // The save dialog proposes '<label>.jsonl' in the workspace folder.
    const file = path.join(wb.workspace, `TCP_127.0.0.1_${port}.jsonl`);
    await pick('#export-format', 'jsonl');
    await panel.locator('#export').click();
    await wb.answerPath(file, { exists: false });
    await panel.locator('#status', { hasText: 'Exported' }).waitFor({ timeout: 15000 });
    const lines = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const last = lines[lines.length - 1];
    assert.deepStrictEqual([last.direction, Buffer.from(last.base64, 'base64').toString()], ['in', 'while visible\n']);
  });

  it('sends a file chosen in the open dialog', async () => {
    await ensureNcat();
    const file = path.join(wb.workspace, 'payload.bin');
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    fs.writeFileSync(file, bytes);
    received = Buffer.alloc(0);
    await panel.locator('#send-file').click();
    await wb.answerPath(file); // the workbench's own open dialog (a quick input in the web workbench)
    await waitUntil('the file at ncat', () => received.length >= 256);
    assert.deepStrictEqual(received, bytes);
    await panel.locator('#send-status', { hasText: 'Sent 256 bytes from the file' }).waitFor({ timeout: 10000 });
  });

  it('scrolls 100,000 rows smoothly, skips what a hidden panel missed and fetches it when scrolled back', async () => {
    // A log of one line from ncat, then the 100,000 repeats: the line is the oldest record to fetch back.
    await ensureNcat();
    await panel.locator('#clear').click();
    await panel.locator('#empty-line', { hasText: 'No traffic yet' }).waitFor({ timeout: 10000 });
    ncat!.stdin!.write('before the flood\n');
    await panel.locator('.rec .data.text', { hasText: 'before the flood' }).waitFor({ timeout: 10000 });
    received = Buffer.alloc(0);
    await pick('#format', 'hex');
    await pick('#line-ending', 'none');
    await panel.locator('#payload textarea').fill('2e');
    await panel.locator('#repeat-interval input').fill('0');
    await panel.locator('#repeat-count input').fill('100000');
    await panel.locator('#byte-count', { hasText: /^1 byte$/ }).waitFor({ timeout: 10000 });
    const outBefore = Number(
      /Out: .*?([\d,]+) msgs/.exec(await panel.locator('#counters').innerText())![1].replace(/,/g, ''),
    );
    const started = Date.now();
    await panel.locator('#repeat').click();
    await waitUntil('100,000 bytes at ncat', () => received.length >= 100000, 120000);
    await panel
      .locator('#counters', { hasText: `${(outBefore + 100000).toLocaleString('en-US')} msgs` })
      .waitFor({ timeout: 20000 })
      .catch(async () => {
        assert.fail(`counters: ${await panel.locator('#counters').innerText()}`);
      });
    const floodMs = Date.now() - started;
    await panel.locator('#repeat-indicator').waitFor({ state: 'hidden', timeout: 20000 });
    const liveHeight = await panel.locator('#list').evaluate((list) => list.scrollHeight);

    // Hidden during a flood: when shown again the panel holds the newest rows and offers the older ones.
    await panel.locator('#list').evaluate((list) => (list.scrollTop = list.scrollHeight));
    await hidePanel(wb, panel);
    await panelTab().click();
    await panel
      .locator('.row.gap')
      .first()
      .waitFor({ state: 'attached', timeout: 10000 })
      .catch(() => undefined);
    await panel.locator('#list').evaluate((list) => (list.scrollTop = list.scrollHeight));
    const rowsAfterShow = await listRows(panel);
    assert.ok(
      rowsAfterShow <= BATCH_MAX_RECORDS + 1 + 1,
      `at most one batch of rows (and a gap row) after a reset: ${rowsAfterShow}`,
    );
    // The rows of the reset carry their bytes (a batch's previews travel in one buffer).
    await waitUntil(
      'the newest row to show 2e',
      async () => (await panel.locator('.rec .data.hex').last().innerText()).trim() === '2e',
      10000,
    );

    // Scrolling back loads older pages from the host until the whole log is in the list.
    const deadline = Date.now() + 90000;
    let fetches = 0;
    for (;;) {
      const height = await panel.locator('#list').evaluate((list) => ((list.scrollTop = 0), list.scrollHeight));
      // The log holds the line from ncat and the 100,000 repeats (and the list the column heads' row).
      if (height / 22 - 1 >= 100001) break;
      assert.ok(Date.now() < deadline, `backfill stalled at ${height / 22 - 1} rows`);
      await waitUntil(
        `an older page after ${height / 22 - 1} rows`,
        async () => (await panel.locator('#list').evaluate((list) => list.scrollHeight)) !== height,
        10000,
      );
      fetches++;
    }
    const totalRows = await listRows(panel);
    await panel.locator('.rec .data.text', { hasText: 'before the flood' }).waitFor({ timeout: 10000 });
    assert.strictEqual(await panel.locator('.row.gap').count(), 0);
    assert.ok(totalRows >= 100000, `the list holds the whole log: ${totalRows} rows`);

    // 100,000 rows: jump around the list; each frame must be quick and only a window of rows in the DOM.
    const perf = await panel.locator('#list').evaluate(async (list) => {
      const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const times: number[] = [];
      let maxRows = 0;
      for (let i = 0; i <= 40; i++) {
        const t0 = performance.now();
        list.scrollTop = (((i * 7919) % 41) / 40) * (list.scrollHeight - list.clientHeight);
        await frame();
        times.push(performance.now() - t0);
        maxRows = Math.max(maxRows, list.querySelectorAll('.row').length);
      }
      for (let i = 0; i < 60; i++) {
        const t0 = performance.now();
        list.scrollTop += 300;
        await frame();
        times.push(performance.now() - t0);
      }
      return { mean: times.reduce((x, y) => x + y, 0) / times.length, max: Math.max(...times), maxRows };
    });
    // Timing is a figure, never an assertion (speed is measured by the benchmarks).
    console.log(
      `      [figure] flood ${floodMs} ms (${Math.round(liveHeight / 22)} rows live); after re-show ${rowsAfterShow} rows, ${fetches} pages back to ${totalRows} rows; scroll frames (2 rAF) mean ${perf.mean.toFixed(1)} ms, max ${perf.max.toFixed(1)} ms; ${perf.maxRows} rows in the DOM`,
    );
    assert.ok(perf.maxRows < 200, `virtualized: ${perf.maxRows} rows in the DOM`);
    await wb.screenshot('send-panel-flood');
  });

  it('shows a banner and keeps the rows when the endpoint is stopped', async () => {
    await ensureSomeRecord();
    await stopListener();
    assert.ok((await panel.locator('.rec').count()) > 0);
    assert.strictEqual(await panel.locator('#composer').getAttribute('inert'), '');
  });

  it('comes back after a window reload with its draft and an endpoint-gone banner', async () => {
    if (!stopped) {
      await ensurePanel();
      await stopListener();
    }
    // The extension forgets the stopped listener at once, but the web workbench writes its stored state to
    // IndexedDB seconds later, and a reload sees only what was written: wait for that write.
    await waitForStoredStateWithout(wb.page, `"port":${port}`);
    // And the editors' state with the panel in it (a panel opened moments ago may not be written yet).
    await waitForStoredPanelState(wb.page, DRAFT_AT_STOP);
    await wb.page.reload();
    await wb.page.locator('.monaco-workbench').waitFor({ timeout: 60000 });
    const restored = wb.webview();
    await restored.locator('#banner', { hasText: 'no longer exists' }).waitFor({ timeout: 60000 });
    assert.strictEqual(await restored.locator('#payload textarea').inputValue(), DRAFT_AT_STOP);
    await restored.locator('#title', { hasText: `TCP 127.0.0.1:${port}` }).waitFor({ timeout: 10000 });
    await wb.screenshot('send-panel-restored');
  });

  it('raised no CSP violation in the webview', async () => {
    // Alone, the test has a panel to watch.
    if (!port) await ensurePanel();
    assert.deepStrictEqual(cspErrors, []);
  });
});
