/** The send panel's Multicast / Broadcast controls on the host side: each change through the core's commands. */
import type { SocketLab } from '../../core/socketLab';
import type { MulticastChange } from '../../shared/protocol';

/** Applies one change of the panel's controls to UDP socket `id` (the core refuses bad values with a sentence). */
export function applyMulticastChange(lab: SocketLab, id: string, change: MulticastChange): void {
  switch (change.op) {
    case 'join':
      lab.joinMulticast({ id, group: change.group, ...(change.interface ? { interface: change.interface } : {}) });
      return;
    case 'leave':
      lab.leaveMulticast({ id, group: change.group });
      return;
    case 'broadcast':
      lab.setBroadcast({ id, on: change.on });
      return;
  }
}
