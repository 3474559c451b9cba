import * as assert from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import { Workbench } from '../helpers/workbench';

describe('Sockets view in the real workbench', function () {
  this.timeout(180000);
  let wb: Workbench;
  const children: ChildProcess[] = [];

  before(async () => {
    wb = await Workbench.start();
  });

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await wb?.stop();
  });

  it('lists the Socket Lab commands in the command palette', async () => {
    const entries = await wb.paletteEntries('Socket Lab: Start');
    assert.ok(
      entries.some((e) => e.includes('Start TCP Listener')),
      entries.join(', '),
    );
  });

  it('starts a TCP listener from the palette, shows it, shows a connected ncat with counters, stops it inline', async () => {
    const { item, port } = await wb.startTcpListenerFromPalette('sockets-view-item-missing');
    assert.ok(port > 0, await item.innerText());

    const ncat = spawn('ncat', ['127.0.0.1', String(port)], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(ncat);
    ncat.stdin!.write('hello from ncat\n');
    const child = wb.treeItem(/↓16 B ↑0 B/);
    await child.waitFor({ state: 'visible', timeout: 20000 }).catch(async (err) => {
      await wb.screenshot('sockets-view-child-missing');
      throw err;
    });
    await wb.screenshot('sockets-view-with-client');

    await item.hover();
    await item.locator('.action-label[aria-label^="Stop"]').click();
    await item.waitFor({ state: 'detached', timeout: 20000 });
    ncat.kill();
  });
});
