// TCP, TLS and Unix listeners on real loopback sockets: what an accepted connection lists, whom a send goes to,
// a listener stopped while starting, and a socket file somebody else put in place of ours.
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { assertSocketLabError, rejectionError, throwsSocketLabError } from '../helpers/errors';
import { quietSink, withLab } from '../helpers/lab';
import { portOf, rawConnect } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { withMoveAt } from '../helpers/unixSocketFiles';
import { waitFor } from '../helpers/wait';

import { StreamListener, type StreamListenerOptions } from '../../src/core/endpoints/streamListener';

/** A StreamListener built directly (not through SocketLab), to reach what the registry never lets happen. */
function bareListener(options: Omit<StreamListenerOptions, 'id' | 'sink'>): StreamListener {
  return new StreamListener({ id: 'e1', sink: quietSink, ...options });
}

/** Listens on `file` with a plain Node server (another program's socket). */
async function otherServer(file: string): Promise<net.Server> {
  const server = net.createServer((s) => s.end('theirs'));
  await new Promise<void>((r) => server.listen(file, r));
  return server;
}

describe('TCP listeners: accepted connections', () => {
  it('an accepted connection lists both addresses, and after the client FIN: peerEnded, localEnded, closed', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ host: '127.0.0.1', port: 0 });
      const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const c = await waitFor('accepted', () => lab.get(l.id)!.connections[0]);
      assert.strictEqual(c.id, `${l.id}.c1`);
      assert.deepStrictEqual(c.remote, { address: '127.0.0.1', port: client.socket.localPort });
      assert.deepStrictEqual(c.local, { address: '127.0.0.1', port: portOf(l) });
      for (const key of ['peerEnded', 'localEnded', 'tls', 'error']) assert.ok(!(key in c), key);
      client.socket.end();
      const closed = await waitFor('closed after the FIN', () => {
        const now = lab.get(l.id)!.connections[0];
        return now.state === 'closed' && now;
      });
      assert.strictEqual(closed.peerEnded, true);
      assert.strictEqual(closed.localEnded, true);
      await waitFor('the client told', () => client.closed());
    }));

  it("'to' is refused naming the listener; an unknown connection id is named", async () => {
    const l = bareListener({ address: '127.0.0.1', port: 0 });
    await l.start();
    try {
      const to = assertSocketLabError(
        await rejectionError(l.send({ to: { address: '127.0.0.1', port: 9 } }, Buffer.from('x'))),
        'toNotAllowed',
        { id: 'e1', kind: 'TCP listener' },
      );
      assert.strictEqual(
        to.message,
        "'to' is only for UDP sockets; e1 is a TCP listener: pick one of its connections or the listener.",
      );
      const unknown = assertSocketLabError(
        await rejectionError(l.send({ connectionId: 'e1.c9' }, Buffer.from('x'))),
        'unknownId',
        { id: 'e1.c9' },
      );
      assert.strictEqual(unknown.message, 'There is no connection e1.c9.');
      // A send to one connection is checked when it is made, not up front (it may be closed by then anyway).
      l.checkTarget({ connectionId: 'e1.c9' });
      const none = throwsSocketLabError(() => l.checkTarget({}), 'noConnections', { id: 'e1' });
      assert.match(none.message, /has no connected clients to send to\.$/);
    } finally {
      l.dispose();
    }
  });

  it('a send to all skips connections reset by their client or half-closed by us, and refuses when none is left', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ host: '127.0.0.1', port: 0 });
      const reset = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      await waitFor('first accepted', () => lab.get(l.id)!.connections.length === 1);
      reset.socket.resetAndDestroy();
      await waitFor('reset', () => lab.get(l.id)!.connections[0].state === 'closed');
      assert.ok(!('localEnded' in lab.get(l.id)!.connections[0]), 'a reset connection never sent its FIN');
      const halfClosed = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const open = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      await waitFor('three accepted', () => lab.get(l.id)!.connections.length === 3);
      lab.halfClose({ id: `${l.id}.c2` });
      await waitFor('c2 half-closed', () => lab.get(l.id)!.connections[1].localEnded === true);
      const r = await lab.send({ target: l.id, data: 'to the open one' });
      assert.strictEqual(r.bytes, 'to the open one'.length);
      await waitFor('the open client got it', () => open.received().toString() === 'to the open one');
      assert.strictEqual(halfClosed.received().length, 0);
      lab.halfClose({ id: `${l.id}.c3` });
      await waitFor('c3 half-closed', () => lab.get(l.id)!.connections[2].localEnded === true);
      const err = await rejectionError(lab.send({ target: l.id, data: 'x', repeat: { intervalMs: 1000 } }));
      assertSocketLabError(err, 'noConnections', { id: l.id });
      halfClosed.socket.destroy();
      open.socket.destroy();
    }));

  it('stopped while starting: start rejects with "stopped" and nothing listens', async () => {
    const l = bareListener({ address: '127.0.0.1', port: 0 });
    const started = l.start();
    l.dispose();
    const e = assertSocketLabError(await rejectionError(started), 'stopped', { id: 'e1' });
    assert.strictEqual(e.message, 'Endpoint e1 was stopped while starting.');
    assert.strictEqual(l.local, undefined);
  });
});

