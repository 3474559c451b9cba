/**
 * The nodes of the log's rows, rows of a grid: a collapsed record (one line: time, direction, peer, length,
 * data), an expanded one (with its hex dump and copy buttons), and a gap (older records, loaded when it
 * scrolls into view). Each record row is named by a summary a screen reader reads when it becomes the active
 * row ("in, 09:45:46.123, from 127.0.0.1:44718, 18 bytes: hello"). Received bytes reach the page only as text.
 */
import { cutBefore, formatTime, hexDump } from '../../shared/display';
import { el, icon } from '../dom';
import type { ViewOptions } from '../state';
import { t, tn } from '../strings';
import { fitHex } from './columns';
import { frameMarkKey, frameTextOf, hexOf, textOf, type RecordRow } from './rowText';
import type { GapRow, Row } from './rows';

/** What a row's look depends on besides the row itself. */
export interface RowLook {
  view: ViewOptions;
  encoding: string;
  selectedSeq: number;
  /** The endpoint is gone: an expanded row shows only what the panel kept. */
  gone: boolean;
  /** The endpoint is a relay: its rows are spoken as client to server, or back. */
  relay?: boolean;
}

/** What the buttons of an expanded row do. */
export interface RowActions {
  copy(seq: number, as: 'hex' | 'text'): void;
}

/** Characters of the data a row's spoken summary reads at most. */
const SUMMARY_CHARS = 100;

/**
 * How much of a record a collapsed line shows, and when every row must be built again. A 512-byte preview is
 * 1,535 characters of hex; laying out and shaping all of it for every row that scrolls on screen was the
 * panel's main rendering cost during a flood, so each cell gets what its width shows (the hex whole bytes).
 */
const line = {
  /** Characters a data cell of a collapsed line shows (measured on the column heads). */
  textChars: 400,
  hexChars: 400,
  /** Bumped when every row's content must be rebuilt (encoding change, other column widths). */
  generation: 0,
};

/** Every row is built again when next shown (its text changed: another encoding). */
export function rebuildAllRows(): void {
  line.generation++;
}

/**
 * Follows the data columns' widths in characters (as measured on the column heads, which share the rows'
 * layout): when a data cell can show another number of characters, collapsed rows are rebuilt.
 */
export function fitColumns(textChars: number, hexChars: number): void {
  if (textChars === line.textChars && hexChars === line.hexChars) return;
  line.textChars = textChars;
  line.hexChars = hexChars;
  line.generation++;
}

/** What a collapsed row's text cell renders of `s`: no more than the cell shows (it clips with an ellipsis). */
function fitText(s: string): string {
  return s.length <= line.textChars ? s : `${cutBefore(s, line.textChars)}…`;
}

/** A row is rebuilt when this changes (collapsed nodes are refilled in place). */
export function signature(row: Row, look: RowLook): string {
  if (row.kind === 'gap') return `g${row.loading ? 1 : 0}:${row.before - row.after}`;
  const state = row.expanded ? `e${row.loading ? 1 : 0}${row.full ? 1 : 0}` : 'c';
  return `r${line.generation}:${look.view.mode}:${look.view.showDate ? 1 : 0}${look.view.hideDelimiters ? 1 : 0}:${row.r.seq === look.selectedSeq ? 1 : 0}:${state}`;
}

const nodeRows = new WeakMap<HTMLElement, RecordRow>();

/** The record row a node on screen shows. */
export function rowOfNode(node: HTMLElement): RecordRow | undefined {
  return nodeRows.get(node);
}

/** The id of a record's row node (the grid's active descendant names it). */
export function rowId(seq: number): string {
  return `rec-${seq}`;
}

/** A gap's node: how many older records it stands for, or that they are loading. */
export function gapNode(row: GapRow): HTMLElement {
  const count = row.before - row.after;
  const text = row.loading ? t('loading') : tn(count, 'olderRows', count.toLocaleString());
  return el(
    'div',
    { class: 'row gap', role: 'row' },
    el('div', { class: 'line', role: 'gridcell' }, icon('history'), ` ${text}`),
  );
}

