/**
 * The log's virtual list (TanStack virtual-core) of the log's filtered rows, as a grid: a sticky row of column
 * heads, then only the rows on screen have nodes; collapsed rows have a fixed height and reuse pooled nodes,
 * refilled with text; expanded rows are measured. The grid has the focus and names the selected row as its
 * active descendant, with the row count and each row's index for a screen reader. Renders at most once a
 * frame, and never reads layout while writing it.
 */
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';
import { el } from '../dom';
import type { ViewOptions } from '../state';
import { t } from '../strings';
import { COLUMN_CH, charsThatFit, peerColumnCh, textCharsFor } from './columns';
import { collapsedNode, fitColumns, gapNode, recordNode, signature, type RowActions, type RowLook } from './rowNodes';
import { log, type GapRow, type Row } from './rows';

/** Height of a collapsed row, of a gap and of the column heads (px); traffic.ts hands it to the stylesheet as --row-height. */
export const ROW_HEIGHT = 22;
/** Collapsed record nodes kept for reuse at most. */
const POOL_MAX = 200;

/** What the list needs besides the rows it shows (the log's filtered rows) and what its rows do. */
export interface ListSource extends RowActions {
  /** The line shown instead of rows ('' when there are rows). */
  emptyText(): string;
  look(): RowLook;
  /** A gap came on screen: load what it stands for. */
  fillGap(gap: GapRow): void;
}

/** The scrolling grid of rows (focusable: the arrow keys move the selection, which is its active descendant). */
// A treegrid: its rows expand (to their hex dump), which a grid's rows may not say.
export const listElement = el('div', { id: 'list', tabindex: 0, role: 'treegrid', 'aria-readonly': 'true' });
/** The line that says there is no traffic, or that no row matches the filter. */
export const emptyLine = el('div', { id: 'empty-line', class: 'muted' });
const head = el('div', { class: 'list-head', role: 'row', 'aria-rowindex': '1' });
const spacer = el('div', { id: 'spacer' });
listElement.append(head, spacer);

let source: ListSource | undefined;

/** The node on screen for each row, with the signature of what it shows (rebuilt only when that changes). */
interface Shown {
  node: HTMLElement;
  sig: string;
  start: number;
  index: number;
  pooled: boolean;
}
const onScreen = new Map<Row, Shown>();
/** Collapsed record rows that left the screen, refilled for rows that come on (no per-row allocation while scrolling). */
const pool: HTMLElement[] = [];
let renderQueued = false;
/** The width of a character of the list's monospace font (px), measured when the list's font may have changed. */
let charPx = 0;
/** What the column heads were made for, and the widths they were measured at. */
let columnsFor = '';
let measuredFor = '';

const rowKey = (i: number) => {
  const row = log.shown[i];
  return row ? (row.kind === 'rec' ? row.r.seq : `gap${row.after}`) : i;
};

const virtualizer = new Virtualizer<HTMLElement, HTMLElement>({
  count: 0,
  getScrollElement: () => listElement,
  estimateSize: () => ROW_HEIGHT,
  getItemKey: rowKey,
  overscan: 10,
  // The column heads are the first ROW_HEIGHT of the scrolled content, and stay on top of the rows under them.
  scrollMargin: ROW_HEIGHT,
  scrollPaddingStart: ROW_HEIGHT,
  scrollToFn: elementScroll,
  observeElementRect,
  observeElementOffset,
  onChange: () => scheduleRender(),
});

/** Starts the list (once the section is in the page). */
export function mountList(listSource: ListSource): void {
  source = listSource;
  listElement.setAttribute('aria-label', t('traffic'));
  listElement.title = t('trafficKeys');
  columnsFor = '';
  measuredFor = '';
  charPx = 0;
  virtualizer._didMount();
  virtualizer._willUpdate();
}

/** The list's spacer, where the row nodes are (one click listener serves every row). */
export function rowContainer(): HTMLElement {
  return spacer;
}

/** Renders on the next frame (once, however often it is asked). */
export function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderRows();
  });
}

/** The rows may look different (view mode, dates, font): the columns are fitted again on the next render. */
export function restyleList(): void {
  charPx = 0;
  scheduleRender();
}

