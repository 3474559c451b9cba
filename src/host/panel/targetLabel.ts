/** How the send panel names a connection in its Target list. Pure (no vscode). */
import type { ConnectionInfo } from '../../core/types';
import { formatAddress } from '../../shared/format';

/**
 * A connection in the Target list: its peer's address; for Unix, whose accepted connections all have the
 * listener's path as their remote, its label in the Sockets view (#c2) before the path.
 */
export function connectionTargetLabel(c: Pick<ConnectionInfo, 'id' | 'remote'>): string {
  if ('path' in c.remote) return `#${c.id.slice(c.id.lastIndexOf('.') + 1)} ${c.remote.path}`;
  return formatAddress(c.remote) || c.id;
}
