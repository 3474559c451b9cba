/**
 * Cuts a block's received stream into the messages its expects match, with the framing deframers: each
 * frame without its delimiter (line and delimiter framing), whole otherwise (length, fixed, idle).
 */
import type { FramingSpec } from '../../shared/framing';
import { createDeframer, type Deframer } from '../framing/deframer';

/** Takes reads, hands over frames (see Deframer: push, flush at the stream's end, dispose). */
export type FrameReader = Pick<Deframer, 'push' | 'flush' | 'dispose'>;

/** A frame reader for `spec`; `onFrame` gets each frame as an expect should see it. */
export function createFrameReader(spec: FramingSpec, onFrame: (frame: Uint8Array) => void): FrameReader {
  return createDeframer(spec, (frame, info) =>
    onFrame(info.delimiterBytes ? frame.subarray(0, frame.length - info.delimiterBytes) : frame),
  );
}
