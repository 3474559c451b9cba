/**
 * Run by faults.test.ts inside a throw-away network namespace (only lo, plus an 'unreachable'
 * route): host- and network-unreachable through the real core, where nothing can reach a real network.
 */
import { portOf } from '../sockets';
import { outcome, runScenario } from './runScenario';

runScenario(async (lab, out) => {
  out.tcpNet = await outcome(lab.connectTcp({ host: '10.200.0.1', port: 80, timeoutMs: 3000 }));
  out.tcpHost = await outcome(lab.connectTcp({ host: '10.201.0.1', port: 80, timeoutMs: 3000 }));
  const udp = await lab.startUdpListener({ host: '0.0.0.0', port: 0, allowExternal: true });
  out.udpNet = await outcome(lab.send({ target: udp.id, data: 'x', to: { host: '10.200.0.1', port: 9 } }));
  out.udpHost = await outcome(lab.send({ target: udp.id, data: 'x', to: { host: '10.201.0.1', port: 9 } }));
  out.listAfter = { list: lab.list().length };
  lab.stop({ id: udp.id });
  const l = await lab.startTcpListener({ port: 0 });
  out.afterwards = await outcome(lab.connectTcp({ port: portOf(l) }));
});
