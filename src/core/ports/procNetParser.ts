/**
 * Parses Linux's /proc/net/{tcp,tcp6,udp,udp6}: one line per socket, addresses in hex as the kernel
 * stores them (IPv4 one little-endian u32, IPv6 four of them), ports in big-endian hex, the state in hex.
 */
import { bytesToIp } from '../ipAddressBytes';

/** TCP_LISTEN in the kernel's state numbering. */
export const TCP_STATE_LISTEN = 0x0a;
/** TCP_CLOSE: what an unconnected (bound, not connected) UDP socket shows. */
export const UDP_STATE_UNCONNECTED = 0x07;

/** One socket line of /proc/net/*. */
export interface ProcNetSocket {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
  state: number;
  /** The owner's user id. */
  uid: number;
  /** The socket's inode: what /proc/<pid>/fd links name as 'socket:[inode]'; 0 when no file holds it. */
  inode: number;
}

/** Address bytes from the kernel's hex: each 8-digit group is a little-endian 32-bit word. */
export function procHexAddress(hex: string): string {
  const bytes = new Uint8Array(hex.length / 2);
  for (let word = 0; word < hex.length / 8; word++) {
    for (let i = 0; i < 4; i++) {
      bytes[word * 4 + i] = parseInt(hex.substr(word * 8 + (3 - i) * 2, 2), 16);
    }
  }
  return bytesToIp(bytes);
}

/**
 * The listening (TCP) or unconnected bound (UDP) sockets of one /proc/net file's text. A namespace may hold
 * tens of thousands of connected and TIME-WAIT sockets, so each line's state is looked at in place (its
 * columns have fixed widths after the slot number) and only the few wanted lines are split.
 */
export function parseProcNet(text: string, protocol: 'tcp' | 'udp'): ProcNetSocket[] {
  const wanted = (protocol === 'tcp' ? TCP_STATE_LISTEN : UDP_STATE_UNCONNECTED)
    .toString(16)
    .toUpperCase()
    .padStart(2, '0');
  const out: ProcNetSocket[] = [];
  // Line 1 is the column header.
  let start = text.indexOf('\n') + 1;
  while (start > 0 && start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    // '%4d: ' then 'ADDR:PORT ADDR:PORT ST', ADDR being 8 (IPv4) or 32 (IPv6) hex digits.
    const address = text.indexOf(':', start) + 2;
    const addressLength = text.indexOf(':', address) - address;
    const stateAt = address + 2 * (addressLength + 6);
    if ((addressLength === 8 || addressLength === 32) && text.startsWith(wanted, stateAt) && stateAt < end) {
      const f = text.slice(start, end).trim().split(/\s+/);
      if (f.length >= 10) {
        out.push({
          protocol,
          address: procHexAddress(f[1].slice(0, addressLength)),
          port: parseInt(f[1].slice(addressLength + 1), 16),
          state: parseInt(f[3], 16),
          uid: Number(f[7]),
          inode: Number(f[9]),
        });
      }
    }
    start = end + 1;
  }
  return out;
}
