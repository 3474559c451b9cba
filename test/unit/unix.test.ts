import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { spawnSync } from 'child_process';
import '../helpers/noLeaks';
import { rejectsWith } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { PEERS_DIR, startPeer, waitForOutput } from '../helpers/peers';
import { rawConnect } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

import { UNIX_PATH_MAX } from '../../src/core/commandArgs';

/** Leaves a socket file nobody listens on (a process that bound it and exited without unlinking). */
function makeStaleSocketFile(file: string): void {
  const r = spawnSync('python3', [
    '-c',
    'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])',
    file,
  ]);
  assert.strictEqual(r.status, 0, r.stderr.toString());
  assert.ok(fs.lstatSync(file).isSocket());
}

describe('Unix-domain sockets', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it('listens on a path, accepts clients told apart by id, echoes, and removes the file on stop', () =>
    withLab(async (lab) => {
      const file = path.join(t.dir, 'lab.sock');
      const l = await lab.startUnixListener({ path: file, autoReply: { mode: 'echo' } });
      assert.strictEqual(l.kind, 'unix-listener');
      assert.deepStrictEqual(l.local, { path: file });
      // The echo's size: the send-and-wait below ends as soon as it is in, however loaded the machine.
      const c = await lab.connectUnix({ path: file, framing: { mode: 'fixed', size: 12 } });
      assert.strictEqual(c.kind, 'unix-client');
      assert.strictEqual(c.state, 'connected');
      const r = await lab.send({ target: c.id, data: 'over AF_UNIX', waitMs: 10_000 });
      assert.strictEqual(Buffer.from(r.reply!).toString(), 'over AF_UNIX');
      const other = await rawConnect({ path: file });
      await waitFor('two connections', () => lab.get(l.id)!.connections.length === 2);
      const conns = lab.get(l.id)!.connections;
      assert.deepStrictEqual(
        conns.map((x) => x.id),
        [`${l.id}.c1`, `${l.id}.c2`],
      );
      assert.deepStrictEqual(conns[0].remote, { path: file });
      assert.strictEqual(lab.traffic(conns[0].id)[0].peer, `${file}#c1`);
      await lab.send({ target: conns[1].id, data: 'just you' });
      await waitFor('send to one', () => other.received().toString() === 'just you');
      lab.stop({ id: l.id });
      assert.strictEqual(fs.existsSync(file), false);
      // The client finishes what is queued and closes: the server closed the connection.
      await waitFor('clients told of the close', () => other.closed() && lab.get(c.id)!.state === 'closed');
      assert.strictEqual(lab.get(c.id)!.errorCode, 'closedByPeer');
      assert.strictEqual(lab.get(c.id)!.peerEnded, true);
    }));

  it('refuses a path longer than the system limit, naming the limit', () =>
    withLab(async (lab) => {
      const long = path.join(t.dir, 'x'.repeat(UNIX_PATH_MAX));
      await rejectsWith(
        lab.startUnixListener({ path: long }),
        'unixPathTooLong',
        new RegExp(`at most ${UNIX_PATH_MAX} bytes`),
      );
      await rejectsWith(lab.connectUnix({ path: long }), 'unixPathTooLong');
      assert.deepStrictEqual(lab.list(), []);
    }));

  it('replaces a stale socket file, but refuses one somebody listens on', () =>
    withLab(async (lab) => {
      const stale = path.join(t.dir, 'stale.sock');
      makeStaleSocketFile(stale);
      const l = await lab.startUnixListener({ path: stale });
      assert.strictEqual(l.state, 'listening');
      const live = path.join(t.dir, 'live.sock');
      const server = net.createServer();
      await new Promise<void>((r) => server.listen(live, r));
      try {
        await rejectsWith(
          lab.startUnixListener({ path: live }),
          'addressInUse',
          /live\.sock is already in use by another listening process/,
        );
        assert.ok(fs.lstatSync(live).isSocket(), 'the live socket file is untouched');
      } finally {
        await new Promise((r) => server.close(r));
      }
      assert.strictEqual(lab.list().length, 1);
    }));

  for (const [kind, what] of [
    ['dgram', 'a live datagram socket (like /dev/log)'],
    ['full', 'a busy listener whose backlog is full'],
  ] as const) {
    it(`never deletes ${what}: only a refused probe means stale`, () =>
      withLab(async (lab) => {
        const live = path.join(t.dir, `${kind}.sock`);
        const owner = startPeer('python3', [path.join(PEERS_DIR, 'live_unix_socket.py'), kind, live]);
        try {
          await waitForOutput(owner, /ready/);
          const before = fs.lstatSync(live);
          await rejectsWith(
            lab.startUnixListener({ path: live }),
            'pathInUse',
            /\.sock is a live socket that did not refuse a connection \(.+\); Socket Lab deletes only a socket file nobody listens on/,
          );
          const after = fs.lstatSync(live);
          assert.ok(after.isSocket() && after.ino === before.ino, 'the live socket file is untouched');
          assert.deepStrictEqual(lab.list(), []);
        } finally {
          await owner.kill();
        }
      }));
  }

  it('never deletes a regular file or a folder at the path', () =>
    withLab(async (lab) => {
      const file = path.join(t.dir, 'notes.txt');
      fs.writeFileSync(file, 'keep me');
      await rejectsWith(
        lab.startUnixListener({ path: file }),
        'pathNotSocket',
        /is not a socket; Socket Lab never deletes it/,
      );
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'keep me');
      const dir = path.join(t.dir, 'folder');
      fs.mkdirSync(dir);
      await rejectsWith(lab.startUnixListener({ path: dir }), 'pathNotSocket', /is a folder/);
      assert.ok(fs.statSync(dir).isDirectory());
      assert.deepStrictEqual(lab.list(), []);
    }));

  it('a client to a missing path or a stale file gets a clear error and no endpoint', () =>
    withLab(async (lab) => {
      await rejectsWith(
        lab.connectUnix({ path: path.join(t.dir, 'none.sock') }),
        'noSuchSocket',
        /There is no socket at .*none\.sock; start the listener first/,
      );
      const stale = path.join(t.dir, 'stale.sock');
      makeStaleSocketFile(stale);
      await rejectsWith(lab.connectUnix({ path: stale }), 'connectionRefused', /Nothing is listening at .*stale\.sock/);
      assert.deepStrictEqual(lab.list(), []);
    }));

  it('a restart that fails keeps the endpoint in the list with state error, and never deletes the file in the way', () =>
    withLab(async (lab) => {
      const file = path.join(t.dir, 'f.sock');
      const l = await lab.startUnixListener({ path: file });
      // Another process replaces our socket file with a regular file while we listen.
      fs.unlinkSync(file);
      fs.writeFileSync(file, 'taken');
      await rejectsWith(lab.restart({ id: l.id }), 'pathNotSocket');
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'taken', 'closing the old server must not unlink the new file');
      const info = lab.get(l.id)!;
      assert.strictEqual(info.state, 'error');
      assert.match(info.error!, /not a socket; Socket Lab never deletes it/);
      lab.stop({ id: l.id });
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'taken');
    }));

  it('restarts a Unix listener on the same path', () =>
    withLab(async (lab) => {
      const file = path.join(t.dir, 'r.sock');
      const l = await lab.startUnixListener({ path: file });
      const again = await lab.restart({ id: l.id });
      assert.strictEqual(again.state, 'listening');
      const c = await rawConnect({ path: file });
      await waitFor('accepted after restart', () => lab.get(l.id)!.connections.length === 1);
      c.socket.destroy();
      lab.stopAll();
      assert.strictEqual(fs.existsSync(file), false);
    }));
});
