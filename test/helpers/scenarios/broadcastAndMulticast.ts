/**
 * Run inside a throw-away network namespace by netns.test.ts (`ip netns exec NS node broadcastAndMulticast.js`):
 * broadcast and multicast through the real core, where nothing can reach a real network.
 * Prints one JSON object with what it observed.
 */
import { portOf } from '../sockets';
import type { SocketLab } from '../../../src/core/socketLab';
import { waitFor } from '../wait';
import { runScenario } from './runScenario';

/** The texts of the datagrams endpoint `id` received, in order. */
function texts(lab: SocketLab, id: string): string[] {
  return lab.traffic(id).map((r) => Buffer.from(r.data).toString());
}

runScenario(async (lab, out) => {
  const ipv6Iface = process.argv[2]; // an interface with IPv6 multicast, or '' when none could be made
  const rx = await lab.startUdpListener({ host: '0.0.0.0', port: 0, allowExternal: true });
  const tx = await lab.startUdpListener({ host: '0.0.0.0', port: 0, allowExternal: true });
  try {
    await lab.send({ target: tx.id, data: 'b0', to: { host: '10.99.0.255', port: portOf(rx) } });
    out.withoutBroadcast = 'sent';
  } catch (err) {
    out.withoutBroadcast = (err as { code: string }).code;
    out.withoutBroadcastMessage = (err as Error).message;
  }
  lab.setBroadcast({ id: tx.id, on: true });
  out.broadcastFlag = lab.get(tx.id)!.broadcast;
  await lab.send({ target: tx.id, data: 'b1', to: { host: '10.99.0.255', port: portOf(rx) } });
  await waitFor('the broadcast', () => texts(lab, rx.id).includes('b1'), 5000);
  out.broadcastReceived = texts(lab, rx.id);

  const m4 = await lab.startUdpListener({
    host: '0.0.0.0',
    port: 0,
    allowExternal: true,
    multicastGroups: ['239.1.2.3'],
  });
  out.groups4 = lab.get(m4.id)!.multicastGroups;
  // A second group stays joined: a datagram sent to it after one to the group left is the sentinel that
  // shows the earlier one had its chance to arrive (same socket, same path).
  lab.joinMulticast({ id: m4.id, group: '239.1.2.4' });
  await lab.send({ target: tx.id, data: 'm4', to: { host: '239.1.2.3', port: portOf(m4) } });
  await waitFor('the IPv4 multicast', () => texts(lab, m4.id).includes('m4'), 5000);
  out.multicast4Received = lab.get(m4.id)!.messagesIn;
  lab.leaveMulticast({ id: m4.id, group: '239.1.2.3' });
  await lab.send({ target: tx.id, data: 'm4-after-leave', to: { host: '239.1.2.3', port: portOf(m4) } });
  await lab.send({ target: tx.id, data: 'sentinel4', to: { host: '239.1.2.4', port: portOf(m4) } });
  await waitFor('the IPv4 sentinel', () => texts(lab, m4.id).includes('sentinel4'), 5000);
  out.multicast4AfterLeave = lab.get(m4.id)!.messagesIn - 1;

  if (ipv6Iface) {
    const m6 = await lab.startUdpListener({ host: '::', port: 0, allowExternal: true });
    lab.joinMulticast({ id: m6.id, group: 'ff05::1:3', interface: `::%${ipv6Iface}` });
    lab.joinMulticast({ id: m6.id, group: 'ff05::1:4', interface: `::%${ipv6Iface}` });
    const tx6 = await lab.startUdpListener({ host: '::', port: 0, allowExternal: true });
    await lab.send({ target: tx6.id, data: 'm6', to: { host: 'ff05::1:3', port: portOf(m6) } });
    await waitFor('the IPv6 multicast', () => texts(lab, m6.id).includes('m6'), 5000);
    out.multicast6Received = lab.get(m6.id)!.messagesIn;
    lab.leaveMulticast({ id: m6.id, group: 'ff05::1:3', interface: `::%${ipv6Iface}` });
    await lab.send({ target: tx6.id, data: 'm6-after-leave', to: { host: 'ff05::1:3', port: portOf(m6) } });
    await lab.send({ target: tx6.id, data: 'sentinel6', to: { host: 'ff05::1:4', port: portOf(m6) } });
    await waitFor('the IPv6 sentinel', () => texts(lab, m6.id).includes('sentinel6'), 5000);
    out.multicast6AfterLeave = lab.get(m6.id)!.messagesIn - 1;
  }
});
