/** How addresses and connections are named, shared by the host (tree, status bar, commands) and the panel. */

/** An address for display: 'host:port', '[v6]:port', or the Unix path. */
export function formatAddress(a: { address: string; port: number } | { path: string } | undefined): string {
  if (!a) return '';
  if ('path' in a) return a.path;
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/**
 * How a connection is named in the Sockets view: its peer's address; for an accepted Unix connection
 * (whose remote is the listener's own path, the same for all) '#c2' from its id. With `withPath`, the
 * Unix path follows ('#c2 /tmp/lab.sock'), as the send panel's Target list shows it.
 */
export function connectionLabel(
  c: { id: string; remote: { address: string; port: number } | { path: string } },
  withPath = false,
): string {
  if ('path' in c.remote) {
    const name = `#${c.id.slice(c.id.lastIndexOf('.') + 1)}`;
    return withPath ? `${name} ${c.remote.path}` : name;
  }
  return formatAddress(c.remote) || c.id;
}
