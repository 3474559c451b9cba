/**
 * Which addresses and ports the packets of a record carry: a TCP connection, a UDP peer, or a Unix
 * connection mapped to made-up 127.x addresses (its socket path goes into each packet's comment).
 */
import { ipToBytes, isLoopbackAddress, isWildcardAddress, unmapIpv4 } from '../ipAddressBytes';
import { ConnectionInfo, EndpointInfo, SocketAddressInfo, TrafficRecord } from '../../shared/model';

/** One end of a flow: address bytes (4 or 16) and port. */
export interface FlowSide {
  address: Uint8Array;
  port: number;
}

/** A TCP connection or a UDP conversation as packets show it. */
export interface Flow {
  transport: 'tcp' | 'udp';
  /** Socket Lab's side. */
  local: FlowSide;
  /** The other program's side. */
  remote: FlowSide;
  /** TCP: Socket Lab's side opened the connection (sent the SYN). */
  localOpened: boolean;
  /** Text put into every packet of the flow (Unix: the socket path). */
  comment?: string;
}

/** The port a Unix listener's side is shown on. */
export const UNIX_SERVER_PORT = 40_000;
/** A Unix client's side is shown on this port plus its connection number (wrapping below UNIX_CLIENT_PORT_SPAN). */
export const UNIX_CLIENT_PORT_BASE = 50_000;
const UNIX_CLIENT_PORT_SPAN = 6_999; // 50,001-56,999: no dissector claims these ports in Wireshark 4.0

/** The key under which an endpoint's records of one flow are grouped: the connection or peer id. */
export function flowKey(record: TrafficRecord): string {
  return record.connectionId ?? '';
}

/** What a flow is described from: the endpoint's id, kind and addresses (an EndpointInfo or an Endpoint will do). */
export type FlowEndpoint = Pick<EndpointInfo, 'id' | 'kind' | 'local' | 'remote'>;

/** The connection or UDP peer of a record, when the endpoint still has it (a ConnectionInfo or a Connection). */
export type FlowConnection = Pick<ConnectionInfo, 'remote' | 'local'>;

/**
 * Describes the flow `record` belongs to from its endpoint and, when known, its connection (read once
 * per flow, not per record); without the connection the peer comes from the record's label.
 */
export function describeFlow(endpoint: FlowEndpoint, record: TrafficRecord, connection?: FlowConnection): Flow {
  if (endpoint.kind === 'unix-listener' || endpoint.kind === 'unix-client') {
    return unixFlow(endpoint, record.connectionId);
  }
  const remote = ipSide(
    connection?.remote ?? (record.connectionId === undefined ? endpoint.remote : undefined),
    record.peer,
  );
  const local = ipSide(connection?.local ?? endpoint.local, undefined);
  return {
    transport: endpoint.kind === 'udp' ? 'udp' : 'tcp',
    remote: { address: toBytes(remote.address, remote.address), port: remote.port },
    local: { address: toBytes(localAddressFor(local.address, remote.address), remote.address), port: local.port },
    localOpened: endpoint.kind === 'tcp-client' || (endpoint.kind === 'udp' && endpoint.remote !== undefined),
  };
}

/** Address text and port of an address info, or of a 'host:port' / '[v6]:port' label; IPv4-mapped addresses unmapped. */
function ipSide(info: SocketAddressInfo | undefined, label: string | undefined): { address: string; port: number } {
  let side: { address: string; port: number } | undefined;
  if (info && 'address' in info) side = { address: info.address, port: info.port };
  else if (label !== undefined) {
    const m = /^\[(.+)\]:(\d+)$/.exec(label) ?? /^([^:]+):(\d+)$/.exec(label);
    if (m) side = { address: m[1], port: Number(m[2]) };
  }
  side ??= { address: '0.0.0.0', port: 0 };
  return { address: unmapIpv4(side.address) ?? side.address, port: side.port };
}

/**
 * The local address a packet shows: the socket's own, unless it is a wildcard (a listener on 0.0.0.0 or
 * ::) or of the other family, where the loopback address answering a loopback peer is what the kernel used.
 */
function localAddressFor(local: string, remote: string): string {
  const sameFamily = local.includes(':') === remote.includes(':');
  if (sameFamily && !isWildcardAddress(local)) return local;
  const v6 = remote.includes(':');
  if (isLoopbackAddress(remote)) return v6 ? '::1' : '127.0.0.1';
  return v6 ? '::' : '0.0.0.0';
}

function toBytes(address: string, other: string): Uint8Array {
  return ipToBytes(address) ?? (other.includes(':') ? new Uint8Array(16) : new Uint8Array(4));
}

/** A Unix connection as TCP between 127.a.b.1:40000 (the listener) and 127.a.b.2:50000+n (client n), a and b from the path. */
function unixFlow(endpoint: FlowEndpoint, connectionId: string | undefined): Flow {
  const path =
    (endpoint.local && 'path' in endpoint.local ? endpoint.local.path : undefined) ??
    (endpoint.remote && 'path' in endpoint.remote ? endpoint.remote.path : '');
  const h = fnv1a(path);
  const net = [127, 1 + (h % 254), (h >>> 8) & 0xff];
  const server = { address: Uint8Array.of(...net, 1), port: UNIX_SERVER_PORT };
  const n = Number(/\.c(\d+)$/.exec(connectionId ?? '')?.[1] ?? 0);
  const client = {
    address: Uint8Array.of(...net, 2),
    port: UNIX_CLIENT_PORT_BASE + (n === 0 ? 0 : ((n - 1) % UNIX_CLIENT_PORT_SPAN) + 1),
  };
  const isListener = endpoint.kind === 'unix-listener';
  return {
    transport: 'tcp',
    local: isListener ? server : client,
    remote: isListener ? client : server,
    localOpened: !isListener,
    comment: connectionId ? `Unix socket ${path}, connection ${connectionId}` : `Unix socket ${path}`,
  };
}

/** 32-bit FNV-1a of a string's UTF-16 code units: a stable spread of paths and keys. */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
