/**
 * Repeats over real loopback sockets: what activeRepeats() reports while one runs, when the interval is waited
 * and when it is not, UDP bursts bounded by the count, and how a stop ends a repeat (also mid-send).
 */
import * as assert from 'assert';
import '../helpers/noLeaks';
import { throwsSocketLabError } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { portOf, rawServer } from '../helpers/sockets';
import { waitFor } from '../helpers/wait';
import type { SocketLab } from '../../src/core/socketLab';
import type { RepeatEndEvent } from '../../src/core/sending';

/** Resolves with the end event of repeat `repeatId` (the listener is added before the repeat starts). */
function endOf(lab: SocketLab, repeatId: string): Promise<RepeatEndEvent> {
  return new Promise((resolve) => {
    const sub = lab.onDidEndRepeat((e) => {
      if (e.repeatId === repeatId) {
        sub.dispose();
        resolve(e);
      }
    });
  });
}

/** A far interval: a repeat waiting it is certainly between two sends while the test looks. */
const LONG_MS = 60_000;

describe('repeat send over TCP: its snapshot, its interval, its stop', function () {
  this.timeout(20000);

  it('activeRepeats() reports the id, target, interval, count, sends and bytes so far; ids count up from r1', async () => {
    const server = await rawServer();
    try {
      await withLab(async (lab) => {
        const client = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        const first = await lab.send({ target: client.id, data: 'tick', repeat: { intervalMs: LONG_MS, count: 3 } });
        assert.deepStrictEqual(first, { bytes: 4, repeatId: 'r1' });
        const second = await lab.send({ target: client.id, data: 'tock!', repeat: { intervalMs: LONG_MS } });
        assert.deepStrictEqual(second, { bytes: 5, repeatId: 'r2' });
        await waitFor('one send of each repeat at the peer', () => server.received().length === 9);
        assert.deepStrictEqual(lab.activeRepeats(), [
          { id: 'r1', target: client.id, endpointId: client.id, intervalMs: LONG_MS, count: 3, sent: 1, bytes: 4 },
          { id: 'r2', target: client.id, endpointId: client.id, intervalMs: LONG_MS, sent: 1, bytes: 5 },
        ]);
        const ends = [endOf(lab, 'r1'), endOf(lab, 'r2')];
        lab.stopRepeat({ repeatId: 'r1' });
        lab.stopRepeat({ repeatId: 'r2' });
        assert.deepStrictEqual(await Promise.all(ends), [
          { repeatId: 'r1', endpointId: client.id, sent: 1 },
          { repeatId: 'r2', endpointId: client.id, sent: 1 },
        ]);
        assert.deepStrictEqual(lab.activeRepeats(), []);
        assert.strictEqual(server.received().toString(), 'ticktock!');
      });
    } finally {
      await server.close();
    }
  });

  it('a repeat whose count is reached ends at once, without waiting one more interval', async () => {
    const server = await rawServer();
    try {
      await withLab(async (lab) => {
        const client = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        const ended = endOf(lab, 'r1');
        await lab.send({ target: client.id, data: 'once', repeat: { intervalMs: LONG_MS, count: 1 } });
        assert.deepStrictEqual(await ended, { repeatId: 'r1', endpointId: client.id, sent: 1 });
        assert.deepStrictEqual(lab.activeRepeats(), []);
        await waitFor('the one send at the peer', () => server.received().toString() === 'once');
      });
    } finally {
      await server.close();
    }
  });

  it('waits the interval between sends: with two to go, the second is not sent right after the first', async () => {
    const server = await rawServer();
    try {
      await withLab(async (lab) => {
        const client = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        await lab.send({ target: client.id, data: 'one', repeat: { intervalMs: LONG_MS, count: 2 } });
        await waitFor('the first send at the peer', () => server.received().length === 3);
        assert.deepStrictEqual(
          lab.activeRepeats().map((r) => [r.id, r.sent]),
          [['r1', 1]],
        );
        const ended = endOf(lab, 'r1');
        lab.stopRepeat({ repeatId: 'r1' });
        assert.deepStrictEqual(await ended, { repeatId: 'r1', endpointId: client.id, sent: 1 });
        assert.strictEqual(server.received().toString(), 'one');
      });
    } finally {
      await server.close();
    }
  });

  it('a repeat stopped while its send waits on backpressure ends when that send completes, not an interval later', async () => {
    const payload = 'x'.repeat(8 * 1024 * 1024);
    // The peer reads nothing until told: the first 8 MiB send cannot complete before the stop.
    const server = await rawServer('127.0.0.1', (s) => s.pause());
    try {
      await withLab(async (lab) => {
        const client = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        await waitFor('accepted', () => server.sockets.length === 1);
        await lab.send({ target: client.id, data: payload, repeat: { intervalMs: LONG_MS } });
        const ended = endOf(lab, 'r1');
        lab.stopRepeat({ repeatId: 'r1' });
        assert.deepStrictEqual(lab.activeRepeats(), []);
        server.sockets[0].resume();
        assert.deepStrictEqual(await ended, { repeatId: 'r1', endpointId: client.id, sent: 1 });
        await waitFor('the one payload at the peer', () => server.received().length === payload.length);
      });
    } finally {
      await server.close();
    }
  });

  it('refuses to stop a repeat that is not running, naming its id', () =>
    withLab(async (lab) => {
      const err = throwsSocketLabError(() => lab.stopRepeat({ repeatId: 'r9' }), 'unknownId', { id: 'r9' });
      assert.strictEqual(err.message, 'There is no running repeat r9.');
    }));

  it('closing an endpoint stops the repeats to its connections, and only those', async () => {
    const server = await rawServer();
    try {
      await withLab(async (lab) => {
        const listener = await lab.startTcpListener({ host: '127.0.0.1', port: 0 });
        const peer = await lab.connectTcp({ host: '127.0.0.1', port: portOf(listener) });
        await waitFor('the accepted connection', () => (lab.get(listener.id)?.connections ?? []).length === 1);
        const connectionId = lab.get(listener.id)!.connections![0].id;
        const other = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        await lab.send({ target: connectionId, data: 'a', repeat: { intervalMs: LONG_MS } });
        await lab.send({ target: other.id, data: 'b', repeat: { intervalMs: LONG_MS } });
        const ended = endOf(lab, 'r1');
        lab.stop({ id: listener.id });
        assert.deepStrictEqual(await ended, { repeatId: 'r1', endpointId: listener.id, sent: 1 });
        assert.deepStrictEqual(
          lab.activeRepeats().map((r) => [r.id, r.target]),
          [['r2', other.id]],
        );
        lab.stop({ id: peer.id });
      });
    } finally {
      await server.close();
    }
  });
});

