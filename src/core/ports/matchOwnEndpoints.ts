/** Marks the system ports that are Socket Lab's own endpoints, so the view can say "ours" and reveal them. */
import { EndpointInfo } from '../../shared/model';
import { bytesToIp, ipToBytes } from '../ipAddressBytes';
import { SystemPort } from './systemPort';

/** One way of writing each address ('0:0::1' and '::1' are the same), zone dropped. */
export function canonicalAddress(address: string): string {
  const bytes = ipToBytes(address);
  return bytes ? bytesToIp(bytes) : address;
}

/**
 * `ports` with `endpointId` set on each one that is a listening or bound socket of `endpoints` (TCP
 * listeners, UDP sockets): same protocol, address and port, and when both pids are known, held by
 * `ownPid` (this process). An `endpointId` of an earlier match is recomputed, so a refreshed listing can be passed again.
 */
export function matchOwnEndpoints(
  ports: readonly SystemPort[],
  endpoints: readonly EndpointInfo[],
  ownPid?: number,
): SystemPort[] {
  const ours = new Map<string, string>();
  for (const e of endpoints) {
    const protocol = e.kind === 'tcp-listener' ? 'tcp' : e.kind === 'udp' ? 'udp' : undefined;
    if (!protocol || !e.local || !('address' in e.local)) continue;
    if (e.state === 'closed' || (e.state === 'error' && protocol === 'tcp')) continue;
    ours.set(`${protocol}|${canonicalAddress(e.local.address)}|${e.local.port}`, e.id);
  }
  return ports.map(({ endpointId: _earlier, ...p }) => {
    const id = ours.get(`${p.protocol}|${canonicalAddress(p.address)}|${p.port}`);
    if (id === undefined || (ownPid !== undefined && p.pid !== undefined && p.pid !== ownPid)) return p;
    return { ...p, endpointId: id };
  });
}
