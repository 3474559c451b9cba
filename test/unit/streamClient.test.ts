// TCP and Unix clients on real loopback sockets: what info() says, the socket options asked for, the errors of a
// connect that fails or is stopped, and a client that was never connected.
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { stalledUpstream } from '../helpers/stalledUpstream';
import { assertSocketLabError, rejectionError } from '../helpers/errors';
import { quietSink, withLab } from '../helpers/lab';
import { portOf, rawServer } from '../helpers/sockets';
import { skipOrFail } from '../helpers/require';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

import { StreamClient, type StreamClientOptions } from '../../src/core/endpoints/streamClient';

/** A StreamClient built directly (not through SocketLab), to reach what the registry never lets happen. */
function bareClient(options: Omit<StreamClientOptions, 'id' | 'sink'>): StreamClient {
  return new StreamClient({ id: 'e1', sink: quietSink, ...options });
}

/** A socket option Node keeps on the socket under a symbol (kSetNoDelay, kSetKeepAlive). */
function socketOption(socket: net.Socket, name: string): unknown {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === name);
  assert.ok(key, `${name} on the socket`);
  return (socket as unknown as Record<symbol, unknown>)[key];
}

describe('TCP and Unix clients', () => {
  it('a client never connected lists no flags, refuses a send with a sentence, and stops cleanly', async () => {
    const c = bareClient({ address: '127.0.0.1', port: 9, timeoutMs: 1000 });
    const info = c.info();
    assert.strictEqual(info.state, 'connecting');
    for (const key of ['peerEnded', 'localEnded', 'autoReply', 'tls', 'local']) assert.ok(!(key in info), key);
    const e = assertSocketLabError(await rejectionError(c.send({}, Buffer.from('x'))), 'connectionClosed', {
      id: 'e1',
    });
    assert.match(e.message, /is not connected; nothing was sent\.$/);
    const to = assertSocketLabError(
      await rejectionError(c.send({ to: { address: '127.0.0.1', port: 9 } }, Buffer.from('x'))),
      'toNotAllowed',
      { id: 'e1', kind: 'TCP client', peer: '127.0.0.1:9' },
    );
    assert.strictEqual(to.message, "'to' is only for UDP sockets; e1 is a TCP client connected to 127.0.0.1:9.");
    c.dispose();
    c.dispose();
  });

  it('stopped while connecting: start rejects with "stopped" and the socket is closed', async () => {
    const server = await rawServer();
    try {
      const c = bareClient({ address: '127.0.0.1', port: server.port, timeoutMs: 10_000 });
      const started = c.start();
      c.dispose();
      const e = assertSocketLabError(await rejectionError(started), 'stopped', { id: 'e1' });
      assert.strictEqual(e.message, 'Endpoint e1 was stopped while connecting.');
      assert.strictEqual(c.connection('e1'), undefined);
    } finally {
      await server.close();
    }
  });

  it('a client whose connection is closed from this side ends closed, without blaming the peer', async () => {
    const server = await rawServer();
    try {
      const c = bareClient({ address: '127.0.0.1', port: server.port, timeoutMs: 10_000 });
      await c.start();
      c.closeConnection('e1');
      await waitFor('closed', () => c.state === 'closed');
      assert.strictEqual(c.error, undefined);
      assert.ok(!('errorCode' in c.info()));
      c.dispose();
    } finally {
      await server.close();
    }
  });

  it('no delay and keep-alive are off unless asked, on when asked', async () => {
    const server = await rawServer();
    try {
      for (const asked of [{}, { noDelay: true, keepAlive: true }]) {
        const c = bareClient({ address: '127.0.0.1', port: server.port, timeoutMs: 10_000, ...asked });
        await c.start();
        const socket = c.connection('e1')!.socket!;
        const on = 'noDelay' in asked;
        assert.deepStrictEqual([socketOption(socket, 'kSetNoDelay'), socketOption(socket, 'kSetKeepAlive')], [on, on]);
        c.dispose();
      }
    } finally {
      await server.close();
    }
  });

  it('info says peerEnded after the server FIN, localEnded after ours, and autoReply only when set', () =>
    withLab(async (lab) => {
      const server = await rawServer('127.0.0.1', undefined, { allowHalfOpen: true });
      try {
        const c = await lab.connectTcp({ port: server.port, halfOpen: true });
        assert.ok(!('autoReply' in c) && !('tls' in c) && !('peerEnded' in c) && !('localEnded' in c));
        await waitFor('accepted', () => server.sockets.length === 1);
        server.sockets[0].end();
        await waitFor('peerEnded', () => lab.get(c.id)!.peerEnded === true);
        assert.ok(!('localEnded' in lab.get(c.id)!));
        lab.halfClose({ id: c.id });
        await waitFor('localEnded', () => lab.get(c.id)!.localEnded === true);
        const echo = await lab.connectTcp({ port: server.port, autoReply: { mode: 'echo' } });
        assert.strictEqual(echo.autoReply, true);
      } finally {
        await server.close();
      }
    }));

  it('a refused connect names the operation, the address and the port', () =>
    withLab(async (lab) => {
      const server = await rawServer();
      const port = server.port;
      await server.close();
      const e = assertSocketLabError(await rejectionError(lab.connectTcp({ port })), 'connectionRefused', {
        operation: 'connect',
        address: '127.0.0.1',
        port,
      });
      assert.strictEqual(e.systemCode, 'ECONNREFUSED');
    }));

  it('a connect timeout is ETIMEDOUT with the operation, the address and the port, and no path', async () => {
    const upstream = await stalledUpstream(8);
    try {
      const port = upstream.port;
      await withLab(async (lab) => {
        const e = assertSocketLabError(await rejectionError(lab.connectTcp({ port, timeoutMs: 300 })), 'timedOut', {
          operation: 'connect',
          address: '127.0.0.1',
          port,
          target: `127.0.0.1:${port}`,
          timeoutMs: 300,
        });
        assert.strictEqual(e.systemCode, 'ETIMEDOUT');
        assert.ok(!('path' in e.values), 'no path value for a TCP target');
      });
    } finally {
      await upstream.close();
    }
  });
});

