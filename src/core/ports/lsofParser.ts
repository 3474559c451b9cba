/**
 * Parses `lsof -nP -iTCP -sTCP:LISTEN -FpcPtn` and `lsof -nP -iUDP -FpcPtn` (the macOS way to list ports):
 * field lines 'p<pid>' and 'c<command>' start a process, then per file 't<IPv4|IPv6>', 'P<TCP|UDP>' and
 * 'n<address:port>' ('*:port' for a wildcard, '[v6]:port', 'a->b' for a connected socket).
 */
import { SystemPort } from './systemPort';

/** The listening TCP or bound, unconnected UDP sockets of lsof's field output. */
export function parseLsof(text: string, protocol: 'tcp' | 'udp'): SystemPort[] {
  const out: SystemPort[] = [];
  let pid: number | undefined;
  let command: string | undefined;
  let type = '';
  let proto = '';
  for (const line of text.split('\n')) {
    const field = line[0];
    const value = line.slice(1).replace(/\r$/, '');
    switch (field) {
      case 'p':
        pid = Number(value);
        command = undefined;
        type = proto = '';
        break;
      case 'c':
        command = value;
        break;
      case 'f':
        type = proto = '';
        break;
      case 't':
        type = value;
        break;
      case 'P':
        proto = value.toLowerCase();
        break;
      case 'n': {
        if (proto !== protocol || value.includes('->')) break;
        const at = parseName(value, type);
        if (!at) break;
        const row: SystemPort = { protocol, address: at.address, port: at.port };
        if (pid !== undefined && Number.isSafeInteger(pid)) row.pid = pid;
        if (command) row.process = command;
        out.push(row);
        break;
      }
    }
  }
  return out;
}

function parseName(name: string, type: string): { address: string; port: number } | undefined {
  const m = /^(?:\[(.+)\]|([^:]+)):(\d+)$/.exec(name);
  if (!m) return undefined; // '*:*' and the like: not bound to a port
  let address = m[1] ?? m[2];
  if (address === '*') address = type === 'IPv6' ? '::' : '0.0.0.0';
  return { address, port: Number(m[3]) };
}
