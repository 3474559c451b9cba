/** The bounded per-endpoint traffic log. */
import { DEFAULT_LOG_CAP_BYTES } from '../shared/limits';
import { TrafficRecord } from '../shared/model';

/** What one record costs beyond its data, so a flood of tiny datagrams is bounded too. */
export const RECORD_OVERHEAD_BYTES = 64;

/**
 * Data up to this many bytes is copied into the log's byte ring; larger data is kept by reference.
 * Copying a small datagram is far cheaper than keeping its Buffer alive: a retained Buffer is two heap
 * objects plus a separately allocated backing store that the garbage collector must promote, track and
 * sweep, which made a logged 64-byte UDP flood ~5x costlier per datagram than an unlogged one.
 */
export const SMALL_DATA_MAX_BYTES = 1024;

const INITIAL_RECORD_SLOTS = 1024;
const INITIAL_RING_BYTES = 64 * 1024;
const DIR_IN = 0;
const DIR_OUT = 1;
/** Sent by the auto-reply (TrafficRecord.autoReply), kept in the direction's byte. */
const DIR_OUT_AUTO = 2;
/** `_offset` of a record whose data is kept by reference in `_big`. */
const BY_REFERENCE = -1;
/** Bits of a record's framing word (`_frames`): its flags, and which count the bits from FRAME_COUNT_SHIFT hold. */
const FRAME_TRUNCATED = 1;
const FRAME_PARTIAL = 2;
const FRAME_DELIMITER = 4;
const FRAME_HEADER = 8;
const FRAME_COUNT_SHIFT = 4;

/** A record's framing fields (truncated, partial, delimiterBytes or headerBytes) as one number; 0 for none. */
function frameWord(record: TrafficRecord): number {
  let word = 0;
  if (record.truncated) word |= FRAME_TRUNCATED;
  if (record.partial) word |= FRAME_PARTIAL;
  if (record.delimiterBytes) word |= FRAME_DELIMITER | (record.delimiterBytes << FRAME_COUNT_SHIFT);
  else if (record.headerBytes) word |= FRAME_HEADER | (record.headerBytes << FRAME_COUNT_SHIFT);
  return word;
}

/** Puts the framing fields of `word` back on `record`. */
function restoreFrame(record: TrafficRecord, word: number): void {
  if (word & FRAME_TRUNCATED) record.truncated = true;
  if (word & FRAME_PARTIAL) record.partial = true;
  if (word & FRAME_DELIMITER) record.delimiterBytes = word >>> FRAME_COUNT_SHIFT;
  else if (word & FRAME_HEADER) record.headerBytes = word >>> FRAME_COUNT_SHIFT;
}

/** Read access to an endpoint's log without copying all of it: what the send panel pages through. */
export interface TrafficLogView {
  /** Records currently held. */
  readonly size: number;
  /** Records evicted by the cap since the last clear(). */
  readonly dropped: number;
  /** The last record appended (the object passed to append), until clear(). */
  readonly last: TrafficRecord | undefined;
  /** Held records `start <= index < end` (0 = the oldest held), as fresh objects. */
  slice(start: number, end: number): TrafficRecord[];
}

/** The view of a log that holds nothing (an endpoint that is gone). */
export const EMPTY_TRAFFIC_LOG: TrafficLogView = Object.freeze({
  size: 0,
  dropped: 0,
  last: undefined,
  slice: () => [],
});

/**
 * Records that crossed an endpoint, oldest first, bounded by a byte cap that counts data plus a fixed
 * per-record overhead. Stored by column in rings (times, directions, offsets, framing fields in typed arrays; peers and
 * connection ids as references to the connection's own strings; small data copied into a byte ring), so
 * holding a flood of records costs the garbage collector almost nothing. Append and eviction are O(1)
 * amortized; reading materializes fresh record objects, with small data copied out.
 */
export class TrafficLog implements TrafficLogView {
  private _slots = 0;
  private _times = new Float64Array(0);
  private _dirs = new Uint8Array(0);
  private _offsets = new Int32Array(0);
  private _lengths = new Int32Array(0);
  /** Framing fields of each record (frameWord), 0 for a record that is not a frame. */
  private _frames = new Int32Array(0);
  private _peers: (string | undefined)[] = [];
  private _connections: (string | undefined)[] = [];
  private _big: (Uint8Array | undefined)[] = [];
  /** Slot of the oldest held record. */
  private _head = 0;
  private _count = 0;
  /** Byte ring for small data, allocated on first use; written at `_write`, in record order. */
  private _ring: Uint8Array | undefined;
  private _write = 0;
  /** Held records whose data is in the ring. */
  private _inRing = 0;
  /** Logical index (0 = head) at or before the oldest held record whose data is in the ring. */
  private _ringScan = 0;
  private _bytes = 0;
  private _dropped = 0;
  private _last: TrafficRecord | undefined;

