import * as assert from 'assert';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as path from 'path';
import '../helpers/noLeaks';
import { assertSocketLabError, rejectsWith } from '../helpers/errors';
import { unchecked, withLab } from '../helpers/lab';
import { portOf } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { sleep, waitFor } from '../helpers/wait';

import { ownPortHolder } from '../../src/core/portInUse';
import type { EndpointInfo } from '../../src/shared/model';
import { endpointName } from '../../src/shared/naming';

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
import type { RepeatEndEvent } from '../../src/core/sending';

/** A plain dgram socket (the "other program") bound on host, collecting datagrams. */
async function rawUdp(
  host: string,
): Promise<{ socket: dgram.Socket; port: number; got: Buffer[]; close: () => Promise<void> }> {
  const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  await new Promise<void>((r) => socket.bind(0, host, r));
  return { socket, port: socket.address().port, got, close: () => new Promise<void>((r) => socket.close(() => r())) };
}

for (const host of ['127.0.0.1', '::1']) {
  const max = host === '::1' ? 65527 : 65507;
  describe(`UDP on ${host}`, () => {
    it('tracks every remote as a peer with counters, one record per datagram, sends to a peer or to host:port', () =>
      withLab(async (lab) => {
        const u = await lab.startUdpListener({ host, port: 0 });
        assert.strictEqual(u.state, 'listening');
        const a = await rawUdp(host);
        const b = await rawUdp(host);
        try {
          a.socket.send('one', portOf(u), host);
          a.socket.send('two', portOf(u), host);
          b.socket.send('three', portOf(u), host);
          await waitFor('three datagrams', () => lab.get(u.id)!.messagesIn === 3);
          const peers = lab.get(u.id)!.connections;
          assert.strictEqual(peers.length, 2);
          const pa = peers.find((p) => (p.remote as { port: number }).port === a.port)!;
          assert.strictEqual(pa.id, `${u.id}.p1`);
          assert.strictEqual(pa.messagesIn, 2);
          assert.strictEqual(pa.bytesIn, 6);
          assert.deepStrictEqual(
            lab.traffic(pa.id).map((r) => Buffer.from(r.data).toString()),
            ['one', 'two'],
          );
          await lab.send({ target: pa.id, data: 'to-a' });
          await lab.send({ target: u.id, data: 'to-b', to: { host, port: b.port } });
          await waitFor('replies', () => a.got.length === 1 && b.got.length === 1);
          assert.strictEqual(a.got[0].toString(), 'to-a');
          assert.strictEqual(b.got[0].toString(), 'to-b');
          await rejectsWith(lab.send({ target: u.id, data: 'x' }), 'missingTo');
          // Forgetting a peer: it leaves the list, and comes back with a new id when it speaks again.
          lab.stop({ id: pa.id });
          assert.strictEqual(lab.get(u.id)!.connections.length, 1);
          a.socket.send('again', portOf(u), host);
          await waitFor('peer seen again', () => lab.get(u.id)!.connections.length === 2);
          assert.strictEqual(lab.get(u.id)!.connections[1].id, `${u.id}.p3`);
        } finally {
          await a.close();
          await b.close();
        }
      }));

    it('forgetting the peer heard from last: its next datagram makes a new peer that counts it and is listed', () =>
      withLab(async (lab) => {
        const u = await lab.startUdpListener({ host, port: 0 });
        const a = await rawUdp(host);
        const b = await rawUdp(host);
        try {
          b.socket.send('b1', portOf(u), host);
          await waitFor('b heard', () => lab.get(u.id)!.messagesIn === 1);
          a.socket.send('a1', portOf(u), host);
          await waitFor('a heard last', () => lab.get(u.id)!.messagesIn === 2);
          const first = lab.get(u.id)!.connections.find((p) => (p.remote as { port: number }).port === a.port)!;
          lab.stop({ id: first.id });
          assert.deepStrictEqual(
            lab.get(u.id)!.connections.map((p) => p.id),
            [`${u.id}.p1`],
          );
          a.socket.send('a2', portOf(u), host);
          a.socket.send('a3', portOf(u), host);
          await waitFor('a heard again', () => lab.get(u.id)!.messagesIn === 4);
          const peers = lab.get(u.id)!.connections;
          assert.deepStrictEqual(
            peers.map((p) => p.id),
            [`${u.id}.p1`, `${u.id}.p3`],
          );
          assert.strictEqual((peers[1].remote as { port: number }).port, a.port);
          assert.strictEqual(peers[1].messagesIn, 2);
          assert.strictEqual(peers[1].bytesIn, 4);
          assert.deepStrictEqual(
            lab.traffic(peers[1].id).map((r) => Buffer.from(r.data).toString()),
            ['a2', 'a3'],
          );
          // ... and it can be answered under its new id.
          await lab.send({ target: peers[1].id, data: 'back' });
          await waitFor('answer', () => a.got.length === 1);
          assert.strictEqual(a.got[0].toString(), 'back');
        } finally {
          await a.close();
          await b.close();
        }
      }));

    it(`refuses a payload over ${max} bytes with the limit, accepts exactly ${max}`, () =>
      withLab(async (lab) => {
        const u = await lab.startUdpListener({ host, port: 0 });
        const peer = await rawUdp(host);
        try {
          await rejectsWith(
            lab.send({
              target: u.id,
              data: 'ab'.repeat(max + 1).slice(0, (max + 1) * 2),
              format: 'hex',
              to: { host, port: peer.port },
            }),
            'payloadTooLarge',
            new RegExp(`at most ${max} bytes over IPv${host === '::1' ? 6 : 4}; this payload has ${max + 1}`),
          );
          const r = await lab.send({ target: u.id, data: 'x'.repeat(max), to: { host, port: peer.port } });
          assert.strictEqual(r.bytes, max);
          await waitFor('max datagram', () => peer.got.length === 1);
          const t = tempDir();
          try {
            const file = path.join(t.dir, 'big');
            fs.writeFileSync(file, Buffer.alloc(max + 1));
            await rejectsWith(
              lab.sendFile({ target: u.id, path: file, to: { host, port: peer.port } }),
              'payloadTooLarge',
              /one UDP datagram can carry at most/,
            );
            fs.writeFileSync(file, 'small file');
            assert.deepStrictEqual(await lab.sendFile({ target: u.id, path: file, to: { host, port: peer.port } }), {
              bytes: 10,
            });
            await waitFor('file datagram', () => peer.got.length === 2 && peer.got[1].toString() === 'small file');
          } finally {
            t.remove();
          }
        } finally {
          await peer.close();
        }
      }));

    it('auto-replies to the peer that sent (echo), and a connected client does send-and-wait', () =>
      withLab(async (lab) => {
        const u = await lab.startUdpListener({ host, port: 0, autoReply: { mode: 'echo' } });
        const c = await lab.openUdpClient({ host, port: portOf(u) });
        assert.strictEqual(c.state, 'connected');
        assert.deepStrictEqual(c.remote, { address: host, port: portOf(u) });
        // A datagram has no frame to end the wait early: the wait is long enough for a loaded machine.
        const r = await lab.send({ target: c.id, data: 'marco', waitMs: 1000 });
        assert.strictEqual(Buffer.from(r.reply!).toString(), 'marco');
        await rejectsWith(
          lab.send({ target: c.id, data: 'x', to: { host, port: 9 } }),
          'toNotAllowed',
          /connected UDP client/,
        );
        const out = lab.traffic(u.id).map((x) => x.direction);
        assert.deepStrictEqual(out, ['in', 'out']);
      }));

    it('reports ICMP port-unreachable on a connected client as state error with the sentence', () =>
      withLab(async (lab) => {
        const gone = await rawUdp(host);
        const port = gone.port;
        await gone.close();
        const c = await lab.openUdpClient({ host, port });
        // Up to 5 s: the ICMP answer comes at once on loopback, but a loaded machine may be slow to read it.
        for (let i = 0; i < 170 && lab.get(c.id)!.state !== 'error'; i++) {
          await lab.send({ target: c.id, data: 'anyone?' }).catch(() => undefined);
          await sleep(30);
        }
        const info = lab.get(c.id)!;
        assert.strictEqual(info.state, 'error');
        assert.strictEqual(info.errorCode, 'portUnreachable');
        assert.match(
          info.error!,
          /answered that the port is unreachable \(ICMP, ECONNREFUSED\); nothing listens there\./,
        );
      }));

    it('refuses a port in use and opens nothing', () =>
      withLab(async (lab) => {
        const u = await lab.startUdpListener({ host, port: 0 });
        await rejectsWith(
          lab.startUdpListener({ host, port: portOf(u) }),
          'addressInUse',
          /is already in use by Socket Lab's own UDP /,
        );
        assert.strictEqual(lab.list().length, 1);
      }));
  });
}

