/**
 * The sentence of a start that found its port in use, naming the holder: one of Socket Lab's own endpoints
 * ("127.0.0.1:8880 is already in use by Socket Lab's own TCP 127.0.0.1:8880; ..."), or the process the
 * system shows ("... already in use by php (pid 4242); ..."), or, when neither can be seen, the plain one.
 */
import { SocketLabError, isSocketLabError } from '../shared/errors';
import type { EndpointInfo, EndpointKind } from '../shared/model';
import { endpointName } from '../shared/naming';
import { conflictRank, findPortHolder, withPortHolder } from './ports/portHolder';

/** The protocol whose port an endpoint of `kind` binds, when binding can find the port in use. */
function protocolOf(kind: EndpointKind | undefined): 'tcp' | 'udp' | undefined {
  return kind === 'tcp-listener' ? 'tcp' : kind === 'udp' ? 'udp' : undefined;
}

/** The live endpoint of `endpoints` whose socket keeps `address:port` of `protocol` from being bound, if any. */
export function ownPortHolder(
  endpoints: readonly EndpointInfo[],
  protocol: 'tcp' | 'udp',
  address: string,
  port: number,
): EndpointInfo | undefined {
  let best: EndpointInfo | undefined;
  let bestRank = 0;
  for (const e of endpoints) {
    if (protocolOf(e.kind) !== protocol || !e.local || !('port' in e.local) || e.local.port !== port) continue;
    if (e.state === 'closed' || e.state === 'error') continue;
    const rank = conflictRank(address, e.local.address);
    if (rank > bestRank) [best, bestRank] = [e, rank];
  }
  return best;
}

/**
 * `err` as the caller should see it: an 'addressInUse' error of a listen or bind reworded to name who holds
 * the port (Socket Lab's own endpoint first, then the system's listing); any other error as it is.
 */
export async function explainAddressInUse(
  err: unknown,
  kind: EndpointKind | undefined,
  endpoints: readonly EndpointInfo[],
): Promise<unknown> {
  const protocol = protocolOf(kind);
  if (!isSocketLabError(err) || err.code !== 'addressInUse' || !protocol) return err;
  const { address, port, target, operation } = err.values;
  if (typeof address !== 'string' || typeof port !== 'number' || target === undefined) return err;
  if (operation !== 'listen' && operation !== 'bind') return err;
  const own = ownPortHolder(endpoints, protocol, address, port);
  if (own) {
    return SocketLabError.create(
      'addressInUse',
      "{target} is already in use by Socket Lab's own {endpoint}; stop it or choose another port.",
      { ...err.values, endpoint: endpointName(own), endpointId: own.id, pid: process.pid },
      err.systemCode,
    );
  }
  return withPortHolder(err, await findPortHolder(protocol, address, port));
}
