/**
 * Send File reads regular files only (issue 12, finding 8): a device that never ends (/dev/zero) or a FIFO
 * with no writer is refused at once from the opened handle, and a datagram never reads more than fits.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import '../helpers/noLeaks';
import { rejectsWith } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { portOf, rawServer } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';

const NOT_REGULAR =
  /is not a regular file \(it is a device, a pipe or a socket\); Send File sends regular files only\.$/;

describe('Send File refuses what is not a regular file', function () {
  if (process.platform === 'win32') return;
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it('over UDP: /dev/zero and a FIFO with no writer are refused without reading, memory stays flat', () =>
    withLab(async (lab) => {
      const fifo = path.join(t.dir, 'no-writer.fifo');
      assert.strictEqual(spawnSync('mkfifo', [fifo]).status, 0);
      const sink = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const to = { host: '127.0.0.1', port: portOf(sink) };
      const rss = process.memoryUsage().rss;
      await rejectsWith(lab.sendFile({ target: u.id, path: '/dev/zero', to }), 'notRegularFile', NOT_REGULAR);
      // Four at once: before, each took a libuv thread forever (all four of the pool).
      for (const r of await Promise.allSettled(
        [1, 2, 3, 4].map(() => lab.sendFile({ target: u.id, path: fifo, to })),
      )) {
        assert.strictEqual(r.status, 'rejected');
        assert.match((r as PromiseRejectedResult).reason.message, NOT_REGULAR);
      }
      // The threadpool is free: an ordinary file still goes out.
      const file = path.join(t.dir, 'small.bin');
      fs.writeFileSync(file, 'hello');
      assert.deepStrictEqual(await lab.sendFile({ target: u.id, path: file, to }), { bytes: 5 });
      assert.ok(process.memoryUsage().rss - rss < 64 * 1024 * 1024, 'nothing big was read');
      assert.strictEqual(lab.get(u.id)!.bytesOut, 5);
    }));

  it('over TCP: /dev/zero and a FIFO are refused before a byte is sent', () =>
    withLab(async (lab) => {
      const fifo = path.join(t.dir, 'no-writer.fifo');
      assert.strictEqual(spawnSync('mkfifo', [fifo]).status, 0);
      const server = await rawServer();
      try {
        const c = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        await rejectsWith(lab.sendFile({ target: c.id, path: '/dev/zero' }), 'notRegularFile', NOT_REGULAR);
        await rejectsWith(lab.sendFile({ target: c.id, path: fifo }), 'notRegularFile', NOT_REGULAR);
        assert.strictEqual(lab.get(c.id)!.bytesOut, 0);
      } finally {
        await server.close();
      }
    }));
});
