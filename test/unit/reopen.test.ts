import * as assert from 'assert';
import * as net from 'net';
import { rejectsWith } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { portOf, rawConnect } from '../helpers/sockets';
import { waitFor } from '../helpers/wait';

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
});
