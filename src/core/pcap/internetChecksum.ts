/** The Internet checksum (RFC 1071) that IPv4, TCP and UDP headers carry. */

/**
 * Adds `data` to a running ones'-complement sum as big-endian 16-bit words (an odd last byte is padded
 * with a zero). The sum is left unfolded: a float64 holds it exactly far past any packet size.
 */
export function addWords(data: Uint8Array, sum = 0): number {
  const length = data.length;
  const even = length & ~1;
  let i = 0;
  // Four words per turn: the loop overhead, not the additions, is what a byte-wise sum pays for.
  for (const end = even - 6; i < end; i += 8) {
    sum += ((data[i] << 8) | data[i + 1]) + ((data[i + 2] << 8) | data[i + 3]);
    sum += ((data[i + 4] << 8) | data[i + 5]) + ((data[i + 6] << 8) | data[i + 7]);
  }
  for (; i < even; i += 2) sum += (data[i] << 8) | data[i + 1];
  if (length & 1) sum += data[length - 1] << 8;
  return sum;
}

/** Folds a running sum to 16 bits and complements it: the value to put in the header. */
export function finishChecksum(sum: number): number {
  while (sum > 0xffff) sum = (sum % 0x10000) + Math.floor(sum / 0x10000);
  return ~sum & 0xffff;
}

/** The checksum of `parts` summed back to back; every part but the last must have an even length. */
export function internetChecksum(...parts: Uint8Array[]): number {
  let sum = 0;
  for (const part of parts) sum = addWords(part, sum);
  return finishChecksum(sum);
}
