// The capture as the send panel's header is given it (src/host/panel/endpointView.ts): file name, size, and
// the localized sentence once the file reached its maxBytes, from a real capture in the real extension host.
import * as assert from 'assert';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as path from 'path';
import { toCaptureView, toEndpointView } from '../../src/host/panel/endpointView';
import type { EndpointInfo } from '../../src/shared/model';
import { run, socketLab, type TestApi } from '../helpers/extensionHost';
import { portOf } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

describe('send panel header: the capture view (real extension host)', function () {
  this.timeout(60000);
  let api: TestApi;
  let t: ReturnType<typeof tempDir>;
  let peer: dgram.Socket;

  before(async () => {
    api = await socketLab();
    t = tempDir('sl-panel-capture-');
    peer = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', resolve));
  });

  after(async () => {
    peer.close();
    await run('stopAll', {});
    t.remove();
  });

  it('names the file and its size while it grows, and says why once it stopped at its limit', async () => {
    const file = path.join(t.dir, 'limit.bin');
    const udp = await run<EndpointInfo>('startUdpListener', {
      port: 0,
      capture: { path: file, format: 'raw', maxBytes: 4096 },
    });
    const info = () => api._test.lab.get(udp.id)!;
    assert.deepStrictEqual(toCaptureView(info()), {
      file: 'limit.bin',
      path: file,
      format: 'raw',
      bytes: 0,
      maxBytes: 4096,
    });

    peer.send(Buffer.alloc(3000, 0x61), portOf(udp), '127.0.0.1');
    await waitFor('3000 bytes captured', () => info().captureBytes === 3000);
    assert.strictEqual(toCaptureView(info())?.stopped, undefined);
    // 3000 + 3000 would pass 4096: the second datagram is not written and the capture stops.
    peer.send(Buffer.alloc(3000, 0x62), portOf(udp), '127.0.0.1');
    await waitFor('the capture stopped', () => info().captureStopped !== undefined);
    const view = toEndpointView(info(), undefined).capture;
    assert.strictEqual(view?.bytes, 3000);
    assert.strictEqual(
      view?.stopped,
      `Capture to ${file} stopped at its limit of 4096 bytes (maxBytes); start a new capture to record more.`,
    );
    await waitFor('the file written', () => fs.statSync(file).size === 3000);

    await run('stopCapture', { id: udp.id });
    assert.strictEqual(toCaptureView(info()), undefined);
    assert.strictEqual(toEndpointView(info(), undefined).capture, undefined);
  });
});
