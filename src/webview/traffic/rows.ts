/**
 * The log as the panel holds it: record rows in seq order, with gap rows standing for records that are in the
 * host's log but not here (evicted from a batch as skipped, or older than what was loaded), fetched when they
 * scroll into view. Rows below the host's `dropped` (evicted by the log's cap) are cut from the top. Pure (no
 * DOM), so the unit tests can check it.
 */
import type { RecordView } from '../../shared/protocol';
import { hexOf, textOf, type RecordRow } from './rowText';

/** Records after <= seq < before that the panel has not loaded. */
export interface GapRow {
  kind: 'gap';
  after: number;
  before: number;
  loading?: boolean;
}

/** A row of the log. */
export type Row = RecordRow | GapRow;

/** The filter as rows are matched against it (trimmed, lower case; '' matches everything). */
export function normalizeFilter(text: string): string {
  return text.trim().toLowerCase();
}

/** True when `row` shows `filter` (normalized) in its text, its hex or its peer; gaps always match. */
export function matches(row: Row, filter: string, encoding: string): boolean {
  if (row.kind === 'gap' || !filter) return true;
  return (
    textOf(row, encoding).toLowerCase().includes(filter) ||
    hexOf(row).includes(filter) ||
    row.r.peer.toLowerCase().includes(filter)
  );
}

/** The rows of one panel's log. */
export class TrafficRows {
  /** The host's numbering of the records; requests carry it, and a new one comes with every reset. */
  epoch = -1;
  /** Records below this seq were evicted by the host's log cap. */
  dropped = 0;
  /** Records the host skipped in its batches since the last reset (shown as gaps). */
  skipped = 0;
  rows: Row[] = [];
  /** rows, or only those matching the filter. */
  shown: Row[] = this.rows;
  /** Record rows (not gaps) in `rows`, and in `shown`: the filter's "N of M rows". Kept as rows come and go. */
  recordCount = 0;
  shownRecordCount = 0;
  /** The longest peer of the records seen since the last reset (the peer column is as wide as it needs). */
  longestPeer = 0;

  /** Starts again from the host's newest records. */
  reset(epoch: number, records: readonly RecordView[], dropped: number): void {
    this.epoch = epoch;
    this.dropped = dropped;
    this.skipped = 0;
    this.rows = records.map((r): Row => ({ kind: 'rec', r }));
    this.shown = this.rows;
    this.recordCount = records.length;
    this.longestPeer = longestPeerOf(records, 0);
    this.recordCount -= this.normalizeTop();
    this.shownRecordCount = this.recordCount;
  }

  /**
   * Adds a batch (after a gap for what the host skipped) and cuts what the cap evicted; keeps `shown` filtered.
   * Returns how many rows were cut from the top.
   */
  append(records: readonly RecordView[], skipped: number, dropped: number, filter: string, encoding: string): number {
    this.skipped += skipped;
    this.dropped = dropped;
    const last = this.lastSeq();
    const firstNew = records.length ? records[0].seq : last + 1 + skipped;
    const added: Row[] = [];
    if (firstNew > last + 1) added.push({ kind: 'gap', after: last + 1, before: firstNew });
    for (const r of records) added.push({ kind: 'rec', r });
    for (const a of added) this.rows.push(a);
    this.recordCount += records.length;
    this.longestPeer = longestPeerOf(records, this.longestPeer);
    const lengthWithAdded = this.rows.length;
    this.recordCount -= this.normalizeTop();
    const trimmed = lengthWithAdded - this.rows.length;
    if (this.shown !== this.rows) {
      if (trimmed) this.refilter(filter, encoding);
      else
        for (const a of added)
          if (matches(a, filter, encoding)) {
            this.shown.push(a);
            if (a.kind === 'rec') this.shownRecordCount++;
          }
    } else {
      this.shownRecordCount = this.recordCount;
    }
    return trimmed;
  }

  /** Shows only the rows that match `filter` (normalized). */
  refilter(filter: string, encoding: string): void {
    if (!filter) {
      this.shown = this.rows;
      this.shownRecordCount = this.recordCount;
      return;
    }
    this.shown = this.rows.filter((r) => matches(r, filter, encoding));
    this.shownRecordCount = 0;
    for (const r of this.shown) if (r.kind === 'rec') this.shownRecordCount++;
  }

  /** Puts the records the host sent for `gap` in its place (with a smaller gap for what is still older); false when the gap is no longer there. */
  fillGap(gap: GapRow, records: readonly RecordView[]): boolean {
    const at = this.rows.indexOf(gap);
    if (at < 0) return false;
    const first = records.length ? records[0].seq : gap.before;
    const replacement: Row[] = [];
    if (first > Math.max(gap.after, this.dropped))
      replacement.push({ kind: 'gap', after: Math.max(gap.after, this.dropped), before: first });
    for (const r of records) replacement.push({ kind: 'rec', r });
    this.rows.splice(at, 1, ...replacement);
    this.recordCount += records.length;
    this.longestPeer = longestPeerOf(records, this.longestPeer);
    return true;
  }

  /** Forgets every row's decoded text (the encoding changed). */
  forgetText(): void {
    for (const r of this.rows) if (r.kind === 'rec') r.text = undefined;
  }

  /**
   * Removes rows the host's log no longer holds (seq < dropped) and keeps a gap row for what is not loaded on
   * top; returns how many record rows it removed.
   */
  private normalizeTop(): number {
    const rows = this.rows;
    let cut = 0;
    let records = 0;
    while (cut < rows.length) {
      const row = rows[cut];
      if (row.kind === 'rec' ? row.r.seq < this.dropped : row.before <= this.dropped) {
        if (row.kind === 'rec') records++;
        cut++;
      } else break;
    }
    if (cut) rows.splice(0, cut);
    const first = rows[0];
    if (first?.kind === 'gap') first.after = Math.max(first.after, this.dropped);
    else if (first && first.r.seq > this.dropped)
      rows.unshift({ kind: 'gap', after: this.dropped, before: first.r.seq });
    return records;
  }

  private lastSeq(): number {
    const last = this.rows[this.rows.length - 1];
    if (!last) return this.dropped - 1;
    return last.kind === 'rec' ? last.r.seq : last.before - 1;
  }
}

/** The longest peer among `records` and `longest`. */
function longestPeerOf(records: readonly RecordView[], longest: number): number {
  for (const r of records) if (r.peer.length > longest) longest = r.peer.length;
  return longest;
}

/** The log of this panel. */
export const log = new TrafficRows();