  /** `initialRingBytes` only changes when the byte ring first grows (tests make it small to exercise wrapping). */
  constructor(
    private _capBytes: number = DEFAULT_LOG_CAP_BYTES,
    private readonly _initialRingBytes = INITIAL_RING_BYTES,
  ) {}

  /** The byte cap (data + overhead). */
  get capBytes(): number {
    return this._capBytes;
  }

  /** Changes the cap, evicting at once if the log is now over it. */
  set capBytes(value: number) {
    this._capBytes = value;
    this._evictUntil(0);
  }

  get dropped(): number {
    return this._dropped;
  }

  get size(): number {
    return this._count;
  }

  get last(): TrafficRecord | undefined {
    return this._last;
  }

  /** Bytes currently held, counting the per-record overhead. */
  get heldBytes(): number {
    return this._bytes;
  }

  /** Appends one record: small data is copied, larger data kept by reference; the object itself is not kept. */
  append(record: TrafficRecord): void {
    this._last = record;
    const data = record.data;
    const length = data.byteLength;
    const cost = length + RECORD_OVERHEAD_BYTES;
    if (cost > this._capBytes) {
      // It alone is over the cap: everything held goes, and so does it.
      this._dropped += this._count + 1;
      this._forgetAll();
      return;
    }
    this._evictUntil(cost);
    if (this._count === this._slots) this._growSlots();
    const slot = (this._head + this._count) % this._slots;
    this._times[slot] = record.time;
    this._dirs[slot] = record.direction === 'out' ? (record.autoReply ? DIR_OUT_AUTO : DIR_OUT) : DIR_IN;
    this._lengths[slot] = length;
    this._frames[slot] = frameWord(record);
    this._peers[slot] = record.peer;
    this._connections[slot] = record.connectionId;
    if (length > 0 && length <= SMALL_DATA_MAX_BYTES) {
      this._offsets[slot] = this._place(data);
      this._inRing++;
    } else {
      this._offsets[slot] = BY_REFERENCE;
      this._big[slot] = data;
    }
    this._count++;
    this._bytes += cost;
  }

  /** The records still held, oldest first; only those of `connectionId` when given. */
  records(connectionId?: string): TrafficRecord[] {
    if (connectionId === undefined) return this.slice(0, this._count);
    const picked: number[] = [];
    for (let i = 0; i < this._count; i++) {
      const slot = (this._head + i) % this._slots;
      if (this._connections[slot] === connectionId) picked.push(slot);
    }
    return this._materialize(picked);
  }

  slice(start: number, end: number): TrafficRecord[] {
    const from = Math.max(0, start);
    const to = Math.min(this._count, end);
    const slots: number[] = [];
    for (let i = from; i < to; i++) slots.push((this._head + i) % this._slots);
    return this._materialize(slots);
  }

  /**
   * Takes every held record (oldest first) and empties the log like clear(), but keeps the storage a
   * flood grew: for a batch refilled at the same rate, growing it again each time cost more than filling it.
   */
  drain(): TrafficRecord[] {
    const out = this.records();
    this._forgetAll();
    this._dropped = 0;
    this._last = undefined;
    return out;
  }

  /** Forgets every record and resets the dropped count. */
  clear(): void {
    this._forgetAll();
    this._dropped = 0;
    this._last = undefined;
    // Give back what a flood grew.
    this._slots = 0;
    this._times = new Float64Array(0);
    this._dirs = new Uint8Array(0);
    this._offsets = new Int32Array(0);
    this._lengths = new Int32Array(0);
    this._frames = new Int32Array(0);
    this._peers = [];
    this._connections = [];
    this._big = [];
    this._ring = undefined;
  }

  private _materialize(slots: readonly number[]): TrafficRecord[] {
    let total = 0;
    for (const slot of slots)
      total += this._offsets[slot] === BY_REFERENCE ? this._bigLength(slot) : this._lengths[slot];
    // One copy for all the data of this read: the ring will be overwritten, and a caller that writes into
    // what it got must not change what the panel, an export or a capture read from the log later.
    const copies = Buffer.allocUnsafe(total);
    let at = 0;
    const out: TrafficRecord[] = new Array(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      const offset = this._offsets[slot];
      const length = this._lengths[slot];
      let data: Uint8Array;
      const source = offset === BY_REFERENCE ? this._big[slot] : this._ring!.subarray(offset, offset + length);
      if (source === undefined) {
        data = new Uint8Array(0);
      } else {
        copies.set(source, at);
        data = copies.subarray(at, at + source.byteLength);
        at += source.byteLength;
      }
      const record: TrafficRecord = {
        time: this._times[slot],
        direction: this._dirs[slot] === DIR_IN ? 'in' : 'out',
        peer: this._peers[slot]!,
        data,
      };
      if (this._dirs[slot] === DIR_OUT_AUTO) record.autoReply = true;
      const connectionId = this._connections[slot];
      if (connectionId !== undefined) record.connectionId = connectionId;
      const frame = this._frames[slot];
      if (frame !== 0) restoreFrame(record, frame);
      out[i] = record;
    }
    return out;
  }

