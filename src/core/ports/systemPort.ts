/** What the System Ports view lists: a listening TCP socket or a bound UDP socket of this machine, and who holds it. */

/** One listening TCP socket or bound UDP socket. */
export interface SystemPort {
  protocol: 'tcp' | 'udp';
  /** The bound address as Node writes it ('0.0.0.0', '::', '127.0.0.1', '::1', '::ffff:1.2.3.4'). */
  address: string;
  port: number;
  /** The process holding it; absent when the system does not let this user see it ("no permission", as `ss` shows). */
  pid?: number;
  /** That process's name (Linux: /proc/<pid>/comm, macOS: lsof's command, Windows: the image name). */
  process?: string;
  /** The Socket Lab endpoint that is this socket, when it is one of ours (see matchOwnEndpoints). */
  endpointId?: string;
}

/** Sorted by port, then protocol, address and pid; identical rows (one socket seen twice) kept once. */
export function sortPorts(ports: SystemPort[]): SystemPort[] {
  const seen = new Set<string>();
  const unique = ports.filter((p) => {
    const key = `${p.protocol}|${p.address}|${p.port}|${p.pid ?? ''}|${p.process ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort(
    (a, b) =>
      a.port - b.port ||
      a.protocol.localeCompare(b.protocol) ||
      a.address.localeCompare(b.address) ||
      (a.pid ?? -1) - (b.pid ?? -1),
  );
}

/** Who holds a port, as sentences and the view say it: 'php (pid 4242)', 'pid 4242', or undefined when hidden. */
export function describeHolder(port: SystemPort): string | undefined {
  if (port.pid === undefined) return undefined;
  return port.process ? `${port.process} (pid ${port.pid})` : `pid ${port.pid}`;
}
