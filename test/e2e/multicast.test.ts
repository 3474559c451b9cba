// Multicast and broadcast from the UI in real Chromium inside the real workbench: Join Multicast Group… from the
// palette (a group outside 224.0.0.0/4 refused as it is typed), the Sockets view's row, and the send panel's
// Multicast / Broadcast controls by keyboard. Groups are joined on 127.0.0.1 (lo) and nothing is sent to them.
import * as assert from 'assert';
import { Workbench, waitUntil } from '../helpers/workbench';

describe('multicast and broadcast through the real palette and send panel', function () {
  this.timeout(240000);
  let wb: Workbench;

  before(async () => {
    wb = await Workbench.start({ settings: { 'socketLab.restoreEndpoints': false } });
    await wb.openSocketsView();
  });

  after(async () => {
    await wb?.stop();
  });

  it('Join Multicast Group… refuses a unicast group as typed, joins on 127.0.0.1; the panel leaves it and switches broadcast', async () => {
    const { panel, port } = await wb.openListenerPanel('Socket Lab: Start UDP Listener', 'UDP');
    const item = wb.treeItem(new RegExp(`UDP 127\\.0\\.0\\.1:${port}`));

    await wb.runCommand('Socket Lab: Join Multicast Group…');
    await wb.pick(new RegExp(`UDP 127\\.0\\.0\\.1:${port}`));
    const input = wb.page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 20000 });
    await input.fill('10.0.0.1');
    await waitUntil('the sentence for a unicast group', async () =>
      /group must be a multicast group address/.test(await wb.quickInputMessage().catch(() => '')),
    );
    await wb.answer('239.255.77.82');
    await wb.answer('127.0.0.1');
    await waitUntil('the group on the row', async () => /groups: 239\.255\.77\.82/.test(await item.innerText()));
    await wb.screenshot('multicast-tree-joined');

    // The panel's section: opened by keyboard, lists the group, leaves it and turns broadcast on.
    const toggle = panel.locator('#multicast-toggle');
    await toggle.waitFor({ state: 'visible', timeout: 20000 });
    await toggle.focus();
    await toggle.press('Enter');
    assert.strictEqual(await toggle.getAttribute('aria-expanded'), 'true');
    await panel.locator('#multicast-groups li', { hasText: '239.255.77.82' }).waitFor({ timeout: 20000 });
    const leave = panel.locator(
      '#multicast-groups vscode-button[aria-label="Leave the multicast group 239.255.77.82"]',
    );
    await leave.focus();
    await leave.press('Enter');
    await panel.locator('#multicast-groups li', { hasText: 'No multicast group joined.' }).waitFor({ timeout: 20000 });
    await waitUntil('the row without groups', async () => !/groups:/.test(await item.innerText()));

    const broadcast = panel.locator('#broadcast');
    await broadcast.focus();
    await broadcast.press('Space');
    await waitUntil('broadcast on the row', async () => /broadcast/.test(await item.innerText()));

    // A unicast group typed in the panel: the core's sentence in the status line, nothing joined.
    await panel.locator('#multicast-group input').fill('192.168.0.1');
    await panel.locator('#multicast-group input').press('Enter');
    await panel
      .locator('#multicast-status', { hasText: /group must be a multicast group address/ })
      .waitFor({ timeout: 20000 });
    await panel.locator('#multicast-group input').fill('239.255.77.83');
    await panel.locator('#multicast-interface input').fill('127.0.0.1');
    await panel.locator('#multicast-join').click();
    await panel.locator('#multicast-groups li', { hasText: '239.255.77.83' }).waitFor({ timeout: 20000 });
    await waitUntil("the panel's group on the row", async () =>
      /groups: 239\.255\.77\.83/.test(await item.innerText()),
    );
    await wb.screenshot('multicast-panel');
  });
});
