// The send panel's framing UI and its Multicast / Broadcast section held to issue 19's bar in the real workbench:
// a length-framed TCP listener's header (framing shown, Framing…), the Hide delimiters checkbox and an expanded
// length-framed row (header and body dumps), then line frames' delimiters on a selected row after Framing… is
// pressed by keyboard; a UDP socket's section expanded with the Broadcast switch on and a group joined on
// 127.0.0.1. Each checked by axe-core in Dark Modern, Light Modern and both high-contrast themes,
// with a screenshot per theme; the controls' names read through Chromium's accessibility tree and reached by Tab.
import * as assert from 'assert';
import * as net from 'net';
import { axeInEveryTheme, focusedId, panelAxTree, tabTo } from '../helpers/panel';
import { Workbench, waitUntil } from '../helpers/workbench';

describe('Framing and multicast panel UI for keyboard and screen-reader users (issue 19)', function () {
  this.timeout(300000);
  let wb: Workbench;
  const peers: net.Socket[] = [];

  before(async () => {
    wb = await Workbench.start({ settings: { 'socketLab.restoreEndpoints': false } });
    await wb.openSocketsView();
  });

  after(async () => {
    for (const peer of peers) peer.destroy();
    await wb?.stop();
  });

  /** The role:name pairs of the panel's accessibility tree. */
  async function axNames(): Promise<string[]> {
    return (await panelAxTree(wb.page)).map((n) => `${n.role?.value}:${n.name?.value}`);
  }

  it('the framing header, Hide delimiters and an expanded length-framed row pass axe-core in four themes', async () => {
    const { panel, port } = await wb.openListenerPanel('Socket Lab: Start TCP Listener', 'TCP', async () => {
      await wb.answerFraming(/Length prefix/);
      await wb.answer('2');
    });
    await panel.locator('#framing', { hasText: /Framing: length/ }).waitFor({ timeout: 10000 });

    // A peer sends two length-prefixed frames in one write: 00 03 "abc", 00 01 "z".
    const peer = net.connect(port, '127.0.0.1');
    peer.on('error', () => undefined);
    peers.push(peer);
    peer.write(Buffer.from('0003616263' + '00017a', 'hex'));
    await waitUntil('two frames in the log', async () => (await panel.locator('.rec').count()) === 2);
    await panel.locator('.rec').first().locator('.line').click();
    const expanded = panel.locator('.rec.expanded');
    await expanded.locator('.frame-header-dump').waitFor({ timeout: 10000 });
    await expanded.locator('.frame-body-dump').waitFor({ timeout: 10000 });
    assert.deepStrictEqual(await expanded.locator('.dump-title').allInnerTexts(), [
      'Length header: 2 bytes',
      'Body: 3 bytes',
    ]);

    // Both controls are named, their visible words first, and the keyboard reaches them.
    const names = await axNames();
    assert.ok(names.includes('checkbox:Hide delimiters'), `no checkbox named Hide delimiters: ${names.join(' | ')}`);
    const framing = names.find((n) => n.startsWith('button:Framing…'));
    assert.ok(framing && /length/i.test(framing), `no Framing… button naming the framing: ${names.join(' | ')}`);
    await panel.locator('#title').click();
    await tabTo(wb.page, panel, 'set-framing');
    await tabTo(wb.page, panel, 'hide-delimiters');
    assert.strictEqual(await focusedId(panel), 'hide-delimiters');

    assert.deepStrictEqual(await axeInEveryTheme(wb, panel, 'a11y-framing-panel'), []);

    // Framing… works from the keyboard; line frames' delimiters, shown dimmed, on a selected row pass too.
    await panel.locator('#set-framing').focus();
    await wb.page.keyboard.press('Enter');
    await wb.answerFraming(/Lines \(LF, with or without CR\)/);
    await panel.locator('#framing', { hasText: /Framing: line/ }).waitFor({ timeout: 10000 });
    peer.write('a\r\nb\r\n');
    await waitUntil('two line frames', async () => (await panel.locator('.rec .frame-delim').count()) === 2);
    await panel
      .locator('.rec', { has: panel.locator('.frame-delim') })
      .first()
      .locator('.line')
      .click();
    await panel.locator('.rec.selected .frame-delim').waitFor({ timeout: 10000 });
    assert.deepStrictEqual(await axeInEveryTheme(wb, panel, 'a11y-framing-lines'), []);
  });

  it('the Multicast / Broadcast section, expanded with Broadcast on and a group joined, passes axe-core in four themes', async () => {
    const { panel, port } = await wb.openListenerPanel('Socket Lab: Start UDP Listener', 'UDP');
    const item = wb.treeItem(new RegExp(`UDP 127\\.0\\.0\\.1:${port}`));
    const toggle = panel.locator('#multicast-toggle');
    await toggle.waitFor({ state: 'visible', timeout: 20000 });
    await toggle.focus();
    await toggle.press('Enter');
    assert.strictEqual(await toggle.getAttribute('aria-expanded'), 'true');

    const broadcast = panel.locator('#broadcast');
    await broadcast.focus();
    await broadcast.press('Space');
    await waitUntil('broadcast on the row', async () => /broadcast/.test(await item.innerText()));
    await panel.locator('#multicast-group input').fill('239.255.77.84');
    await panel.locator('#multicast-interface input').fill('127.0.0.1');
    await panel.locator('#multicast-join').click();
    await panel.locator('#multicast-groups li', { hasText: '239.255.77.84' }).waitFor({ timeout: 20000 });
    await waitUntil('the group on the row', async () => /groups: 239\.255\.77\.84/.test(await item.innerText()));

    const names = await axNames();
    for (const expected of [
      'button:Multicast / Broadcast',
      'checkbox:Broadcast',
      'textbox:Multicast group',
      'textbox:Interface',
      'button:Join',
      'list:Multicast groups joined',
      'button:Leave the multicast group 239.255.77.84',
    ])
      assert.ok(
        names.some((n) => n.startsWith(expected)),
        `no ${expected}: ${names.join(' | ')}`,
      );
    // Tab walks the section's controls from its header to the Leave button.
    await toggle.focus();
    for (const id of ['broadcast', 'multicast-group', 'multicast-interface', 'multicast-join'])
      await tabTo(wb.page, panel, id, false, 10);
    await wb.page.keyboard.press('Tab');
    assert.strictEqual(
      await panel.locator('body').evaluate(() => document.activeElement?.getAttribute('aria-label')),
      'Leave the multicast group 239.255.77.84',
    );

    assert.deepStrictEqual(await axeInEveryTheme(wb, panel, 'a11y-multicast-panel'), []);
  });
});
