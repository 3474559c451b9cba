/**
 * Synthesised IPv4/IPv6 + TCP/UDP headers with correct checksums: what a LINKTYPE_RAW packet starts with.
 * Socket Lab sees only the bytes its sockets move, so these headers are reconstructed, not captured.
 */
import { addWords, finishChecksum } from './internetChecksum';

/** Largest TCP payload one synthesised packet carries: keeps IPv4's 16-bit total length (and IPv6's payload length) in range. */
export const MAX_SEGMENT_BYTES = 65_455;

/** TCP header flag bits. */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const TCP_HEADER = 20;
const UDP_HEADER = 8;
const PROTOCOL_TCP = 6;
const PROTOCOL_UDP = 17;
const HOP_LIMIT = 64;
/** The window every synthesised segment advertises (no window scaling): more than one segment's worth. */
const TCP_WINDOW = 65_535;

/** Source and destination of one packet, addresses as 4 (IPv4) or 16 (IPv6) bytes. */
export interface PacketRoute {
  src: Uint8Array;
  dst: Uint8Array;
  srcPort: number;
  dstPort: number;
}

/** The TCP fields of one segment. */
export interface TcpFields {
  seq: number;
  ack: number;
  flags: number;
}

/** Bytes of the IP + transport headers in front of a payload on `route`. */
export function headerLength(route: PacketRoute, transport: 'tcp' | 'udp'): number {
  return (route.src.length === 4 ? IPV4_HEADER : IPV6_HEADER) + (transport === 'tcp' ? TCP_HEADER : UDP_HEADER);
}

/**
 * Writes the IP and TCP headers of a segment carrying `payload` into `out` at `at` (headerLength bytes);
 * `ipId` is the IPv4 identification (ignored for IPv6).
 */
export function writeTcpHeaders(
  out: Buffer,
  at: number,
  route: PacketRoute,
  tcp: TcpFields,
  payload: Uint8Array,
  ipId: number,
): void {
  const segmentLength = TCP_HEADER + payload.length;
  const t = at + writeIpHeader(out, at, route, PROTOCOL_TCP, segmentLength, ipId);
  out.writeUInt16BE(route.srcPort, t);
  out.writeUInt16BE(route.dstPort, t + 2);
  out.writeUInt32BE(tcp.seq >>> 0, t + 4);
  out.writeUInt32BE(tcp.flags & TCP_ACK ? tcp.ack >>> 0 : 0, t + 8);
  out[t + 12] = (TCP_HEADER / 4) << 4;
  out[t + 13] = tcp.flags;
  out.writeUInt16BE(TCP_WINDOW, t + 14);
  out.writeUInt16BE(0, t + 16); // checksum, filled below
  out.writeUInt16BE(0, t + 18); // urgent pointer
  const sum = addWords(out.subarray(t, t + TCP_HEADER), pseudoHeaderSum(route, PROTOCOL_TCP, segmentLength));
  out.writeUInt16BE(finishChecksum(addWords(payload, sum)), t + 16);
}

/** Writes the IP and UDP headers of a datagram carrying `payload` into `out` at `at` (headerLength bytes). */
export function writeUdpHeaders(out: Buffer, at: number, route: PacketRoute, payload: Uint8Array, ipId: number): void {
  const datagramLength = UDP_HEADER + payload.length;
  const u = at + writeIpHeader(out, at, route, PROTOCOL_UDP, datagramLength, ipId);
  out.writeUInt16BE(route.srcPort, u);
  out.writeUInt16BE(route.dstPort, u + 2);
  out.writeUInt16BE(datagramLength, u + 4);
  out.writeUInt16BE(0, u + 6);
  const sum = addWords(out.subarray(u, u + UDP_HEADER), pseudoHeaderSum(route, PROTOCOL_UDP, datagramLength));
  // A computed 0 is sent as 0xFFFF: 0 means "no checksum" in UDP over IPv4 and is forbidden over IPv6.
  out.writeUInt16BE(finishChecksum(addWords(payload, sum)) || 0xffff, u + 6);
}

/** Writes the IPv4 or IPv6 header; returns its length. */
function writeIpHeader(
  out: Buffer,
  at: number,
  route: PacketRoute,
  protocol: number,
  transportLength: number,
  ipId: number,
): number {
  if (route.src.length === 4) {
    out[at] = 0x45; // version 4, 5 words of header
    out[at + 1] = 0;
    out.writeUInt16BE(IPV4_HEADER + transportLength, at + 2);
    out.writeUInt16BE(ipId & 0xffff, at + 4);
    out.writeUInt16BE(0x4000, at + 6); // don't fragment
    out[at + 8] = HOP_LIMIT;
    out[at + 9] = protocol;
    out.writeUInt16BE(0, at + 10);
    out.set(route.src, at + 12);
    out.set(route.dst, at + 16);
    out.writeUInt16BE(finishChecksum(addWords(out.subarray(at, at + IPV4_HEADER))), at + 10);
    return IPV4_HEADER;
  }
  out.writeUInt32BE(0x60000000, at); // version 6, no traffic class, no flow label
  out.writeUInt16BE(transportLength, at + 4);
  out[at + 6] = protocol;
  out[at + 7] = HOP_LIMIT;
  out.set(route.src, at + 8);
  out.set(route.dst, at + 24);
  return IPV6_HEADER;
}

/** The running sum of the pseudo-header TCP and UDP checksums cover (RFC 793, RFC 8200). */
function pseudoHeaderSum(route: PacketRoute, protocol: number, transportLength: number): number {
  // Source and destination addresses, the protocol and the length: the same words for IPv4 and IPv6.
  return addWords(route.dst, addWords(route.src)) + protocol + transportLength;
}
