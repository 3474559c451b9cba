// Broadcast and multicast settings of a UDP socket through the core: what EndpointInfo says, what is refused,
// what a restart keeps. Nothing here joins a group or sends to one (that could reach a real network): the
// delivery checks run inside a throw-away network namespace (netns.test.ts).
import * as assert from 'assert';
import '../helpers/noLeaks';
import { rejectsWith } from '../helpers/errors';
import { unchecked, withLab } from '../helpers/lab';
import { checkMulticastGroup, checkMulticastInterface, checkMulticastTtl } from '../../src/shared/multicast';
import { isMulticastAddress } from '../../src/shared/ipAddress';

describe('multicast settings of a UDP socket (core)', () => {
  it('a fresh UDP socket reports broadcast off, TTL 1 and loopback on; setMulticastOptions changes either', () =>
    withLab(async (lab) => {
      const u = await lab.startUdpListener({ port: 0 });
      assert.strictEqual(u.broadcast, false);
      assert.strictEqual(u.multicastTtl, 1);
      assert.strictEqual(u.multicastLoopback, true);
      assert.strictEqual(u.multicastGroups, undefined);
      const afterTtl = lab.setMulticastOptions({ id: u.id, ttl: 0 });
      assert.strictEqual(afterTtl.multicastTtl, 0);
      assert.strictEqual(afterTtl.multicastLoopback, true);
      const afterLoop = lab.setMulticastOptions({ id: u.id, loopback: false });
      assert.strictEqual(afterLoop.multicastTtl, 0);
      assert.strictEqual(afterLoop.multicastLoopback, false);
      const both = lab.setMulticastOptions({ id: u.id, ttl: '255' as unknown as number, loopback: true });
      assert.strictEqual(both.multicastTtl, 255);
      assert.strictEqual(both.multicastLoopback, true);
      assert.strictEqual(lab.setBroadcast({ id: u.id, on: true }).broadcast, true);
      assert.deepStrictEqual(
        {
          ttl: lab.get(u.id)!.multicastTtl,
          loopback: lab.get(u.id)!.multicastLoopback,
          broadcast: lab.get(u.id)!.broadcast,
        },
        { ttl: 255, loopback: true, broadcast: true },
      );
    }));

  it('start options set TTL and loopback; IPv6 sockets take a hop limit the same way', () =>
    withLab(async (lab) => {
      const u4 = await lab.startUdpListener({ port: 0, multicastTtl: 4, multicastLoopback: false });
      assert.strictEqual(u4.multicastTtl, 4);
      assert.strictEqual(u4.multicastLoopback, false);
      const u6 = await lab.startUdpListener({ host: '::1', port: 0 });
      const changed = lab.setMulticastOptions({ id: u6.id, ttl: 8, loopback: false });
      assert.strictEqual(changed.multicastTtl, 8);
      assert.strictEqual(changed.multicastLoopback, false);
    }));

  it('a restart keeps broadcast, TTL and loopback changed while it ran', () =>
    withLab(async (lab) => {
      const u = await lab.startUdpListener({ port: 0 });
      lab.setBroadcast({ id: u.id, on: true });
      lab.setMulticastOptions({ id: u.id, ttl: 3, loopback: false });
      const again = await lab.restart({ id: u.id });
      assert.strictEqual(again.broadcast, true);
      assert.strictEqual(again.multicastTtl, 3);
      assert.strictEqual(again.multicastLoopback, false);
      assert.deepStrictEqual(
        {
          broadcast: lab.openSpec(u.id)!.args.broadcast,
          ttl: lab.openSpec(u.id)!.args.multicastTtl,
          loopback: lab.openSpec(u.id)!.args.multicastLoopback,
        },
        { broadcast: true, ttl: 3, loopback: false },
      );
    }));

  it('refuses bad values with a sentence naming the field, and leaves the socket as it was', () =>
    withLab(async (lab) => {
      const u = await lab.startUdpListener({ port: 0 });
      await rejectsWith(
        () => lab.setMulticastOptions({ id: u.id, ttl: 256 }),
        'invalidMulticastTtl',
        /^Multicast TTL \(ttl\) must be a whole number from 0 to 255 \(got 256\)\.$/,
      );
      await rejectsWith(() => lab.setMulticastOptions({ id: u.id, ttl: -1 }), 'invalidMulticastTtl', /0 to 255/);
      await rejectsWith(
        () => lab.setMulticastOptions(unchecked({ id: u.id, loopback: 'no' })),
        'invalidArgument',
        /^loopback must be true or false\.$/,
      );
      await rejectsWith(
        () => lab.joinMulticast({ id: u.id, group: '10.1.2.3' }),
        'invalidMulticastGroup',
        /^group must be a multicast group address: IPv4 224\.0\.0\.0 to 239\.255\.255\.255 or IPv6 ff00::\/8/,
      );
      await rejectsWith(
        () => lab.joinMulticast({ id: u.id, group: '239.1.2.3', interface: 'eth0' }),
        'invalidMulticastInterface',
        /^interface must be the IPv4 address of a local interface for the IPv4 group 239\.1\.2\.3/,
      );
      await rejectsWith(
        () => lab.leaveMulticast({ id: u.id, group: '239.1.2.3' }),
        'notMember',
        /has not joined the multicast group 239\.1\.2\.3\.$/,
      );
      const info = lab.get(u.id)!;
      assert.strictEqual(info.multicastTtl, 1);
      assert.strictEqual(info.multicastLoopback, true);
      assert.strictEqual(info.multicastGroups, undefined);
    }));

  // Memberships on 127.0.0.1 stay on lo (nothing is sent to the group here): no real interface is involved.
  it("joins on 127.0.0.1 and leaves on the interface it joined on; an interface that is not this machine's is explained", () =>
    withLab(async (lab) => {
      const u = await lab.startUdpListener({ port: 0 });
      const joined = lab.joinMulticast({ id: u.id, group: '239.255.77.79', interface: '127.0.0.1' });
      assert.deepStrictEqual(joined.multicastGroups, ['239.255.77.79']);
      assert.strictEqual(lab.leaveMulticast({ id: u.id, group: '239.255.77.79' }).multicastGroups, undefined);
      await rejectsWith(
        () => lab.joinMulticast({ id: u.id, group: '239.255.77.79', interface: '192.0.2.1' }),
        'multicastInterfaceNotAvailable',
        /^The multicast group 239\.255\.77\.79 cannot be used on 192\.0\.2\.1: it is not the address of an interface of this machine/,
      );
      assert.strictEqual(lab.get(u.id)!.multicastGroups, undefined);
    }));

  it('refuses multicast settings on a TCP endpoint and on a stopped UDP socket', () =>
    withLab(async (lab) => {
      const t = await lab.startTcpListener({ port: 0 });
      await rejectsWith(
        () => lab.setMulticastOptions({ id: t.id, ttl: 2 }),
        'notUdp',
        /is a TCP listener, not a UDP socket/,
      );
      await rejectsWith(() => lab.setBroadcast({ id: t.id, on: true }), 'notUdp');
      const u = await lab.startUdpListener({ port: 0 });
      lab.stop({ id: u.id });
      await rejectsWith(() => lab.setMulticastOptions({ id: u.id, ttl: 2 }), 'unknownId');
    }));
});

