/**
 * Who holds a port that a start found in use: the EADDRINUSE sentence then names the process
 * ("127.0.0.1:8880 is already in use by php (pid 4242); ...") where the system lets this user see it.
 */
import { SocketLabError } from '../../shared/errors';
import { canonicalAddress } from './matchOwnEndpoints';
import { ReadPortsOptions, readSystemPorts } from './readSystemPorts';
import { SystemPort, describeHolder } from './systemPort';

/**
 * How strongly a socket on `held` blocks binding `wanted` (same port and protocol): 3 = the same address,
 * 2 = a wildcard of the same family (or binding a wildcard over one of its addresses), 1 = a dual-stack
 * '::' over an IPv4 address or '0.0.0.0' under '::', 0 = no conflict.
 */
export function conflictRank(wanted: string, held: string): number {
  const w = canonicalAddress(wanted);
  const h = canonicalAddress(held);
  if (w === h) return 3;
  const v6 = (a: string) => a.includes(':') && !/^::ffff:\d/.test(a);
  const wildcard = (a: string) => a === '0.0.0.0' || a === '::';
  if (v6(w) === v6(h) && (wildcard(h) || wildcard(w))) return 2;
  if ((h === '::' && !v6(w)) || (w === '::' && !v6(h))) return 1;
  return 0;
}

/** The socket that most likely holds `address:port`, preferring one whose process can be seen, from a listing. */
export function pickPortHolder(
  ports: readonly SystemPort[],
  protocol: 'tcp' | 'udp',
  address: string,
  port: number,
): SystemPort | undefined {
  let best: SystemPort | undefined;
  let bestScore = 0;
  for (const p of ports) {
    if (p.protocol !== protocol || p.port !== port) continue;
    const rank = conflictRank(address, p.address);
    const score = rank === 0 ? 0 : rank * 2 + (p.pid !== undefined ? 1 : 0);
    if (score > bestScore) [best, bestScore] = [p, score];
  }
  return best;
}

/**
 * The socket holding `address:port` for `protocol`, read from the system now; undefined when none is
 * listed or the ports cannot be listed here (it serves an error sentence, so it never fails itself).
 */
export async function findPortHolder(
  protocol: 'tcp' | 'udp',
  address: string,
  port: number,
  options: ReadPortsOptions = {},
): Promise<SystemPort | undefined> {
  try {
    return pickPortHolder(await readSystemPorts({ ...options, protocols: [protocol] }), protocol, address, port);
  } catch {
    return undefined;
  }
}

/**
 * `err` (an 'addressInUse' error of an address and port) reworded to name the process holding the port;
 * `err` itself when the holder is unknown or hidden. The holder's name and pid join the error's values.
 */
export function withPortHolder(err: SocketLabError, holder: SystemPort | undefined): SocketLabError {
  const target = err.values.target;
  if (err.code !== 'addressInUse' || !holder || holder.pid === undefined || err.values.port === undefined) return err;
  if (target === undefined) return err;
  const values = { ...err.values, target, pid: holder.pid, process: holder.process ?? describeHolder(holder)! };
  return holder.process
    ? SocketLabError.create(
        'addressInUse',
        '{target} is already in use by {process} (pid {pid}); choose another port or stop that process.',
        values,
        err.systemCode,
      )
    : SocketLabError.create(
        'addressInUse',
        '{target} is already in use by the process with pid {pid}; choose another port or stop that process.',
        values,
        err.systemCode,
      );
}
