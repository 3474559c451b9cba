/** The bounded per-endpoint traffic log. */
import { TrafficRecord } from './types';

/** Default byte cap of one endpoint's log. */
export const DEFAULT_LOG_CAP_BYTES = 8 * 1024 * 1024;

/** What one record costs beyond its data, so a flood of tiny datagrams is bounded too. */
export const RECORD_OVERHEAD_BYTES = 64;

/** Below this many evicted slots compaction is not worth it. */
const COMPACT_MIN_HEAD = 1024;

/**
 * Records that crossed an endpoint, oldest first, bounded by a byte cap that counts data plus a fixed
 * per-record overhead. Append is O(1); eviction is amortized O(1) (a head index over an array that is
 * compacted only when half of it is evicted, never Array.shift on a large array).
 */
export class TrafficLog {
  private _records: (TrafficRecord | undefined)[] = [];
  private _head = 0;
  private _bytes = 0;
  private _dropped = 0;

  constructor(private _capBytes: number = DEFAULT_LOG_CAP_BYTES) {}

  /** The byte cap (data + overhead). */
  get capBytes(): number {
    return this._capBytes;
  }

  /** Changes the cap, evicting at once if the log is now over it. */
  set capBytes(value: number) {
    this._capBytes = value;
    this._evict();
  }

  /** Records evicted by the cap since the last clear(). */
  get dropped(): number {
    return this._dropped;
  }

  /** Records currently held. */
  get size(): number {
    return this._records.length - this._head;
  }

  /** Bytes currently held, counting the per-record overhead. */
  get heldBytes(): number {
    return this._bytes;
  }

  /** Appends one record (the data is kept by reference, never copied). */
  append(record: TrafficRecord): void {
    this._records.push(record);
    this._bytes += record.data.byteLength + RECORD_OVERHEAD_BYTES;
    if (this._bytes > this._capBytes) {
      this._evict();
    }
  }

  /** The records still held, oldest first; only those of `connectionId` when given. */
  records(connectionId?: string): TrafficRecord[] {
    const out: TrafficRecord[] = [];
    for (let i = this._head; i < this._records.length; i++) {
      const r = this._records[i]!;
      if (connectionId === undefined || r.connectionId === connectionId) {
        out.push(r);
      }
    }
    return out;
  }

  /** Forgets every record and resets the dropped count. */
  clear(): void {
    this._records = [];
    this._head = 0;
    this._bytes = 0;
    this._dropped = 0;
  }

  private _evict(): void {
    const records = this._records;
    while (this._bytes > this._capBytes && this._head < records.length) {
      const old = records[this._head]!;
      records[this._head] = undefined;
      this._head++;
      this._bytes -= old.data.byteLength + RECORD_OVERHEAD_BYTES;
      this._dropped++;
    }
    if (this._head >= COMPACT_MIN_HEAD && this._head * 2 >= records.length) {
      this._records = records.slice(this._head);
      this._head = 0;
    }
  }
}
