/** Runs Debian's tshark on pcapng files and reads what it says: conversations, followed streams, checksums, expert infos. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import { hasCommand } from './peers';

/** True when tshark can be run. */
export function hasTshark(): boolean {
  return hasCommand('tshark');
}

/** Checksum validation on for IP, TCP and UDP: bad ones are then reported. */
const CHECKSUM_PREFS = [
  '-o',
  'ip.check_checksum:TRUE',
  '-o',
  'tcp.check_checksum:TRUE',
  '-o',
  'udp.check_checksum:TRUE',
];

/** Runs tshark with `args` on `file`; fails on a non-zero exit with its error output. */
export function tshark(file: string, args: string[], maxBuffer = 256 * 1024 * 1024): string {
  const r = spawnSync('tshark', ['-r', file, ...CHECKSUM_PREFS, ...args], {
    encoding: 'utf8',
    maxBuffer,
    timeout: 120000,
  });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} failed (${r.status ?? r.error}): ${r.stderr}`);
  return r.stdout;
}

/** The conversations of `-z conv,tcp|udp`, each as its two 'address:port' ends, sorted. */
export function conversations(file: string, transport: 'tcp' | 'udp'): string[][] {
  const out = tshark(file, ['-q', '-z', `conv,${transport}`]);
  const rows: string[][] = [];
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+<->\s+(\S+)\s/.exec(line);
    if (m) rows.push([m[1], m[2]].sort());
  }
  return rows.sort();
}

/** The two directions of TCP stream `stream` as `-z follow,tcp,raw` rebuilds them, from node 0 and from node 1. */
export function followTcp(
  file: string,
  stream: number,
): { node0: string; node1: string; from0: Buffer; from1: Buffer } {
  const out = tshark(file, ['-q', '-z', `follow,tcp,raw,${stream}`]);
  const node0 = /^Node 0: (.*)$/m.exec(out)?.[1] ?? '';
  const node1 = /^Node 1: (.*)$/m.exec(out)?.[1] ?? '';
  const hex0: string[] = [];
  const hex1: string[] = [];
  const body = out.slice(out.indexOf(`Node 1: ${node1}`) + `Node 1: ${node1}`.length);
  for (const line of body.split('\n')) {
    if (/^\t[0-9a-f]+$/.test(line)) hex1.push(line.slice(1));
    else if (/^[0-9a-f]+$/.test(line)) hex0.push(line);
  }
  return { node0, node1, from0: Buffer.from(hex0.join(''), 'hex'), from1: Buffer.from(hex1.join(''), 'hex') };
}

/** One packet's fields as tshark prints them with `-T fields` (tab-separated, in the order asked). */
export function fields(file: string, names: string[], filter?: string): string[][] {
  const args = ['-T', 'fields', ...names.flatMap((n) => ['-e', n])];
  if (filter) args.push('-Y', filter);
  return tshark(file, args)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.split('\t'));
}

/** Expert infos of `-z expert` at severity warning and error: `Severity Group Protocol Summary` lines. */
export function expertProblems(file: string): string[] {
  const out = tshark(file, ['-q', '-z', 'expert']);
  const problems: string[] = [];
  let section = '';
  for (const line of out.split('\n')) {
    const head = /^(Errors|Warns|Notes|Chats|Comments) \(\d+\)/.exec(line);
    if (head) section = head[1];
    else if ((section === 'Errors' || section === 'Warns') && /^\s+\d+\s+\S/.test(line)) {
      problems.push(`${section}: ${line.trim().replace(/\s+/g, ' ')}`);
    }
  }
  return problems;
}

/** Packets whose IP, TCP or UDP checksum tshark does not report as good (status 1); IPv6 has no header checksum. */
export function badChecksums(file: string): string[][] {
  return fields(
    file,
    ['frame.number', 'ip.checksum.status', 'tcp.checksum.status', 'udp.checksum.status'],
    '(ip && ip.checksum.status != 1) || (tcp && tcp.checksum.status != 1) || (udp && udp.checksum.status != 1)',
  );
}

/** Packets in the file. */
export function packetCount(file: string): number {
  return fields(file, ['frame.number']).length;
}

let dissectorPorts: Set<string> | undefined;

/**
 * Ports outside the kernel's ephemeral range (other programs' connections take those at any moment), at
 * or above 10000: above the range when there is room, below it otherwise.
 */
function unclaimedRange(): [number, number] {
  let [low, high] = [32768, 60999];
  try {
    [low, high] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    // Not Linux: keep the usual range.
  }
  return 65535 - high >= 1000 ? [high + 1, 65535] : [10000, low - 1];
}

/**
 * A free port on `host`, outside the ephemeral range, that no Wireshark dissector claims for `transport` (a
 * claimed port would have its payload parsed as that protocol, and reported malformed): tests use such ports.
 */
export async function quietPort(transport: 'tcp' | 'udp', host: string): Promise<number> {
  dissectorPorts ??= new Set(
    spawnSync('tshark', ['-G', 'decodes'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      .stdout.split('\n')
      .map((l) => l.split('\t'))
      .filter((f) => f[0] === 'tcp.port' || f[0] === 'udp.port')
      .map((f) => `${f[0]}:${f[1]}`),
  );
  const [low, high] = unclaimedRange();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (dissectorPorts.has(`${transport}.port:${port}`)) continue;
    if (await isFree(transport, host, port)) return port;
  }
  throw new Error('no quiet free port found in 200 attempts');
}

async function isFree(transport: 'tcp' | 'udp', host: string, port: number): Promise<boolean> {
  if (transport === 'udp') {
    const dgram = await import('dgram');
    const s = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    return new Promise((resolve) => {
      s.once('error', () => {
        s.close();
        resolve(false);
      });
      s.bind(port, host, () => s.close(() => resolve(true)));
    });
  }
  const s = net.createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}
