/**
 * The per-panel bridge between the core's per-record events and the panel's coalesced posts. Pure
 * (no vscode): the receive path only stores a reference in a fixed ring and bumps counters; previews are
 * copied only for the records actually posted.
 *
 * Records are numbered by `seq`, their position in the endpoint's log counted from its last clear
 * (seq - dropped = index in the endpoint's log), so the panel can ask for older rows by seq. When the
 * log stops matching what the feed counted (cleared, restarted), the feed starts a new `epoch`.
 */
import type { TrafficLogView } from '../../core/trafficLog';
import type { TrafficRecord } from '../../shared/model';
import { type RecordView } from '../../shared/protocol';
import { BATCH_MAX_RECORDS, LAST_PEER_SCAN_MAX, PANEL_NAME_MAX_CHARS, PREVIEW_MAX_BYTES } from '../../shared/limits';

/** Turns a record into what the panel receives: a copied preview of at most `PREVIEW_MAX_BYTES`. */
export function toRecordView(record: TrafficRecord, seq: number): RecordView {
  return toRecordViews([record], seq)[0];
}

/**
 * Record views for consecutive records starting at `firstSeq`. All previews are views into ONE fresh
 * ArrayBuffer: VS Code serializes each distinct ArrayBuffer of a webview message as a separate RPC
 * argument and writes the argument count as a byte, so a post with hundreds of separate buffers arrives
 * corrupted from a remote extension host (seen in code-server 4.100: previews came out empty). One
 * buffer per post also means one copy and one transfer.
 */
export function toRecordViews(records: readonly (TrafficRecord | PendingRecord)[], firstSeq: number): RecordView[] {
  let total = 0;
  for (const r of records) total += Math.min(r.data.byteLength, PREVIEW_MAX_BYTES);
  const shared = new Uint8Array(total);
  const out: RecordView[] = new Array(records.length);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    const n = Math.min(record.data.byteLength, PREVIEW_MAX_BYTES);
    shared.set(record.data.subarray(0, n), at);
    const view: RecordView = {
      seq: firstSeq + i,
      time: record.time,
      dir: record.direction,
      peer: record.peer.length > PANEL_NAME_MAX_CHARS ? record.peer.slice(0, PANEL_NAME_MAX_CHARS) : record.peer,
      length: 'fullLength' in record ? record.fullLength : record.data.byteLength,
      preview: shared.subarray(at, at + n),
    };
    if (record.connectionId !== undefined) view.connectionId = record.connectionId;
    if (record.autoReply) view.auto = true;
    if (record.truncated) view.truncated = true;
    if (record.partial) view.partial = true;
    if (record.delimiterBytes) view.delimiterBytes = record.delimiterBytes;
    if (record.headerBytes) view.headerBytes = record.headerBytes;
    out[i] = view;
    at += n;
  }
  return out;
}

/**
 * The newest received record of `log`, looked for among its newest `maxScan` records (a page at a time, so a
 * log full of sends costs a bounded scan): where a UDP socket's empty Destination sends when a panel opens.
 */
export function lastReceived(log: TrafficLogView, maxScan = LAST_PEER_SCAN_MAX): TrafficRecord | undefined {
  const stop = Math.max(0, log.size - maxScan);
  for (let end = log.size; end > stop; end -= LAST_PEER_SCAN_PAGE) {
    const page = log.slice(Math.max(stop, end - LAST_PEER_SCAN_PAGE), end);
    for (let i = page.length - 1; i >= 0; i--) if (page[i].direction === 'in') return page[i];
  }
  return undefined;
}

const LAST_PEER_SCAN_PAGE = 256;

/** A record waiting for the next post whose data was cut to its preview (`fullLength` is the real length). */
interface PendingRecord extends TrafficRecord {
  fullLength: number;
}

/**
 * Counts and keeps (bounded in count and bytes) the records of one endpoint between two posts: small
 * records by reference; of a large one only a copy of its preview, so a TCP flood of 64 KiB chunks does
 * not keep up to 2,000 chunks alive between posts.
 */
export class TrafficFeed {
  private readonly _ring: (TrafficRecord | PendingRecord | undefined)[];
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

  /** O(1): the only work done per received record (a copy of at most a preview for a large one). */
  push(record: TrafficRecord): void {
    const length = record.data.byteLength;
    this._ring[this._next % this._capacity] =
      length <= PREVIEW_MAX_BYTES
        ? record
        : { ...record, data: new Uint8Array(record.data.subarray(0, PREVIEW_MAX_BYTES)), fullLength: length };
    this._next++;
    this._arrived++;
    this._last = record;
  }

  /** The records since the previous take, newest `capacity` of them, plus how many older ones were skipped. */
  take(): { records: RecordView[]; skipped: number } {
    const n = Math.min(this._arrived, this._capacity);
    const skipped = this._arrived - n;
    const picked: (TrafficRecord | PendingRecord)[] = new Array(n);
    for (let i = 0; i < n; i++) picked[i] = this._ring[(this._next - n + i) % this._capacity]!;
    const records = toRecordViews(picked, this._next - n);
    this._ring.fill(undefined);
    this._arrived = 0;
    return { records, skipped };
  }

  /** True when `log` (the endpoint's records now) and `dropped` still match what the feed counted. */
  matches(log: TrafficLogView, dropped: number): boolean {
    return log.size === this._next - dropped && (log.size === 0 || log.last === this._last);
  }

  /** Renumbers from the log as it is now (new epoch); returns the newest records to show. */
  reset(log: TrafficLogView, dropped: number): RecordView[] {
    this._epoch++;
    this._next = dropped + log.size;
    this._arrived = 0;
    this._last = log.last;
    this._ring.fill(undefined);
    const n = Math.min(log.size, this._capacity);
    return toRecordViews(log.slice(log.size - n, log.size), dropped + log.size - n);
  }

  /** Records with after <= seq < before, at most `limit`, the newest of that range (for scrolling back). */
  page(log: TrafficLogView, dropped: number, after: number, before: number, limit: number): RecordView[] {
    const end = Math.min(before - dropped, log.size);
    const start = Math.max(0, after - dropped, end - limit);
    return end > start ? toRecordViews(log.slice(start, end), dropped + start) : [];
  }

  /** The record with this seq, when the log still holds it. */
  record(log: TrafficLogView, dropped: number, seq: number): TrafficRecord | undefined {
    const index = seq - dropped;
    return index >= 0 && index < log.size ? log.slice(index, index + 1)[0] : undefined;
  }
}
