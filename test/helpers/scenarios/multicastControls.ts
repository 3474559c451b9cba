/**
 * Run inside a throw-away network namespace by netns.test.ts (`ip netns exec NS node multicastControls.js`),
 * where 239.7.0.0/16 goes out a veth end (10.99.1.1) whose peer is a member of nothing: a member on this
 * host gets a datagram only through multicast loopback.
 * joining and leaving a group on a running socket, multicast loopback off and on, the TTL a real receiver
 * sees, and a restart that joins again. Prints one JSON object with what it observed.
 */
import type { SocketLab } from '../../../src/core/socketLab';
import { PEERS_DIR, startPeer, waitForOutput } from '../peers';
import { portOf } from '../sockets';
import { waitFor } from '../wait';
import * as path from 'path';
import { outcome, runScenario } from './runScenario';

/** The payloads an endpoint received, in order. */
function received(lab: SocketLab, id: string): string[] {
  return lab
    .traffic(id)
    .filter((r) => r.direction === 'in')
    .map((r) => Buffer.from(r.data).toString());
}

runScenario(async (lab, out) => {
  const group = '239.7.7.7';
  const rx = await lab.startUdpListener({ host: '0.0.0.0', port: 0, allowExternal: true });
  const tx = await lab.startUdpListener({ host: '10.99.1.1', port: 0, allowExternal: true });
  // The port is read each time: a restart binds again.
  const rxPort = () => portOf(lab.get(rx.id)!);
  const toGroup = (data: string) => lab.send({ target: tx.id, data, to: { host: group, port: rxPort() } });
  // A unicast datagram sent after a multicast one arrives after it (one loopback queue): once it is in,
  // whatever the multicast one was going to do is done.
  const sentinel = async (data: string) => {
    await lab.send({ target: tx.id, data, to: { host: '10.99.1.1', port: rxPort() } });
    await waitFor(data, () => received(lab, rx.id).includes(data));
  };

  await toGroup('before-join');
  await sentinel('s1');
  out.joined = lab.joinMulticast({ id: rx.id, group, interface: '10.99.1.1' }).multicastGroups;
  await toGroup('joined');
  await waitFor('joined', () => received(lab, rx.id).includes('joined'));

  out.loopbackOff = lab.setMulticastOptions({ id: tx.id, loopback: false }).multicastLoopback;
  await toGroup('loopback-off');
  await sentinel('s2');
  lab.setMulticastOptions({ id: tx.id, loopback: true });

  out.receivedBeforeRestart = received(lab, rx.id); // a restart starts a fresh log
  const restarted = await lab.restart({ id: rx.id });
  out.groupsAfterRestart = restarted.multicastGroups;
  await toGroup('after-restart');
  await waitFor('after-restart', () => received(lab, rx.id).includes('after-restart'));

  out.left = lab.leaveMulticast({ id: rx.id, group }).multicastGroups ?? [];
  await toGroup('after-leave');
  await sentinel('s3');
  out.leaveAgain = await outcome(Promise.resolve().then(() => lab.leaveMulticast({ id: rx.id, group })));
  out.received = received(lab, rx.id);

  // The TTL on the wire, as a receiver that is not Socket Lab reads it from the IP header.
  const peer = startPeer('python3', [path.join(PEERS_DIR, 'multicast_ttl_receiver.py'), '239.7.7.8', '10.99.1.1']);
  try {
    const port = Number((await waitForOutput(peer, /port (\d+)/))[1]);
    out.ttlSet = lab.setMulticastOptions({ id: tx.id, ttl: 7 }).multicastTtl;
    await lab.send({ target: tx.id, data: 'ttl', to: { host: '239.7.7.8', port } });
    out.ttlSeen = (await waitForOutput(peer, /ttl (\d+) data ttl/))[1];
  } finally {
    await peer.kill();
  }
});