/** The number of rows changed: tell the virtualizer, follow the end when asked, render. */
export function syncCount(follow: boolean): void {
  const count = log.shown.length;
  // No measure(): sizes are cached by row key, so a new count is all the virtualizer needs (measure() would
  // throw away the measured heights of expanded rows and recompute every row's offset per flush).
  virtualizer.setOptions({ ...virtualizer.options, count });
  // The column heads are row 1.
  listElement.setAttribute('aria-rowcount', String(count + 1));
  if (follow && count) scrollToEnd();
  scheduleRender();
}

/**
 * Jumps to the newest row now (not on the next frame), with writes only: rows have a fixed height, so the
 * end is the total size and the browser clamps. The virtualizer learns the offset from the scroll event,
 * which fires before the render frame. (Its own scrollToIndex re-reads the scroll height every frame until
 * the position settles, a forced layout per frame that never settles during a flood.)
 */
export function scrollToEnd(): void {
  const total = virtualizer.getTotalSize();
  spacer.style.height = `${total}px`;
  listElement.scrollTop = total + ROW_HEIGHT;
}

/** Scrolls just enough to show row `index` (under the column heads). */
export function scrollToRow(index: number): void {
  virtualizer.scrollToIndex(index, { align: 'auto' });
}

/** How many rows a screen of the list shows (PageUp and PageDown move by it). */
export function rowsPerPage(): number {
  const height = virtualizer.scrollRect?.height ?? 0;
  return Math.max(1, Math.floor(height / ROW_HEIGHT) - 2);
}

/** A row that collapsed is back to the fixed height (collapsed rows are never measured). */
export function collapsedRow(index: number): void {
  virtualizer.resizeItem(index, ROW_HEIGHT);
}

/** Where row `index` starts (px from the top of the list's content, under the column heads), when it is rendered. */
export function renderedTop(index: number): number | undefined {
  return virtualizer.getVirtualItems().find((i) => i.index === index)?.start;
}

/** The column heads for the view: in Both, the data is two columns, Text and Hex. */
function renderHead(view: ViewOptions): void {
  const cell = (cls: string, text: string) => el('span', { class: cls, role: 'columnheader', text });
  const data =
    view.mode === 'both'
      ? [cell('data text', t('viewText')), cell('data hex', t('viewHex'))]
      : [cell(`data ${view.mode}`, t('data'))];
  head.replaceChildren(
    cell('time', t('time')),
    cell('dir', t('direction')),
    cell('peer', t('peer')),
    cell('len', t('length')),
    ...data,
  );
}

/**
 * Sizes the columns: the time for dates or not, the peer for the longest address seen, and how much of the data
 * each cell shows, measured on the column heads. Only when the list's width or the columns changed: the font
 * read is a style read, the heads' widths one layout read; never per frame.
 */
function fitToWidth(width: number, view: ViewOptions): void {
  if (!charPx) {
    const style = getComputedStyle(listElement);
    const context = document.createElement('canvas').getContext('2d');
    if (context) {
      context.font = `${style.fontSize} ${style.fontFamily}`;
      charPx = context.measureText('0'.repeat(10)).width / 10 || 7;
    } else charPx = 7;
  }
  const peerCh = peerColumnCh(log.longestPeer);
  const key = `${view.mode}:${view.showDate ? 1 : 0}:${peerCh}`;
  if (key !== columnsFor) {
    columnsFor = key;
    renderHead(view);
    listElement.style.setProperty('--peer-ch', `${peerCh}ch`);
    listElement.style.setProperty('--time-ch', `${view.showDate ? COLUMN_CH.timeWithDate : COLUMN_CH.time}ch`);
  }
  const measure = `${key}:${width}:${charPx}`;
  if (measure === measuredFor) return;
  measuredFor = measure;
  const widthOf = (selector: string) => head.querySelector(selector)?.getBoundingClientRect().width ?? 0;
  // Text is clipped by the stylesheet (with an ellipsis): a cell holds what the whole line could show, so
  // that what it holds can still be found; hex is cut here, at the last whole byte its column shows.
  fitColumns(textCharsFor(width), charsThatFit(widthOf('.data.hex'), charPx));
}

