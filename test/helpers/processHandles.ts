/** What this process holds open: file descriptors (from /proc) and Node's active handles, to prove nothing leaks. */
import * as fs from 'fs';

/** Where each descriptor of this process points ('socket:[123]', '/path', 'anon_inode:…'). */
export function descriptorTargets(): string[] {
  const targets: string[] = [];
  for (const fd of fs.readdirSync('/proc/self/fd')) {
    try {
      targets.push(fs.readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // The descriptor readdir itself used, closed while we listed it.
    }
  }
  return targets;
}

/** Descriptors of this process by kind ('socket', 'pipe', 'anon_inode', 'file'). */
export function descriptorsByKind(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const target of descriptorTargets()) {
    const kind = /^(socket|pipe|anon_inode)/.exec(target)?.[1] ?? 'file';
    out[kind] = (out[kind] ?? 0) + 1;
  }
  return out;
}

/** Node's active resources by type ('TCPSocketWrap', 'Timeout'...). */
export function activeResources(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) out[r] = (out[r] ?? 0) + 1;
  return out;
}

/** Node's socket handles (TCP, UDP, pipes and their servers). */
export function socketHandles(): number {
  return process
    .getActiveResourcesInfo()
    .filter((r) => /^(TCPSocketWrap|TCPServerWrap|UDPWrap|PipeWrap|PipeServerWrap)$/.test(r)).length;
}

/** The socket inodes process `pid` holds, from /proc/<pid>/fd. */
function socketInodes(pid: number | 'self'): Set<string> {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // The descriptor of readdir itself, or one closed meanwhile.
    }
  }
  return inodes;
}

/** The TCP sockets process `pid` listens on and the UDP sockets it has bound, from /proc/net. */
export function boundSockets(pid: number | 'self' = 'self'): { tcpListening: number; udp: number } {
  const inodes = socketInodes(pid);
  const count = (file: string, listeningOnly: boolean) => {
    let n = 0;
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && inodes.has(cols[9]) && (!listeningOnly || cols[3] === '0A')) n++;
    }
    return n;
  };
  return {
    tcpListening: count('/proc/net/tcp', true) + count('/proc/net/tcp6', true),
    udp: count('/proc/net/udp', false) + count('/proc/net/udp6', false),
  };
}

/** The paths of the Unix sockets process `pid` listens on, from /proc/net/unix. */
export function listeningUnixSockets(pid: number | 'self' = 'self'): string[] {
  const inodes = socketInodes(pid);
  // /proc/net/unix: Num RefCount Protocol Flags Type St Inode Path; flag 00010000 = listening.
  return fs
    .readFileSync('/proc/net/unix', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((c) => c.length >= 8 && inodes.has(c[6]) && c[3] === '00010000')
    .map((c) => c[7]);
}

/** How many of `targets` (descriptor targets) are sockets, the descriptors a socket tool could leak. */
export function socketDescriptors(targets = descriptorTargets()): number {
  return targets.filter((t) => t.startsWith('socket:')).length;
}
