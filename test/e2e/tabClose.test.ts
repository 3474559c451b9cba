import * as assert from 'assert';
import * as net from 'net';
import { waitFor } from '../helpers/wait';
import { Workbench } from '../helpers/workbench';

/** Resolves 'open' when something accepts a TCP connection on 127.0.0.1:port, 'refused' when nothing listens. */
function probe(port: number): Promise<'open' | 'refused'> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.destroy();
      if (err.code === 'ECONNREFUSED') resolve('refused');
      else reject(err);
    });
  });
}

describe('npm start: closing the browser tab frees the ports (issue 13)', function () {
  this.timeout(180000);
  let wb: Workbench | undefined;

  after(async () => {
    await wb?.stop();
  });

  it("a listener's port is free again within the code-server's short reconnection grace after its tab closes", async () => {
    wb = await Workbench.start();
    const { port } = await wb.startTcpListenerFromPalette('tab-close-listener-missing');
    assert.strictEqual(await probe(port), 'open', 'the listener accepts before the tab closes');
    // The tab goes away as a user closes it; code-server keeps the old extension host only for the
    // reconnection grace time (shortened by scripts/lib/codeServer.mjs), then it ends and its sockets close.
    await wb.page.close();
    await waitFor(`port ${port} to be free after the tab closed`, async () => (await probe(port)) === 'refused', 90000);
  });
});
