/**
 * Idle framing: a frame ends when nothing arrives for gapMs (serial-to-TCP gateways and many device
 * protocols have no other boundary). One timer per connection, re-armed by each read (Timeout.refresh,
 * no new timer per read), unref'd so it never keeps a process alive, and cleared by flush and dispose.
 * A frame that grows past maxFrameBytes is handed over cut at the limit and the rest, up to the next
 * gap, is skipped. When the stream ends, the frame in progress is complete (nothing more can arrive
 * before the gap), so flush hands it over without the partial mark.
 */
import type { FramingSpec } from '../../shared/framing';
import { ChunkQueue, asBuffer } from './chunkQueue';
import { refuseReentry, type Deframer, type FrameInfo, type FrameSink } from './frame';

const WHOLE: Readonly<FrameInfo> = Object.freeze({});
const CUT: Readonly<FrameInfo> = Object.freeze({ truncated: true });

/** Cuts a stream where it pauses for gapMs. */
export class IdleDeframer implements Deframer {
  private readonly queue = new ChunkQueue();
  private timer: NodeJS.Timeout | undefined;
  /** After a cut: skipping to the next gap. */
  private discarding = false;
  private busy = false;
  private disposed = false;

  constructor(
    readonly spec: FramingSpec,
    private readonly gapMs: number,
    private readonly max: number,
    private readonly onFrame: FrameSink,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  push(input: Uint8Array): void {
    if (this.disposed || input.length === 0) {
      return;
    }
    if (this.busy) {
      refuseReentry();
    }
    if (this.timer) {
      this.timer.refresh();
    } else {
      this.timer = setTimeout(() => this.gap(), this.gapMs);
      this.timer.unref();
    }
    if (this.discarding) {
      return;
    }
    const chunk = asBuffer(input);
    const room = this.max - this.queue.length;
    if (chunk.length <= room) {
      this.queue.push(chunk);
      return;
    }
    this.discarding = true;
    this.emit(this.queue.takeAllWith(chunk.subarray(0, room)), CUT);
  }

  flush(): void {
    if (this.busy) {
      refuseReentry();
    }
    this.stopTimer();
    const skipping = this.discarding;
    this.discarding = false;
    if (skipping || this.queue.length === 0 || this.disposed) {
      this.queue.clear();
      return;
    }
    this.emit(this.queue.takeAllWith(), WHOLE);
  }

  takePending(): Uint8Array {
    if (this.busy) {
      refuseReentry();
    }
    this.stopTimer();
    this.discarding = false;
    return this.queue.takeAllWith();
  }

  dispose(): void {
    this.disposed = true;
    this.stopTimer();
    this.queue.clear();
  }

  private gap(): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    if (this.queue.length > 0 && !this.disposed) {
      this.emit(this.queue.takeAllWith(), WHOLE);
    }
  }

  private emit(frame: Uint8Array, info: Readonly<FrameInfo>): void {
    this.busy = true;
    try {
      this.onFrame(frame, info);
    } finally {
      this.busy = false;
    }
  }

  private stopTimer(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
