/**
 * The registry itself (SocketLab): its options, ids, restart and stop racing, the per-endpoint settings
 * (auto-reply, capture, multicast) and the lookups by id, on real loopback sockets and Unix paths.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import '../helpers/noLeaks';
import { assertSocketLabError, rejectsWith, throwsSocketLabError } from '../helpers/errors';
import { unchecked, withLab } from '../helpers/lab';
import { portOf, rawConnect, rawServer } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

import { SocketLab } from '../../src/core/socketLab';

/** Ids `lab` reported changed since this was called. */
function changes(lab: SocketLab): { ids: string[]; stop: () => void } {
  const ids: string[] = [];
  const d = lab.onDidChangeEndpoints((id) => ids.push(id));
  return { ids, stop: () => d.dispose() };
}

describe('SocketLab options: checked field by field, applied to what opens next', () => {
  it('logCapBytes must be a whole number >= 0: 0 is taken, -1 and 1.5 are refused naming the field', () => {
    const lab = new SocketLab({ logCapBytes: 0 });
    try {
      for (const bad of [-1, 1.5]) {
        const err = throwsSocketLabError(() => lab.setOptions({ logCapBytes: bad }), 'invalidArgument', {
          field: 'logCapBytes',
        });
        assert.strictEqual(err.message, 'logCapBytes must be a whole number of bytes >= 0.');
      }
    } finally {
      lab.dispose();
    }
  });

  it('each bad option names its own field', () => {
    const lab = new SocketLab();
    try {
      const cases: [Parameters<SocketLab['setOptions']>[0], string, string][] = [
        [{ defaultHost: '' }, 'invalidHost', 'defaultHost'],
        [{ connectTimeoutMs: -5 }, 'invalidTimeout', 'connectTimeoutMs'],
        [{ tlsFolder: '' }, 'invalidArgument', 'tlsFolder'],
        [{ maxConnections: 0 }, 'invalidArgument', 'maxConnections'],
      ];
      for (const [options, code, field] of cases) {
        const err = throwsSocketLabError(() => lab.setOptions(options), code, { field });
        assert.ok(err.message.includes(field), err.message);
      }
    } finally {
      lab.dispose();
    }
  });

  it('maxConnections is the default of a Unix listener that gives none; its own value wins', async () => {
    const temp = tempDir();
    try {
      await withLab(
        async (lab) => {
          const plain = await lab.startUnixListener({ path: path.join(temp.dir, 'a.sock') });
          assert.strictEqual(plain.maxConnections, 7);
          const own = await lab.startUnixListener({ path: path.join(temp.dir, 'b.sock'), maxConnections: 3 });
          assert.strictEqual(own.maxConnections, 3);
        },
        { maxConnections: 7 },
      );
    } finally {
      temp.remove();
    }
  });
});

describe('SocketLab ids: reserveIds and reopen take only ids like e3', () => {
  it('reserveIds skips past e15, and ignores xe40, e50x, e and names that are not ids', () =>
    withLab(async (lab) => {
      lab.reserveIds(['e15']);
      const a = await lab.startTcpListener({ port: 0 });
      assert.strictEqual(a.id, 'e16');
      lab.reserveIds(['xe40', 'e50x', 'e', 'relay']);
      const b = await lab.startTcpListener({ port: 0 });
      assert.strictEqual(b.id, 'e17');
    }));

  it('reopen refuses an id that is not like e3 or is taken, naming the id field; e55 is fine', () =>
    withLab(async (lab) => {
      for (const id of ['xe5', 'e5x', 'e']) {
        await rejectsWith(
          lab.reopen(id, 'startTcpListener', { port: 0 }),
          'invalidArgument',
          new RegExp(`^id must be a free endpoint id like e3, not ${id}\\.$`),
        );
      }
      const l = await lab.reopen('e55', 'startTcpListener', { port: 0 });
      assert.strictEqual(l.id, 'e55');
      try {
        await lab.reopen('e55', 'startTcpListener', { port: 0 });
        assert.fail('a taken id was reopened');
      } catch (err) {
        assert.deepStrictEqual(unchecked<{ values: unknown }>(err).values, { field: 'id', value: 'e55' });
      }
      assert.deepStrictEqual(
        lab.list().map((e) => e.id),
        ['e55'],
      );
    }));
});

