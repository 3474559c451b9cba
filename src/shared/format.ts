/** Small display helpers shared by the host (tree, status bar) and the webview. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1234 -> '1.2 KB' (powers of 1024, one decimal under 10). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = unit === 0 ? String(value) : value < 10 ? value.toFixed(1) : String(Math.round(value));
  return `${text} ${UNITS[unit]}`;
}

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

/** Epoch ms -> 'HH:MM:SS.mmm' in local time (optionally with the date in front). */
export function formatTime(epochMs: number, withDate = false): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  return withDate ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}` : time;
}
