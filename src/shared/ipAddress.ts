/**
 * IP address literals, read as Node's net module reads them but without Node (this file is part of the
 * pure bottom layer): which family a literal is, whether it is loopback, multicast, or reachable from the
 * network when bound.
 */

const IPV4_NUMBER = /^(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
const IPV6_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const IPV6_ZONE = /^[0-9A-Za-z.:-]+$/;

/** True for a dotted-quad IPv4 address as Node's net.isIPv4 reads it: four numbers 0-255, no leading zeros. */
export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((part) => IPV4_NUMBER.test(part));
}

/**
 * True for an IPv6 address as Node's net.isIPv6 reads it (no brackets): eight groups, or fewer around one
 * '::', the last two groups possibly written as an IPv4 address, and an optional %zone.
 */
export function isIPv6(text: string): boolean {
  const percent = text.indexOf('%');
  if (percent >= 0 && !IPV6_ZONE.test(text.slice(percent + 1))) {
    return false;
  }
  const halves = (percent < 0 ? text : text.slice(0, percent)).split('::');
  if (halves.length > 2) {
    return false;
  }
  const groupsOf = (half: string) => (half === '' ? [] : half.split(':'));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  const last = halves.length === 2 ? tail : head;
  let count = head.length + tail.length;
  if (last.length && last[last.length - 1].includes('.')) {
    // An IPv4 tail (::ffff:127.0.0.1) stands for the last two groups.
    if (!isIPv4(last.pop()!)) {
      return false;
    }
    count++;
  }
  if (!head.every((g) => IPV6_GROUP.test(g)) || !tail.every((g) => IPV6_GROUP.test(g))) {
    return false;
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** 4 or 6 for an IP address literal (as Node's net.isIP), 0 for anything else. */
export function ipFamily(text: string): 0 | 4 | 6 {
  return isIPv4(text) ? 4 : isIPv6(text) ? 6 : 0;
}

/** The four parts of a dotted-quad IPv4 address, or undefined when `host` is not one. */
export function ipv4Parts(host: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!match) {
    return undefined;
  }
  const parts = match.slice(1).map(Number);
  return parts.every((part) => part <= 255) ? parts : undefined;
}

/** The eight 16-bit groups of an IPv6 address (zone and brackets removed), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  text = text.split('%')[0];
  if (!isIPv6(text)) {
    return undefined;
  }
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    // Rewrite an embedded IPv4 tail (::ffff:127.0.0.1) as the two groups it stands for.
    const parts = ipv4Parts(v4[1])!;
    text = `${text.slice(0, -v4[1].length)}${(parts[0] * 256 + parts[1]).toString(16)}:${(parts[2] * 256 + parts[3]).toString(16)}`;
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const first = parse(head);
  const last = parse(rest);
  const missing = 8 - first.length - last.length;
  return [...first, ...new Array<number>(Math.max(0, missing)).fill(0), ...last];
}

/** True for 127.0.0.0/8, ::1, ::ffff:127.x, 'localhost' (brackets and case ignored). */
export function isLoopbackHost(host: string): boolean {
  if (typeof host !== 'string') {
    return false;
  }
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower === 'localhost.') {
    return true;
  }
  const v4 = ipv4Parts(host);
  if (v4) {
    return v4[0] === 127;
  }
  const groups = ipv6Groups(host);
  if (!groups) {
    return false;
  }
  const zerosBefore = (count: number) => groups.slice(0, count).every((g) => g === 0);
  if (zerosBefore(7) && groups[7] === 1) {
    return true;
  }
  return zerosBefore(5) && groups[5] === 0xffff && groups[6] >> 8 === 127;
}

/** True for 0.0.0.0, ::, and any address that is not loopback (the host asks confirmation for those); host names other than localhost count as external. */
export function isExternalBind(host: string): boolean {
  return !isLoopbackHost(host);
}

/** True for 224.0.0.0/4 and ff00::/8. */
export function isMulticastAddress(address: string): boolean {
  if (isIPv4(address)) {
    const first = Number(address.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  // ff00::/8 is a first group of four hex digits starting ff: 'ff::1' (first group 00ff) is not one.
  return isIPv6(address) && /^ff[0-9a-f]{2}:/i.test(address);
}