describe('SocketLab.restart: unknown ids, failures and a stop while restarting', () => {
  it('restart of an unknown id is refused with its sentence', () =>
    withLab(async (lab) => {
      await rejectsWith(lab.restart({ id: 'e9' }), 'unknownId', /^There is no endpoint e9\.$/);
    }));

  it('a restart that fails still reports the endpoint changed (now in error)', () =>
    withLab(async (lab) => {
      const server = await rawServer();
      const c = await lab.connectTcp({ port: server.port });
      await server.close();
      await waitFor('the client closed', () => lab.get(c.id)!.state !== 'connected');
      const seen = changes(lab);
      try {
        await rejectsWith(lab.restart({ id: c.id }), 'connectionRefused');
        assert.strictEqual(lab.get(c.id)!.state, 'error');
        assert.strictEqual(lab.get(c.id)!.errorCode, 'connectionRefused');
        assert.ok(seen.ids.includes(c.id), `no change of ${c.id} reported: ${seen.ids.join(',')}`);
      } finally {
        seen.stop();
      }
    }));

  it('stop during a restart wins: the restart rejects and the fresh socket is closed, not kept', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const restarting = lab.restart({ id: l.id });
      lab.stop({ id: l.id });
      await rejectsWith(restarting, 'stopped', new RegExp(`^Endpoint ${l.id} was stopped while restarting\\.$`));
      assert.deepStrictEqual(lab.list(), []);
      assert.strictEqual(lab.get(l.id), undefined);
    }));
});

