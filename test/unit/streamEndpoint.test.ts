// What TCP and Unix endpoints share, on real loopback sockets: the frame in progress when a stream ends, auto-replies
// (never to a partial frame, never after our FIN, marked as such) and why a send to a connection was refused.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import '../helpers/noLeaks';
import { assertSocketLabError, rejectionError } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { pcapngPackets, tcpFlags, tcpSourcePort } from '../helpers/pcapngReader';
import { portOf, rawConnect, type RawClient } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

import type { EndpointSink } from '../../src/core/endpoints/endpoint';
import { StreamListener } from '../../src/core/endpoints/streamListener';
import type { FramingSpec } from '../../src/shared/framing';
import { formatAddress } from '../../src/shared/naming';
import type { TrafficRecord } from '../../src/shared/model';

/** A TCP listener built directly, whose records are kept here even after it is stopped. */
async function recordingListener(framing: FramingSpec): Promise<{ l: StreamListener; records: TrafficRecord[] }> {
  const records: TrafficRecord[] = [];
  const sink: EndpointSink = {
    changed: () => undefined,
    traffic: (_id, r) => records.push(r),
    closed: () => undefined,
  };
  const l = new StreamListener({ id: 'e1', sink, address: '127.0.0.1', port: 0, framing });
  await l.start();
  return { l, records };
}

/** The text of the records going `direction`. */
function texts(records: readonly TrafficRecord[], direction: 'in' | 'out'): string[] {
  return records.filter((r) => r.direction === direction).map((r) => Buffer.from(r.data).toString());
}

/** A payload no loopback socket buffer holds: a flushed send of it waits while the peer does not read. */
const MORE_THAN_BUFFERS = Buffer.alloc(32 * 1024 * 1024, 0x61);

/** Connects a client that does not read, and the listener's connection id for it. */
async function stalledClient(lab: Parameters<Parameters<typeof withLab>[0]>[0], listenerId: string, port: number) {
  const client: RawClient = await rawConnect({ host: '127.0.0.1', port });
  client.socket.pause();
  const n = await waitFor('accepted', () => lab.get(listenerId)!.connections.length);
  return { client, id: `${listenerId}.c${n}` };
}

describe('stream endpoints: the frame in progress when a stream ends', () => {
  it('a reset by the peer logs the frame in progress as a partial record, with the reset as the error', async () => {
    const { l, records } = await recordingListener({ mode: 'fixed', size: 10 });
    try {
      const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      client.socket.write('0123456789abcd');
      await waitFor('the whole frame', () => records.length === 1);
      client.socket.resetAndDestroy();
      await waitFor('the partial frame', () => records.length === 2);
      assert.deepStrictEqual(texts(records, 'in'), ['0123456789', 'abcd']);
      assert.strictEqual(records[1].partial, true);
      const c = await waitFor('closed', () => l.info().connections.find((x) => x.state === 'closed'));
      assert.strictEqual(c.errorValues?.systemCode, 'ECONNRESET');
      assert.strictEqual(c.errorValues?.operation, 'receive');
    } finally {
      l.dispose();
    }
  });

  it('a stopped listener logs nothing more: the frame in progress is dropped', async () => {
    const { l, records } = await recordingListener({ mode: 'fixed', size: 10 });
    const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
    client.socket.write('abcd');
    await waitFor('the bytes arrived', () => l.info().bytesIn === 4);
    l.dispose();
    await waitFor('the client told', () => client.closed());
    assert.deepStrictEqual(records, []);
  });

  it('idle framing: stopping with a frame in progress leaves no timer behind', async () => {
    const { l, records } = await recordingListener({ mode: 'idle', gapMs: 60_000 });
    const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
    client.socket.write('waiting for a gap');
    await waitFor('the bytes arrived', () => l.info().bytesIn === 17);
    l.dispose();
    await waitFor('the client told', () => client.closed());
    assert.deepStrictEqual(records, []);
  });
});

describe('stream endpoints: how a stream ended, in a pcapng capture', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it("a client's reset is captured as its RST (not as our FIN)", () =>
    withLab(async (lab) => {
      const file = path.join(t.dir, 'cap.pcapng');
      const l = await lab.startTcpListener({ host: '127.0.0.1', port: 0, capture: { path: file, format: 'pcapng' } });
      const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const clientPort = client.socket.localPort!;
      client.socket.write('x');
      await waitFor('received', () => lab.get(l.id)!.bytesIn === 1);
      client.socket.resetAndDestroy();
      await waitFor('closed', () => lab.get(l.id)!.connections[0].state === 'closed');
      await lab.setCapture(l.id, undefined);
      const last = pcapngPackets(fs.readFileSync(file)).at(-1)!;
      assert.deepStrictEqual([tcpSourcePort(last.packet), tcpFlags(last.packet) & 0x05], [clientPort, 0x04]);
    }));
});

