/**
 * The nodes of the log's rows: a collapsed record (one line: time, direction, peer, length, data), an
 * expanded one (with its hex dump and copy buttons), and a gap (older records, loaded when it scrolls into
 * view). Received bytes reach the page only as textContent.
 */
import { cutBefore, formatTime, hexDump } from '../../shared/display';
import { el, icon } from '../dom';
import type { ViewOptions } from '../state';
import { t, tn } from '../strings';
import { hexOf, textOf, type RecordRow } from './rowText';
import type { GapRow, Row } from './rows';

/** What a row's look depends on besides the row itself. */
export interface RowLook {
  view: ViewOptions;
  encoding: string;
  selectedSeq: number;
}

/** What the buttons of an expanded row do. */
export interface RowActions {
  copy(seq: number, as: 'hex' | 'text'): void;
}

/** A monospace character is at least this wide (px) at any editor font size people use; bounds a line below. */
const MIN_CHAR_PX = 4;

/**
 * How much of a record a collapsed line shows, and when every row must be built again. A 512-byte preview is
 * 1,535 characters of hex; laying out and shaping all of it for every row that scrolls on screen was the
 * panel's main rendering cost during a flood (the cells clip with an ellipsis anyway).
 */
const line = {
  /** Characters one collapsed line can show at most at the list's width (bumped with the width, never per row). */
  chars: 400,
  /** Bumped when every row's content must be rebuilt (encoding change, wider list). */
  generation: 0,
};

/** Every row is built again when next shown (its text changed: another encoding). */
export function rebuildAllRows(): void {
  line.generation++;
}

/** Follows the list's width: when lines can show more, collapsed rows are rebuilt with more text. */
export function fitLinesTo(width: number): void {
  const chars = Math.max(80, Math.ceil(width / MIN_CHAR_PX) + 1);
  if (chars === line.chars) return;
  const grew = chars > line.chars;
  line.chars = chars;
  if (grew) line.generation++;
}

/** What a collapsed row's cell renders of `s`: no more than the line can show. */
function fitLine(s: string): string {
  return s.length <= line.chars ? s : `${cutBefore(s, line.chars)}…`;
}

/** A row is rebuilt when this changes (collapsed nodes are refilled in place). */
export function signature(row: Row, look: RowLook): string {
  if (row.kind === 'gap') return `g${row.loading ? 1 : 0}:${row.before - row.after}`;
  const state = row.expanded ? `e${row.loading ? 1 : 0}${row.full ? 1 : 0}` : 'c';
  return `r${line.generation}:${look.view.mode}:${look.view.showDate ? 1 : 0}:${row.r.seq === look.selectedSeq ? 1 : 0}:${state}`;
}

const nodeRows = new WeakMap<HTMLElement, RecordRow>();

/** The record row a node on screen shows. */
export function rowOfNode(node: HTMLElement): RecordRow | undefined {
  return nodeRows.get(node);
}

/** A gap's node: how many older records it stands for, or that they are loading. */
export function gapNode(row: GapRow): HTMLElement {
  const count = row.before - row.after;
  return el(
    'div',
    { class: 'row gap', role: 'listitem' },
    icon('history'),
    ` ${row.loading ? t('loading') : tn(count, 'olderRows', count.toLocaleString())}`,
  );
}