/** What a screen reader says for a record row. */
function summaryOf(row: RecordRow, look: RowLook): string {
  const r = row.r;
  const data = look.view.mode === 'hex' ? hexOf(row) : textOf(row, look.encoding);
  const way = r.dir === 'in' ? 'In' : 'Out';
  const key = r.auto
    ? 'rowSummaryAuto'
    : look.relay
      ? (`rowSummaryRelay${way}` as const)
      : (`rowSummary${way}` as const);
  const mark = frameMarkKey(r);
  const length = tn(r.length, 'bytes', r.length.toLocaleString());
  const bytes = mark ? `${length}, ${t(mark)}` : length;
  const shown = data.length > SUMMARY_CHARS ? `${cutBefore(data, SUMMARY_CHARS)}…` : data;
  return t(key, formatTime(r.time, look.view.showDate), r.peer, bytes, shown);
}

/** The direction cell: an arrow (in, out) or the reply arrow of an auto-reply, and the word. */
function fillDirection(dir: HTMLElement, row: RecordRow): void {
  const r = row.r;
  dir.className = `dir ${r.dir}${r.auto ? ' auto' : ''}`;
  const name = r.auto ? 'reply' : r.dir === 'in' ? 'arrow-down' : 'arrow-up';
  (dir.firstChild as HTMLElement).className = `codicon codicon-${name}`;
  (dir.lastChild as HTMLElement).textContent = r.auto ? t('auto') : t(r.dir);
  dir.title = r.auto ? t('autoHint') : '';
}

/** Sets the grid attributes of a record row: its id, whether it is selected or expanded, its spoken summary. */
function markRecordRow(node: HTMLElement, row: RecordRow, look: RowLook): void {
  const selected = row.r.seq === look.selectedSeq;
  node.className = `row rec${row.expanded ? ' expanded' : ''}${selected ? ' selected' : ''}`;
  node.id = rowId(row.r.seq);
  node.dataset.seq = String(row.r.seq);
  node.setAttribute('aria-selected', String(selected));
  node.setAttribute('aria-expanded', String(!!row.expanded));
  node.setAttribute('aria-label', summaryOf(row, look));
  nodeRows.set(node, row);
}

/** A collapsed record row: a pooled node refilled (text only), or a new one. */
export function collapsedNode(row: RecordRow, look: RowLook, reuse?: HTMLElement): HTMLElement {
  const r = row.r;
  const node = reuse ?? newCollapsedNode();
  const cellsLine = node.firstChild as HTMLElement;
  const cells = cellsLine.children as HTMLCollectionOf<HTMLElement>;
  const [time, dir, peer, len] = [cells[0], cells[1], cells[2], cells[3]];
  markRecordRow(node, row, look);
  time.textContent = formatTime(r.time, look.view.showDate);
  fillDirection(dir, row);
  peer.textContent = r.peer;
  peer.title = r.peer;
  len.textContent = String(r.length);
  // The data cells for the view mode, in order: text, then hex.
  const mode = look.view.mode;
  let textCell = cellsLine.querySelector<HTMLElement>(':scope > .data.text');
  let hexCell = cellsLine.querySelector<HTMLElement>(':scope > .data.hex');
  if (mode === 'hex') textCell?.remove();
  else fillTextCell((textCell ??= cellsLine.insertBefore(dataCell('text'), hexCell)), row, look);
  if (mode === 'text') hexCell?.remove();
  else (hexCell ??= cellsLine.appendChild(dataCell('hex'))).textContent = fitHex(hexOf(row), line.hexChars);
  markFrame((textCell ?? hexCell)!, row);
  return node;
}

/**
 * A text cell's content: the text, or for a framed record its length header and delimiter in spans of their
 * own (shown dimmed, so the message stands out from its framing; the delimiter left out when the view hides it).
 */
function fillTextCell(cell: HTMLElement, row: RecordRow, look: RowLook): void {
  const parts = frameTextOf(row, look.encoding);
  if (!parts) {
    cell.textContent = fitText(textOf(row, look.encoding));
    return;
  }
  const content: (Node | string)[] = [];
  if (parts.header) content.push(el('span', { class: 'frame-header', text: parts.header }));
  content.push(fitText(parts.body));
  if (parts.delimiter && !look.view.hideDelimiters)
    content.push(el('span', { class: 'frame-delim', text: parts.delimiter }));
  cell.replaceChildren(...content);
}

