/**
 * The traffic section: toolbar, counters and the virtual list of the log, kept in step with the host's
 * `reset` and `traffic` messages. Messages only update the rows; the list and counters follow at most once a
 * frame (and, while the panel is hidden and frames do not run, on a slow timer).
 */
import { FETCH_PAGE_MAX } from '../../shared/limits';
import type { CountersView, HostMessage, RecordView } from '../../shared/protocol';
import { el } from '../dom';
import { onEncodingChanged } from '../encoding';
import { request } from '../rpc';
import { persist, state } from '../state';
import { t } from '../strings';
import { countersLine, droppedLine, showCounters, skippedLine } from './counters';
import {
  ROW_HEIGHT,
  emptyLine,
  listElement,
  mountList,
  renderedTop,
  scheduleRender,
  scrollToEnd,
  syncCount,
} from './list';
import { rebuildAllRows, type RowLook } from './rowNodes';
import { log, normalizeFilter, type GapRow } from './rows';
import { copyRecord, listenToRows, selection } from './selection';
import { buildListHead, buildToolbar, followHasFocus, showFollowing } from './toolbar';
import './traffic.css';

/** The traffic section. */
export const trafficSection = el('section', { id: 'traffic' });
// The stylesheet sizes collapsed rows and gaps with the height the virtual list counts with.
trafficSection.style.setProperty('--row-height', `${ROW_HEIGHT}px`);

/** A rAF-less flush after this long, for a hidden panel. */
const HIDDEN_FLUSH_MS = 250;

/** What arrived since the last flush: rows cut from the top (to keep the view still) and the newest counters. */
const pending: {
  trimmed: number;
  counters: CountersView | undefined;
  queued: boolean;
  timer?: ReturnType<typeof setTimeout>;
} = {
  trimmed: 0,
  counters: undefined,
  queued: false,
};

/** Builds the section (once `init` brings the strings) and starts the list. */
export function buildTraffic(): void {
  trafficSection.replaceChildren(
    buildToolbar({ restyle: scheduleRender, refilter, follow: () => syncCount(true) }),
    countersLine,
    droppedLine,
    skippedLine,
    buildListHead(),
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
  listenToRows();
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
  return { view: state.view, encoding: state.draft.encoding, selectedSeq: selection.seq };
}

/** Shows only the rows that match the filter. */
export function refilter(): void {
  log.refilter(normalizeFilter(state.view.filter), state.draft.encoding);
  syncCount(state.view.follow);
}

/** The host's whole picture: its newest records and counters, numbered in a new epoch. */
export function onReset(m: Extract<HostMessage, { type: 'reset' }>): void {
  log.reset(m.epoch, m.records, m.counters.dropped);
  pending.trimmed = 0;
  pending.counters = undefined;
  showCounters(m.counters, log.skipped);
  refilter();
}

/** A batch of new records (and how many were skipped) with the counters; false when it belongs to an older epoch. */
export function onTraffic(m: Extract<HostMessage, { type: 'traffic' }>): boolean {
  if (m.epoch !== log.epoch) return false;
  pending.counters = m.counters;
  pending.trimmed += log.append(
    m.records,
    m.skipped,
    m.counters.dropped,
    normalizeFilter(state.view.filter),
    state.draft.encoding,
  );
  scheduleFlush();
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
  if (pending.counters) showCounters(pending.counters, log.skipped);
  pending.counters = undefined;
  syncCount(state.view.follow);
  if (keepOffset !== undefined) listElement.scrollTop = Math.max(0, keepOffset - trimmed * ROW_HEIGHT);
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
  // The gap is on screen at the top (or above it): keep the rows under it where they are.
  const anchorAbove = shownIndex >= 0 && (renderedTop(shownIndex) ?? 0) <= listElement.scrollTop + ROW_HEIGHT;
  if (!log.fillGap(gap, records)) return;
  const follow = state.view.follow;
  const offset = listElement.scrollTop;
  log.refilter(normalizeFilter(state.view.filter), state.draft.encoding);
  syncCount(false);
  if (anchorAbove) listElement.scrollTop = offset + (log.shown.length - before) * ROW_HEIGHT;
  else if (follow && log.shown.length) scrollToEnd();
}
