/**
 * What the panel says to a screen reader that no visible status line says: outcomes such as a filter's result,
 * a cleared log, a field that became invalid, new rows while the log has the focus. One polite, hidden live
 * region; the same sentence twice is announced twice (the region's text changes between them).
 */
import { el } from './dom';

/** The hidden live region (main.ts places it in the page). */
export const announcer = el('div', { id: 'announcer', class: 'sr-only', role: 'status', 'aria-atomic': 'true' });

let flip = false;
const lastBy = new Map<string, number>();

/** Says `text` politely. */
export function announce(text: string): void {
  flip = !flip;
  // A no-break space on every other call, so that a repeated sentence is still a change.
  announcer.textContent = flip ? text : `${text}\u00a0`;
}

/** Says `text` unless something of the same `kind` was said less than `minIntervalMs` ago; true when it was said. */
export function announceAtMostEvery(kind: string, minIntervalMs: number, text: string, now = Date.now()): boolean {
  const last = lastBy.get(kind);
  if (last !== undefined && now - last < minIntervalMs) return false;
  lastBy.set(kind, now);
  announce(text);
  return true;
}
