// The traffic log of a send panel in real Chromium inside the real workbench: following the newest rows through a
// flood of real UDP datagrams past the log's cap (rows cut from the top while new ones arrive), and a user's
// mouse wheel turning following off.
import * as assert from 'assert';
import * as dgram from 'dgram';
import type { FrameLocator } from 'playwright-core';
import { Workbench, waitUntil } from '../helpers/workbench';

/** What the list shows: whether Follow is ticked, how far the view is from the end (px), whether `text`'s row is on screen. */
async function listState(panel: FrameLocator, text: string) {
  return panel.locator('#list').evaluate((list, wanted) => {
    const box = list.getBoundingClientRect();
    const row = [...list.querySelectorAll('.rec')].find((r) => r.querySelector('.data.text')?.textContent === wanted);
    const rowBox = row?.getBoundingClientRect();
    return {
      follow: (list.ownerDocument.getElementById('follow') as unknown as { checked: boolean } | null)?.checked,
      fromEnd: list.scrollHeight - list.scrollTop - list.clientHeight,
      onScreen: !!rowBox && rowBox.top >= box.top && rowBox.bottom <= box.bottom + 1,
    };
  }, text);
}

describe('Following the newest rows of a send panel', function () {
  this.timeout(240000);
  let wb: Workbench;
  let peer: dgram.Socket;
  let panel: FrameLocator;
  let port: number;

  before(async () => {
    wb = await Workbench.start({ settings: { 'socketLab.logCapBytes': 65536 } });
    peer = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
    await wb.openSocketsView();
    ({ panel, port } = await wb.openListenerPanel('Socket Lab: Start UDP Listener', 'UDP'));
    peer.send('first datagram', port, '127.0.0.1');
    await panel.locator('.rec .data.text', { hasText: 'first datagram' }).waitFor({ timeout: 15000 });
  });

  after(async () => {
    peer?.close();
    await wb?.stop();
  });

  it('keeps following through a flood past the log cap, with the last row on screen', async () => {
    // Eight rounds of a burst (more than a post of the panel carries: the older ones are skipped, and the rows
    // the cap evicted are cut from the top, so the list gets shorter) and a slow fill (every datagram shown,
    // until the cap evicts again): 5,600 datagrams of 200 bytes, while the 64 KiB log keeps about 240 of them.
    // Nobody touches the list.
    const payload = Buffer.alloc(200, 0x41);
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    for (let round = 0; round < 8; round++) {
      for (let i = 0; i < 400; i++) peer.send(payload, port, '127.0.0.1');
      await pause(100);
      for (let group = 0; group < 12; group++) {
        for (let i = 0; i < 25; i++) peer.send(payload, port, '127.0.0.1');
        await pause(60);
      }
    }
    // The host hands records to the panel in order: once the marker sent after the flood is in the log, every
    // datagram before it is too (sent again until seen: the flood may fill the socket buffer). The wait ends as
    // soon as the list stops following: that is the failure this test is about.
    let markerSentAt = 0;
    await waitUntil(
      'the marker after the flood on screen, or the list no longer following',
      async () => {
        if (Date.now() - markerSentAt > 250) {
          markerSentAt = Date.now();
          peer.send('end of flood', port, '127.0.0.1');
        }
        const seen = await listState(panel, 'end of flood');
        return seen.onScreen || seen.follow === false;
      },
      60000,
    );
    const seen = await listState(panel, 'end of flood');
    assert.deepStrictEqual(
      { follow: seen.follow, onScreen: seen.onScreen },
      { follow: true, onScreen: true },
      `the list still follows, with the newest row on screen (the view is ${seen.fromEnd} px above the end; see ${await wb.screenshot('follow-after-flood')})`,
    );
  });

  it("stops following when the user's mouse wheel scrolls the list up while rows keep coming", async () => {
    const follow = panel.locator('#follow');
    // Following on (the way a user turns it on), so that this test does not depend on the one before.
    if (!(await listState(panel, '')).follow) await follow.click();
    await waitUntil('the list to follow the end', async () => {
      const seen = await listState(panel, '');
      return seen.follow === true && seen.fromEnd < 22;
    });
    // A trickle of datagrams all along (bounded: at most 400), so that the list keeps scrolling itself to the end.
    const payload = Buffer.alloc(200, 0x42);
    let trickling = true;
    const trickle = (async () => {
      for (let i = 0; trickling && i < 400; i++) {
        peer.send(payload, port, '127.0.0.1');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      await panel.locator('#list').hover();
      await wb.page.mouse.wheel(0, -600);
      await waitUntil('Follow to be unticked by the wheel', async () => (await listState(panel, '')).follow === false);
    } finally {
      trickling = false;
      await trickle;
    }
    // New rows no longer pull the view back to the end.
    const received = panel.locator('#counters .counter.in');
    const before = await received.innerText();
    peer.send('after the wheel', port, '127.0.0.1');
    await waitUntil('the counters to count the new datagram', async () => (await received.innerText()) !== before);
    const seen = await listState(panel, 'after the wheel');
    assert.deepStrictEqual({ follow: seen.follow, onScreen: seen.onScreen }, { follow: false, onScreen: false });
    assert.ok(seen.fromEnd >= 600 - 22, `the view stays where the wheel left it (${seen.fromEnd} px above the end)`);
  });
});