describe('stream endpoints: auto-replies', () => {
  it('no auto-reply to a partial frame: the echo answers the whole frame only', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({
        host: '127.0.0.1',
        port: 0,
        autoReply: { mode: 'echo' },
        framing: { mode: 'fixed', size: 4 },
      });
      const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      client.socket.end('ping' + 'pa');
      await waitFor('closed', () => client.closed());
      assert.strictEqual(client.received().toString(), 'ping');
      const out = lab.traffic(l.id).filter((r) => r.direction === 'out');
      assert.deepStrictEqual(
        out.map((r) => [Buffer.from(r.data).toString(), r.autoReply]),
        [['ping', true]],
      );
    }));

  it('a message no rule matches gets no reply, and the next one that matches does', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({
        host: '127.0.0.1',
        port: 0,
        autoReply: { mode: 'rules', rules: [{ contains: 'ping', reply: { data: 'pong' } }] },
        framing: { mode: 'line' },
      });
      const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      client.socket.write('hello\nping\n');
      await waitFor('the reply', () => client.received().toString() === 'pong');
      const c = lab.get(l.id)!.connections[0];
      assert.deepStrictEqual([c.messagesIn, c.messagesOut, c.error], [2, 1, undefined]);
      client.socket.destroy();
    }));

  it('no auto-reply once we half-closed the connection: what arrives is only logged', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ host: '127.0.0.1', port: 0, autoReply: { mode: 'echo' } });
      // A client that keeps sending after our FIN (half-open), as a real peer may.
      const client = await rawConnect({ host: '127.0.0.1', port: portOf(l), allowHalfOpen: true } as never);
      const c = await waitFor('accepted', () => lab.get(l.id)!.connections[0]);
      lab.halfClose({ id: c.id });
      await waitFor('our FIN arrived', () => client.socket.readableEnded);
      client.socket.write('after your FIN');
      await waitFor('logged', () => lab.get(l.id)!.connections[0].bytesIn === 14);
      const now = lab.get(l.id)!.connections[0];
      assert.strictEqual(now.messagesOut, 0);
      assert.strictEqual(now.error, undefined);
      assert.strictEqual(now.state, 'connected');
      client.socket.destroy();
    }));
});

describe('stream endpoints: why a send to a connection was refused', () => {
  it('a closed connection says it is closed; a reset one says it was reset', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ host: '127.0.0.1', port: 0 });
      const first = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const c1 = await waitFor('accepted', () => lab.get(l.id)!.connections[0]);
      first.socket.destroy();
      await waitFor('closed', () => lab.get(l.id)!.connections[0].state === 'closed');
      const closed = assertSocketLabError(
        await rejectionError(lab.send({ target: c1.id, data: 'x' })),
        'connectionClosed',
        {
          id: c1.id,
        },
      );
      assert.strictEqual(
        closed.message,
        `Connection ${c1.id} to ${formatAddress(c1.remote)} is closed; nothing was sent.`,
      );
      const second = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const c2 = await waitFor('accepted', () => lab.get(l.id)!.connections[1]);
      second.socket.resetAndDestroy();
      await waitFor('reset', () => lab.get(l.id)!.connections[1].state === 'closed');
      const reset = assertSocketLabError(
        await rejectionError(lab.send({ target: c2.id, data: 'x' })),
        'connectionReset',
      );
      assert.strictEqual(reset.systemCode, 'ECONNRESET');
    }));

  it('a connection we half-closed can only receive, and says so', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ host: '127.0.0.1', port: 0 });
      const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      const c = await waitFor('accepted', () => lab.get(l.id)!.connections[0]);
      lab.halfClose({ id: c.id });
      const e = assertSocketLabError(await rejectionError(lab.send({ target: c.id, data: 'x' })), 'connectionEnded', {
        id: c.id,
      });
      assert.strictEqual(
        e.message,
        `Connection ${c.id} to ${formatAddress(c.remote)} was half-closed by this side; it can only receive now.`,
      );
      client.socket.destroy();
    }));

  it('a connection whose client half-closed (ours is ending after theirs) refuses a send naming the client', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ host: '127.0.0.1', port: 0 });
      const { client, id } = await stalledClient(lab, l.id, portOf(l));
      // Data we cannot deliver keeps our side open after the client's FIN.
      const stuck = lab.send({ target: id, data: MORE_THAN_BUFFERS.toString() });
      stuck.catch(() => undefined);
      await waitFor('some of it sent', () => lab.get(l.id)!.connections[0].bytesOut > 0);
      client.socket.end();
      await waitFor('peerEnded', () => lab.get(l.id)!.connections[0].peerEnded === true);
      assert.strictEqual(lab.get(l.id)!.connections[0].state, 'connected');
      const e = assertSocketLabError(await rejectionError(lab.send({ target: id, data: 'x' })), 'connectionClosed', {
        id,
      });
      assert.match(
        e.message,
        new RegExp(`^127\\.0\\.0\\.1:\\d+ closed the connection ${id.replace('.', '\\.')}; nothing was sent\\.$`),
      );
      client.socket.destroy();
      await rejectionError(stuck);
    }));

  it('a send in flight when the listener stops is refused as stopped, not blamed on the peer', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ host: '127.0.0.1', port: 0 });
      const { client, id } = await stalledClient(lab, l.id, portOf(l));
      const stuck = lab.send({ target: id, data: MORE_THAN_BUFFERS.toString() });
      await waitFor('some of it sent', () => lab.get(l.id)!.connections[0].bytesOut > 0);
      lab.stop({ id: l.id });
      const e = assertSocketLabError(await rejectionError(stuck), 'stopped', { id: l.id });
      assert.match(e.message, /^TCP .*127\.0\.0\.1:\d+ was stopped; the data was not sent\.$/);
      client.socket.destroy();
    }));

  it('a send in flight when the client resets fails as a send naming the reset or broken pipe', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ host: '127.0.0.1', port: 0 });
      const { client, id } = await stalledClient(lab, l.id, portOf(l));
      const stuck = lab.send({ target: id, data: MORE_THAN_BUFFERS.toString() });
      await waitFor('some of it sent', () => lab.get(l.id)!.connections[0].bytesOut > 0);
      client.socket.resetAndDestroy();
      const e = assertSocketLabError(await rejectionError(stuck), 'connectionReset', { operation: 'send' });
      assert.strictEqual(e.systemCode, 'ECONNRESET');
    }));
});
