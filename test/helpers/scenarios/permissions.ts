/**
 * Run by badInput.test.ts as an unprivileged user (runuser -u nobody): the permission cases that cannot
 * happen as root, through the real core. Prints one JSON object with the code and sentence of each.
 */
import * as path from 'path';
import { outcome, runScenario } from './runScenario';

runScenario(async (lab, out) => {
  const { locked, live, secret } = JSON.parse(process.argv[2]) as { locked: string; live: string; secret: string };
  out.uid = process.getuid?.();
  out.listen = await outcome(lab.startUnixListener({ path: path.join(locked, 'mine.sock') }));
  out.connect = await outcome(lab.connectUnix({ path: live }));
  // A port below 1024 needs CAP_NET_BIND_SERVICE (unless the sysctl lowers the limit: pick one under it).
  out.lowPort = await outcome(lab.startTcpListener({ port: 1 + Math.floor(Math.random() * 1000) }));
  const udp = await lab.openUdpClient({ host: '127.0.0.1', port: 9 });
  out.sendFile = await outcome(lab.sendFile({ target: udp.id, path: secret }));
  out.listAfterFailures = { list: lab.list().length };
  out.afterwards = await outcome(lab.startTcpListener({ port: 0 }));
});
