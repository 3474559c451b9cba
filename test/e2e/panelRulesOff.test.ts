// A regex auto-reply rule switched off by its CPU budget, as the send panel shows it, in real Chromium inside
// the real workbench: a UDP listener's rules, a real peer sending 60,000-byte datagrams on which the regex
// takes longer than its per-message budget, the rule's row marked with why, the status line saying it once,
// and Apply switching it on again.
import * as assert from 'assert';
import * as dgram from 'dgram';
import type { FrameLocator } from 'playwright-core';
import { pickOption, setSectionOpen } from '../helpers/panel';
import { Workbench, waitUntil } from '../helpers/workbench';

describe('A switched-off auto-reply rule in the send panel', function () {
  this.timeout(300000);
  let wb: Workbench;
  let panel: FrameLocator;
  let port = 0;
  const peer = dgram.createSocket('udp4');
  const inbox: string[] = [];
  peer.on('message', (m) => inbox.push(m.toString('latin1', 0, 16)));

  const rule = (index: number) => panel.locator(`tr.rule-row[data-index="${index}"]`);
  const ruleMessage = (index: number) => panel.locator(`tr.rule-message[data-index="${index}"]`);
  const status = () => panel.locator('#auto-reply-status');

  async function fillRule(index: number, kind: 'contains' | 'regex', match: string, reply: string): Promise<void> {
    const row = rule(index);
    await row.waitFor({ timeout: 10000 });
    await pickOption(row.locator('.rule-kind'), kind);
    await row.locator('.rule-match input').fill(match);
    await row.locator('.rule-reply input').fill(reply);
  }

  async function applyAndWait(): Promise<void> {
    await status().evaluate((s) => (s.textContent = ''));
    await panel.locator('#auto-reply-apply').click();
    await panel.locator('#auto-reply-status', { hasText: 'Auto-reply updated' }).waitFor({ timeout: 10000 });
  }

  /** Sends ping and waits for pong: the contains rule still answers. */
  async function expectPong(): Promise<void> {
    inbox.length = 0;
    peer.send('ping', port, '127.0.0.1');
    await waitUntil('pong at the peer', () => inbox.includes('pong'), 15000);
  }

  before(async () => {
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
    wb = await Workbench.start();
  });

  after(async () => {
    peer.close();
    await wb?.stop();
  });

  it('marks the rule, says once why and how to switch it on, and Apply switches it on again', async () => {
    ({ panel, port } = await wb.openListenerPanel('Socket Lab: Start UDP Listener', 'UDP'));
    await setSectionOpen(panel, 'auto-reply');
    await pickOption(panel.locator('#auto-reply-mode'), 'rules');
    await fillRule(0, 'contains', 'ping', 'pong');
    await panel.locator('#rule-add').click();
    // Linear-time matching, but slow enough on 60,000 bytes to go over the per-message budget (as the core's tests do).
    await fillRule(1, 'regex', '((.*)a){6}', '$1');
    await applyAndWait();
    await expectPong();

    // Count what the status line (a polite live region) says about switched-off rules from here on.
    await status().evaluate((s) => {
      const w = window as unknown as { offSaid: string[] };
      w.offSaid = [];
      new MutationObserver(() => {
        if (/switched off/.test(s.textContent ?? '')) w.offSaid.push(s.textContent!);
      }).observe(s, { childList: true, characterData: true, subtree: true });
    });

    // One datagram at a time: the next goes once the regex answered it (or the rule went off), bounded in count and time.
    const heavy = Buffer.alloc(60000, 0x61);
    const isOff = () => rule(1).evaluate((tr) => tr.classList.contains('rule-off'));
    const deadline = Date.now() + 60000;
    for (let sent = 0; sent < 50 && Date.now() < deadline && !(await isOff()); sent++) {
      inbox.length = 0;
      await new Promise<void>((r) => peer.send(heavy, port, '127.0.0.1', () => r()));
      await waitUntil('the regex reply or the rule off', async () => inbox.length > 0 || (await isOff()), 20000);
    }
    await waitUntil('rule 2 marked switched off', isOff);

    const note = (await ruleMessage(1).locator('.rule-off-note').innerText()).trim();
    assert.match(note, /^Switched off: autoReply\.rules\[1\]\.regex (took longer than|used \d+ ms of CPU within)/);
    assert.ok(await ruleMessage(1).locator('.rule-off-note .codicon-warning').count(), 'a warning icon');
    assert.strictEqual(await rule(0).evaluate((tr) => tr.classList.contains('rule-off')), false, 'rule 1 is on');
    const said = await status().innerText();
    assert.match(
      said,
      /^Rule 2 is switched off: autoReply\.rules\[1\]\.regex .*; apply the auto-reply again to switch it on\.$/,
    );
    assert.strictEqual(await status().getAttribute('role'), 'status');
    await wb.screenshot('panel-rule-switched-off');

    // The other rule keeps answering, and the endpoint updates that follow do not say it again.
    await expectPong();
    await expectPong();
    assert.deepStrictEqual(await status().evaluate(() => (window as unknown as { offSaid: string[] }).offSaid), [said]);

    // Applying the auto-reply again switches the rule on: the mark and the note go.
    await applyAndWait();
    await waitUntil(
      'rule 2 no longer marked',
      async () => !(await rule(1).evaluate((tr) => tr.classList.contains('rule-off'))),
    );
    assert.strictEqual(await ruleMessage(1).isVisible(), false);
    await expectPong();
    assert.strictEqual(await status().innerText(), 'Auto-reply updated');
  });
});
