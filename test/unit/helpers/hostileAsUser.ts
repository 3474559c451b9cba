/**
 * Run by hostile.test.ts as an unprivileged user (runuser -u nobody): the permission cases that cannot
 * happen as root, through the real core. Prints one JSON object with the code and sentence of each.
 */
import * as path from 'path';
import { SocketLab } from '../../../src/core/socketLab';

async function outcome(p: Promise<unknown>): Promise<{ code?: string; message?: string; ok?: boolean }> {
  try {
    await p;
    return { ok: true };
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message };
  }
}

async function main(): Promise<void> {
  const { locked, live, secret } = JSON.parse(process.argv[2]) as { locked: string; live: string; secret: string };
  const lab = new SocketLab();
  const out: Record<string, unknown> = { uid: process.getuid?.() };
  try {
    out.listen = await outcome(lab.startUnixListener({ path: path.join(locked, 'mine.sock') }));
    out.connect = await outcome(lab.connectUnix({ path: live }));
    // A port below 1024 needs CAP_NET_BIND_SERVICE (unless the sysctl lowers the limit: pick one under it).
    out.lowPort = await outcome(lab.startTcpListener({ port: 1 + Math.floor(Math.random() * 1000) }));
    const udp = await lab.openUdpClient({ host: '127.0.0.1', port: 9 });
    out.sendFile = await outcome(lab.sendFile({ target: udp.id, path: secret }));
    out.listAfterFailures = { list: lab.list().length };
    out.afterwards = await outcome(lab.startTcpListener({ port: 0 }));
  } finally {
    lab.dispose();
  }
  process.stdout.write(JSON.stringify(out));
}

void main();
