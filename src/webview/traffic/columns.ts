/**
 * The widths of the log's columns: time, direction, peer and length are as wide as their content needs (the
 * peer as wide as the longest address seen, within bounds), and the data takes the rest; in Both, the hex
 * column gets three times the text column's share (traffic.css), so that both show about as many bytes. A hex
 * cell shows as many whole bytes as its column fits. Pure (no DOM).
 */

/** Width in characters of the fixed columns (the direction fits an icon and 'auto'). */
export const COLUMN_CH = { time: 12, timeWithDate: 23, dir: 7, len: 7 };
/** The peer column is at least as wide as its heading and at most as wide as an IPv6 address with a port. */
export const PEER_CH = { min: 6, max: 47 };

/** The peer column's width in characters for the longest peer seen. */
export function peerColumnCh(longestPeer: number): number {
  return Math.min(PEER_CH.max, Math.max(PEER_CH.min, longestPeer));
}

/** A monospace character is at least this wide (px) at any editor font size people use; bounds a line below. */
const MIN_CHAR_PX = 4;

/**
 * How many characters a collapsed line's text cell holds in a list `widthPx` wide: what the whole line could
 * show at the smallest font, at least 80. Laying out a 512-byte preview's text for every row that scrolls on
 * screen was the panel's main rendering cost during floods; the cell clips what it holds with an ellipsis.
 */
export function textCharsFor(widthPx: number): number {
  return Math.max(80, Math.ceil(widthPx / MIN_CHAR_PX) + 1);
}

/** How many characters of a monospace font `charPx` wide a cell `cellPx` wide shows whole. */
export function charsThatFit(cellPx: number, charPx: number): number {
  return Math.max(0, Math.floor(cellPx / Math.max(1, charPx)));
}

/**
 * A hex string ('de ad be ef', ' …' at the end when the record is longer) cut to at most `chars` characters at a
 * byte boundary, with '…' when bytes were left out: as many whole bytes as fit, never half of one.
 */
export function fitHex(hex: string, chars: number): string {
  if (hex.length <= chars) return hex;
  const bytes = Math.max(0, Math.floor((chars - 1) / 3));
  return `${hex.slice(0, bytes * 3)}…`;
}
