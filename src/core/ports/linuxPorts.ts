/** System ports on Linux: /proc/net/{tcp,tcp6,udp,udp6} for the sockets, /proc/<pid>/fd for their owners. */
import * as fs from 'fs';
import * as path from 'path';
import { SocketLabError } from '../../shared/errors';
import { parseProcNet, ProcNetSocket } from './procNetParser';
import { SocketOwnerCache, findSocketOwners } from './procSocketOwners';
import { SystemPort, sortPorts } from './systemPort';

/** Which protocols to read, and where /proc is (tests and containers may point elsewhere). */
export interface LinuxPortsOptions {
  protocols?: ReadonlyArray<'tcp' | 'udp'>;
  procRoot?: string;
  /** Where sockets were found last time (default: one cache per /proc root, shared by every listing). */
  cache?: SocketOwnerCache;
}

/** Refreshes every 2 s while the view is visible: each reuses what the previous one found. */
const caches = new Map<string, SocketOwnerCache>();

/** The listening TCP and bound UDP sockets of this network namespace, with their owners where this user may see them. */
export function readLinuxPorts(options: LinuxPortsOptions = {}): SystemPort[] {
  const procRoot = options.procRoot ?? '/proc';
  const sockets: ProcNetSocket[] = [];
  for (const protocol of options.protocols ?? ['tcp', 'udp']) {
    for (const file of [protocol, `${protocol}6`]) {
      const full = path.join(procRoot, 'net', file);
      let text: string;
      try {
        text = fs.readFileSync(full, 'latin1');
      } catch (err) {
        // No IPv6 in this kernel: no tcp6/udp6, nothing to list there.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && file.endsWith('6')) continue;
        throw SocketLabError.create(
          'systemPortsFailed',
          'Listing the ports of this machine failed: {file} could not be read ({detail}).',
          { file: full, detail: (err as NodeJS.ErrnoException).code ?? String(err) },
        );
      }
      sockets.push(...parseProcNet(text, protocol));
    }
  }
  let cache = options.cache ?? caches.get(procRoot);
  if (!cache) caches.set(procRoot, (cache = new SocketOwnerCache()));
  const owners = findSocketOwners(new Set(sockets.map((s) => s.inode).filter((i) => i !== 0)), procRoot, cache);
  return sortPorts(
    sockets.map((s) => {
      const port: SystemPort = { protocol: s.protocol, address: s.address, port: s.port };
      const owner = owners.get(s.inode);
      if (owner) {
        port.pid = owner.pid;
        if (owner.process !== undefined) port.process = owner.process;
      }
      return port;
    }),
  );
}