describe('UDP behaviours', () => {
  it('marks only what the auto-reply sent as auto-reply: not a send, not a repeat', () =>
    withLab(async (lab) => {
      const peer = await rawUdp('127.0.0.1');
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0, autoReply: { mode: 'echo' } });
      try {
        peer.socket.send('hi', portOf(u), '127.0.0.1');
        await waitFor('the echo', () => peer.got.length === 1);
        const to = { host: '127.0.0.1', port: peer.port };
        await lab.send({ target: u.id, to, data: 'manual' });
        const ended = new Promise<RepeatEndEvent>((resolve) => lab.onDidEndRepeat(resolve));
        await lab.send({ target: u.id, to, data: 'again', repeat: { intervalMs: 0, count: 2 } });
        assert.strictEqual((await ended).sent, 2);
        assert.deepStrictEqual(
          lab
            .traffic(u.id)
            .filter((r) => r.direction === 'out')
            .map((r) => [Buffer.from(r.data).toString(), r.autoReply === true]),
          [
            ['hi', true],
            ['manual', false],
            ['again', false],
            ['again', false],
          ],
        );
      } finally {
        await peer.close();
      }
    }));

  it("refuses a send with no destination, and a connected client's 'to', each with its sentence", () =>
    withLab(async (lab) => {
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const c = await lab.openUdpClient({ host: '127.0.0.1', port: portOf(u) });
      const missing = await lab.send({ target: u.id, data: 'x' }).then(
        () => assert.fail('sent'),
        (e: unknown) => e,
      );
      assertSocketLabError(missing, 'missingTo', { id: u.id });
      assert.match(
        (missing as Error).message,
        new RegExp(
          `^${escaped(endpointName(lab.get(u.id)!))} is a UDP socket: give 'to' \\{ host, port \\} or a peer id`,
        ),
      );
      const refused = await lab.send({ target: c.id, data: 'x', to: { host: '127.0.0.1', port: 9 } }).then(
        () => assert.fail('sent'),
        (e: unknown) => e,
      );
      assertSocketLabError(refused, 'toNotAllowed', { id: c.id });
      assert.match(
        (refused as Error).message,
        new RegExp(`^${escaped(endpointName(lab.get(c.id)!))} is a connected UDP client; it cannot send elsewhere`),
      );
    }));

  it("a TCP and a UDP listener on one port number: each holds only its own protocol's port, and only while it is up", () =>
    withLab(async (lab) => {
      // The same number for both: another program may hold it for the second protocol, so a few tries.
      let pair: { tcp: EndpointInfo; udp: EndpointInfo } | undefined;
      for (let i = 0; i < 5 && !pair; i++) {
        const first = await lab.startTcpListener({ host: '127.0.0.1', port: 0 });
        const second = await lab.startUdpListener({ host: '127.0.0.1', port: portOf(first) }).catch(() => undefined);
        if (second) pair = { tcp: first, udp: second };
        else lab.stop({ id: first.id });
      }
      assert.ok(pair, 'no port number free for both TCP and UDP in 5 tries');
      const { tcp, udp } = pair;
      const port = portOf(udp);
      const client = await lab.connectTcp({ host: '127.0.0.1', port });
      const list = lab.list();
      assert.strictEqual(ownPortHolder(list, 'udp', '127.0.0.1', port)?.id, udp.id);
      assert.strictEqual(ownPortHolder(list, 'tcp', '127.0.0.1', port)?.id, tcp.id);
      assert.strictEqual(ownPortHolder(list, 'udp', '127.0.0.1', port + 1), undefined, 'another port');
      assert.strictEqual(ownPortHolder(list, 'udp', '127.0.0.2', port), undefined, 'another address, no wildcard');
      assert.strictEqual(ownPortHolder(list, 'udp', '0.0.0.0', port)?.id, udp.id, 'a wildcard over its address');
      const down = list.map((e) => (e.id === udp.id ? { ...e, state: 'error' as const } : e));
      assert.strictEqual(ownPortHolder(down, 'udp', '127.0.0.1', port), undefined, 'in error: holds nothing');
      const closed = list.map((e) => (e.id === tcp.id ? { ...e, state: 'closed' as const } : e));
      assert.strictEqual(ownPortHolder(closed, 'tcp', '127.0.0.1', port), undefined, 'closed: holds nothing');
      // A client's local port is not a listening port: it never holds one, whatever its number.
      const clientPort = portOf(lab.get(client.id)!);
      assert.strictEqual(ownPortHolder(list, 'tcp', '127.0.0.1', clientPort), undefined);
    }));

  it('of two of our own sockets on a port, the one on the exact address is named, not the wildcard', () =>
    withLab(async (lab) => {
      // Only loopback is bound here: the wildcard socket is the same listing as a real one, moved to 0.0.0.0.
      const exact = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const port = portOf(exact);
      const wildcard = { ...exact, id: 'e99', local: { address: '0.0.0.0', port } };
      assert.strictEqual(ownPortHolder([wildcard, exact], 'udp', '127.0.0.1', port)?.id, exact.id);
      assert.strictEqual(ownPortHolder([exact, wildcard], 'udp', '127.0.0.1', port)?.id, exact.id);
      assert.strictEqual(ownPortHolder([exact, wildcard], 'udp', '0.0.0.0', port)?.id, 'e99');
    }));

  it('a connected client whose local port is taken names the wildcard address and that port', () =>
    withLab(async (lab) => {
      const peer = await rawUdp('127.0.0.1');
      const holder = dgram.createSocket('udp4');
      await new Promise<void>((r) => holder.bind(0, '0.0.0.0', r));
      const taken = holder.address().port;
      try {
        const err = await lab.openUdpClient({ host: '127.0.0.1', port: peer.port, localPort: taken }).then(
          () => assert.fail('opened on a taken port'),
          (e: unknown) => e,
        );
        const refusal = assertSocketLabError(err, 'addressInUse', { address: '0.0.0.0', port: taken });
        assert.match(refusal.message, new RegExp(`0\\.0\\.0\\.0:${taken}`));
        assert.deepStrictEqual(lab.list(), []);
      } finally {
        await new Promise<void>((r) => holder.close(() => r()));
        await peer.close();
      }
    }));

  it('info says auto-reply only for a socket that has it', () =>
    withLab(async (lab) => {
      const plain = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const echo = await lab.startUdpListener({ host: '127.0.0.1', port: 0, autoReply: { mode: 'echo' } });
      assert.strictEqual(lab.get(plain.id)!.autoReply, undefined);
      assert.strictEqual(lab.get(echo.id)!.autoReply, true);
    }));

  it("a running back-to-back repeat's snapshot counts bytes as datagrams sent times their size", () =>
    withLab(async (lab) => {
      const peer = await rawUdp('127.0.0.1');
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      try {
        const ended = new Promise<RepeatEndEvent>((resolve) => lab.onDidEndRepeat(resolve));
        await lab.send({
          target: u.id,
          to: { host: '127.0.0.1', port: peer.port },
          data: 'seven!!',
          repeat: { intervalMs: 0, count: 1_000_000 },
        });
        await waitFor('a burst sent', () => (lab.activeRepeats()[0]?.sent ?? 0) > 0);
        const running = lab.activeRepeats()[0];
        assert.strictEqual(running.bytes, running.sent * 7);
        lab.stopRepeat({ repeatId: running.id });
        const end = await ended;
        assert.strictEqual(end.error, undefined);
        assert.ok(end.sent >= running.sent && end.sent < 1_000_000, `sent ${end.sent}`);
      } finally {
        await peer.close();
      }
    }));

  it('joining a group of the other family is refused with the sentence naming both families', () =>
    withLab(async (lab) => {
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      let err: unknown;
      try {
        lab.joinMulticast({ id: u.id, group: 'ff02::1:3' });
      } catch (e) {
        err = e;
      }
      const refusal = assertSocketLabError(err, 'multicastFamily', { address: 'ff02::1:3', groupFamily: 6, family: 4 });
      assert.match(
        refusal.message,
        /^ff02::1:3 is an IPv6 group but .+ is an IPv4 socket; bind an address of the same family\.$/,
      );
      assert.strictEqual(lab.get(u.id)!.multicastGroups, undefined);
    }));

  it('refuses mixing families for multicast and non-group addresses', () =>
    withLab(async (lab) => {
      await rejectsWith(lab.startUdpListener({ port: 0, multicastGroups: ['ff02::1:3'] }), 'multicastFamily');
      await rejectsWith(lab.startUdpListener({ port: 0, multicastGroups: ['10.0.0.1'] }), 'invalidMulticastGroup');
      await rejectsWith(
        lab.startUdpListener(unchecked({ port: 0, multicastGroups: 'x' })),
        'invalidArgument',
        /multicastGroups/,
      );
      assert.deepStrictEqual(lab.list(), []);
    }));

  it('repeats datagrams back to back and counts each', () =>
    withLab(async (lab) => {
      const u = await lab.startUdpListener({ port: 0 });
      const c = await lab.openUdpClient({ port: portOf(u) });
      await lab.send({ target: c.id, data: 'd', repeat: { intervalMs: 0, count: 500 } });
      await waitFor('repeat done', () => lab.activeRepeats().length === 0);
      assert.strictEqual(lab.get(c.id)!.messagesOut, 500);
      await waitFor(
        'datagrams arrived (the kernel drops what overflows its receive buffer)',
        () => lab.get(u.id)!.messagesIn >= 200,
      );
    }));

  it('a back-to-back repeat sends in bursts yet logs and counts every datagram exactly', () =>
    withLab(async (lab) => {
      // 5,000-byte datagrams: bursts of 52 (256 KiB), so 1,000 is not a whole number of bursts.
      const peer = await rawUdp('127.0.0.1');
      peer.socket.setRecvBufferSize(8 * 1024 * 1024);
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const payload = Buffer.alloc(5000, 0x61);
      payload.writeUInt32BE(0xdeadbeef, 0);
      try {
        const ended = new Promise<RepeatEndEvent>((resolve) => lab.onDidEndRepeat(resolve));
        await lab.send({
          target: u.id,
          to: { host: '127.0.0.1', port: peer.port },
          data: payload.toString('hex'),
          format: 'hex',
          repeat: { intervalMs: 0, count: 1000 },
        });
        const end = await ended;
        assert.strictEqual(end.error, undefined);
        assert.strictEqual(end.sent, 1000);
        assert.strictEqual(lab.get(u.id)!.messagesOut, 1000);
        assert.strictEqual(lab.get(u.id)!.bytesOut, 5_000_000);
        const out = lab.traffic(u.id).filter((r) => r.direction === 'out');
        assert.strictEqual(out.length, 1000);
        assert.ok(out.every((r) => Buffer.from(r.data).equals(payload)));
        await waitFor('datagrams at the peer', () => peer.got.length >= 900);
        assert.ok(peer.got.every((d) => d.equals(payload)));
      } finally {
        await peer.close();
      }
    }));

  it('a back-to-back repeat to a closed port ends with the refusal and counts only what went out', () =>
    withLab(async (lab) => {
      const gone = await rawUdp('127.0.0.1');
      const port = gone.port;
      await gone.close();
      const c = await lab.openUdpClient({ host: '127.0.0.1', port });
      const ended = new Promise<RepeatEndEvent>((resolve) => lab.onDidEndRepeat(resolve));
      await lab.send({ target: c.id, data: 'x', repeat: { intervalMs: 0, count: 100_000 } });
      const end = await ended;
      assert.match(end.error ?? '', /ECONNREFUSED/);
      assert.ok(end.sent >= 1 && end.sent < 100_000, `sent ${end.sent}`);
      assert.ok(lab.get(c.id)!.messagesOut >= end.sent);
      assert.deepStrictEqual(lab.activeRepeats(), []);
    }));

  it('bounds a flood of tiny datagrams by the per-record overhead', () =>
    withLab(
      async (lab) => {
        const u = await lab.startUdpListener({ port: 0 });
        const c = await lab.openUdpClient({ port: portOf(u) });
        await lab.send({ target: c.id, data: '', repeat: { intervalMs: 0, count: 2000 } });
        await waitFor('repeat done', () => lab.activeRepeats().length === 0);
        await waitFor('datagrams arrived', () => lab.get(u.id)!.messagesIn >= 200);
        assert.ok(lab.traffic(u.id).length <= (64 * 64) / 64);
        assert.ok(lab.get(u.id)!.dropped > 0);
      },
      { logCapBytes: 64 * 64 },
    ));

  it('traffic() hands out copies: a caller writing into a 4 KiB datagram changes nothing later reads see', () =>
    withLab(async (lab) => {
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const payload = Buffer.alloc(4096, 0x41);
      const s = dgram.createSocket('udp4');
      try {
        await new Promise<void>((r, j) => s.send(payload, portOf(u), '127.0.0.1', (e) => (e ? j(e) : r())));
        await waitFor('datagram logged', () => lab.get(u.id)!.messagesIn === 1);
        lab.traffic(u.id)[0].data.fill(0);
        assert.ok(Buffer.from(lab.traffic(u.id)[0].data).equals(payload), 'the log still holds what arrived');
        assert.ok(Buffer.from(lab.trafficLog(u.id).slice(0, 1)[0].data).equals(payload), 'and so does the panel view');
      } finally {
        s.close();
      }
    }));
});
