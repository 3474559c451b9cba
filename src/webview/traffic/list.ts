/**
 * The log's virtual list (TanStack virtual-core) of the log's filtered rows: only the rows on screen have nodes; collapsed rows have a
 * fixed height and reuse pooled nodes, refilled with textContent; expanded rows are measured. Renders at most
 * once a frame, and never reads layout while writing it.
 */
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';
import { el } from '../dom';
import { t } from '../strings';
import { collapsedNode, fitLinesTo, gapNode, recordNode, signature, type RowActions, type RowLook } from './rowNodes';
import { log, type GapRow, type Row } from './rows';

/** Height of a collapsed row and of a gap (px); traffic.ts hands it to the stylesheet as --row-height. */
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

/** The scrolling list (focusable: the arrow keys move the selection). */
export const listElement = el('div', { id: 'list', tabindex: 0, role: 'list', 'aria-label': t('traffic') });
/** The line that says there is no traffic, or that no row matches the filter. */
export const emptyLine = el('div', { id: 'empty-line', class: 'muted' });
const spacer = el('div', { id: 'spacer' });
listElement.append(spacer);

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
  scrollToFn: elementScroll,
  observeElementRect,
  observeElementOffset,
  onChange: () => scheduleRender(),
});

/** Starts the list (once the section is in the page). */
export function mountList(listSource: ListSource): void {
  source = listSource;
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

/** The number of rows changed: tell the virtualizer, follow the end when asked, render. */
export function syncCount(follow: boolean): void {
  const count = log.shown.length;
  // No measure(): sizes are cached by row key, so a new count is all the virtualizer needs (measure() would
  // throw away the measured heights of expanded rows and recompute every row's offset per flush).
  virtualizer.setOptions({ ...virtualizer.options, count });
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
  listElement.scrollTop = total;
}

/** Scrolls just enough to show row `index`. */
export function scrollToRow(index: number): void {
  virtualizer.scrollToIndex(index, { align: 'auto' });
}

/** A row that collapsed is back to the fixed height (collapsed rows are never measured). */
export function collapsedRow(index: number): void {
  virtualizer.resizeItem(index, ROW_HEIGHT);
}

/** Where row `index` starts (px from the top of the list), when it is rendered. */
export function renderedTop(index: number): number | undefined {
  return virtualizer.getVirtualItems().find((i) => i.index === index)?.start;
}

function renderRows(): void {
  if (!source) return;
  const rows = log.shown;
  // The empty line changes in the same frame as the rows, so it never says "no traffic" over stale rows.
  const empty = source.emptyText();
  if (emptyLine.textContent !== empty) emptyLine.textContent = empty;
  emptyLine.hidden = empty === '';
  // The virtualizer's own record of the scroll position and size (kept by scroll events and a
  // ResizeObserver): reading scrollTop/clientHeight here forced a layout per rendered frame.
  const top = virtualizer.scrollOffset ?? 0;
  const rect = virtualizer.scrollRect;
  const bottom = top + (rect?.height ?? 0);
  if (rect) fitLinesTo(rect.width);
  const height = `${virtualizer.getTotalSize()}px`;
  if (spacer.style.height !== height) spacer.style.height = height;
  const look = source.look();
  const wanted = new Map<Row, Shown>();
  const gapsToFill: GapRow[] = [];
  const toMeasure: HTMLElement[] = [];
  for (const item of virtualizer.getVirtualItems()) {
    const row = rows[item.index];
    if (!row) continue;
    const entry = entryFor(row, look);
    const node = entry.node;
    if (entry.index !== item.index) {
      node.dataset.index = String(item.index);
      entry.index = item.index;
    }
    if (entry.start !== item.start) {
      node.style.transform = `translateY(${item.start}px)`;
      entry.start = item.start;
    }
    wanted.set(row, entry);
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
