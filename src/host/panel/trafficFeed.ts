/**
 * The per-panel bridge between the core's per-record events and the panel's coalesced posts. Pure
 * (no vscode): the receive path only stores a reference in a fixed ring and bumps counters; previews are
 * copied only for the records actually posted.
 *
 * Records are numbered by `seq`, their position in the endpoint's log counted from its last clear
 * (seq - dropped = index in `lab.traffic(id)`), so the panel can ask for older rows by seq. When the
 * log stops matching what the feed counted (cleared, restarted), the feed starts a new `epoch`.
 */
import type { TrafficRecord } from '../../core/types';
import { BATCH_MAX_RECORDS, PREVIEW_MAX_BYTES, type RecordView } from '../../shared/protocol';

/** Turns a record into what the panel receives: a copied preview of at most `PREVIEW_MAX_BYTES`. */
export function toRecordView(record: TrafficRecord, seq: number): RecordView {
  const view: RecordView = {
    seq,
    time: record.time,
    dir: record.direction,
    peer: record.peer.length > 1024 ? record.peer.slice(0, 1024) : record.peer,
    length: record.data.byteLength,
    // A copy, so the post never drags a pooled Buffer's whole backing store along.
    preview: new Uint8Array(record.data.subarray(0, PREVIEW_MAX_BYTES)),
  };
  if (record.connectionId !== undefined) view.connectionId = record.connectionId;
  return view;
}

/** Counts and keeps (by reference, bounded) the records of one endpoint between two posts. */
export class TrafficFeed {
  private readonly _ring: (TrafficRecord | undefined)[];
  /** Seq the next record gets. */
  private _next = 0;
  /** Records pushed since the last take(). */
  private _arrived = 0;
  private _last: TrafficRecord | undefined;
  private _epoch = 0;

  constructor(private readonly _capacity = BATCH_MAX_RECORDS) {
    this._ring = new Array(_capacity);
  }

  /** Changes whenever seqs are renumbered; requests carrying an older epoch are refused. */
  get epoch(): number {
    return this._epoch;
  }

  /** Records waiting for the next post (including those that will be reported as skipped). */
  get arrived(): number {
    return this._arrived;
  }

  /** O(1): the only work done per received record. */
  push(record: TrafficRecord): void {
    this._ring[this._next % this._capacity] = record;
    this._next++;
    this._arrived++;
    this._last = record;
  }

  /** The records since the previous take, newest `capacity` of them, plus how many older ones were skipped. */
  take(): { records: RecordView[]; skipped: number } {
    const n = Math.min(this._arrived, this._capacity);
    const skipped = this._arrived - n;
    const records: RecordView[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const seq = this._next - n + i;
      records[i] = toRecordView(this._ring[seq % this._capacity]!, seq);
    }
    this._ring.fill(undefined);
    this._arrived = 0;
    return { records, skipped };
  }

  /** True when `log` (the endpoint's records now) and `dropped` still match what the feed counted. */
  matches(log: readonly TrafficRecord[], dropped: number): boolean {
    return log.length === this._next - dropped && (log.length === 0 || log[log.length - 1] === this._last);
  }

  /** Renumbers from the log as it is now (new epoch); returns the newest records to show. */
  reset(log: readonly TrafficRecord[], dropped: number): RecordView[] {
    this._epoch++;
    this._next = dropped + log.length;
    this._arrived = 0;
    this._last = log[log.length - 1];
    this._ring.fill(undefined);
    const n = Math.min(log.length, this._capacity);
    const out: RecordView[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const index = log.length - n + i;
      out[i] = toRecordView(log[index], dropped + index);
    }
    return out;
  }

  /** Records with after <= seq < before, at most `limit`, the newest of that range (for scrolling back). */
  page(log: readonly TrafficRecord[], dropped: number, after: number, before: number, limit: number): RecordView[] {
    const end = Math.min(before - dropped, log.length);
    const start = Math.max(0, after - dropped, end - limit);
    const out: RecordView[] = [];
    for (let i = start; i < end; i++) out.push(toRecordView(log[i], dropped + i));
    return out;
  }

  /** The record with this seq, when the log still holds it. */
  record(log: readonly TrafficRecord[], dropped: number, seq: number): TrafficRecord | undefined {
    const index = seq - dropped;
    return index >= 0 && index < log.length ? log[index] : undefined;
  }
}