/** Puts the marker of a frame that is not whole ("cut at limit", "partial") before the row's data. */
function markFrame(cell: HTMLElement, row: RecordRow): void {
  const key = frameMarkKey(row.r);
  if (key) cell.prepend(el('span', { class: `frame-mark ${key}`, text: t(key) }));
}

function dataCell(kind: 'text' | 'hex'): HTMLElement {
  return el('span', { class: `data ${kind}`, role: 'gridcell' });
}

function newCollapsedNode(): HTMLElement {
  return el(
    'div',
    { class: 'row rec', role: 'row' },
    el(
      'div',
      { class: 'line' },
      el('span', { class: 'time', role: 'gridcell' }),
      el(
        'span',
        { class: 'dir', role: 'gridcell' },
        el('span', { class: 'codicon', 'aria-hidden': 'true' }),
        el('span'),
      ),
      el('span', { class: 'peer', role: 'gridcell' }),
      el('span', { class: 'len', role: 'gridcell' }),
    ),
  );
}

/** A record row built whole: its line, and when expanded its dump and copy buttons. */
export function recordNode(row: RecordRow, look: RowLook, actions: RowActions): HTMLElement {
  const r = row.r;
  const mode = look.view.mode;
  const dir = el('span', { class: 'dir', role: 'gridcell' }, el('span', { 'aria-hidden': 'true' }), el('span'));
  fillDirection(dir, row);
  const cells = el(
    'div',
    { class: 'line' },
    el('span', { class: 'time', role: 'gridcell', text: formatTime(r.time, look.view.showDate) }),
    dir,
    el('span', { class: 'peer', role: 'gridcell', text: r.peer, title: r.peer }),
    el('span', { class: 'len', role: 'gridcell', text: String(r.length) }),
  );
  const dataCells: HTMLElement[] = [];
  if (mode !== 'hex') {
    const textCell = dataCell('text');
    fillTextCell(textCell, row, look);
    dataCells.push(textCell);
  }
  if (mode !== 'text')
    dataCells.push(el('span', { class: 'data hex', role: 'gridcell', text: fitHex(hexOf(row), line.hexChars) }));
  markFrame(dataCells[0], row);
  cells.append(...dataCells);
  const node = el('div', { role: 'row' }, cells);
  markRecordRow(node, row, look);
  if (row.expanded) node.append(detailOf(row, look, actions));
  return node;
}

/** An expanded record's copy buttons and hex dump (of the whole record once it is fetched). */
function detailOf(row: RecordRow, look: RowLook, actions: RowActions): HTMLElement {
  const r = row.r;
  const data = row.full ?? r.preview;
  const missing = r.length - data.byteLength;
  const more = missing > 0 ? `\n${t(look.gone ? 'moreBytesGone' : 'moreBytes', missing)}` : '';
  // Each dump is a Tab stop of its own: in a narrow panel it scrolls sideways, and the arrow keys scroll it once focused.
  const dumps = row.loading
    ? [el('pre', { class: 'dump', tabindex: '0', text: t('loading') })]
    : dumpsOf(data, r.headerBytes, more);
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
  return el('div', { class: 'detail', role: 'gridcell' }, buttons, ...dumps);
}

/**
 * The hex dump of a record; a length-framed one has its header dumped apart from its body, each under a
 * heading that says which it is and how long.
 */
function dumpsOf(data: Uint8Array, headerBytes: number | undefined, more: string): HTMLElement[] {
  const header = Math.min(headerBytes ?? 0, data.byteLength);
  if (header === 0) return [el('pre', { class: 'dump', tabindex: '0', text: hexDump(data) + more })];
  const body = data.subarray(header);
  return [
    el('div', { class: 'dump-title', text: tn(header, 'frameHeaderDump', header.toLocaleString()) }),
    el('pre', { class: 'dump frame-header-dump', tabindex: '0', text: hexDump(data.subarray(0, header)) }),
    el('div', { class: 'dump-title', text: tn(body.byteLength, 'frameBodyDump', body.byteLength.toLocaleString()) }),
    el('pre', { class: 'dump frame-body-dump', tabindex: '0', text: hexDump(body) + more }),
  ];
}
