/**
 * Send-and-wait of every endpoint (endpoints/endpoint.ts): which bytes make the reply, on one connection, on all
 * of a listener's, framed or not, and what ends the wait (a FIN, a reset, a stop, a failed send); real sockets.
 */
import * as assert from 'assert';
import '../helpers/noLeaks';
import { rejectsWith } from '../helpers/errors';
import { connectionInfo, connectionOf, text, timeless, withLab } from '../helpers/lab';
import { portOf, rawConnect, rawServer } from '../helpers/sockets';
import { waitFor } from '../helpers/wait';

describe('send-and-wait: which bytes make the reply and what ends the wait (real sockets)', function () {
  this.timeout(20000);

  it('on one connection of a listener: only that connection’s bytes, ended at once by its peer’s FIN', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const c1 = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const c2 = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      try {
        const conn1 = await connectionOf(lab, l.id, c1);
        const conn2 = await connectionOf(lab, l.id, c2);
        // A wait far longer than the test: only the FIN can end it in time.
        const asking = lab.send({ target: conn1.id, data: 'ask', waitMs: 600_000 });
        await waitFor('the question delivered', () => text(c1.received()) === 'ask');
        c2.socket.write('noise');
        await waitFor('the noise read', () => connectionInfo(lab, l.id, conn2.id)!.bytesIn === 5);
        c1.socket.end('answer');
        const result = await asking;
        assert.strictEqual(result.bytes, 3);
        assert.strictEqual(text(result.reply!), 'answer');
        assert.strictEqual(result.partial, undefined);
      } finally {
        c1.socket.destroy();
        c2.socket.destroy();
      }
    }));

  it('on a half-open client: ended at once by the server’s FIN (the socket stays open), with what the server wrote', () =>
    withLab(async (lab) => {
      const server = await rawServer('127.0.0.1', (s) => s.once('data', () => s.end('pong')));
      try {
        // Half-open: the client does not answer the FIN, so only the FIN itself can end the wait in time.
        const c = await lab.connectTcp({ port: server.port, halfOpen: true });
        const result = await lab.send({ target: c.id, data: 'ping', waitMs: 600_000 });
        assert.deepStrictEqual({ bytes: result.bytes, reply: text(result.reply!) }, { bytes: 4, reply: 'pong' });
        assert.strictEqual(lab.get(c.id)!.state, 'connected');
      } finally {
        await server.close();
      }
    }));

  it('on all of a listener’s connections: one peer’s FIN does not end it; stopping the listener does', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const c1 = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const c2 = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      try {
        const conn1 = await connectionOf(lab, l.id, c1);
        await connectionOf(lab, l.id, c2);
        const asking = lab.send({ target: l.id, data: '?', waitMs: 600_000 });
        await waitFor(
          'the question delivered to both',
          () => text(c1.received()) === '?' && text(c2.received()) === '?',
        );
        c1.socket.end('a');
        await waitFor('the first peer’s FIN', () => connectionInfo(lab, l.id, conn1.id)!.peerEnded);
        c2.socket.write('b');
        await waitFor('both answers read', () => lab.get(l.id)!.bytesIn === 2);
        lab.stop({ id: l.id });
        const result = await asking;
        assert.deepStrictEqual({ bytes: result.bytes, reply: text(result.reply!) }, { bytes: 2, reply: 'ab' });
      } finally {
        c1.socket.destroy();
        c2.socket.destroy();
      }
    }));

  it('a peer that resets its connection ends the wait on it with what arrived; the error names that peer', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const c = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const peerPort = c.socket.localPort;
      try {
        const conn = await connectionOf(lab, l.id, c);
        const asking = lab.send({ target: conn.id, data: 'ask', waitMs: 600_000 });
        await waitFor('the question delivered', () => text(c.received()) === 'ask');
        c.socket.write('abc');
        await waitFor('the answer read', () => connectionInfo(lab, l.id, conn.id)!.bytesIn === 3);
        c.socket.resetAndDestroy();
        const result = await asking;
        assert.strictEqual(text(result.reply!), 'abc');
        const closed = await waitFor('the connection closed', () => {
          const info = connectionInfo(lab, l.id, conn.id)!;
          return info.state === 'closed' && info;
        });
        assert.strictEqual(closed.error, `The connection to 127.0.0.1:${peerPort} was reset by the peer (ECONNRESET).`);
      } finally {
        c.socket.destroy();
      }
    }));

  it('a server that resets a client ends the client’s wait with what arrived, and the client is in error', () =>
    withLab(async (lab) => {
      const server = await rawServer();
      try {
        const c = await lab.connectTcp({ port: server.port });
        const asking = lab.send({ target: c.id, data: 'ask', waitMs: 600_000 });
        await waitFor('the question delivered', () => text(server.received()) === 'ask');
        server.sockets[0].write('xyz');
        await waitFor('the answer read', () => lab.get(c.id)!.bytesIn === 3);
        server.sockets[0].resetAndDestroy();
        const result = await asking;
        assert.strictEqual(text(result.reply!), 'xyz');
        await waitFor('the client in error', () => lab.get(c.id)!.state === 'error');
        assert.strictEqual(lab.get(c.id)!.errorCode, 'connectionReset');
      } finally {
        await server.close();
      }
    }));

  it('a send-and-wait whose send fails is refused and leaves no wait (timer) behind', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const c = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const conn = await connectionOf(lab, l.id, c);
      c.socket.destroy();
      await waitFor('the connection closed', () => connectionInfo(lab, l.id, conn.id)!.state === 'closed');
      const timers = () => process.getActiveResourcesInfo().filter((t) => t === 'Timeout').length;
      const timersBefore = timers();
      await rejectsWith(
        lab.send({ target: conn.id, data: 'x', waitMs: 600_000 }),
        'connectionClosed',
        /is closed; nothing was sent\.$/,
      );
      // The wait was cancelled with the send: its 600 s timer is gone while the listener lives on.
      assert.strictEqual(timers(), timersBefore);
    }));
});

