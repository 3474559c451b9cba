/** Endpoint snapshots the pcapng writer is fed in unit tests: fixed addresses and ids, no traffic counted. */
import type { EndpointInfo } from '../../src/shared/model';

/** The counters of an endpoint that has moved nothing, with no connections: spread under a fixture's own fields. */
export const endpointBase = { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0, dropped: 0, connections: [] };

/** The TCP client 'e1' connected from 127.0.0.1:61001 to 127.0.0.1:61002. */
export const client: EndpointInfo = {
  ...endpointBase,
  id: 'e1',
  kind: 'tcp-client',
  state: 'connected',
  local: { address: '127.0.0.1', port: 61001 },
  remote: { address: '127.0.0.1', port: 61002 },
};

/** A TCP listener `id` on port 5000 of `address`. */
export function tcpListener(id: string, address = '127.0.0.1'): EndpointInfo {
  return { ...endpointBase, id, kind: 'tcp-listener', state: 'listening', local: { address, port: 5000 } };
}
