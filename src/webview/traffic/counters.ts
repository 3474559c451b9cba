/**
 * The lines over the log: bytes and messages in and out with their rates, how many records the log's cap
 * evicted, and how many arrived too fast to be shown live. Only text nodes that changed are written.
 */
import { formatBytes } from '../../shared/display';
import type { CountersView } from '../../shared/protocol';
import { el, icon } from '../dom';
import { tn } from '../strings';

const inText = document.createTextNode('');
const outText = document.createTextNode('');

/** In and out, with rates. */
export const countersLine = el('div', { id: 'counters', 'aria-live': 'off' });
/** Records the log's cap evicted. */
export const droppedLine = el('div', { id: 'dropped-line', class: 'muted', hidden: true });
/** Records that arrived too fast to show live (their rows are gaps, loaded when scrolled to). */
export const skippedLine = el('div', { id: 'skipped-line', class: 'muted', hidden: true });

/** Shows the host's counters and the number of records skipped since the last reset. */
export function showCounters(c: CountersView, skipped: number): void {
  if (!countersLine.firstChild)
    countersLine.append(
      el('span', { class: 'counter in' }, icon('arrow-down'), inText),
      el('span', { class: 'counter out' }, icon('arrow-up'), outText),
    );
  setText(
    inText,
    ` ${tn(c.messagesIn, 'countersIn', formatBytes(c.bytesIn), c.messagesIn.toLocaleString(), formatBytes(c.bytesInRate))}`,
  );
  setText(
    outText,
    ` ${tn(c.messagesOut, 'countersOut', formatBytes(c.bytesOut), c.messagesOut.toLocaleString(), formatBytes(c.bytesOutRate))}`,
  );
  droppedLine.hidden = c.dropped === 0;
  setLine(droppedLine, tn(c.dropped, 'droppedLine', c.dropped.toLocaleString(), formatBytes(c.capBytes)));
  skippedLine.hidden = skipped === 0;
  setLine(skippedLine, tn(skipped, 'skippedLine', skipped.toLocaleString()));
}

function setText(node: Text, text: string): void {
  if (node.data !== text) node.data = text;
}

function setLine(line: HTMLElement, text: string): void {
  if (line.textContent !== text) line.textContent = text;
}
