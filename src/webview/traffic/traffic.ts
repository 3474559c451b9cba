/**
 * The traffic section: toolbar, counters and the virtual list of the log, kept in step with the host's
 * `reset` and `traffic` messages. Messages only update the rows; the list and counters follow at most once a
 * frame (and, while the panel is hidden and frames do not run, on a slow timer). The newest rows are saved
 * with the panel's state now and then, so that a window reload (which stops every socket) does not lose them.
 */
import { FETCH_PAGE_MAX, SAVED_ROWS_MAX } from '../../shared/limits';
import type { CountersView, HostMessage, RecordView } from '../../shared/protocol';
import { announce, announceAtMostEvery } from '../announcer';
import { el } from '../dom';
import { onEncodingChanged } from '../encoding';
import { request } from '../rpc';
import { session } from '../session';
import { persist, state } from '../state';
import { t, tn } from '../strings';
import { countersLine, droppedLine, showCounters, skippedLine } from './counters';
import {
  ROW_HEIGHT,
  emptyLine,
  listElement,
  mountList,
  renderedTop,
  restyleList,
  scrollToEnd,
  syncCount,
} from './list';
import { rebuildAllRows, type RowLook } from './rowNodes';
import { log, normalizeFilter, type GapRow } from './rows';
import { restoreRows, saveRows, type SavedLog } from './savedRows';
import { copyRecord, listenToRows, selection } from './selection';
import { buildToolbar, followHasFocus, showFilterCount, showFollowing, trafficStatus } from './toolbar';
import './traffic.css';

/** The traffic section (named in buildTraffic: the strings arrive with `init`, after this module ran). */
export const trafficSection = el('section', { id: 'traffic' });
// The stylesheet sizes collapsed rows and gaps with the height the virtual list counts with.
trafficSection.style.setProperty('--row-height', `${ROW_HEIGHT}px`);

/** A rAF-less flush after this long, for a hidden panel. */
const HIDDEN_FLUSH_MS = 250;
/** The newest rows are saved with the state at most this often while traffic comes in. */
const SAVE_ROWS_MS = 2000;
/** New rows are announced (while the log has the focus) at most this often, and never one by one. */
const NEW_ROWS_ANNOUNCE_MS = 5000;

/** What arrived since the last flush: rows cut from the top (to keep the view still) and the newest counters. */
const pending: {
  trimmed: number;
  counters: CountersView | undefined;
  queued: boolean;
  timer?: ReturnType<typeof setTimeout>;
  /** Records that arrived since new rows were last announced. */
  unannounced: number;
  saveTimer?: ReturnType<typeof setTimeout>;
  /** The counters last shown (saved with the rows). */
  lastCounters?: CountersView;
} = {
  trimmed: 0,
  counters: undefined,
  queued: false,
  unannounced: 0,
};

/** Builds the section (once `init` brings the strings) and starts the list. */
export function buildTraffic(): void {
  const counts = () => ({ shown: log.shownRecordCount, total: log.recordCount });
  trafficSection.setAttribute('aria-label', t('traffic'));
  trafficSection.replaceChildren(
    buildToolbar(
      { restyle, refilter, follow: () => syncCount(true), cleared: () => announce(t('logCleared')) },
      counts,
    ),
    countersLine,
    droppedLine,
    skippedLine,
    emptyLine,
    listElement,
  );
  mountList({
    emptyText: () => (log.rows.length === 0 ? t('noRecords') : log.shown.length === 0 ? t('noMatch') : ''),
    look,
    fillGap: (gap) => void fillGap(gap),
    copy: (seq, as) => void copyRecord(seq, as),
  });
}

let listening = false;

/** Listens to scrolling, the rows and the encoding (once). */
export function listenToTraffic(): void {
  if (listening) return;
  listening = true;
  listenToRows(trafficStatus);
  onEncodingChanged(() => {
    log.forgetText();
    rebuildAllRows();
    refilter();
  });
  listElement.addEventListener('scroll', () => {
    // Scrolling up pauses following; reaching the bottom resumes it.
    const atEnd = listElement.scrollHeight - listElement.scrollTop - listElement.clientHeight < ROW_HEIGHT;
    if (state.view.follow !== atEnd && !followHasFocus()) {
      state.view.follow = atEnd;
      showFollowing(atEnd);
      persist();
    }
  });
}

function look(): RowLook {
  return {
    view: state.view,
    encoding: state.draft.encoding,
    selectedSeq: selection.seq,
    gone: !session.endpoint,
    relay: session.endpoint?.kind === 'relay',
  };
}

function restyle(): void {
  rebuildAllRows();
  restyleList();
}

/** Shows only the rows that match the filter. */
export function refilter(): void {
  log.refilter(normalizeFilter(state.view.filter), state.draft.encoding);
  showFilterCount(log.shownRecordCount, log.recordCount);
  syncCount(state.view.follow);
}

/** The host's whole picture: its newest records and counters, numbered in a new epoch. */
export function onReset(m: Extract<HostMessage, { type: 'reset' }>): void {
  log.reset(m.epoch, m.records, m.counters.dropped);
  pending.trimmed = 0;
  pending.counters = undefined;
  pending.lastCounters = m.counters;
  showCounters(m.counters, log.skipped);
  refilter();
  scheduleSave();
}