describe('send-and-wait on a framed listener: only the asked connection’s frames and reads count', function () {
  this.timeout(20000);

  it('a complete frame of another connection does not answer; the asked one’s frame does', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0, framing: { mode: 'line' } });
      const c1 = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const c2 = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      try {
        const conn1 = await connectionOf(lab, l.id, c1);
        const conn2 = await connectionOf(lab, l.id, c2);
        const asking = lab.send({ target: conn1.id, data: 'ask', waitMs: 600_000 });
        await waitFor('the question delivered', () => text(c1.received()) === 'ask');
        c2.socket.write('noise\n');
        await waitFor('the noise framed', () => connectionInfo(lab, l.id, conn2.id)!.messagesIn === 1);
        c1.socket.write('mine\n');
        const result = await asking;
        assert.strictEqual(text(result.reply!), 'mine\n');
        assert.strictEqual(result.partial, undefined);
        // A line record carries its delimiter count and no header count.
        assert.deepStrictEqual(timeless(lab.traffic(conn1.id)[1]), {
          direction: 'in',
          peer: `127.0.0.1:${c1.socket.localPort}`,
          connectionId: conn1.id,
          delimiterBytes: 1,
          data: 'mine\n',
        });
      } finally {
        c1.socket.destroy();
        c2.socket.destroy();
      }
    }));

  it('without a complete frame: the asked connection’s reads only, marked partial', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0, framing: { mode: 'line' } });
      const c1 = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const c2 = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      try {
        const conn1 = await connectionOf(lab, l.id, c1);
        const conn2 = await connectionOf(lab, l.id, c2);
        const asking = lab.send({ target: conn1.id, data: 'ask', waitMs: 600_000 });
        await waitFor('the question delivered', () => text(c1.received()) === 'ask');
        c2.socket.write('noise');
        await waitFor('the noise read', () => connectionInfo(lab, l.id, conn2.id)!.bytesIn === 5);
        c1.socket.end('par');
        const result = await asking;
        assert.deepStrictEqual(
          { reply: text(result.reply!), partial: result.partial },
          { reply: 'par', partial: true },
        );
      } finally {
        c1.socket.destroy();
        c2.socket.destroy();
      }
    }));

  it('a length-prefixed record carries its header count and no delimiter count', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0, framing: { mode: 'length', bytes: 2 } });
      const c = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      try {
        const conn = await connectionOf(lab, l.id, c);
        c.socket.write(Buffer.from([0, 3, 0x61, 0x62, 0x63]));
        await waitFor('the frame', () => connectionInfo(lab, l.id, conn.id)!.messagesIn === 1);
        const [record] = lab.traffic(conn.id);
        assert.deepStrictEqual(Object.keys(record).sort(), [
          'connectionId',
          'data',
          'direction',
          'headerBytes',
          'peer',
          'time',
        ]);
        assert.strictEqual(record.headerBytes, 2);
      } finally {
        c.socket.destroy();
      }
    }));
});
