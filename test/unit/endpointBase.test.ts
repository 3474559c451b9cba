/**
 * What every endpoint shares besides send-and-wait (endpoints/endpoint.ts; see sendAndWait.test.ts): the records
 * and counters of what crosses, half-close and close by id, the closed connections kept, the capture state in
 * info() and the rules-off report; on real loopback sockets and Unix paths.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { throwsSocketLabError } from '../helpers/errors';
import { pcapngPackets, tcpFlags, tcpSourcePort } from '../helpers/pcapngReader';
import { connectionInfo, connectionOf, text, timeless, withLab } from '../helpers/lab';
import { freePort, portOf, rawConnect, rawServer, type RawClient } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

import type { EndpointSink } from '../../src/core/endpoints/endpoint';
import { StreamClient } from '../../src/core/endpoints/streamClient';
import { StreamListener } from '../../src/core/endpoints/streamListener';
import { UdpSocket } from '../../src/core/endpoints/udpSocket';
import { SocketLabError } from '../../src/shared/errors';
import type { TrafficRecord } from '../../src/shared/model';

describe('what an endpoint sends: counters and records, by hand and by the auto-reply', () => {
  it('a send is one out record without the auto-reply mark; an echo is marked; counters count each once', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0, autoReply: { mode: 'echo' } });
      const c = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      try {
        const conn = await connectionOf(lab, l.id, c);
        const events: TrafficRecord[] = [];
        const listening = lab.onDidTraffic((e) => events.push(e.record));
        try {
          await lab.send({ target: conn.id, data: 'hi' });
          c.socket.write('yo');
          await waitFor('the echo', () => text(c.received()) === 'hiyo');
        } finally {
          listening.dispose();
        }
        // The event carries each record as it was logged.
        assert.deepStrictEqual(
          events.map((r) => [r.direction, text(r.data), r.autoReply]),
          [
            ['out', 'hi', undefined],
            ['in', 'yo', undefined],
            ['out', 'yo', true],
          ],
        );
        const peer = `127.0.0.1:${c.socket.localPort}`;
        assert.deepStrictEqual(lab.traffic(conn.id).map(timeless), [
          { direction: 'out', peer, connectionId: conn.id, data: 'hi' },
          { direction: 'in', peer, connectionId: conn.id, data: 'yo' },
          { direction: 'out', peer, connectionId: conn.id, data: 'yo', autoReply: true },
        ]);
        const info = lab.get(l.id)!;
        assert.deepStrictEqual(
          {
            bytesOut: info.bytesOut,
            messagesOut: info.messagesOut,
            bytesIn: info.bytesIn,
            messagesIn: info.messagesIn,
          },
          { bytesOut: 4, messagesOut: 2, bytesIn: 2, messagesIn: 1 },
        );
        const ci = connectionInfo(lab, l.id, conn.id)!;
        assert.deepStrictEqual([ci.messagesOut, ci.bytesOut], [2, 4]);
      } finally {
        c.socket.destroy();
      }
    }));
});

describe('half-close and close by id', () => {
  it('half-closing a listener or a UDP peer is refused naming that id; a second half-close changes nothing', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const err = throwsSocketLabError(() => lab.halfClose({ id: l.id }), 'notAStream', { id: l.id });
      assert.strictEqual(err.message, `${l.id} is not a TCP or Unix stream; only streams can be half-closed.`);
      const u = await lab.startUdpListener({ port: 0 });
      const sender = await lab.openUdpClient({ port: portOf(u) });
      await lab.send({ target: sender.id, data: 'x' });
      const peer = await waitFor('the UDP peer', () => lab.get(u.id)!.connections[0]);
      throwsSocketLabError(() => lab.halfClose({ id: peer.id }), 'notAStream', { id: peer.id });

      const c = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      try {
        const conn = await connectionOf(lab, l.id, c);
        const seen: string[] = [];
        const d = lab.onDidChangeEndpoints((id) => seen.push(id));
        try {
          lab.halfClose({ id: conn.id });
          assert.deepStrictEqual(seen, [l.id]);
          assert.strictEqual(connectionInfo(lab, l.id, conn.id)!.localEnded, true);
          lab.halfClose({ id: conn.id });
          assert.deepStrictEqual(seen, [l.id], 'the second half-close reported a change');
        } finally {
          d.dispose();
        }
        await waitFor('the FIN at the peer', () => c.socket.readableEnded);
      } finally {
        c.socket.destroy();
      }
    }));

  it('a half-close puts one FIN from our side into a pcapng capture', async () => {
    const temp = tempDir();
    try {
      await withLab(async (lab) => {
        const file = path.join(temp.dir, 'half.pcapng');
        const l = await lab.startTcpListener({ port: 0, capture: { path: file, format: 'pcapng' } });
        // A peer that stays open after our FIN (Node's default would answer it with its own at once).
        const socket = net.connect({ host: '127.0.0.1', port: portOf(l), allowHalfOpen: true });
        socket.on('error', () => undefined);
        socket.resume();
        await new Promise((resolve) => socket.once('connect', resolve));
        const c = { socket } as RawClient;
        try {
          const conn = await connectionOf(lab, l.id, c);
          c.socket.write('hi');
          await waitFor('the bytes read', () => lab.get(l.id)!.bytesIn === 2);
          lab.halfClose({ id: conn.id });
          await waitFor('the FIN at the peer', () => c.socket.readableEnded);
          // Stopped before the peer closes, so that only the half-close's FIN is in the file.
          await lab.stopCapture({ id: l.id });
        } finally {
          c.socket.destroy();
        }
        const packets = pcapngPackets(fs.readFileSync(file));
        const fins = packets.filter((p) => tcpFlags(p.packet) & 0x01).map((p) => tcpSourcePort(p.packet));
        assert.deepStrictEqual(fins, [portOf(l)]);
        assert.strictEqual(packets.filter((p) => tcpFlags(p.packet) & 0x04).length, 0, 'no RST');
      });
    } finally {
      temp.remove();
    }
  });

  it('a listener keeps its last 100 closed connections and forgets older ones', async function () {
    this.timeout(60000);
    await withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      for (let i = 1; i <= 101; i++) {
        const c = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
        const conn = await connectionOf(lab, l.id, c);
        c.socket.destroy();
        await waitFor(`connection ${i} closed`, () => lab.get(l.id)!.connections.every((x) => x.state === 'closed'));
        assert.strictEqual(conn.id, `${l.id}.c${i}`);
      }
      const ids = lab.get(l.id)!.connections.map((c) => c.id);
      assert.strictEqual(ids.length, 100);
      assert.strictEqual(ids[0], `${l.id}.c2`);
      assert.strictEqual(ids[99], `${l.id}.c101`);
    });
  });

  it('a Unix connection reset by its peer names the socket path in its error', async () => {
    const temp = tempDir();
    try {
      await withLab(async (lab) => {
        const file = path.join(temp.dir, 'r.sock');
        const l = await lab.startUnixListener({ path: file });
        const c = await rawConnect({ path: file });
        try {
          // A peer that closes with bytes it never read resets the stream (ECONNRESET at our end).
          c.socket.pause();
          const conn = await waitFor('the connection', () => lab.get(l.id)!.connections[0]);
          await lab.send({ target: conn.id, data: 'unread' });
          c.socket.destroy();
          const closed = await waitFor('the connection closed', () => {
            const info = connectionInfo(lab, l.id, conn.id)!;
            return info.state === 'closed' && info;
          });
          assert.strictEqual(closed.error, `The connection to ${file} was reset by the peer (ECONNRESET).`);
        } finally {
          c.socket.destroy();
        }
      });
    } finally {
      temp.remove();
    }
  });
});

describe('capture state in info()', function () {
  this.timeout(30000);

  it('a capture that reaches maxBytes reports the change at once, with its sentence as a template, and nothing lost', async () => {
    const temp = tempDir();
    try {
      await withLab(async (lab) => {
        const file = path.join(temp.dir, 'small.raw');
        const l = await lab.startTcpListener({ port: 0, capture: { path: file, format: 'raw', maxBytes: 4096 } });
        const stopped = new Promise<void>((resolve) => {
          const d = lab.onDidChangeEndpoints((id) => {
            if (id === l.id && lab.get(id)?.captureStopped) {
              d.dispose();
              resolve();
            }
          });
        });
        const c = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
        try {
          c.socket.write(Buffer.alloc(5000, 0x41));
          await stopped;
          const info = lab.get(l.id)!;
          assert.strictEqual(
            info.captureStoppedTemplate,
            'Capture to {path} stopped at its limit of {maxBytes} bytes (maxBytes); start a new capture to record more.',
          );
          assert.strictEqual(info.captureStoppedValues?.maxBytes, 4096);
          assert.strictEqual(info.captureStoppedValues?.path, file);
          assert.strictEqual('captureLost' in info, false, 'nothing was lost, so no count is shown');
          assert.strictEqual(info.captureMaxBytes, 4096);
        } finally {
          c.socket.destroy();
        }
        // Stopping a capture twice: the second finds none and resolves as well.
        assert.strictEqual((await lab.stopCapture({ id: l.id })).capturePath, undefined);
        assert.strictEqual((await lab.stopCapture({ id: l.id })).capturePath, undefined);
        assert.ok(fs.statSync(file).size <= 4096);
      });
    } finally {
      temp.remove();
    }
  });
});

describe('an endpoint on its own: the rules-off report and closing a connection it does not have', () => {
  /** A sink that records what the endpoint reports. */
  function recordingSink(): EndpointSink & { changedIds: string[]; closedIds: string[] } {
    const changedIds: string[] = [];
    const closedIds: string[] = [];
    return {
      changedIds,
      closedIds,
      changed: (id) => changedIds.push(id),
      traffic: () => undefined,
      closed: (id, connectionId) => closedIds.push(connectionId ?? id),
    };
  }

  const ruleOff = (rule: number) =>
    SocketLabError.create('autoReplyRuleOff', '{field} is switched off.', {
      field: `autoReply.rules[${rule}].regex`,
      rule,
    });

  it('a rule switched off is listed once (with its sentence), other problems are not, and setting the auto-reply again clears it', () => {
    const sink = recordingSink();
    const l = new StreamListener({ id: 'e1', sink, address: '127.0.0.1', port: 0 });
    try {
      l.autoReplyProblem(
        SocketLabError.create('autoReplyRegexSlow', '{field} was slow once.', { field: 'autoReply.rules[0].regex' }),
      );
      assert.strictEqual(l.info().autoReplyRulesOff, undefined);
      assert.deepStrictEqual(sink.changedIds, []);
      l.autoReplyProblem(ruleOff(1));
      l.autoReplyProblem(ruleOff(1));
      l.autoReplyProblem(ruleOff(0));
      assert.deepStrictEqual(l.info().autoReplyRulesOff, [
        {
          rule: 1,
          errorCode: 'autoReplyRuleOff',
          error: 'autoReply.rules[1].regex is switched off.',
          errorTemplate: '{field} is switched off.',
          errorValues: { field: 'autoReply.rules[1].regex', rule: 1 },
        },
        {
          rule: 0,
          errorCode: 'autoReplyRuleOff',
          error: 'autoReply.rules[0].regex is switched off.',
          errorTemplate: '{field} is switched off.',
          errorValues: { field: 'autoReply.rules[0].regex', rule: 0 },
        },
      ]);
      assert.deepStrictEqual(sink.changedIds, ['e1', 'e1']);
      l.setAutoReply(undefined);
      assert.strictEqual(l.info().autoReplyRulesOff, undefined);
      assert.deepStrictEqual(sink.changedIds, ['e1', 'e1', 'e1']);
    } finally {
      l.dispose();
    }
    l.autoReplyProblem(ruleOff(2));
    assert.strictEqual(l.info().autoReplyRulesOff, undefined, 'a stopped endpoint takes no report');
  });

  it('a stopped client reports its end once: not again when its socket finishes closing', async () => {
    const server = await rawServer('127.0.0.1');
    try {
      const sink = recordingSink();
      const client = new StreamClient({ id: 'e1', sink, address: '127.0.0.1', port: server.port, timeoutMs: 10000 });
      try {
        await client.start();
        const peer = await waitFor('the server’s connection', () => server.sockets[0]);
        const peerEnded = new Promise((resolve) => peer.once('end', resolve));
        const changesBefore = sink.changedIds.length;
        client.dispose();
        assert.deepStrictEqual(sink.closedIds, ['e1']);
        // Our socket has finished closing once its FIN reached the peer (and the loop went round once more).
        await peerEnded;
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepStrictEqual(sink.closedIds, ['e1'], 'the end was reported again');
        assert.strictEqual(sink.changedIds.length, changesBefore, 'a stopped client reported a change');
        assert.strictEqual(client.info().state, 'closed');
      } finally {
        client.dispose();
      }
    } finally {
      await server.close();
    }
  });

  it('a UDP client in error (port unreachable) that is stopped stays in error and reports its end once', async () => {
    const sink = recordingSink();
    const client = new UdpSocket({
      id: 'e1',
      sink,
      mode: 'connected',
      address: '127.0.0.1',
      port: await freePort(),
      family: 4,
    });
    try {
      await client.start();
      // Nothing listens there: the ICMP port-unreachable puts the socket in error without closing it.
      await waitFor('the socket in error', async () => {
        if (client.info().state === 'error') return true;
        await client.send({}, Buffer.from('x')).catch(() => undefined);
        return false;
      });
      const changesBefore = sink.changedIds.length;
      client.dispose();
      // A UDP socket emits its close on the next tick, before the loop goes round.
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepStrictEqual(sink.closedIds, ['e1']);
      assert.strictEqual(sink.changedIds.length, changesBefore);
      assert.strictEqual(client.info().state, 'error');
      assert.strictEqual(client.info().errorCode, 'portUnreachable');
    } finally {
      client.dispose();
    }
  });

  it('closing a connection it does not have is refused naming that id', () => {
    const l = new StreamListener({ id: 'e1', sink: recordingSink(), address: '127.0.0.1', port: 0 });
    try {
      const err = throwsSocketLabError(() => l.closeConnection('e1.c9'), 'unknownId', { id: 'e1.c9' });
      assert.strictEqual(err.message, 'There is no connection e1.c9.');
    } finally {
      l.dispose();
    }
  });
});