/**
 * The endpoint is gone and the host has no log to send (a restored panel after a window reload): the rows and
 * counters saved with the state, when they are this endpoint's.
 */
export function showSavedLog(endpointId: string): void {
  const saved = state.saved;
  if (!saved || saved.endpointId !== endpointId || log.rows.length) return;
  // Numbered from 0 with nothing dropped: a kept log has no gap to load from a host that has no log.
  log.reset(-1, restoreRows(saved.rows), 0);
  if (saved.counters) showCounters(saved.counters, 0);
  refilter();
}

/** A batch of new records (and how many were skipped) with the counters; false when it belongs to an older epoch. */
export function onTraffic(m: Extract<HostMessage, { type: 'traffic' }>): boolean {
  if (m.epoch !== log.epoch) return false;
  pending.counters = m.counters;
  pending.unannounced += m.records.length + m.skipped;
  pending.trimmed += log.append(
    m.records,
    m.skipped,
    m.counters.dropped,
    normalizeFilter(state.view.filter),
    state.draft.encoding,
  );
  scheduleFlush();
  if (m.records.length || m.skipped) scheduleSave();
  return true;
}

function scheduleFlush(): void {
  if (pending.queued) return;
  pending.queued = true;
  requestAnimationFrame(flush);
  // rAF does not run while the panel is hidden: flush anyway, rarely.
  pending.timer = setTimeout(flush, HIDDEN_FLUSH_MS);
}

function flush(): void {
  if (!pending.queued) return;
  pending.queued = false;
  if (pending.timer) clearTimeout(pending.timer);
  pending.timer = undefined;
  const trimmed = pending.trimmed;
  pending.trimmed = 0;
  // Read before any write: reading scrollTop after the counters changed would force a layout per flush.
  const keepOffset = !state.view.follow && trimmed ? listElement.scrollTop : undefined;
  if (pending.counters) {
    showCounters(pending.counters, log.skipped);
    pending.lastCounters = pending.counters;
  }
  pending.counters = undefined;
  showFilterCount(log.shownRecordCount, log.recordCount);
  syncCount(state.view.follow);
  if (keepOffset !== undefined) listElement.scrollTop = Math.max(0, keepOffset - trimmed * ROW_HEIGHT);
  announceNewRows();
}

/** While the log has the focus, says now and then how many rows arrived (never one announcement per row). */
function announceNewRows(): void {
  if (!pending.unannounced || document.activeElement !== listElement) return;
  if (
    announceAtMostEvery(
      'rows',
      NEW_ROWS_ANNOUNCE_MS,
      tn(pending.unannounced, 'newRows', pending.unannounced.toLocaleString()),
    )
  )
    pending.unannounced = 0;
}

/** Saves the newest rows with the state soon (once, however many batches arrive meanwhile). */
function scheduleSave(): void {
  if (pending.saveTimer) return;
  pending.saveTimer = setTimeout(() => {
    pending.saveTimer = undefined;
    // Also once the endpoint is gone: the rows of its last seconds are the ones a reload should show again.
    // A log restored from the state (epoch -1) is already saved.
    if (log.epoch < 0) return;
    const saved: SavedLog = { endpointId: state.endpointId, rows: saveRows(log.rows) };
    if (pending.lastCounters) saved.counters = pending.lastCounters;
    state.saved = saved;
    persist();
    // How many rows a window reload would show again (the e2e tests wait for it).
    trafficSection.dataset.savedRows = String(Math.min(log.recordCount, SAVED_ROWS_MAX));
  }, SAVE_ROWS_MS);
}

/** Loads the newest page of a gap from the host and puts it in place, keeping what is on screen still. */
async function fillGap(gap: GapRow): Promise<void> {
  gap.loading = true;
  const epoch = log.epoch;
  let records: RecordView[];
  try {
    const result = await request('fetchOlder', {
      epoch,
      after: gap.after,
      before: gap.before,
      limit: FETCH_PAGE_MAX,
    });
    if (epoch !== log.epoch) return;
    records = result.records;
  } catch {
    // A stale epoch: the host posts a reset.
    return;
  } finally {
    gap.loading = false;
  }
  const shownIndex = log.shown.indexOf(gap);
  const before = log.shown.length;
  // The gap is on screen at the top, under the column heads (or above them): keep the rows under it where they are.
  const anchorAbove = shownIndex >= 0 && (renderedTop(shownIndex) ?? 0) <= listElement.scrollTop + 2 * ROW_HEIGHT;
  if (!log.fillGap(gap, records)) return;
  const follow = state.view.follow;
  const offset = listElement.scrollTop;
  log.refilter(normalizeFilter(state.view.filter), state.draft.encoding);
  showFilterCount(log.shownRecordCount, log.recordCount);
  syncCount(false);
  // Following wins: a gap shown at the top of a short or fast-filling list must not pull the view off the end
  // (the scroll handler would then take that for the user scrolling up and stop following).
  if (follow && log.shown.length) scrollToEnd();
  else if (anchorAbove) listElement.scrollTop = offset + (log.shown.length - before) * ROW_HEIGHT;
}