describe('multicast values (shared checks used by commands, prompts and the panel)', () => {
  it('groups: 224.0.0.0/4 and ff00::/8 only', () => {
    for (const ok of ['224.0.0.1', '239.255.255.255', 'ff02::1', 'FF05::1:3', 'ff0e::1234']) {
      assert.strictEqual(checkMulticastGroup(ok), undefined, ok);
      assert.ok(isMulticastAddress(ok), ok);
    }
    for (const bad of ['223.255.255.255', '240.0.0.1', '127.0.0.1', 'ff::1', 'fe80::1', '::1', 'localhost', '', 5]) {
      assert.strictEqual(checkMulticastGroup(bad)?.code, 'invalidMulticastGroup', String(bad));
    }
  });

  it('interfaces: an IPv4 address for IPv4 groups, an IPv6 address (with a zone) for IPv6 groups', () => {
    assert.strictEqual(checkMulticastInterface('127.0.0.1', '239.1.2.3'), undefined);
    assert.strictEqual(checkMulticastInterface('::%v0', 'ff05::1:3'), undefined);
    assert.strictEqual(checkMulticastInterface('fe80::1%eth0', 'ff02::1'), undefined);
    assert.match(checkMulticastInterface('::1', '239.1.2.3')!.message, /IPv4 address of a local interface/);
    assert.match(checkMulticastInterface('127.0.0.1', 'ff02::1')!.message, /IPv6 address with the interface as zone/);
    assert.ok(checkMulticastInterface('::%', 'ff02::1'));
    assert.ok(checkMulticastInterface('', '239.1.2.3'));
  });

  it('TTL: a whole number from 0 to 255', () => {
    for (const ok of [0, 1, 255, '32']) assert.strictEqual(checkMulticastTtl(ok), undefined, String(ok));
    for (const bad of [-1, 256, 1.5, 'x', ' 3', true]) {
      assert.strictEqual(checkMulticastTtl(bad)?.code, 'invalidMulticastTtl', String(bad));
    }
  });
});