describe('Unix clients', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it('a Unix client has no local address, and with halfOpen still sends after the server FIN', () =>
    withLab(async (lab) => {
      const file = path.join(t.dir, 'half.sock');
      const got: Buffer[] = [];
      const accepted: net.Socket[] = [];
      const server = net.createServer({ allowHalfOpen: true }, (s) => {
        accepted.push(s);
        s.on('data', (d) => got.push(d));
      });
      await new Promise<void>((r) => server.listen(file, r));
      try {
        const c = await lab.connectUnix({ path: file, halfOpen: true });
        assert.strictEqual(c.local, undefined);
        await waitFor('accepted', () => accepted.length === 1);
        accepted[0].end();
        await waitFor('peerEnded', () => lab.get(c.id)!.peerEnded === true);
        await lab.send({ target: c.id, data: 'after-fin' });
        await waitFor('data after the FIN', () => Buffer.concat(got).toString() === 'after-fin');
        assert.strictEqual(lab.get(c.id)!.state, 'connected');
      } finally {
        for (const s of accepted) s.destroy();
        await new Promise((r) => server.close(r));
      }
    }));
});

describe('TLS key logs that fail after the handshake', function () {
  this.timeout(30000);
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it("a key log the disk refuses (ENOSPC) is the client's and the listener's error, and the connection goes on", function () {
    if (!fs.existsSync('/dev/full')) skipOrFail(this, 'no /dev/full to fill');
    return withLab(
      async (lab) => {
        const l = await lab.startTlsListener({ host: '127.0.0.1', port: 0, keylogPath: '/dev/full' });
        const c = await lab.connectTls({
          host: '127.0.0.1',
          port: portOf(l),
          insecure: true,
          keylogPath: '/dev/full',
        });
        for (const id of [c.id, l.id]) {
          const info = await waitFor(`${id} told`, () => lab.get(id)?.error !== undefined && lab.get(id));
          assert.strictEqual(info.errorValues?.detail, 'ENOSPC', info.error);
          assert.strictEqual(info.errorValues?.path, '/dev/full');
        }
        assert.strictEqual(lab.get(c.id)!.state, 'connected');
      },
      { tlsFolder: path.join(t.dir, 'tls'), connectTimeoutMs: 5000 },
    );
  });
});
