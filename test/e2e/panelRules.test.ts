// The send panel's auto-reply rules table, log export and a Unix-domain listener's panel, in real
// Chromium inside the real workbench, against real peers (ncat over TCP, socat over a Unix socket).
import * as assert from 'assert';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { FrameLocator, Locator } from 'playwright-core';
import { listRows, setSectionOpen } from '../helpers/panel';
import { fillRule, setRulesTable, type RuleFields } from '../helpers/rulesTable';
import { Workbench, waitUntil } from '../helpers/workbench';

describe('Auto-reply rules table, export and a Unix listener in the send panel', function () {
  this.timeout(300000);
  let wb: Workbench;
  let panel: FrameLocator;
  let port = 0;
  let ncat: ChildProcess | undefined;
  let socat: ChildProcess | undefined;
  let received = Buffer.alloc(0);
  const cspErrors: string[] = [];

  /** Sets a vscode-single-select (custom element) the way a user's pick does: value + change event. */
  async function pick(target: string | Locator, value: string): Promise<void> {
    const locator = typeof target === 'string' ? panel.locator(target) : target;
    await locator.evaluate((el, v) => {
      (el as unknown as { value: string }).value = v;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }, value);
  }

  const PING: RuleFields = { kind: 'contains', match: 'ping', reply: 'pong\\n' };
  const HEX: RuleFields = { kind: 'hex', match: '01 02', reply: 'aa bb', format: 'hex' };
  const startsWithP = (reply: string): RuleFields => ({ kind: 'regex', match: '^(p\\w+)', reply });
  const HI_NAME: RuleFields = { kind: 'regex', match: '^hi (\\w+)', flags: 'i', reply: 'hello $1\\n' };

  const rule = (index: number) => panel.locator(`tr.rule-row[data-index="${index}"]`);
  const ruleMessage = (index: number) => panel.locator(`tr.rule-message[data-index="${index}"]`);

  async function apply(): Promise<void> {
    await panel.locator('#auto-reply-status').evaluate((s) => (s.textContent = ''));
    await panel.locator('#auto-reply-apply').click();
  }

  /**
   * Sends `data` from ncat and checks that exactly `reply` comes back, and nothing else. The host logs a
   * message and its auto-reply in the same tick (one batch to the panel), so once the message's row is in the
   * log the reply's row is there too, or there is none: the row count proves "no other answer" without
   * waiting for an absence.
   */
  async function expectReply(data: string | Buffer, reply: Buffer | string): Promise<void> {
    received = Buffer.alloc(0);
    const want = Buffer.from(reply);
    const before = await listRows(panel);
    ncat!.stdin!.write(data);
    await waitUntil('the message in the log', async () => (await listRows(panel)) > before, 15000);
    assert.strictEqual(
      await listRows(panel),
      before + (want.length ? 2 : 1),
      want.length ? 'the message and one reply in the log' : 'the message and no reply in the log',
    );
    await waitUntil(
      `the reply ${JSON.stringify(want.toString('latin1'))} at ncat`,
      () => received.length >= want.length,
      15000,
    ).catch(() => {
      throw new Error(
        `ncat got ${JSON.stringify(received.toString('latin1'))}, expected ${JSON.stringify(want.toString('latin1'))}`,
      );
    });
    assert.deepStrictEqual(received, want);
  }

  /**
   * The current panel (the TCP one unless a test opened another) in rules mode with the table holding exactly
   * `rules` (see setRulesTable); applied with `apply`.
   */
  async function ensureRules(rules: RuleFields[], { apply: applyThem = false } = {}): Promise<void> {
    if (!panel) await tcpPanelWithNcat();
    await setRulesTable(panel, rules);
    if (!applyThem) return;
    await apply();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply updated' }).waitFor({ timeout: 10000 });
  }

  /** Auto-reply off on the current panel (the exports see only the traffic they make). */
  async function ensureAutoReplyOff(): Promise<void> {
    if ((await panel.locator('#state').innerText()).trim() === 'listening') return;
    await setSectionOpen(panel, 'auto-reply');
    await pick('#auto-reply-mode', 'off');
    await apply();
    await panel.locator('#state', { hasText: /^listening$/ }).waitFor({ timeout: 10000 });
    await setSectionOpen(panel, 'auto-reply', false);
  }

  async function kinds(): Promise<string[]> {
    return panel
      .locator('tr.rule-row .rule-kind')
      .evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value));
  }

  before(async () => {
    wb = await Workbench.start();
    wb.page.on('console', (m) => {
      if (/Content Security Policy|Refused to (load|apply|execute)/i.test(m.text())) cspErrors.push(m.text());
    });
  });

  after(async () => {
    ncat?.kill('SIGKILL');
    socat?.kill('SIGKILL');
    await wb?.stop();
  });

  // Each test makes the state it needs through tcpPanelWithNcat, ensureRules and ensureAutoReplyOff (each a
  // no-op when the state is there already), so that any test passes alone (SOCKET_LAB_TEST_GREP) as well as
  // after the ones before it.

  /** The TCP listener's panel, the active editor, with ncat connected (made by whichever test needs it first). */
  async function tcpPanelWithNcat(): Promise<void> {
    if (ncat) {
      const tab = wb.page.locator('.tabs-container .tab', { hasText: `TCP 127.0.0.1:${port}` });
      if (!(await tab.evaluate((t) => t.classList.contains('active')))) await tab.click();
      panel = wb.webview();
      await panel.locator('#title', { hasText: `TCP 127.0.0.1:${port}` }).waitFor({ timeout: 10000 });
      return;
    }
    const started = await wb.startTcpListenerFromPalette('rules-listener-missing');
    port = started.port;
    panel = await wb.openPanelFromTree(started.item, 'rules-panel-missing');
    ncat = spawn('ncat', ['127.0.0.1', String(port)], { stdio: ['pipe', 'pipe', 'ignore'] });
    ncat.stdout!.on('data', (d: Buffer) => (received = Buffer.concat([received, d])));
    await panel
      .locator('#target vscode-option', { hasText: '127.0.0.1:' })
      .waitFor({ state: 'attached', timeout: 20000 });
  }

  /** Clears the log, then ncat sends 00 ff 10 0a and the panel sends de ad be ef 00: two records, one each way. */
  async function twoRawRecords(): Promise<Buffer[]> {
    await panel.locator('#clear').click();
    await panel.locator('#empty-line', { hasText: 'No traffic yet' }).waitFor({ timeout: 10000 });
    const fromPeer = Buffer.from([0x00, 0xff, 0x10, 0x0a]);
    ncat!.stdin!.write(fromPeer);
    await panel.locator('.rec .data.hex', { hasText: '00 ff 10 0a' }).waitFor({ timeout: 10000 });
    await pick('#format', 'hex');
    await pick('#line-ending', 'none');
    await panel.locator('#payload textarea').fill('de ad be ef 00');
    await panel.locator('#byte-count', { hasText: '5 bytes' }).waitFor({ timeout: 10000 });
    received = Buffer.alloc(0);
    await panel.locator('#send').click();
    await waitUntil('the bytes at ncat', () => received.length >= 5);
    await panel.locator('.rec .data.hex', { hasText: 'de ad be ef 00' }).waitFor({ timeout: 10000 });
    return [fromPeer, Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00])];
  }

  it('opens the panel of a TCP listener and connects ncat', async () => {
    await tcpPanelWithNcat();
  });

  it('builds two rules in the table, applies them, and ncat gets pong for ping and aa bb for 01 02', async () => {
    await tcpPanelWithNcat();
    await setSectionOpen(panel, 'auto-reply');
    await pick('#auto-reply-mode', 'rules');
    // A fresh panel starts with one empty row.
    await rule(0).waitFor({ timeout: 10000 });
    assert.strictEqual(await panel.locator('tr.rule-row').count(), 1);
    await fillRule(panel, 0, PING);
    await panel.locator('#rule-add').click();
    // Adding a rule puts the focus in its match field.
    await waitUntil('the focus in the new rule', () =>
      rule(1).evaluate((tr) => !!tr.querySelector('.rule-match')?.matches(':focus-within')),
    );
    await fillRule(panel, 1, HEX);
    // The regex flags field is there for regex rules only.
    assert.strictEqual(await rule(0).locator('.rule-flags').isVisible(), false);
    await apply();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply updated' }).waitFor({ timeout: 10000 });
    await panel.locator('#state', { hasText: 'Auto-reply is on' }).waitFor({ timeout: 10000 });
    await expectReply('ping\n', 'pong\n');
    await expectReply(Buffer.from([0x01, 0x02]), Buffer.from([0xaa, 0xbb]));
    // A message no rule matches gets no answer.
    await expectReply('no rule matches this\n', '');
    await wb.screenshot('rules-table');
  });

  it('flags malformed hex in a rule as it is typed, through the host live check', async () => {
    await tcpPanelWithNcat();
    await ensureRules([PING, HEX]);
    await rule(1).locator('.rule-match input').fill('01 0');
    await ruleMessage(1)
      .locator('.rule-error', { hasText: /Match: .*odd number of digits/ })
      .waitFor({ timeout: 10000 });
    assert.strictEqual(await rule(1).locator('.rule-match').getAttribute('invalid'), '');
    await rule(1).locator('.rule-reply input').fill('aa b');
    await ruleMessage(1)
      .locator('.rule-error', { hasText: /Reply: .*odd number of digits/ })
      .waitFor({ timeout: 10000 });
    await rule(1).locator('.rule-match input').fill('01 02');
    await rule(1).locator('.rule-reply input').fill('aa bb');
    await ruleMessage(1).waitFor({ state: 'hidden', timeout: 10000 });
    assert.strictEqual(await rule(1).locator('.rule-match').getAttribute('invalid'), null);
  });

  it('shows the core sentence next to a regex rule that does not compile, and applies nothing', async () => {
    await tcpPanelWithNcat();
    await ensureRules([PING, HEX], { apply: true });
    await rule(0).locator('.rule-reply input').fill('changed\\n');
    await panel.locator('#rule-add').click();
    await fillRule(panel, 2, { kind: 'regex', match: '(unclosed', reply: 'never' });
    assert.strictEqual(await rule(2).locator('.rule-flags').isVisible(), true);
    await apply();
    await ruleMessage(2)
      .locator('.rule-error', { hasText: /autoReply\.rules\[2\]\.regex: Invalid regular expression/ })
      .waitFor({ timeout: 10000 });
    await panel
      .locator('#auto-reply-status.error', { hasText: 'autoReply.rules[2].regex' })
      .waitFor({ timeout: 10000 });
    // Only that rule carries the message.
    assert.strictEqual(await ruleMessage(0).isVisible(), false);
    assert.strictEqual(await ruleMessage(1).isVisible(), false);
    // The rules applied before are still the ones in force.
    await expectReply('ping\n', 'pong\n');
    // Editing the rule clears its message; a compiling regex applies.
    await rule(2).locator('.rule-match input').fill('^(p\\w+)');
    await ruleMessage(2).waitFor({ state: 'hidden', timeout: 10000 });
    await rule(0).locator('.rule-reply input').fill('pong\\n');
  });

  it('tries the rules in order: moving a rule up changes which one answers', async () => {
    await tcpPanelWithNcat();
    await ensureRules([PING, HEX, startsWithP('never')]);
    // Rule 0 (contains ping) and rule 2 (regex ^(p\w+)) both match 'ping'.
    await rule(2).locator('.rule-reply input').fill('regex got $1\\n');
    await apply();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply updated' }).waitFor({ timeout: 10000 });
    await expectReply('ping\n', 'pong\n');

    // Move the regex rule up with its button, then once more with Alt+Up from its match field.
    await rule(2).locator('.rule-up').click();
    assert.deepStrictEqual(await kinds(), ['contains', 'regex', 'hex']);
    await rule(1).locator('.rule-match input').focus();
    await wb.page.keyboard.press('Alt+ArrowUp');
    assert.deepStrictEqual(await kinds(), ['regex', 'contains', 'hex']);
    // The focus stays in the moved rule's match field; its up button is now disabled.
    assert.ok(
      await rule(0).evaluate((tr) => !!tr.querySelector('.rule-match')?.matches(':focus-within')),
      'the focus followed the rule',
    );
    assert.strictEqual(await rule(0).locator('.rule-up').getAttribute('disabled'), '');
    assert.strictEqual(await rule(0).locator('.rule-match input').inputValue(), '^(p\\w+)');
    await apply();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply updated' }).waitFor({ timeout: 10000 });
    await expectReply('ping\n', 'regex got ping\n');
    await expectReply(Buffer.from([0x01, 0x02, 0x03]), Buffer.from([0xaa, 0xbb]));
  });

  it('removes a rule with its button and reaches every control with the keyboard', async () => {
    await tcpPanelWithNcat();
    await ensureRules([startsWithP('regex got $1\\n'), PING, HEX]);
    await panel.locator('#rule-add').click();
    assert.strictEqual(await panel.locator('tr.rule-row').count(), 4);
    await rule(3).locator('.rule-remove').click();
    assert.strictEqual(await panel.locator('tr.rule-row').count(), 3);
    // Every control of a row is labelled and in the tab order.
    const labels = await rule(0).evaluate((tr) =>
      [...tr.querySelectorAll('[data-field]')].map((e) => ({
        label: e.getAttribute('aria-label') ?? '',
        tab: (e as HTMLElement).tabIndex,
      })),
    );
    for (const l of labels) assert.ok(l.label.length > 0, JSON.stringify(labels));
    assert.deepStrictEqual(
      labels.map((l) => l.label),
      [
        'Matcher of rule 1',
        'Match of rule 1',
        'Regex flags of rule 1',
        'Reply of rule 1',
        'Reply format of rule 1',
        'Move rule 1 up (Alt+Up)',
        'Move rule 1 down (Alt+Down)',
        'Remove rule 1',
      ],
    );
    // Tab from the match field of rule 1 goes on through its fields (the disabled up button is skipped).
    await rule(0).locator('.rule-match input').focus();
    const visited: string[] = [];
    for (let i = 0; i < 5; i++) {
      await wb.page.keyboard.press('Tab');
      visited.push(
        await panel
          .locator('body')
          .evaluate(
            () =>
              (document.activeElement as HTMLElement | null)?.closest('[data-field]')?.getAttribute('aria-label') ??
              document.activeElement?.tagName ??
              '',
          ),
      );
    }
    assert.deepStrictEqual(visited, [
      'Regex flags of rule 1',
      'Reply of rule 1',
      'Reply format of rule 1',
      'Move rule 1 down (Alt+Down)',
      'Remove rule 1',
    ]);
  });

  it('keeps the rules rows when the panel is hidden and shown again', async () => {
    await tcpPanelWithNcat();
    await ensureRules([startsWithP('regex got $1\\n'), PING, HEX], { apply: true });
    await wb.runCommand('File: New Untitled Text File');
    await panel
      .locator('#payload')
      .waitFor({ state: 'detached', timeout: 10000 })
      .catch(() => undefined);
    await wb.page.locator('.tabs-container .tab', { hasText: `TCP 127.0.0.1:${port}` }).click();
    // The box is open as it was before the panel was hidden.
    await setSectionOpen(panel, 'auto-reply');
    await rule(2).waitFor({ timeout: 10000 });
    assert.strictEqual(
      await panel.locator('#auto-reply-mode').evaluate((s) => (s as unknown as { value: string }).value),
      'rules',
    );
    assert.deepStrictEqual(await kinds(), ['regex', 'contains', 'hex']);
    const values = await panel
      .locator('tr.rule-row')
      .evaluateAll((trs) =>
        trs.map((tr) =>
          [...tr.querySelectorAll('vscode-textfield, vscode-single-select')].map(
            (e) => (e as unknown as { value: string }).value,
          ),
        ),
      );
    assert.deepStrictEqual(values, [
      ['regex', '^(p\\w+)', '', 'regex got $1\\n', 'text'],
      ['contains', 'ping', '', 'pong\\n', 'text'],
      ['hex', '01 02', '', 'aa bb', 'hex'],
    ]);
    await wb.screenshot('rules-table-after-reshow');
    // Back to off: the panel says it listens again (the exports' ensureAutoReplyOff then has nothing to do).
    await pick('#auto-reply-mode', 'off');
    await apply();
    await panel.locator('#state', { hasText: /^listening$/ }).waitFor({ timeout: 10000 });
    await setSectionOpen(panel, 'auto-reply', false);
  });

  it('exports the log as text, exactly', async () => {
    await tcpPanelWithNcat();
    await ensureAutoReplyOff();
    await panel.locator('#clear').click();
    await panel.locator('#empty-line', { hasText: 'No traffic yet' }).waitFor({ timeout: 10000 });
    await panel.locator('#show-date').click();
    ncat!.stdin!.write('hello export\n');
    await panel.locator('.rec .data.text', { hasText: 'hello export' }).waitFor({ timeout: 10000 });
    await pick('#format', 'text');
    await pick('#line-ending', 'crlf');
    await panel.locator('#payload textarea').fill('bye\\t1');
    await panel.locator('#byte-count', { hasText: '7 bytes' }).waitFor({ timeout: 10000 });
    received = Buffer.alloc(0);
    await panel.locator('#send').click();
    await waitUntil('the reply at ncat', () => received.length >= 7);
    await panel.locator('.rec .dir.out').first().waitFor({ timeout: 10000 });
    // The panel shows each record's time with the date, as the text export writes it.
    const rows = await panel.locator('.rec').evaluateAll((recs) =>
      recs.map((r) => ({
        time: r.querySelector('.time')!.textContent!.trim(),
        peer: r.querySelector('.peer')!.textContent!.trim(),
      })),
    );
    assert.strictEqual(rows.length, 2);
    // The save dialog proposes '<label>.txt' in the workspace folder: answer with that very path, so a
    // dialog that fills in its proposal after the answer was typed still saves to the same file.
    const file = path.join(wb.workspace, `TCP_127.0.0.1_${port}.txt`);
    await pick('#export-format', 'text');
    await panel.locator('#export').click();
    await wb.answerPath(file, { exists: false });
    await panel.locator('#status', { hasText: 'Exported 2 records' }).waitFor({ timeout: 15000 });
    assert.strictEqual((await panel.locator('#status').innerText()).trim(), `Exported 2 records to ${file}`);
    const expected = `${rows[0].time} <- ${rows[0].peer} 13 B  hello export\\n\n${rows[1].time} -> ${rows[1].peer} 7 B  bye\\t1\\r\\n\n`;
    assert.strictEqual(fs.readFileSync(file, 'utf8'), expected);
    assert.match(rows[0].time, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    assert.match(rows[0].peer, /^127\.0\.0\.1:\d+$/);
  });

  it('exports the log as raw bytes, exactly', async () => {
    await tcpPanelWithNcat();
    await ensureAutoReplyOff();
    const [fromPeer, sent] = await twoRawRecords();
    const file = path.join(wb.workspace, `TCP_127.0.0.1_${port}.bin`);
    await pick('#export-format', 'raw');
    await panel.locator('#export').click();
    await wb.answerPath(file, { exists: false });
    await panel.locator('#status', { hasText: 'Exported 2 records' }).waitFor({ timeout: 15000 });
    assert.strictEqual((await panel.locator('#status').innerText()).trim(), `Exported 2 records to ${file}`);
    assert.deepStrictEqual(fs.readFileSync(file), Buffer.concat([fromPeer, sent]));
  });

  it('exports the log as pcapng that tshark reads: the same bytes both ways', async () => {
    await tcpPanelWithNcat();
    await ensureAutoReplyOff();
    await twoRawRecords();
    const file = path.join(wb.workspace, `TCP_127.0.0.1_${port}.pcapng`);
    await pick('#export-format', 'pcapng');
    await panel.locator('#export').click();
    await wb.answerPath(file, { exists: false });
    // An export before this one may have left its own 'Exported 2 records to …': wait for this file's line.
    await panel.locator('#status', { hasText: `Exported 2 records to ${file}` }).waitFor({ timeout: 15000 });
    assert.strictEqual((await panel.locator('#status').innerText()).trim(), `Exported 2 records to ${file}`);
    if (spawnSync('sh', ['-c', 'command -v tshark']).status !== 0) return;
    const data = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.payload', '-Y', 'tcp.len > 0'], {
      encoding: 'utf8',
    });
    assert.deepStrictEqual(data.stdout.replace(/:/g, '').trim().split('\n'), ['00ff100a', 'deadbeef00']);
  });

  it('opens the panel of a Unix-domain listener, sends to a socat peer and answers it by a rule', async () => {
    const sock = path.join(wb.workspace, 'panel.sock');
    await wb.runCommand('View: Close All Editors');
    await wb.runCommand('Socket Lab: Start Unix Socket Listener');
    await wb.answer(sock);
    await wb.answerFraming();
    const item = wb.treeItem(`Unix ${sock}`);
    await item.waitFor({ state: 'visible', timeout: 30000 });
    await item.hover();
    await item.locator('.action-label[aria-label^="Open Send Panel"]').click();
    panel = wb.webview();
    await panel.locator('#title', { hasText: `Unix ${sock}` }).waitFor({ timeout: 30000 });

    let fromListener = Buffer.alloc(0);
    socat = spawn('socat', ['-', `UNIX-CONNECT:${sock}`], { stdio: ['pipe', 'pipe', 'ignore'] });
    socat.stdout!.on('data', (d: Buffer) => (fromListener = Buffer.concat([fromListener, d])));
    // The target list offers the accepted connection once it is there.
    await waitUntil(
      'the Unix connection in the target list',
      async () => (await panel.locator('#target vscode-option').count()) === 2,
    );
    await pick('#format', 'hex');
    await panel.locator('#payload textarea').fill('75 6e 69 78 00 ff 0a');
    await panel.locator('#byte-count', { hasText: '7 bytes' }).waitFor({ timeout: 10000 });
    await panel.locator('#send').click();
    await waitUntil('socat to receive 7 bytes', () => fromListener.length >= 7);
    assert.deepStrictEqual(fromListener, Buffer.from([0x75, 0x6e, 0x69, 0x78, 0x00, 0xff, 0x0a]));
    await panel.locator('#send-status', { hasText: 'Sent 7 bytes' }).waitFor({ timeout: 10000 });

    // The rules table works on a Unix listener as well.
    await setSectionOpen(panel, 'auto-reply');
    await pick('#auto-reply-mode', 'rules');
    await fillRule(panel, 0, HI_NAME);
    await apply();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply updated' }).waitFor({ timeout: 10000 });
    fromListener = Buffer.alloc(0);
    socat.stdin!.write('HI unix\n');
    await waitUntil('the rule reply at socat', () => fromListener.toString().includes('\n'));
    assert.strictEqual(fromListener.toString(), 'hello unix\n');
    await panel.locator('.rec .data.text', { hasText: 'HI unix' }).waitFor({ timeout: 10000 });
    await wb.screenshot('send-panel-unix');
  });

  it('edits the rules as JSON and back, and stops adding rules at 100', async () => {
    // The rule the Unix listener's test leaves in its table (on the TCP panel when this test runs alone).
    await ensureRules([HI_NAME]);
    await panel.locator('#rules-as-json').click();
    const json = panel.locator('#auto-reply-rules textarea');
    await json.waitFor({ timeout: 10000 });
    assert.deepStrictEqual(JSON.parse(await json.inputValue()), [
      { regex: '^hi (\\w+)', flags: 'i', reply: { data: 'hello $1\\n' } },
    ]);
    const edited =
      '[{ "regex": "^hi (\\\\w+)", "flags": "i", "reply": { "data": "hello $1\\\\n" } }, { "hex": "ff", "reply": { "data": "AQI=", "format": "base64" } }';
    await json.fill(edited);
    // Not valid JSON: the table does not come back and the panel says why.
    await panel.locator('#rules-as-json').click();
    await panel.locator('#auto-reply-status.error', { hasText: 'not valid JSON' }).waitFor({ timeout: 10000 });
    assert.strictEqual(await json.isVisible(), true);
    await json.fill(`${edited}]`);
    await panel.locator('#rules-as-json').click();
    await rule(1).waitFor({ timeout: 10000 });
    assert.deepStrictEqual(await kinds(), ['regex', 'hex']);
    assert.strictEqual(await rule(1).locator('.rule-reply input').inputValue(), 'AQI=');
    assert.strictEqual(
      await rule(1)
        .locator('.rule-format')
        .evaluate((s) => (s as unknown as { value: string }).value),
      'base64',
    );

    const add = panel.locator('#rule-add');
    for (let i = 2; i < 100; i++) await add.click();
    assert.strictEqual(await panel.locator('tr.rule-row').count(), 100);
    assert.strictEqual(await add.getAttribute('disabled'), '');
    await panel.locator('#rules-limit', { hasText: 'At most 100 rules' }).waitFor({ timeout: 10000 });
    await wb.screenshot('rules-table-100');
    // 100 rules are accepted (98 empty 'contains' rules after the two above: the first match still wins).
    await apply();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply updated' }).waitFor({ timeout: 10000 });
    await rule(99).locator('.rule-remove').click();
    assert.strictEqual(await panel.locator('tr.rule-row').count(), 99);
    assert.strictEqual(await add.getAttribute('disabled'), null);
    assert.strictEqual((await panel.locator('#rules-limit').innerText()).trim(), '');
  });

  it('raised no CSP violation in the webview', async () => {
    // Alone, the test has a panel to watch.
    if (!panel) await tcpPanelWithNcat();
    assert.deepStrictEqual(cspErrors, []);
  });
});
