/**
 * What the user does with the log's rows: select one (click, ↑/↓/Home/End), expand it to its hex dump
 * (click, Enter, Space; the whole record is fetched when it is longer than its preview), copy it.
 */
import { request } from '../rpc';
import { state } from '../state';
import { setStatus, showError } from '../statusLine';
import { t } from '../strings';
import { collapsedRow, listElement, rowContainer, scheduleRender, scrollToRow } from './list';
import { rowOfNode } from './rowNodes';
import { log } from './rows';
import type { RecordRow } from './rowText';

/** The selected record, by seq (-1: none). */
export const selection = { seq: -1 };

/** Listens to clicks on rows and to the list's keys (once). */
export function listenToRows(): void {
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
  const recs = log.shown.filter((r): r is RecordRow => r.kind === 'rec');
  if (!recs.length) return;
  let i = recs.findIndex((r) => r.r.seq === selection.seq);
  if (e.key === 'ArrowDown') i = Math.min(recs.length - 1, i + 1);
  else if (e.key === 'ArrowUp') i = i < 0 ? recs.length - 1 : Math.max(0, i - 1);
  else if (e.key === 'End') i = recs.length - 1;
  else if (e.key === 'Home') i = 0;
  else if (e.key === 'Enter' || e.key === ' ') {
    if (i >= 0) toggle(recs[i]);
    e.preventDefault();
    return;
  } else return;
  e.preventDefault();
  selection.seq = recs[i].r.seq;
  scrollToRow(log.shown.indexOf(recs[i]));
  scheduleRender();
}

/** Expands a record to its hex dump (fetching the whole record when it is longer than its preview), or collapses it. */
function toggle(row: RecordRow): void {
  row.expanded = !row.expanded;
  if (!row.expanded) {
    const index = log.shown.indexOf(row);
    if (index >= 0) collapsedRow(index);
  }
  if (row.expanded && !row.full && row.r.length > row.r.preview.byteLength) {
    row.loading = true;
    const epoch = log.epoch;
    request('fetchRecord', { epoch, seq: row.r.seq })
      .then((result) => {
        if (epoch === log.epoch) row.full = result.data;
      })
      .catch(showError)
      .finally(() => {
        row.loading = false;
        scheduleRender();
      });
  }
  scheduleRender();
}

/** Copies a record (as hex, or as text in the composer's encoding) through the host's clipboard. */
export async function copyRecord(seq: number, as: 'hex' | 'text'): Promise<void> {
  try {
    await request('copy', { epoch: log.epoch, seq, as, encoding: state.draft.encoding });
    setStatus(t('copied'));
  } catch (err) {
    showError(err);
  }
}
