// Broadcast and multicast commands through the real extension host: the argument forms, a refused group, a
// tree click (no argument object), and what the Sockets view then says. Groups are joined on 127.0.0.1 only
// and nothing is sent to a group here: delivery is tested inside a network namespace (unit netns suite).
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { EndpointInfo } from '../../src/shared/model';
import { rejection } from '../helpers/errors';
import { resolvedItem, run, socketLab, type TestApi } from '../helpers/extensionHost';

describe('broadcast and multicast commands (real extension host)', () => {
  let api: TestApi;

  before(async () => {
    api = await socketLab();
  });
  afterEach(async () => {
    await run('stopAll', {});
  });

  /** The Sockets view's row of an endpoint, tooltip resolved. */
  const row = (id: string) => resolvedItem(api._test.tree, api._test.tree.nodeFor(id)!);
  const tooltip = (id: string) => (row(id).tooltip as vscode.MarkdownString).value;

  it('joinMulticast / setMulticastOptions / setBroadcast / leaveMulticast with arguments, shown in the view and kept by a restart', async () => {
    const u = await run<EndpointInfo>('startUdpListener', { host: '127.0.0.1', port: 0 });
    assert.strictEqual(row(u.id).contextValue, 'endpoint.udp.live');

    const joined = await run<EndpointInfo>('joinMulticast', {
      id: u.id,
      group: '239.255.77.77',
      interface: '127.0.0.1',
    });
    assert.deepStrictEqual(joined.multicastGroups, ['239.255.77.77']);
    assert.strictEqual(row(u.id).contextValue, 'endpoint.udp.live.mcast');
    assert.match(String(row(u.id).description), /groups: 239\.255\.77\.77$/);
    assert.match(tooltip(u.id), /Multicast groups joined: `239\.255\.77\.77`/);
    assert.match(String(row(u.id).accessibilityInformation?.label), /member of multicast group 239\.255\.77\.77$/);

    const options = await run<EndpointInfo>('setMulticastOptions', { id: u.id, ttl: 4, loopback: false });
    assert.deepStrictEqual([options.multicastTtl, options.multicastLoopback], [4, false]);
    assert.match(tooltip(u.id), /Multicast TTL 4, loopback off/);

    const broadcast = await run<EndpointInfo>('setBroadcast', { id: u.id, on: true });
    assert.strictEqual(broadcast.broadcast, true);
    assert.match(String(row(u.id).description), /broadcast · groups: 239\.255\.77\.77$/);
    assert.match(tooltip(u.id), /Broadcast: on/);

    const restarted = await run<EndpointInfo>('restart', { id: u.id });
    assert.deepStrictEqual(
      [restarted.multicastGroups, restarted.multicastTtl, restarted.multicastLoopback, restarted.broadcast],
      [['239.255.77.77'], 4, false, true],
    );

    const left = await run<EndpointInfo>('leaveMulticast', { id: u.id, group: '239.255.77.77' });
    assert.strictEqual(left.multicastGroups, undefined);
    assert.strictEqual(row(u.id).contextValue, 'endpoint.udp.live');
    assert.doesNotMatch(String(row(u.id).description), /groups/);
  });

  it('refuses a group outside 224.0.0.0/4 and ff00::/8, a bad interface, a bad TTL and a TCP endpoint with sentences', async () => {
    const u = await run<EndpointInfo>('startUdpListener', { host: '127.0.0.1', port: 0 });
    assert.match(
      await rejection(run('joinMulticast', { id: u.id, group: '192.168.1.10' })),
      /^group must be a multicast group address: IPv4 224\.0\.0\.0 to 239\.255\.255\.255 or IPv6 ff00::\/8, e\.g\. 239\.1\.2\.3 or ff02::1:3 \(got "192\.168\.1\.10"\)\.$/,
    );
    assert.match(
      await rejection(run('joinMulticast', { id: u.id, group: '239.255.77.77', interface: 'lo' })),
      /^interface must be the IPv4 address of a local interface for the IPv4 group 239\.255\.77\.77/,
    );
    assert.match(
      await rejection(run('setMulticastOptions', { id: u.id, ttl: 300 })),
      /^Multicast TTL \(ttl\) must be a whole number from 0 to 255 \(got 300\)\.$/,
    );
    assert.match(
      await rejection(run('leaveMulticast', { id: u.id, group: '239.255.77.77' })),
      /has not joined the multicast group 239\.255\.77\.77\.$/,
    );
    const t = await run<EndpointInfo>('startTcpListener', { port: 0 });
    assert.match(
      await rejection(run('setBroadcast', { id: t.id, on: true })),
      /is a TCP listener, not a UDP socket\.$/,
    );
    const info = api.list().find((e) => e.id === u.id)!;
    assert.deepStrictEqual(
      [info.multicastGroups, info.multicastTtl, info.multicastLoopback, info.broadcast],
      [undefined, 1, true, false],
    );
  });

  it('Turn Broadcast On/Off from the view (a tree node, no argument object) flips broadcast each time', async () => {
    const u = await run<EndpointInfo>('startUdpListener', { host: '127.0.0.1', port: 0 });
    const node = api._test.tree.nodeFor(u.id)!;
    const on = await vscode.commands.executeCommand<EndpointInfo>('socketLab.setBroadcast', node);
    assert.strictEqual(on.broadcast, true);
    assert.match(String(row(u.id).description), /broadcast/);
    const off = await vscode.commands.executeCommand<EndpointInfo>('socketLab.setBroadcast', node);
    assert.strictEqual(off.broadcast, false);
    assert.strictEqual(api.list().find((e) => e.id === u.id)!.broadcast, false);
  });
});