describe('TLS listeners: accepted connections', function () {
  this.timeout(30000);
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it("a TLS client is c1 with its address and closes after its FIN; a plain client's failed handshake is c2 naming it", () =>
    withLab(
      async (lab) => {
        const l = await lab.startTlsListener({ host: '127.0.0.1', port: 0 });
        const client = await lab.connectTls({ host: '127.0.0.1', port: portOf(l), insecure: true });
        const c = await waitFor('handshake done', () => lab.get(l.id)!.connections[0]);
        assert.strictEqual(c.id, `${l.id}.c1`);
        const clientPort = portOf(client);
        assert.deepStrictEqual(c.remote, { address: '127.0.0.1', port: clientPort });
        assert.ok(c.tls?.protocol, 'the session is listed');
        lab.halfClose({ id: client.id });
        await waitFor('closed after the FIN', () => lab.get(l.id)!.connections[0].state === 'closed');
        assert.strictEqual(lab.get(l.id)!.connections[0].localEnded, true);
        const plain = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
        const target = `127.0.0.1:${plain.socket.localPort}`;
        plain.socket.end('GET / HTTP/1.0\r\n\r\n');
        const failed = await waitFor('the failed handshake listed', () => lab.get(l.id)!.connections[1]);
        assert.strictEqual(failed.id, `${l.id}.c2`);
        assert.strictEqual(failed.state, 'closed');
        assert.ok(failed.error?.startsWith(target), `${failed.error} names ${target}`);
        await waitFor('the plain client closed', () => plain.closed());
      },
      { tlsFolder: path.join(t.dir, 'tls'), connectTimeoutMs: 5000 },
    ));
});

describe('Unix listeners: the socket file', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it('stop leaves a socket file somebody else put in place of ours, still serving', () =>
    withLab(async (lab) => {
      const file = path.join(t.dir, 'l.sock');
      const l = await lab.startUnixListener({ path: file });
      const server = await otherServer(path.join(t.dir, 'theirs.sock'));
      try {
        fs.renameSync(path.join(t.dir, 'theirs.sock'), file);
        const theirs = fs.lstatSync(file).ino;
        lab.stop({ id: l.id });
        const now = fs.lstatSync(file);
        assert.ok(now.isSocket() && now.ino === theirs, 'their socket file is still there');
        assert.deepStrictEqual(fs.readdirSync(t.dir), ['l.sock'], 'nothing parked is left behind');
        const c = await rawConnect({ path: file });
        await waitFor('their server answers', () => c.closed() && c.received().toString() === 'theirs');
      } finally {
        await new Promise((r) => server.close(r));
      }
    }));

  it('a listener whose socket file somebody else deleted stops without error', () =>
    withLab(async (lab) => {
      const file = path.join(t.dir, 'l.sock');
      const l = await lab.startUnixListener({ path: file });
      fs.unlinkSync(file);
      lab.stop({ id: l.id });
      assert.deepStrictEqual(fs.readdirSync(t.dir), []);
    }));

  it('a path taken between the check and the bind: EADDRINUSE naming the path, their file kept', () =>
    withLab(async (lab) => {
      const file = path.join(t.dir, 'l.sock');
      let server: net.Server | undefined;
      try {
        // checkParentFolder's stat of the folder is the last look before bind: another program binds then.
        const err = await rejectionError(
          withMoveAt(
            'stat',
            1,
            'before',
            () => {
              server = net.createServer();
              server.listen(file);
            },
            () => lab.startUnixListener({ path: file }),
          ),
        );
        assertSocketLabError(err, 'addressInUse', { operation: 'listen', path: file, target: file });
        assert.ok(fs.lstatSync(file).isSocket());
      } finally {
        if (server) await new Promise((r) => server!.close(r));
      }
    }));

  it('stopped while starting: the socket file is removed', async () => {
    const file = path.join(t.dir, 'l.sock');
    const l = bareListener({ path: file });
    const started = l.start();
    l.dispose();
    assertSocketLabError(await rejectionError(started), 'stopped', { id: 'e1' });
    assert.strictEqual(fs.existsSync(file), false);
  });
});