describe('repeat send over UDP: back to back in bursts bounded by the count', function () {
  this.timeout(20000);

  it('a back-to-back repeat of 10 datagrams sends exactly 10, though a burst could hold 64', () =>
    withLab(async (lab) => {
      const sink = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const ended = endOf(lab, 'r1');
      await lab.send({
        target: u.id,
        data: 'dgram',
        to: { host: '127.0.0.1', port: portOf(sink) },
        repeat: { intervalMs: 0, count: 10 },
      });
      assert.deepStrictEqual(await ended, { repeatId: 'r1', endpointId: u.id, sent: 10 });
      assert.strictEqual(lab.get(u.id)!.bytesOut, 50);
    }));

  it('a long back-to-back repeat counts sends and bytes alike while it runs, and ends when stopped', () =>
    withLab(async (lab) => {
      const sink = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      await lab.send({
        target: u.id,
        data: 'abc',
        to: { host: '127.0.0.1', port: portOf(sink) },
        repeat: { intervalMs: 0, count: 10_000_000 },
      });
      await waitFor('200 datagrams sent', () => (lab.activeRepeats()[0]?.sent ?? 0) >= 200);
      const running = lab.activeRepeats()[0];
      assert.strictEqual(running.bytes, running.sent * 3);
      const ended = endOf(lab, 'r1');
      lab.stopRepeat({ repeatId: 'r1' });
      const end = await ended;
      assert.ok(end.sent >= running.sent, `${end.sent} >= ${running.sent}`);
      assert.strictEqual(lab.get(u.id)!.bytesOut, end.sent * 3);
    }));

  it('with an interval, a UDP repeat sends one datagram per interval, not a burst', () =>
    withLab(async (lab) => {
      const sink = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      await lab.send({
        target: u.id,
        data: 'slow',
        to: { host: '127.0.0.1', port: portOf(sink) },
        repeat: { intervalMs: LONG_MS, count: 3 },
      });
      await waitFor('the first datagram at the sink', () => lab.get(sink.id)!.bytesIn === 4);
      assert.deepStrictEqual(
        lab.activeRepeats().map((r) => [r.id, r.sent, r.bytes]),
        [['r1', 1, 4]],
      );
      const ended = endOf(lab, 'r1');
      lab.stopRepeat({ repeatId: 'r1' });
      assert.deepStrictEqual(await ended, { repeatId: 'r1', endpointId: u.id, sent: 1 });
    }));
});
