/**
 * How Socket Lab names what it shows, in every layer alike: an address ('127.0.0.1:80', '[::1]:80', a Unix
 * path), an endpoint ('TCP → 10.0.0.5:80'), a connection ('#c2'); which kinds listen and which states are
 * live; and the 'host:port' a user types for a destination, read back into its parts.
 */
import { SocketLabError } from './errors';
import type { EndpointKind, EndpointState, RelayInfo, SocketAddressInfo } from './model';
import { checkHost, checkInteger } from './validate';

/** An address for display: 'host:port', '[v6]:port', or the Unix path; '' for none. */
export function formatAddress(a: SocketAddressInfo | undefined): string {
  if (!a) return '';
  if ('path' in a) return a.path;
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** True for the kinds that accept connections (TCP, TLS and Unix listeners, and relays: each client is a connection). */
export function isListener(kind: EndpointKind): boolean {
  return kind === 'tcp-listener' || kind === 'unix-listener' || kind === 'relay';
}

/** True for an endpoint that talks to one remote: a TCP or Unix client, or a connected UDP client. */
export function isClient(e: { kind: EndpointKind; remote?: SocketAddressInfo }): boolean {
  return e.kind === 'tcp-client' || e.kind === 'unix-client' || (e.kind === 'udp' && e.remote !== undefined);
}

/** True while an endpoint is open or opening (listening, connecting or connected). */
export function isLive(state: EndpointState): boolean {
  return state === 'listening' || state === 'connecting' || state === 'connected';
}

/**
 * How users see an endpoint named, in the Sockets view, the panel and sentences: 'TCP 127.0.0.1:8880',
 * 'TCP → 10.0.0.5:80', 'TLS → localhost:8443', 'UDP 0.0.0.0:9000', 'UDP → 10.0.0.5:53', 'Unix /tmp/lab.sock',
 * 'Relay 127.0.0.1:1884 → 127.0.0.1:1883' ('Relay UDP …' for UDP); its id while the address it is named by
 * is not known yet.
 */
export function endpointName(e: {
  id: string;
  kind: EndpointKind;
  local?: SocketAddressInfo;
  remote?: SocketAddressInfo;
  tls?: unknown;
  relay?: Pick<RelayInfo, 'protocol'>;
}): string {
  if (e.kind === 'relay') {
    if (!e.local) return e.id;
    const udp = e.relay?.protocol === 'udp' ? ' UDP' : '';
    return `Relay${udp} ${formatAddress(e.local)}${e.remote ? ` → ${formatAddress(e.remote)}` : ''}`;
  }
  const family = e.kind.startsWith('tcp') ? (e.tls ? 'TLS' : 'TCP') : e.kind === 'udp' ? 'UDP' : 'Unix';
  const client = isClient(e);
  const address = client ? e.remote : e.local;
  return address ? `${family}${client ? ' →' : ''} ${formatAddress(address)}` : e.id;
}

/**
 * How a connection is named in the Sockets view: its peer's address; for an accepted Unix connection
 * (whose remote is the listener's own path, the same for all) '#c2' from its id. With `withPath`, the
 * Unix path follows ('#c2 /tmp/lab.sock'), as the send panel's Target list shows it.
 */
export function connectionLabel(c: { id: string; remote: SocketAddressInfo }, withPath = false): string {
  if ('path' in c.remote) {
    const name = `#${c.id.slice(c.id.lastIndexOf('.') + 1)}`;
    return withPath ? `${name} ${c.remote.path}` : name;
  }
  return formatAddress(c.remote) || c.id;
}

/**
 * Reads a destination typed as 'host:port' or '[IPv6]:port' (the inverse of formatAddress): its parts, or
 * the SocketLabError saying what is wrong (the host's syntax, a port of 1-65535).
 */
export function parseHostPort(value: string): { host: string; port: number } | SocketLabError {
  const m = /^\[([^\]]+)\]:(.*)$/.exec(value) ?? /^([^:]+):(.*)$/.exec(value);
  if (!m) {
    return SocketLabError.create('invalidDestination', 'Write the destination as host:port, or [IPv6]:port.', {
      field: 'to',
      value,
    });
  }
  const error = checkHost(m[1]) ?? checkInteger(m[2], 'port', 1, 65535, 'invalidPort');
  return error ?? { host: m[1], port: Number(m[2]) };
}