describe('SocketLab per-endpoint settings: auto-reply, capture, UDP multicast and lookups by id', () => {
  it('setAutoReply turns an echo on and off on a live listener; an empty id names the id field', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      lab.setAutoReply(l.id, { mode: 'echo' });
      assert.strictEqual(lab.get(l.id)!.autoReply, true);
      const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      try {
        client.socket.write('ping');
        await waitFor('the echo', () => client.received().toString() === 'ping');
        lab.setAutoReply(l.id, undefined);
        assert.strictEqual(lab.get(l.id)!.autoReply, undefined);
      } finally {
        client.socket.destroy();
      }
      throwsSocketLabError(() => lab.setAutoReply('', { mode: 'echo' }), 'invalidArgument', { field: 'id' });
      throwsSocketLabError(() => lab.setAutoReply('e77', { mode: 'echo' }), 'unknownId', { id: 'e77' });
    }));

  it('a relay refuses an auto-reply with its sentence, but removing none is fine', () =>
    withLab(async (lab) => {
      const upstream = await rawServer();
      try {
        const r = await lab.startRelay({ listen: { port: 0 }, upstream: { host: '127.0.0.1', port: upstream.port } });
        const err = throwsSocketLabError(() => lab.setAutoReply(r.id, { mode: 'echo' }), 'invalidArgument', {
          id: r.id,
          field: 'autoReply',
          endpoint: `Relay 127.0.0.1:${portOf(r)} → 127.0.0.1:${upstream.port}`,
        });
        assert.match(err.message, /is a relay: it passes on what each side says, so it has no auto-reply/);
        lab.setAutoReply(r.id, undefined);
        assert.strictEqual(lab.get(r.id)!.autoReply, undefined);
      } finally {
        await upstream.close();
      }
    }));

  it('a regex rule switched off while running shows in list() once the auto-reply was set with setAutoReply', async function () {
    this.timeout(60000);
    await withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      // A pattern whose groups cost tens of ms on 60 KB: more than a message's budget on any machine.
      lab.setAutoReply(l.id, { mode: 'rules', rules: [{ regex: '((.*)a){6}', reply: { data: '$1' } }] });
      const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
      try {
        const heavy = 'a'.repeat(60000);
        let off;
        for (let i = 0; i < 40 && !off; i++) {
          const before = lab.get(l.id)!.bytesIn;
          client.socket.write(heavy);
          await waitFor('the message read', () => lab.get(l.id)!.bytesIn >= before + heavy.length, 30000);
          off = lab.get(l.id)!.autoReplyRulesOff;
        }
        assert.ok(off, 'the slow rule was never switched off');
        assert.strictEqual(off.length, 1);
        assert.strictEqual(off[0].rule, 0);
        assert.strictEqual(off[0].errorCode, 'autoReplyRuleOff');
      } finally {
        client.socket.destroy();
      }
    });
  });

  it('startCapture writes to a file, stopCapture closes it; an empty path or unknown id is refused', async () => {
    const temp = tempDir();
    try {
      await withLab(async (lab) => {
        const l = await lab.startTcpListener({ port: 0 });
        const file = path.join(temp.dir, 'cap.raw');
        const on = await lab.startCapture({ id: l.id, path: file, format: 'raw' });
        assert.strictEqual(on.capturePath, file);
        assert.strictEqual(on.captureFormat, 'raw');
        const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
        try {
          client.socket.write('captured');
          await waitFor('the bytes read', () => lab.get(l.id)!.bytesIn === 8);
        } finally {
          client.socket.destroy();
        }
        const off = await lab.stopCapture({ id: l.id });
        assert.strictEqual(off.capturePath, undefined);
        assert.strictEqual(fs.readFileSync(file, 'utf8'), 'captured');
        try {
          await lab.setCapture('', { path: file });
          assert.fail('an empty id was taken');
        } catch (err) {
          assertSocketLabError(err, 'invalidArgument', { field: 'id' });
        }
        await rejectsWith(lab.stopCapture({ id: 'e42' }), 'unknownId', /^There is no endpoint e42\.$/);
      });
    } finally {
      temp.remove();
    }
  });

  it('a capture started on an endpoint stopped while its file opens is refused and the endpoint stays gone', async () => {
    const temp = tempDir();
    try {
      await withLab(async (lab) => {
        const l = await lab.startTcpListener({ port: 0 });
        const capturing = lab.setCapture(l.id, { path: path.join(temp.dir, 'late.jsonl') });
        lab.stop({ id: l.id });
        await rejectsWith(capturing, 'unknownId', new RegExp(`^There is no endpoint ${l.id}\\.$`));
        assert.deepStrictEqual(lab.list(), []);
      });
    } finally {
      temp.remove();
    }
  });

  it('broadcast and multicast settings go to the UDP socket and show in its info', () =>
    withLab(async (lab) => {
      const u = await lab.startUdpListener({ port: 0 });
      assert.strictEqual(lab.setBroadcast({ id: u.id, on: true }).broadcast, true);
      const joined = lab.joinMulticast({ id: u.id, group: '239.1.2.3', interface: '127.0.0.1' });
      assert.deepStrictEqual(joined.multicastGroups, ['239.1.2.3']);
      const tuned = lab.setMulticastOptions({ id: u.id, ttl: 3, loopback: false });
      assert.strictEqual(tuned.multicastTtl, 3);
      assert.strictEqual(tuned.multicastLoopback, false);
      const left = lab.leaveMulticast({ id: u.id, group: '239.1.2.3', interface: '127.0.0.1' });
      assert.strictEqual(left.multicastGroups, undefined);
      // An interface of the other family than the group is refused before the socket is touched.
      throwsSocketLabError(
        () => lab.joinMulticast({ id: u.id, group: '239.1.2.3', interface: '::1' }),
        'invalidMulticastInterface',
        {
          field: 'interface',
        },
      );
      assert.strictEqual(lab.get(u.id)!.multicastGroups, undefined);
    }));

  it('traffic, trafficLog, clearLog and exportPcapng find an endpoint or its connection; other ids are refused', async () => {
    const temp = tempDir();
    try {
      await withLab(async (lab) => {
        const l = await lab.startTcpListener({ port: 0 });
        const client = await rawConnect({ host: '127.0.0.1', port: portOf(l) });
        try {
          client.socket.write('hi');
          const conn = await waitFor('the connection logged', () => lab.get(l.id)!.connections[0]);
          await waitFor('the bytes read', () => lab.get(l.id)!.bytesIn === 2);
          assert.deepStrictEqual(
            lab.traffic(conn.id).map((r) => Buffer.from(r.data).toString()),
            ['hi'],
          );
          assert.strictEqual(lab.trafficLog(l.id).size, 1);
          const pcap = path.join(temp.dir, 'one.pcapng');
          const exported = await lab.exportPcapng({ id: conn.id, path: pcap });
          assert.strictEqual(exported.records, 1);
          assert.ok(fs.statSync(pcap).size > 0);
          for (const id of [`${l.id}.c99`, '.c1', 'e404.c1', 'c1']) {
            throwsSocketLabError(() => lab.traffic(id), 'unknownId', { id });
          }
          throwsSocketLabError(() => lab.trafficLog(''), 'invalidArgument', { field: 'id' });
          throwsSocketLabError(() => lab.traffic(''), 'invalidArgument', { field: 'id' });
          const err = throwsSocketLabError(() => lab.clearLog({ id: 'e8.c1' }), 'unknownId');
          assert.strictEqual(err.message, 'There is no endpoint, connection or peer e8.c1.');
          lab.clearLog({ id: conn.id });
          assert.deepStrictEqual(lab.traffic(l.id), []);
        } finally {
          client.socket.destroy();
        }
      });
    } finally {
      temp.remove();
    }
  });

  it('listSystemPorts marks our own listener as ours', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener({ port: 0 });
      const ports = await lab.listSystemPorts();
      const ours = ports.find((p) => p.protocol === 'tcp' && p.port === portOf(l));
      assert.ok(ours, `port ${portOf(l)} not listed`);
      assert.strictEqual(ours.endpointId, l.id);
    }));
});
