import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import '../helpers/noLeaks';
import { rejectsWith } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { portOf, rawConnect } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

import { defaultTlsFolder } from '../../src/core/endpointEntry';
import { FRAMING_DEFAULT_MAX_FRAME_BYTES } from '../../src/shared/limits';

describe('SocketLab.openSpec / reopen: what a restore after a reload replays (real sockets)', () => {
  it('openSpec gives the start argument with the port it got, the auto-reply and capture as they are now', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ host: '127.0.0.1', port: 0, backlog: 7 });
      assert.deepStrictEqual(lab.openSpec(l.id), {
        command: 'startTcpListener',
        args: { host: '127.0.0.1', port: portOf(l), backlog: 7 },
      });
      lab.setAutoReply(l.id, { mode: 'echo' });
      assert.deepStrictEqual(lab.openSpec(l.id)?.args.autoReply, { mode: 'echo' });
      lab.setAutoReply(l.id, undefined);
      assert.strictEqual('autoReply' in lab.openSpec(l.id)!.args, false);
      assert.strictEqual(lab.openSpec('e99'), undefined);
    }));

  it('reopen opens under the given id, keeps later ids clear of it, and refuses an id in use', () =>
    withLab(async (lab) => {
      const spec = { host: '127.0.0.1', port: 0, autoReply: { mode: 'fixed' as const, data: 'pong' } };
      const back = await lab.reopen('e7', 'startTcpListener', spec);
      assert.strictEqual(back.id, 'e7');
      assert.strictEqual(back.state, 'listening');
      const peer = await rawConnect({ host: '127.0.0.1', port: portOf(back) });
      peer.socket.write('ping');
      await waitFor('the auto-reply', () => peer.received().toString() === 'pong');
      peer.socket.destroy();
      const next = await lab.startUdpListener({ port: 0 });
      assert.strictEqual(next.id, 'e8');
      await rejectsWith(
        lab.reopen('e7', 'startTcpListener', spec),
        'invalidArgument',
        /free endpoint id like e3, not e7/,
      );
    }));

  it('reopen lists an endpoint whose port is taken in the error state, named by its address, and restart retries it', () =>
    withLab(async (lab) => {
      const blocker = net.createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const port = (blocker.address() as net.AddressInfo).port;
      const local = { address: '127.0.0.1', port };
      const failed = await lab.reopen('e2', 'startTcpListener', { host: '127.0.0.1', port }, { local });
      assert.strictEqual(failed.state, 'error');
      assert.strictEqual(failed.errorCode, 'addressInUse');
      assert.deepStrictEqual(failed.local, local);
      assert.deepStrictEqual(
        lab.list().map((e) => e.id),
        ['e2'],
      );
      await new Promise((resolve) => blocker.close(resolve));
      const restarted = await lab.restart({ id: 'e2' });
      assert.strictEqual(restarted.state, 'listening');
      assert.strictEqual(portOf(restarted), port);
    }));

  it("openSpec keeps a client's port, and gives the framing and the capture as they are now", () =>
    withLab(async (lab) => {
      const t = tempDir();
      try {
        const file = path.join(t.dir, 'l.jsonl');
        const l = await lab.startTcpListener({
          host: '127.0.0.1',
          port: 0,
          framing: { mode: 'line' },
          capture: { path: file },
        });
        const c = await lab.connectTcp({ host: '127.0.0.1', port: portOf(l) });
        assert.deepStrictEqual(lab.openSpec(c.id), {
          command: 'connectTcp',
          args: { host: '127.0.0.1', port: portOf(l) },
        });
        assert.deepStrictEqual(lab.openSpec(l.id), {
          command: 'startTcpListener',
          args: {
            host: '127.0.0.1',
            port: portOf(l),
            framing: { mode: 'line', eol: 'any', maxFrameBytes: FRAMING_DEFAULT_MAX_FRAME_BYTES },
            // Started: a restore adds to the file it already wrote.
            capture: { path: file, format: 'jsonl', maxBytes: 1024 ** 3, append: true },
          },
        });
        await lab.setCapture(l.id, undefined);
        assert.strictEqual('capture' in lab.openSpec(l.id)!.args, false);
      } finally {
        t.remove();
      }
    }));

  it('a capture set on a running endpoint survives its restart, added to the same file', () =>
    withLab(async (lab) => {
      const t = tempDir();
      try {
        const file = path.join(t.dir, 'later.jsonl');
        const l = await lab.startTcpListener({ host: '127.0.0.1', port: 0 });
        await lab.setCapture(l.id, { path: file });
        const restarted = await lab.restart({ id: l.id });
        assert.strictEqual(restarted.state, 'listening');
        assert.strictEqual(restarted.capturePath, file);
        assert.ok(fs.existsSync(file));
        await lab.setCapture(l.id, undefined);
      } finally {
        t.remove();
      }
    }));

  it('a client that cannot connect on reopen is listed in error under the remote it had', () =>
    withLab(async (lab) => {
      const gone = net.createServer();
      await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
      const port = (gone.address() as net.AddressInfo).port;
      await new Promise((resolve) => gone.close(resolve));
      const remote = { address: '127.0.0.1', port };
      const failed = await lab.reopen('e4', 'connectTcp', { host: '127.0.0.1', port }, { remote });
      assert.strictEqual(failed.state, 'error');
      assert.strictEqual(failed.errorCode, 'connectionRefused');
      assert.deepStrictEqual(failed.remote, remote);
    }));

  it("generated TLS certificates default to a folder of this user's own under the temp folder", () => {
    assert.strictEqual(defaultTlsFolder(), path.join(os.tmpdir(), `socket-lab-tls-${os.userInfo().uid}`));
  });
});
