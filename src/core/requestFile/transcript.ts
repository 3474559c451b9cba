/** The record of what a block sent and received, bounded so that a flooding peer cannot grow it. */
import { REQUEST_TRANSCRIPT_MAX_BYTES } from '../../shared/limits';

/** One chunk or datagram that crossed a block's connection. */
export interface TranscriptEntry {
  direction: 'in' | 'out';
  /** Epoch milliseconds. */
  time: number;
  data: Uint8Array;
}

/** Keeps entries until REQUEST_TRANSCRIPT_MAX_BYTES of data; after that only counts what it leaves out. */
export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  private kept = 0;
  /** Bytes not kept once the transcript was full. */
  droppedBytes = 0;

  constructor(private readonly maxBytes = REQUEST_TRANSCRIPT_MAX_BYTES) {}

  /** Records a chunk (a bound method, so it can be handed to a connection as is). */
  readonly tap = (direction: 'in' | 'out', data: Uint8Array): void => {
    if (this.kept + data.length > this.maxBytes) {
      this.droppedBytes += data.length;
      return;
    }
    this.kept += data.length;
    // A plain copy: the socket's Buffer may share memory with others, and results cross to other processes.
    this.entries.push({ direction, time: Date.now(), data: new Uint8Array(data) });
  };
}
