/** The record of what a block sent and received, bounded so that a flooding peer cannot grow it. */
import { REQUEST_TRANSCRIPT_MAX_BYTES } from '../../shared/limits';

/** What an entry costs besides its data (the entry and its view), counted so that empty datagrams are bounded too. */
const ENTRY_OVERHEAD_BYTES = 64;

/** One chunk or datagram that crossed a block's connection. */
export interface TranscriptEntry {
  direction: 'in' | 'out';
  /** Epoch milliseconds. */
  time: number;
  data: Uint8Array;
}

/** Keeps entries until they hold REQUEST_TRANSCRIPT_MAX_BYTES (data and overhead); after that only counts the data it leaves out. */
export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  private kept = 0;
  /** Bytes not kept once the transcript was full. */
  droppedBytes = 0;

  constructor(private readonly maxBytes = REQUEST_TRANSCRIPT_MAX_BYTES) {}

  /** Records a chunk (a bound method, so it can be handed to a connection as is). */
  readonly tap = (direction: 'in' | 'out', data: Uint8Array): void => {
    const cost = data.length + ENTRY_OVERHEAD_BYTES;
    if (this.kept + cost > this.maxBytes) {
      this.droppedBytes += data.length;
      return;
    }
    this.kept += cost;
    // A plain Uint8Array of exactly its bytes: a socket read has memory of its own (kept as it is), while a
    // small Buffer may be a slice of Node's shared pool (copied, so a kept entry never pins the pool).
    const own = data.byteLength === data.buffer.byteLength;
    this.entries.push({
      direction,
      time: Date.now(),
      data: own ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data),
    });
  };
}
