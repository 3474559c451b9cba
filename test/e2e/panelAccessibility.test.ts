// The send panel's accessibility in the real workbench (issue 19): every field has a name a screen reader
// reads, the History and Auto-reply headings stay readable in a high-contrast theme; axe-core in the panel's
// frame in four themes with the panel fully populated; keyboard-only walks read through Chromium's
// accessibility tree (what a screen reader is given): the log, Repeat/Stop, History, the dialogs, the rule rows.
import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import type { FrameLocator } from 'playwright-core';
import {
  THEMES,
  activeRowAxNode,
  axeViolations,
  panelFrame,
  axProperty,
  focusedAxNode,
  focusedId,
  panelAxTree,
  pickOption,
  setPayload,
  setSectionOpen,
  tabTo,
  useTheme,
  type AxNode,
} from '../helpers/panel';
import { Workbench, selectOption, waitUntil } from '../helpers/workbench';

describe('Send panel accessibility', function () {
  this.timeout(240000);
  let wb: Workbench;

  before(async () => {
    wb = await Workbench.start();
    await wb.openSocketsView();
  });

  // Each test starts from an empty Sockets view and no open editor, so labels and webviews are unambiguous.
  beforeEach(() => wb.reset());

  after(async () => {
    await wb?.stop();
  });

  // Accessibility: every field of the composer, the fixed reply and the export format have a name a screen
  // reader reads (the inner input of a vscode-textfield takes its aria-label from the `label` property).
  it('the repeat fields, the fixed reply and the export format have proper labels', async () => {
    const { panel } = await wb.openListenerPanel('Socket Lab: Start TCP Listener', 'TCP');
    const innerLabel = (selector: string) =>
      panel
        .locator(selector)
        .evaluate(
          (host) =>
            host.shadowRoot
              ?.querySelector('input, textarea, [role="combobox"], .select-face')
              ?.getAttribute('aria-label') ?? '',
        );
    // The spoken name is the visible label (WCAG 2.5.3), which says what the field is.
    assert.strictEqual(await innerLabel('#repeat-interval'), 'Repeat every (ms)');
    assert.strictEqual(await innerLabel('#repeat-count'), 'times (empty = until stopped)');
    assert.match(await innerLabel('#payload'), /payload/i);
    assert.strictEqual(await panel.locator('#export-format').getAttribute('aria-label'), 'Export format');
    assert.match(await innerLabel('#export-format'), /^Export format$/);
    await setSectionOpen(panel, 'auto-reply');
    await selectOption(panel, '#auto-reply-mode', 'fixed');
    await panel.locator('#auto-reply-data').waitFor({ timeout: 5000 });
    assert.ok((await innerLabel('#auto-reply-data')).length > 0, 'the fixed reply has a label');
    assert.ok(
      ((await panel.locator('#auto-reply-data').getAttribute('placeholder')) ?? '').length > 0,
      'the fixed reply has a placeholder',
    );
    // The auto-reply's own encoding is named as what it is, starting with its visible label.
    assert.strictEqual(await innerLabel('#auto-reply-encoding'), 'Encoding of the auto-reply text');
  });

  // High Contrast Light defines no section header background: the History and Auto-reply headings must
  // still be readable (not near-black bars under a dark chevron).
  it('the History and Auto-reply headings are readable in High Contrast Light', async () => {
    const { panel } = await wb.openListenerPanel('Socket Lab: Start TCP Listener', 'TCP');
    await wb.setColorTheme('Light High Contrast', 'hc-light');
    try {
      // The panel has the theme once its page is white.
      await waitUntil(
        'the panel in High Contrast Light',
        async () =>
          (await panel.locator('body').evaluate((body) => getComputedStyle(body).backgroundColor)) ===
          'rgb(255, 255, 255)',
      );
      await wb.screenshot('panel-theme-hc-light');
      for (const id of ['#history-toggle', '#auto-reply-toggle']) {
        const colours = await panel.locator(id).evaluate((toggle) => {
          /** The first opaque background from the heading's button up (the page's own otherwise). */
          let bg = 'rgba(0, 0, 0, 0)';
          for (let e: Element | null = toggle; e && /rgba\(.*, 0\)|transparent/.test(bg); e = e.parentElement)
            bg = getComputedStyle(e).backgroundColor;
          if (/rgba\(.*, 0\)|transparent/.test(bg)) bg = getComputedStyle(document.body).backgroundColor;
          return {
            bg,
            title: getComputedStyle(toggle.querySelector('span:not(.codicon)')!).color,
            icon: getComputedStyle(toggle.querySelector('.codicon')!).color,
          };
        });
        const lum = (c: string) => {
          const [r, g, b] = (c.match(/[\d.]+/g) ?? [])
            .slice(0, 3)
            .map((x) => Number(x) / 255)
            .map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const contrast = (a: string, b: string) =>
          (Math.max(lum(a), lum(b)) + 0.05) / (Math.min(lum(a), lum(b)) + 0.05);
        assert.ok(contrast(colours.title, colours.bg) >= 4.5, `${id}: title ${colours.title} on ${colours.bg}`);
        assert.ok(contrast(colours.icon, colours.bg) >= 3, `${id}: chevron ${colours.icon} on ${colours.bg}`);
      }
    } finally {
      await wb.setColorTheme('Dark Modern', 'vs-dark');
    }
  });
});

describe('Send panel for keyboard and screen-reader users (issue 19)', function () {
  this.timeout(300000);
  let wb: Workbench;
  let panel: FrameLocator;
  let ncat: ChildProcess | undefined;
  let received = Buffer.alloc(0);

  /** What the hidden announcer said, in order, since the last call (a MutationObserver in the frame keeps it). */
  async function announcements(): Promise<string[]> {
    return panel.locator('#announcer').evaluate((a) => {
      const w = window as unknown as { __said?: string[] };
      if (!w.__said) {
        w.__said = [];
        new MutationObserver(() => w.__said!.push(a.textContent!.replace(/\u00a0$/, ''))).observe(a, {
          childList: true,
          characterData: true,
          subtree: true,
        });
      }
      return w.__said.splice(0);
    });
  }

  async function ax(): Promise<AxNode[]> {
    return panelAxTree(wb.page);
  }

  before(async () => {
    wb = await Workbench.start();
    const started = await wb.startTcpListenerFromPalette('a11y-listener-missing');
    panel = await wb.openPanelFromTree(started.item, 'a11y-panel-missing');
    ncat = spawn('ncat', ['127.0.0.1', String(started.port)], { stdio: ['pipe', 'pipe', 'ignore'] });
    ncat.stdout!.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    await panel
      .locator('#target vscode-option', { hasText: '127.0.0.1:' })
      .waitFor({ state: 'attached', timeout: 20000 });
  });

  after(async () => {
    ncat?.kill('SIGKILL');
    await wb?.stop();
  });

  it('opens with the focus in the payload, not on the page', async () => {
    await waitUntil('the focus in the payload', async () => (await focusedId(panel)) === 'payload');
    const focused = focusedAxNode(await ax());
    assert.strictEqual(focused?.role?.value, 'textbox');
    assert.strictEqual(focused?.name?.value, 'Payload');
  });

  it('axe-core finds no WCAG 2.x A/AA violation in Dark Modern, Light Modern and both high-contrast themes', async () => {
    // Fully populated: rows (one long, one expanded and selected), two history entries, two rules.
    // One row each: the next line goes once the row of the one before is there (TCP would join them).
    const lines = ['hello one\n', 'hello two\n', `${'x'.repeat(600)}\n`];
    for (const [i, line] of lines.entries()) {
      ncat!.stdin!.write(line);
      await waitUntil(`row ${i + 1}`, async () => (await panel.locator('.rec').count()) > i);
    }
    for (const data of ['first payload', 'second payload']) {
      await panel.locator('#payload textarea').fill(data);
      await panel.locator('#byte-count', { hasText: /bytes/ }).waitFor({ timeout: 10000 });
      await panel.locator('#send').click();
      await panel.locator('#send-status', { hasText: 'Sent' }).waitFor({ timeout: 10000 });
    }
    await setSectionOpen(panel, 'history');
    await setSectionOpen(panel, 'auto-reply');
    await pickOption(panel.locator('#auto-reply-mode'), 'rules');
    await panel.locator('tr.rule-row').first().locator('.rule-match input').fill('ping');
    await panel.locator('tr.rule-row').first().locator('.rule-reply input').fill('pong\\n');
    await panel.locator('#rule-add').click();
    await pickOption(panel.locator('tr.rule-row[data-index="1"] .rule-kind'), 'regex');
    await panel.locator('tr.rule-row[data-index="1"] .rule-match input').fill('^get (\\w+)');
    await panel.locator('.rec', { hasText: 'hello two' }).first().locator('.line').click();
    await panel.locator('.rec.expanded.selected .dump').waitFor({ timeout: 10000 });
    const frame = await panelFrame(wb.page);
    const found: string[] = [];
    for (const theme of THEMES) {
      await useTheme(wb, panel, theme);
      await wb.screenshot(`a11y-axe-${theme.name}`);
      found.push(...(await axeViolations(frame, theme.label)));
    }
    assert.deepStrictEqual(found, []);
  });

  it('the log is a treegrid: the keys move the active row, which is spoken by its summary, and copy it', async () => {
    // Keyboard only: from the Export button, Tab reaches the log.
    await panel.locator('#export').focus();
    await tabTo(wb.page, panel, 'list');
    let nodes = await ax();
    const grid = focusedAxNode(nodes);
    assert.strictEqual(grid?.role?.value, 'treegrid');
    assert.strictEqual(grid?.name?.value, 'Traffic');
    // The log's column heads are exposed (the rules table has its own too).
    const heads = nodes.filter((n) => n.role?.value === 'columnheader').map((n) => n.name?.value ?? '');
    const logHeads = ['Time', 'Dir', 'Peer', 'Length', 'Text', 'Hex'];
    assert.ok(heads.join('|').includes(logHeads.join('|')), `column heads: ${JSON.stringify(heads)}`);
    await wb.page.keyboard.press('Home');
    await waitUntil('the first row active', async () =>
      /hello one/.test(activeRowAxNode(await ax())?.name?.value ?? ''),
    );
    nodes = await ax();
    const row = activeRowAxNode(nodes);
    assert.match(row?.name?.value ?? '', /^in, \d\d:\d\d:\d\d\.\d{3}, from 127\.0\.0\.1:\d+, 10 bytes: hello one\\n$/);
    assert.strictEqual(axProperty(row, 'selected'), true);
    assert.strictEqual(axProperty(row, 'expanded'), false);
    // Its index and the row count (the column heads are row 1).
    const [index, count] = await panel
      .locator('#list')
      .evaluate((l) => [
        l.querySelector(`#${l.getAttribute('aria-activedescendant')}`)!.getAttribute('aria-rowindex'),
        l.getAttribute('aria-rowcount'),
      ]);
    assert.strictEqual(index, '2');
    assert.ok(Number(count) >= 6, `aria-rowcount ${count}`);
    await wb.page.keyboard.press('ArrowDown');
    await waitUntil('the second row active', async () =>
      /hello two/.test(activeRowAxNode(await ax())?.name?.value ?? ''),
    );
    // Enter shows its hex dump (expanded) or hides it, and again the other way (it was opened above, by a click).
    const wasExpanded = axProperty(activeRowAxNode(await ax()), 'expanded');
    assert.strictEqual(wasExpanded, true);
    await wb.page.keyboard.press('Enter');
    await waitUntil('the row collapsed', async () => axProperty(activeRowAxNode(await ax()), 'expanded') === false);
    await wb.page.keyboard.press('Enter');
    await waitUntil('the row expanded', async () => axProperty(activeRowAxNode(await ax()), 'expanded') === true);
    await wb.page.keyboard.press('Enter');
    await waitUntil(
      'the row collapsed again',
      async () => axProperty(activeRowAxNode(await ax()), 'expanded') === false,
    );
    // Ctrl+C copies the selected row (not an expanded one elsewhere).
    await wb.page
      .context()
      .grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(wb.page.url()).origin });
    await panel.locator('#status').evaluate((s) => (s.textContent = ''));
    await wb.page.keyboard.press('Control+c');
    await panel.locator('#status', { hasText: 'Copied' }).waitFor({ timeout: 10000 });
    const text = await wb.page.evaluate(() => navigator.clipboard.readText());
    assert.strictEqual(text, 'hello two\n');
    await wb.page.keyboard.press('Control+Shift+C');
    await waitUntil(
      'the hex on the clipboard',
      async () => (await wb.page.evaluate(() => navigator.clipboard.readText())) === '68 65 6c 6c 6f 20 74 77 6f 0a',
    );
    // The focus stayed in the log.
    assert.strictEqual(await focusedId(panel), 'list');
    await wb.page.keyboard.press('End');
    await waitUntil('the last row active', async () => /^out, /.test(activeRowAxNode(await ax())?.name?.value ?? ''));
  });

  it('Repeat hands the focus to Stop when it starts, and Stop back to Repeat', async () => {
    await panel.locator('#payload textarea').fill('tick');
    await panel.locator('#repeat-interval input').fill('200');
    await panel.locator('#repeat-count input').fill('');
    await panel.locator('#byte-count', { hasText: /^4 bytes$/ }).waitFor({ timeout: 10000 });
    await tabTo(wb.page, panel, 'repeat');
    await wb.page.keyboard.press('Enter');
    await waitUntil('the focus on Stop', async () => (await focusedId(panel)) === 'stop-repeat');
    assert.strictEqual(focusedAxNode(await ax())?.name?.value, 'Stop');
    await wb.page.keyboard.press('Enter');
    await waitUntil('the focus back on Repeat', async () => (await focusedId(panel)) === 'repeat');
    await panel.locator('#stop-repeat').waitFor({ state: 'hidden', timeout: 10000 });
    assert.strictEqual(focusedAxNode(await ax())?.name?.value, 'Repeat');
  });

  it('History: its heading is a button that says whether it is open, and picking an entry keeps it open with the focus in the payload', async () => {
    await setSectionOpen(panel, 'history', false);
    await tabTo(wb.page, panel, 'history-toggle');
    let nodes = await ax();
    const toggle = focusedAxNode(nodes);
    assert.strictEqual(toggle?.role?.value, 'button');
    assert.strictEqual(toggle?.name?.value, 'History');
    assert.strictEqual(axProperty(toggle, 'expanded'), false);
    await wb.page.keyboard.press('Space');
    await waitUntil('History open', async () => axProperty(focusedAxNode(await ax()), 'expanded') === true);
    // A heading of level 2 (after the panel's h1).
    nodes = await ax();
    assert.ok(
      nodes.some((n) => n.role?.value === 'heading' && n.name?.value === 'History' && axProperty(n, 'level') === 2),
      'History is a heading of level 2',
    );
    await wb.page.keyboard.press('Tab');
    const entry = focusedAxNode(await ax());
    assert.strictEqual(entry?.role?.value, 'button');
    assert.match(entry?.name?.value ?? '', /tick/);
    await wb.page.keyboard.press('Enter');
    await waitUntil('the focus in the payload', async () => (await focusedId(panel)) === 'payload');
    assert.strictEqual(await panel.locator('#payload textarea').inputValue(), 'tick');
    assert.strictEqual(await panel.locator('#history-toggle').getAttribute('aria-expanded'), 'true');
    // The entries are a list of buttons of at least 24 px.
    const heights = await panel
      .locator('.history-list > li > button')
      .evaluateAll((b) => b.map((x) => x.getBoundingClientRect().height));
    assert.ok(heights.length >= 2 && heights.every((h) => h >= 24), `entries ${heights.join(', ')} px high`);
  });

  it('the focus returns to Export… and Send File… when their dialogs close', async () => {
    for (const id of ['export', 'send-file']) {
      await tabTo(wb.page, panel, id, id === 'send-file');
      await wb.page.keyboard.press('Enter');
      const input = wb.page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 20000 });
      await wb.page.keyboard.press('Escape');
      await wb.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10000 });
      await waitUntil(`the focus back on #${id}`, async () => (await focusedId(panel)) === id);
    }
  });

  it('every control of a rule row is named after its rule, and Alt+Down moves the rule with the focus', async () => {
    const nodes = await ax();
    const names = nodes.map((n) => `${n.role?.value}:${n.name?.value}`);
    for (const n of [1, 2])
      for (const expected of [
        `combobox:Matcher of rule ${n}`,
        `textbox:Match of rule ${n}`,
        `textbox:Reply of rule ${n}`,
        `combobox:Reply format of rule ${n}`,
        `button:Remove rule ${n}`,
      ])
        assert.ok(names.includes(expected), `no ${expected}`);
    // Named once each: not 'Match' twice from identical placeholders.
    assert.strictEqual(names.filter((n) => n === 'textbox:Match of rule 1').length, 1);
    await panel.locator('tr.rule-row[data-index="0"] .rule-match input').focus();
    await wb.page.keyboard.press('Alt+ArrowDown');
    await waitUntil('rule 1 moved down', async () =>
      panel
        .locator('tr.rule-row[data-index="1"]')
        .evaluate((tr) => !!tr.querySelector('.rule-match')?.matches(':focus-within')),
    );
    assert.strictEqual(await panel.locator('tr.rule-row[data-index="1"] .rule-match input').inputValue(), 'ping');
    assert.strictEqual(focusedAxNode(await ax())?.name?.value, 'Match of rule 2');
  });

  it('the payload error is described and marked invalid on the field, and said once, not at every keystroke', async () => {
    await setPayload(panel, 'hex', '');
    await panel.locator('#payload textarea').focus();
    await announcements();
    // Ten keystrokes that all leave the payload invalid (the 'z' stays, digits typed in front of it), each
    // checked on its own: the sentence names the z's position, so it changes at every key.
    await wb.page.keyboard.type('z');
    const error = panel.locator('#payload-error', { hasText: /Hex payload/ });
    await error.waitFor({ timeout: 10000 });
    await wb.page.keyboard.press('Home');
    for (const key of '012345678') {
      const before = await error.innerText();
      await wb.page.keyboard.type(key);
      // Each key gets its own check (the message names the position, so it changes).
      await waitUntil(`the check after ${key}`, async () => (await error.innerText()) !== before);
    }
    const said = await announcements();
    const aboutThePayload = said.filter((s) => /Hex payload/.test(s));
    assert.strictEqual(aboutThePayload.length, 1, `announced ${JSON.stringify(said)}`);
    // No assertive region repeats it.
    assert.strictEqual(await panel.locator('[role="alert"]', { hasText: /Hex payload/ }).count(), 0);
    const field = focusedAxNode(await ax());
    assert.strictEqual(field?.name?.value, 'Payload');
    assert.strictEqual(axProperty(field, 'invalid'), 'true');
    assert.match(field?.description?.value ?? '', /Hex payload/);
    await panel.locator('#payload textarea').fill('48 69');
    await waitUntil('the payload valid', async () => axProperty(focusedAxNode(await ax()), 'invalid') === 'false');
    await pickOption(panel.locator('#format'), 'text');
  });

  it("outcomes are announced: the filter's result, a log cleared", async () => {
    await announcements();
    await panel.locator('#filter input').fill('hello one');
    await waitUntil('the filter result announced', async () =>
      (await panel.locator('#announcer').innerText()).trim().startsWith('1 of '),
    );
    await panel.locator('#filter input').fill('no such row');
    await waitUntil('no match announced', async () =>
      (await panel.locator('#announcer').innerText()).includes('No row matches the filter.'),
    );
    await panel.locator('#filter input').fill('');
    await panel.locator('#clear').click();
    await waitUntil('the clear announced', async () =>
      (await panel.locator('#announcer').innerText()).includes('Log cleared. No traffic yet.'),
    );
  });

  it('visible labels are the start of the spoken names', async () => {
    const pairs = await panel.locator('label.labelled').evaluateAll((labels) =>
      labels
        .filter((l) => (l as HTMLElement).offsetParent !== null)
        .map((l) => {
          const text = l.querySelector('.label-text')!.textContent!.trim();
          const control = l.querySelector('.label-text + *')!;
          const inner = control.shadowRoot?.querySelector('input, textarea, [role="combobox"]');
          return [text, inner?.getAttribute('aria-label') ?? control.getAttribute('aria-label') ?? ''];
        }),
    );
    assert.ok(pairs.length >= 6, JSON.stringify(pairs));
    for (const [text, name] of pairs) assert.ok(name.startsWith(text), `"${text}" is spoken "${name}"`);
  });
});