/** A collapsed record row: a pooled node refilled (textContent only), or a new one. */
export function collapsedNode(row: RecordRow, look: RowLook, reuse?: HTMLElement): HTMLElement {
  const r = row.r;
  const node = reuse ?? newCollapsedNode();
  const line = node.firstChild as HTMLElement;
  const cells = line.children as HTMLCollectionOf<HTMLElement>;
  const [time, dir, peer, len] = [cells[0], cells[1], cells[2], cells[3]];
  node.className = `row rec${r.seq === look.selectedSeq ? ' selected' : ''}`;
  node.dataset.seq = String(r.seq);
  time.textContent = formatTime(r.time, look.view.showDate);
  dir.className = `dir ${r.dir}`;
  (dir.firstChild as HTMLElement).className = `codicon codicon-${r.dir === 'in' ? 'arrow-down' : 'arrow-up'}`;
  (dir.lastChild as HTMLElement).textContent = t(r.dir);
  peer.textContent = r.peer;
  peer.title = r.peer;
  len.textContent = String(r.length);
  // The data cells for the view mode, in order: text, then hex.
  const mode = look.view.mode;
  let textCell = line.querySelector<HTMLElement>(':scope > .data.text');
  let hexCell = line.querySelector<HTMLElement>(':scope > .data.hex');
  if (mode === 'hex') textCell?.remove();
  else
    (textCell ??= line.insertBefore(el('span', { class: 'data text' }), hexCell)).textContent = fitLine(
      textOf(row, look.encoding),
    );
  if (mode === 'text') hexCell?.remove();
  else (hexCell ??= line.appendChild(el('span', { class: 'data hex' }))).textContent = fitLine(hexOf(row));
  nodeRows.set(node, row);
  return node;
}

function newCollapsedNode(): HTMLElement {
  return el(
    'div',
    { class: 'row rec', role: 'listitem', 'aria-expanded': 'false', title: t('expandHint') },
    el(
      'div',
      { class: 'line' },
      el('span', { class: 'time' }),
      el('span', { class: 'dir' }, el('span', { class: 'codicon', 'aria-hidden': 'true' }), el('span')),
      el('span', { class: 'peer' }),
      el('span', { class: 'len' }),
    ),
  );
}

/** A record row built whole: its line with all of its preview, and when expanded its dump and copy buttons. */
export function recordNode(row: RecordRow, look: RowLook, actions: RowActions): HTMLElement {
  const r = row.r;
  const mode = look.view.mode;
  const line = el(
    'div',
    { class: 'line' },
    el('span', { class: 'time', text: formatTime(r.time, look.view.showDate) }),
    el(
      'span',
      { class: `dir ${r.dir}` },
      icon(r.dir === 'in' ? 'arrow-down' : 'arrow-up'),
      el('span', { text: t(r.dir) }),
    ),
    el('span', { class: 'peer', text: r.peer, title: r.peer }),
    el('span', { class: 'len', text: String(r.length) }),
  );
  if (mode !== 'hex') line.append(el('span', { class: 'data text', text: textOf(row, look.encoding) }));
  if (mode !== 'text') line.append(el('span', { class: 'data hex', text: hexOf(row) }));
  const node = el(
    'div',
    {
      class: `row rec${row.expanded ? ' expanded' : ''}${r.seq === look.selectedSeq ? ' selected' : ''}`,
      role: 'listitem',
      'aria-expanded': String(!!row.expanded),
      title: t('expandHint'),
    },
    line,
  );
  node.dataset.seq = String(r.seq);
  nodeRows.set(node, row);
  if (row.expanded) node.append(detailOf(row, actions));
  return node;
}

/** An expanded record's copy buttons and hex dump (of the whole record once it is fetched). */
function detailOf(row: RecordRow, actions: RowActions): HTMLElement {
  const r = row.r;
  const data = row.full ?? r.preview;
  const more = r.length > data.byteLength ? `\n${t('moreBytes', r.length - data.byteLength)}` : '';
  const dump = el('pre', { class: 'dump', text: row.loading ? t('loading') : hexDump(data) + more });
  const copyButton = (as: 'hex' | 'text', text: string) =>
    el('vscode-button', {
      secondary: true,
      icon: 'copy',
      class: `copy-${as}`,
      text,
      onclick: () => actions.copy(r.seq, as),
    });
  const buttons = el(
    'div',
    { class: 'row-actions' },
    copyButton('hex', t('copyHex')),
    copyButton('text', t('copyText')),
  );
  return el('div', { class: 'detail' }, buttons, dump);
}
