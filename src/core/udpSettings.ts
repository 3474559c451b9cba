/**
 * Broadcast and multicast settings changed on a live UDP socket: applied to the socket, then written into
 * the arguments its entry replays, so a restart (or a restore after a reload) keeps them.
 */
import { SocketLabError } from '../shared/errors';
import type { EndpointInfo } from '../shared/model';
import { ENDPOINT_KIND_WORDS } from '../shared/valueWords';
import type { Entry } from './endpointEntry';
import { UdpSocket } from './endpoints/udpSocket';

/** The UDP socket of an entry, or the 'notUdp' refusal. */
function udpOf(entry: Entry): UdpSocket {
  const endpoint = entry.endpoint;
  if (endpoint instanceof UdpSocket) return endpoint;
  throw SocketLabError.create('notUdp', '{id} is a {kind}, not a UDP socket.', {
    id: endpoint.id,
    kind: ENDPOINT_KIND_WORDS[endpoint.kind],
  });
}

/**
 * Runs `change` on the entry's UDP socket, then keeps a UDP listener's broadcast flag, groups, TTL and
 * loopback for a restart (groups on the interface they were joined on) and in the arguments a restore after a
 * window reload replays (there, only the groups joined without an interface); returns the snapshot.
 */
export function changeUdpSettings(entry: Entry, change: (socket: UdpSocket) => void): EndpointInfo {
  const socket = udpOf(entry);
  try {
    change(socket);
  } finally {
    // Kept even when the change failed half-way (TTL set, loopback refused): a restart matches the socket.
    keepSettings(entry, socket);
  }
  return socket.info();
}

/** Writes the socket's settings where a restart and a restore after a reload read them. */
function keepSettings(entry: Entry, socket: UdpSocket): void {
  const settings = socket.settings;
  entry.udpSettings = settings;
  if (entry.command !== 'startUdpListener') return;
  // A window reload replays the start arguments, which name no interface: only groups joined without one.
  const anyInterface = (settings.multicastGroups ?? []).filter((g) => !settings.multicastInterfaces?.[g]);
  const { multicastGroups: _groups, ...rest } = entry.args as Record<string, unknown>;
  entry.args = {
    ...rest,
    broadcast: settings.broadcast,
    ...(anyInterface.length ? { multicastGroups: anyInterface } : {}),
    multicastTtl: settings.multicastTtl,
    multicastLoopback: settings.multicastLoopback,
  };
}