function renderRows(): void {
  if (!source) return;
  const rows = log.shown;
  // The empty line changes in the same frame as the rows, so it never says "no traffic" over stale rows.
  const empty = source.emptyText();
  if (emptyLine.textContent !== empty) emptyLine.textContent = empty;
  emptyLine.hidden = empty === '';
  const look = source.look();
  // The virtualizer's own record of the scroll position and size (kept by scroll events and a
  // ResizeObserver): reading scrollTop/clientHeight here forced a layout per rendered frame.
  const top = virtualizer.scrollOffset ?? 0;
  const rect = virtualizer.scrollRect;
  const bottom = top + (rect?.height ?? 0);
  if (rect) fitToWidth(rect.width, look.view);
  const height = `${virtualizer.getTotalSize()}px`;
  if (spacer.style.height !== height) spacer.style.height = height;
  const wanted = new Map<Row, Shown>();
  const gapsToFill: GapRow[] = [];
  const toMeasure: HTMLElement[] = [];
  let active = '';
  for (const item of virtualizer.getVirtualItems()) {
    const row = rows[item.index];
    if (!row) continue;
    const entry = entryFor(row, look);
    const node = entry.node;
    if (entry.index !== item.index) {
      node.dataset.index = String(item.index);
      // Row 1 is the column heads.
      node.setAttribute('aria-rowindex', String(item.index + 2));
      entry.index = item.index;
    }
    if (entry.start !== item.start) {
      node.style.transform = `translateY(${item.start - ROW_HEIGHT}px)`;
      entry.start = item.start;
    }
    wanted.set(row, entry);
    if (row.kind === 'rec' && row.r.seq === look.selectedSeq) active = node.id;
    // Collapsed rows and gaps are exactly ROW_HEIGHT (the estimate): only expanded rows are measured.
    if (row.kind === 'rec' && row.expanded) toMeasure.push(node);
    if (row.kind === 'gap' && !row.loading && item.end > top && item.start < bottom) gapsToFill.push(row);
  }
  // Rows that left the screen: detach, and keep collapsed record nodes for reuse.
  for (const entry of onScreen.values()) {
    entry.node.remove();
    if (entry.pooled && pool.length < POOL_MAX) pool.push(entry.node);
  }
  onScreen.clear();
  placeInOrder(wanted);
  for (const [row, entry] of wanted) onScreen.set(row, entry);
  // The selected row is the active descendant while it has a node (a row scrolled away has none).
  if (active) {
    if (listElement.getAttribute('aria-activedescendant') !== active)
      listElement.setAttribute('aria-activedescendant', active);
  } else listElement.removeAttribute('aria-activedescendant');
  for (const n of toMeasure) virtualizer.measureElement(n);
  for (const g of gapsToFill) source.fillGap(g);
}

/** The node of `row` as it should look now: the one on screen when nothing changed, else a new or pooled one. */
function entryFor(row: Row, look: RowLook): Shown {
  const sig = signature(row, look);
  const current = onScreen.get(row);
  if (current) onScreen.delete(row);
  if (current && current.sig === sig) return current;
  if (current) {
    current.node.remove();
    if (current.pooled) pool.push(current.node);
  }
  if (row.kind === 'gap') return { node: gapNode(row), sig, start: NaN, index: -1, pooled: false };
  if (row.expanded) return { node: recordNode(row, look, source!), sig, start: NaN, index: -1, pooled: false };
  return { node: collapsedNode(row, look, pool.pop()), sig, start: NaN, index: -1, pooled: true };
}

/** Puts the nodes in index order with the fewest DOM moves, and removes any other. */
function placeInOrder(wanted: Map<Row, Shown>): void {
  let ref = spacer.firstChild;
  for (const entry of wanted.values()) {
    if (entry.node === ref) ref = ref.nextSibling;
    else spacer.insertBefore(entry.node, ref);
  }
  while (ref) {
    const next = ref.nextSibling;
    ref.remove();
    ref = next;
  }
}
