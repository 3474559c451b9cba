/** What a deframer hands over and the interface every deframer implements (see deframer.ts). */
import type { FramingSpec } from '../../shared/framing';

/** What is known of a frame besides its bytes. Deframers share these objects: treat them as read-only. */
export interface FrameInfo {
  /** The frame was longer than maxFrameBytes: these are its first maxFrameBytes bytes, the rest was skipped. */
  truncated?: boolean;
  /** Handed over by flush(): the stream ended before the frame did. */
  partial?: boolean;
  /** Line and delimiter framing: the frame ends with this many delimiter bytes (absent when it has none). */
  delimiterBytes?: number;
  /** Length framing: the frame starts with this many header bytes (up to and with the length field). */
  headerBytes?: number;
}

/** Receives each frame; it must not throw (in idle framing it runs from a timer). */
export type FrameSink = (frame: Uint8Array, info: Readonly<FrameInfo>) => void;

/** Cuts one connection's byte stream into frames. */
export interface Deframer {
  /** The framing it applies, with its defaults filled in. */
  readonly spec: FramingSpec;
  /** Bytes held for the frame in progress (never more than maxFrameBytes). */
  readonly pending: number;
  /** Takes the next read; complete frames go to the sink before it returns (idle framing: when the gap passes). */
  push(chunk: Uint8Array): void;
  /** The stream ended: hands the frame in progress, if any, to the sink marked partial, and starts afresh. */
  flush(): void;
  /**
   * Returns the bytes of the frame in progress without handing them over, and starts afresh: what a
   * framing change passes to the next deframer so the frame in progress is kept.
   */
  takePending(): Uint8Array;
  /** Drops what is held and stops its timer; later reads are ignored. */
  dispose(): void;
}

/** Throws when a deframer is re-entered from its own sink (a framing change must wait until push returns). */
export function refuseReentry(): never {
  throw new Error('A deframer was pushed to or emptied from inside its own frame callback.');
}
