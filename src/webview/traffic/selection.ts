/**
 * What the user does with the log's rows: select one (click; ↑/↓, PageUp/PageDown, Home/End in the grid), expand
 * it to its hex dump (click, Enter, Space; the whole record is fetched when it is longer than its preview), copy
 * it (its buttons, or Ctrl+C as text and Ctrl+Shift+C as hex for the selected row). The selected row is the
 * grid's active descendant, so a screen reader says it as it moves.
 */
import { toHex } from '../../shared/display';
import { request } from '../rpc';
import { session } from '../session';
import { state } from '../state';
import type { StatusLine } from '../statusLine';
import { t } from '../strings';
import { collapsedRow, listElement, rowContainer, rowsPerPage, scheduleRender, scrollToRow } from './list';
import { rowOfNode } from './rowNodes';
import { log } from './rows';
import { decodeRaw, type RecordRow } from './rowText';

/** The selected record, by seq (-1: none). */
export const selection = { seq: -1 };

let status: StatusLine | undefined;

/** Listens to clicks on rows and to the grid's keys (once); `statusLine` says what a copy did. */
export function listenToRows(statusLine: StatusLine): void {
  status = statusLine;
  // One listener for every record row (rows are reused while scrolling).
  rowContainer().addEventListener('click', (e) => {
    const target = e.target as HTMLElement;
    if (target.closest('.detail')) return;
    const node = target.closest<HTMLElement>('.row.rec');
    const row = node && rowOfNode(node);
    if (!row) return;
    selection.seq = row.r.seq;
    toggle(row);
  });
  listElement.addEventListener('keydown', onListKey);
}

function onListKey(e: KeyboardEvent): void {
  // Keys pressed on a copy button of an expanded row are the button's.
  if (e.target !== listElement) return;
  const recs = log.shown.filter((r): r is RecordRow => r.kind === 'rec');
  if (!recs.length) return;
  let i = recs.findIndex((r) => r.r.seq === selection.seq);
  const key = e.key;
  if ((e.ctrlKey || e.metaKey) && (key === 'c' || key === 'C')) {
    // Handled here and stopped: the workbench would otherwise run its own command for the keys.
    e.preventDefault();
    e.stopPropagation();
    if (i >= 0) void copyRecord(recs[i].r.seq, e.shiftKey ? 'hex' : 'text');
    return;
  }
  if (key === 'ArrowDown') i = Math.min(recs.length - 1, i + 1);
  else if (key === 'ArrowUp') i = i < 0 ? recs.length - 1 : Math.max(0, i - 1);
  else if (key === 'PageDown') i = Math.min(recs.length - 1, Math.max(0, i) + rowsPerPage());
  else if (key === 'PageUp') i = i < 0 ? recs.length - 1 : Math.max(0, i - rowsPerPage());
  else if (key === 'End') i = recs.length - 1;
  else if (key === 'Home') i = 0;
  else if (key === 'Enter' || key === ' ') {
    if (i >= 0) toggle(recs[i]);
    e.preventDefault();
    return;
  } else return;
  e.preventDefault();
  select(recs[i]);
}

/** Selects a record row and scrolls it into view (it becomes the active descendant on the next frame). */
function select(row: RecordRow): void {
  selection.seq = row.r.seq;
  scrollToRow(log.shown.indexOf(row));
  scheduleRender();
}

/** Expands a record to its hex dump (fetching the whole record when it is longer than its preview), or collapses it. */
function toggle(row: RecordRow): void {
  row.expanded = !row.expanded;
  if (!row.expanded) {
    const index = log.shown.indexOf(row);
    if (index >= 0) collapsedRow(index);
  }
  // A log kept after the endpoint went away has only the previews: there is nothing to fetch.
  if (row.expanded && !row.full && row.r.length > row.r.preview.byteLength && session.endpoint) {
    row.loading = true;
    const epoch = log.epoch;
    request('fetchRecord', { epoch, seq: row.r.seq })
      .then((result) => {
        if (epoch === log.epoch) row.full = result.data;
      })
      .catch((err: unknown) => status?.showError(err))
      .finally(() => {
        row.loading = false;
        scheduleRender();
      });
  }
  scheduleRender();
}

/**
 * Copies a record (as hex, or as text in the composer's encoding) through the host's clipboard, and selects it:
 * copy acts on the row the selection shows. Once the endpoint is gone, the panel copies the preview it kept.
 */
export async function copyRecord(seq: number, as: 'hex' | 'text'): Promise<void> {
  if (selection.seq !== seq) {
    selection.seq = seq;
    scheduleRender();
  }
  try {
    const row = log.rows.find((r): r is RecordRow => r.kind === 'rec' && r.r.seq === seq);
    if (!session.endpoint && row) {
      const preview = row.r.preview;
      await request('copyText', { text: as === 'hex' ? toHex(preview) : decodeRaw(preview, state.draft.encoding) });
      const kept = row.r.length > preview.byteLength;
      status?.set(kept ? t('copiedPreview', preview.byteLength) : t('copied'));
    } else {
      await request('copy', { epoch: log.epoch, seq, as, encoding: state.draft.encoding });
      status?.set(t('copied'));
    }
  } catch (err) {
    status?.showError(err);
  }
}
