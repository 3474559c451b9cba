/**
 * Line and delimiter framing: a frame ends with its delimiter, which stays in the frame (the panel dims
 * it; FrameInfo.delimiterBytes says how long it is). A delimiter may straddle two reads. A frame longer
 * than maxFrameBytes is handed over cut at the limit, and everything up to the end of the next delimiter
 * is skipped without being kept.
 */
import type { FramingSpec } from '../../shared/framing';
import { ChunkQueue, asBuffer } from './chunkQueue';
import { refuseReentry, type Deframer, type FrameInfo, type FrameSink } from './frame';

const EMPTY = Buffer.alloc(0);
const CR = 0x0d;
const CUT: Readonly<FrameInfo> = Object.freeze({ truncated: true });
const PARTIAL: Readonly<FrameInfo> = Object.freeze({ partial: true });
const CRLF_ENDED: Readonly<FrameInfo> = Object.freeze({ delimiterBytes: 2 });

/** Cuts a stream after each occurrence of a delimiter (line framing: LF, CR LF, or LF with an optional CR). */
export class DelimiterDeframer implements Deframer {
  private readonly queue = new ChunkQueue();
  private readonly width: number;
  private readonly firstByte: number;
  private readonly ended: Readonly<FrameInfo>;
  /** After a cut: skipping to the end of the next delimiter. */
  private discarding = false;
  /** While skipping: the last width-1 bytes skipped, where a delimiter ending in the next read may begin. */
  private skippedTail: Buffer = EMPTY;
  private busy = false;
  private disposed = false;

  constructor(
    readonly spec: FramingSpec,
    private readonly delimiter: Buffer,
    /** Line framing 'any': a CR before the LF belongs to the delimiter. */
    private readonly optionalCr: boolean,
    private readonly max: number,
    private readonly onFrame: FrameSink,
  ) {
    this.width = delimiter.length;
    this.firstByte = delimiter[0];
    this.ended = Object.freeze({ delimiterBytes: this.width });
  }

  get pending(): number {
    return this.queue.length;
  }

  push(chunk: Uint8Array): void {
    if (this.disposed || chunk.length === 0) {
      return;
    }
    if (this.busy) {
      refuseReentry();
    }
    this.busy = true;
    try {
      this.cut(asBuffer(chunk));
    } finally {
      this.busy = false;
    }
  }

  flush(): void {
    if (this.busy) {
      refuseReentry();
    }
    const skipping = this.discarding;
    this.discarding = false;
    this.skippedTail = EMPTY;
    if (skipping || this.queue.length === 0 || this.disposed) {
      this.queue.clear();
      return;
    }
    this.onFrame(this.queue.takeAllWith(), PARTIAL);
  }

  takePending(): Uint8Array {
    if (this.busy) {
      refuseReentry();
    }
    this.discarding = false;
    this.skippedTail = EMPTY;
    return this.queue.takeAllWith();
  }

  dispose(): void {
    this.disposed = true;
    this.queue.clear();
    this.skippedTail = EMPTY;
  }

  private cut(chunk: Buffer): void {
    const length = chunk.length;
    const width = this.width;
    const max = this.max;
    let pos = 0;
    if (this.discarding) {
      const end = this.endOfDelimiter(this.skippedTail, chunk, 0);
      if (end < 0) {
        this.skippedTail = lastBytes(this.skippedTail, chunk, width - 1);
        return;
      }
      this.discarding = false;
      this.skippedTail = EMPTY;
      pos = end;
    }
    if (this.queue.length > 0) {
      const queued = this.queue.length;
      const end = this.endOfDelimiter(width > 1 ? this.queue.last(width - 1) : EMPTY, chunk, pos);
      if (end < 0) {
        if (queued + length - pos < max) {
          this.queue.push(chunk.subarray(pos));
          return;
        }
        // Over the limit with no delimiter yet: hand over the first max bytes and skip to the next delimiter.
        this.skippedTail =
          width === 1
            ? EMPTY
            : lastBytes(length - pos >= width - 1 ? EMPTY : this.queue.last(width - 1), chunk.subarray(pos), width - 1);
        this.discarding = true;
        this.onFrame(this.queue.takeAllWith(chunk.subarray(pos, pos + max - queued)), CUT);
        return;
      }
      const start = pos;
      pos = end;
      if (queued + end - start <= max) {
        const frame = this.queue.takeAllWith(chunk.subarray(start, end));
        this.onFrame(frame, this.endedAt(frame, frame.length - width, 0));
      } else {
        this.onFrame(this.queue.takeAllWith(chunk.subarray(start, start + max - queued)), CUT);
      }
      if (this.disposed) {
        return;
      }
    }
    // The frames that lie inside this read: views of it, no copy.
    while (pos < length) {
      const at = width === 1 ? chunk.indexOf(this.firstByte, pos) : chunk.indexOf(this.delimiter, pos);
      if (at < 0) {
        break;
      }
      const start = pos;
      pos = at + width;
      if (pos - start <= max) {
        this.onFrame(chunk.subarray(start, pos), this.endedAt(chunk, at, start));
      } else {
        this.onFrame(chunk.subarray(start, start + max), CUT);
      }
      if (this.disposed) {
        return;
      }
    }
    const rest = length - pos;
    if (rest === 0) {
      return;
    }
    if (rest < max) {
      this.queue.push(chunk.subarray(pos));
      return;
    }
    this.skippedTail = width === 1 ? EMPTY : Buffer.from(chunk.subarray(Math.max(pos, length - (width - 1))));
    this.discarding = true;
    this.onFrame(chunk.subarray(pos, pos + max), CUT);
  }

  /** The info of a frame whose delimiter starts at `at` in `bytes` (the frame starts at `start`). */
  private endedAt(bytes: Buffer, at: number, start: number): Readonly<FrameInfo> {
    return this.optionalCr && at > start && bytes[at - 1] === CR ? CRLF_ENDED : this.ended;
  }

  /**
   * Where the first delimiter in `before` + `chunk[from..]` ends, as an index into `chunk`, or -1. `before`
   * holds the up to width-1 bytes just before `chunk[from]` in which a delimiter may begin.
   */
  private endOfDelimiter(before: Buffer, chunk: Buffer, from: number): number {
    const width = this.width;
    if (before.length > 0) {
      const joint = Buffer.concat([before, chunk.subarray(from, from + width - 1)]);
      const at = joint.indexOf(this.delimiter);
      if (at >= 0 && at < before.length) {
        return from + at + width - before.length;
      }
    }
    const at = width === 1 ? chunk.indexOf(this.firstByte, from) : chunk.indexOf(this.delimiter, from);
    return at < 0 ? -1 : at + width;
  }
}

/** A copy of the last `count` bytes of `before` + `after`. */
function lastBytes(before: Buffer, after: Buffer, count: number): Buffer {
  if (count <= 0) {
    return EMPTY;
  }
  if (after.length >= count) {
    return Buffer.from(after.subarray(after.length - count));
  }
  const joint = Buffer.concat([before, after]);
  return Buffer.from(joint.subarray(Math.max(0, joint.length - count)));
}