  /** Evicts the oldest records until `incoming` more bytes fit under the cap. */
  private _evictUntil(incoming: number): void {
    while (this._count > 0 && this._bytes + incoming > this._capBytes) {
      const slot = this._head;
      this._bytes -= this._lengths[slot] + RECORD_OVERHEAD_BYTES;
      if (this._offsets[slot] === BY_REFERENCE) this._big[slot] = undefined;
      else this._inRing--;
      this._peers[slot] = undefined;
      this._connections[slot] = undefined;
      this._head = (slot + 1) % this._slots;
      this._count--;
      this._dropped++;
      if (this._ringScan > 0) this._ringScan--;
    }
    if (this._inRing === 0) {
      this._write = 0;
      this._ringScan = 0;
    }
  }

  private _bigLength(slot: number): number {
    return this._big[slot]?.byteLength ?? 0;
  }

  private _forgetAll(): void {
    for (let i = 0; i < this._count; i++) {
      const slot = (this._head + i) % this._slots;
      this._big[slot] = undefined;
      this._peers[slot] = undefined;
      this._connections[slot] = undefined;
    }
    this._head = 0;
    this._count = 0;
    this._bytes = 0;
    this._inRing = 0;
    this._write = 0;
    this._ringScan = 0;
  }

  /** Copies `data` into the byte ring (growing it when the free space is too small); returns its offset. */
  private _place(data: Uint8Array): number {
    const length = data.byteLength;
    let ring = this._ring;
    if (!ring) ring = this._ring = new Uint8Array(Math.max(this._initialRingBytes, length));
    let offset = -1;
    if (this._inRing === 0) {
      if (length <= ring.byteLength) offset = 0;
    } else {
      // Held ring data runs forward from the oldest one's offset to `_write`, wrapping at most once.
      const oldest = this._offsets[this._oldestInRingSlot()];
      if (oldest < this._write) {
        if (length <= ring.byteLength - this._write) offset = this._write;
        else if (length <= oldest) offset = 0;
      } else if (length <= oldest - this._write) {
        offset = this._write;
      }
    }
    if (offset < 0) {
      this._growRing(length);
      ring = this._ring!;
      offset = this._write;
    }
    ring.set(data, offset);
    this._write = offset + length;
    return offset;
  }

  /** The slot of the oldest held record whose data is in the ring (there is one). */
  private _oldestInRingSlot(): number {
    for (;;) {
      const slot = (this._head + this._ringScan) % this._slots;
      if (this._offsets[slot] !== BY_REFERENCE) return slot;
      this._ringScan++;
    }
  }

  /** Doubles the byte ring (at least enough for `incoming` more bytes), packing held data at its start. */
  private _growRing(incoming: number): void {
    const old = this._ring!;
    const next = new Uint8Array(Math.max(old.byteLength * 2, old.byteLength + incoming));
    let at = 0;
    for (let i = 0; i < this._count; i++) {
      const slot = (this._head + i) % this._slots;
      const offset = this._offsets[slot];
      if (offset === BY_REFERENCE) continue;
      const length = this._lengths[slot];
      next.set(old.subarray(offset, offset + length), at);
      this._offsets[slot] = at;
      at += length;
    }
    this._ring = next;
    this._write = at;
  }

  /** Doubles the record slots, unrolling the ring so the head is slot 0. */
  private _growSlots(): void {
    const slots = Math.max(INITIAL_RECORD_SLOTS, this._slots * 2);
    const order = (i: number) => (this._head + i) % this._slots;
    const times = new Float64Array(slots);
    const dirs = new Uint8Array(slots);
    const offsets = new Int32Array(slots);
    const lengths = new Int32Array(slots);
    const frames = new Int32Array(slots);
    const peers: (string | undefined)[] = new Array(slots).fill(undefined);
    const connections: (string | undefined)[] = new Array(slots).fill(undefined);
    const big: (Uint8Array | undefined)[] = new Array(slots).fill(undefined);
    for (let i = 0; i < this._count; i++) {
      const slot = order(i);
      times[i] = this._times[slot];
      dirs[i] = this._dirs[slot];
      offsets[i] = this._offsets[slot];
      lengths[i] = this._lengths[slot];
      frames[i] = this._frames[slot];
      peers[i] = this._peers[slot];
      connections[i] = this._connections[slot];
      big[i] = this._big[slot];
    }
    this._slots = slots;
    this._times = times;
    this._dirs = dirs;
    this._offsets = offsets;
    this._lengths = lengths;
    this._frames = frames;
    this._peers = peers;
    this._connections = connections;
    this._big = big;
    this._head = 0;
  }
}
