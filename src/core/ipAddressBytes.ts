/** IP addresses as text and as the 4 or 16 bytes packet headers and /proc/net carry. */
import * as net from 'net';

/** The 4 (IPv4) or 16 (IPv6) bytes of an address as Node prints it; a zone ('%eth0') is dropped; undefined if not an IP. */
export function ipToBytes(text: string): Uint8Array | undefined {
  const address = text.replace(/%.*$/, '');
  const family = net.isIP(address);
  if (family === 4) return Uint8Array.from(address.split('.').map(Number));
  if (family !== 6) return undefined;
  const bytes = new Uint8Array(16);
  let words = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) {
    // '::ffff:1.2.3.4': the dotted tail is the last two words.
    const [a, b, c, d] = ipToBytes(dotted[1])!;
    words = address.slice(0, -dotted[1].length) + ((a << 8) | b).toString(16) + ':' + ((c << 8) | d).toString(16);
  }
  const [head, tail] = words.includes('::') ? words.split('::') : [words, undefined];
  const headWords = head ? head.split(':') : [];
  const tailWords = tail ? tail.split(':') : [];
  const all = [...headWords, ...new Array(8 - headWords.length - tailWords.length).fill('0'), ...tailWords];
  all.forEach((w, i) => {
    const v = parseInt(w, 16);
    bytes[2 * i] = v >> 8;
    bytes[2 * i + 1] = v & 0xff;
  });
  return bytes;
}

/**
 * The text of 4 or 16 address bytes, written as Node (libuv's inet_ntop) writes socket addresses: the
 * longest run of two or more zero words shortened to '::', and IPv4-mapped addresses as '::ffff:1.2.3.4'.
 */
export function bytesToIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i] << 8) | bytes[i + 1]);
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  if (bestLength < 2) bestStart = -1;
  const v4 = (i: number) => `${bytes[i]}.${bytes[i + 1]}.${bytes[i + 2]}.${bytes[i + 3]}`;
  if (bestStart === 0 && (bestLength === 6 || (bestLength === 5 && words[5] === 0xffff))) {
    return bestLength === 6 ? `::${v4(12)}` : `::ffff:${v4(12)}`;
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += '::';
      i += bestLength - 1;
      continue;
    }
    if (text && !text.endsWith(':')) text += ':';
    text += words[i].toString(16);
  }
  return text;
}

/** The IPv4 address inside an IPv4-mapped IPv6 address ('::ffff:127.0.0.1' -> '127.0.0.1'), or undefined. */
export function unmapIpv4(address: string): string | undefined {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : undefined;
}

/** True for 0.0.0.0 and ::, the addresses a socket binds to mean "every address of this machine". */
export function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped form. */
export function isLoopbackAddress(address: string): boolean {
  const v4 = unmapIpv4(address) ?? address;
  return v4.startsWith('127.') || address === '::1';
}
