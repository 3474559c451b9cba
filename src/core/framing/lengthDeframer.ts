/**
 * Length and fixed framing. Length: a length field of 1, 2 or 4 bytes at `offset` says the frame is
 * `offset + bytes + length + adjust` bytes long (MODBUS/TCP: 2 bytes at offset 4); a length + adjust below
 * zero leaves the frame its header alone, so a corrupt field can never stall the stream. Fixed: every
 * frame is `size` bytes. A frame announced longer than maxFrameBytes is handed over cut at the limit and
 * the rest of its announced length is skipped (counted, not kept).
 */
import type { FramingSpec } from '../../shared/framing';
import { ChunkQueue, asBuffer } from './chunkQueue';
import { refuseReentry, type Deframer, type FrameInfo, type FrameSink } from './frame';

/** Where the length field is and how to read it, or the size of every frame. */
export type FrameSizeRule =
  { offset: number; bytes: 1 | 2 | 4; littleEndian: boolean; adjust: number } | { size: number; offset?: undefined };

/** Cuts a stream into frames whose size a length field announces, or into frames of one size. */
export class LengthDeframer implements Deframer {
  private readonly queue = new ChunkQueue();
  /** Bytes before the body: the offset and the length field (0 for fixed framing). */
  private readonly headerLength: number;
  private readonly whole: Readonly<FrameInfo>;
  private readonly cutInfo: Readonly<FrameInfo>;
  private readonly partialWithHeader: Readonly<FrameInfo>;
  private readonly partialInfo: Readonly<FrameInfo> = Object.freeze({ partial: true });
  /** Size of the frame in progress in the queue, once its header has arrived; -1 before. */
  private frameSize = -1;
  /** Bytes of a cut frame still to skip. */
  private skip = 0;
  private busy = false;
  private disposed = false;

  constructor(
    readonly spec: FramingSpec,
    private readonly rule: FrameSizeRule,
    private readonly max: number,
    private readonly onFrame: FrameSink,
  ) {
    this.headerLength = rule.offset === undefined ? 0 : rule.offset + rule.bytes;
    const header = this.headerLength > 0 ? { headerBytes: this.headerLength } : {};
    this.whole = Object.freeze(header);
    this.cutInfo = Object.freeze(
      this.headerLength > 0 ? { truncated: true, headerBytes: Math.min(this.headerLength, max) } : { truncated: true },
    );
    this.partialWithHeader = Object.freeze({ partial: true, ...header });
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
    const queued = this.queue.length;
    this.skip = 0;
    this.frameSize = -1;
    if (queued === 0 || this.disposed) {
      this.queue.clear();
      return;
    }
    const frame = this.queue.takeAllWith();
    this.onFrame(
      frame,
      this.headerLength > 0 && queued >= this.headerLength ? this.partialWithHeader : this.partialInfo,
    );
  }

  takePending(): Uint8Array {
    if (this.busy) {
      refuseReentry();
    }
    this.skip = 0;
    this.frameSize = -1;
    return this.queue.takeAllWith();
  }

  dispose(): void {
    this.disposed = true;
    this.queue.clear();
  }

  /** The size of the frame whose header starts at `at` in `bytes` (which holds the whole header). */
  private sizeAt(bytes: Buffer, at: number): number {
    const rule = this.rule;
    if (rule.offset === undefined) {
      return rule.size;
    }
    const field = at + rule.offset;
    const value =
      rule.bytes === 1
        ? bytes[field]
        : rule.bytes === 2
          ? rule.littleEndian
            ? bytes.readUInt16LE(field)
            : bytes.readUInt16BE(field)
          : rule.littleEndian
            ? bytes.readUInt32LE(field)
            : bytes.readUInt32BE(field);
    return this.headerLength + Math.max(0, value + rule.adjust);
  }

  private cut(chunk: Buffer): void {
    const length = chunk.length;
    const max = this.max;
    let pos = 0;
    if (this.skip > 0) {
      pos = Math.min(this.skip, length);
      this.skip -= pos;
    }
    if (this.queue.length > 0 && pos < length) {
      const queued = this.queue.length;
      if (this.frameSize < 0) {
        if (queued + length - pos < this.headerLength) {
          this.queue.push(chunk.subarray(pos));
          return;
        }
        const header =
          queued >= this.headerLength
            ? this.queue.peek(this.headerLength)
            : Buffer.concat([this.queue.peek(queued), chunk.subarray(pos, pos + this.headerLength - queued)]);
        this.frameSize = this.sizeAt(header, 0);
      }
      const size = this.frameSize;
      const kept = Math.min(size, max);
      if (queued + length - pos < kept) {
        this.queue.push(chunk.subarray(pos));
        return;
      }
      const end = pos + kept - queued;
      const frame = this.queue.takeAllWith(chunk.subarray(pos, end));
      this.frameSize = -1;
      pos = end;
      if (size > max) {
        const skipped = Math.min(size - max, length - pos);
        pos += skipped;
        this.skip = size - max - skipped;
      }
      this.onFrame(frame, size > max ? this.cutInfo : this.whole);
      if (this.disposed) {
        return;
      }
    }
    // The frames that lie inside this read: views of it, no copy.
    while (pos < length) {
      const available = length - pos;
      if (available < this.headerLength) {
        break;
      }
      const size = this.sizeAt(chunk, pos);
      const start = pos;
      if (size <= max) {
        if (available < size) {
          this.frameSize = size;
          break;
        }
        pos += size;
        this.onFrame(chunk.subarray(start, pos), this.whole);
      } else {
        if (available < max) {
          this.frameSize = size;
          break;
        }
        pos += max;
        const skipped = Math.min(size - max, length - pos);
        pos += skipped;
        this.skip = size - max - skipped;
        this.onFrame(chunk.subarray(start, start + max), this.cutInfo);
      }
      if (this.disposed) {
        return;
      }
    }
    if (pos < length) {
      this.queue.push(chunk.subarray(pos));
    }
  }
}
