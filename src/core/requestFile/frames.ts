/**
 * Cuts a block's received stream into the messages its expects match: each frame without its delimiter
 * (line and delimiter framing), whole otherwise. The only place the runner meets framing.
 */
import type { FramingSpec } from '../../shared/requestFile/framingOption';

/** Frame size past which a frame is handed over cut (the framing issue's default maxFrameBytes). */
const MAX_FRAME_BYTES = 1024 * 1024;

/** Takes reads, hands over frames. */
export interface FrameReader {
  push(chunk: Uint8Array): void;
  /** The stream ended: hands over the unfinished frame, if any. */
  flush(): void;
  /** Stops any timer and drops what is held. */
  dispose(): void;
}

/** A frame reader for `spec`; `onFrame` gets each frame as the expect should see it. */
export function createFrameReader(spec: FramingSpec, onFrame: (frame: Uint8Array) => void): FrameReader {
  let pending: Buffer = Buffer.alloc(0);
  let timer: NodeJS.Timeout | undefined;
  let disposed = false;
  const emit = (frame: Buffer) => onFrame(Uint8Array.prototype.slice.call(frame));
  const delimiter =
    spec.mode === 'line'
      ? Buffer.from(spec.eol === 'crlf' ? '\r\n' : '\n', 'latin1')
      : spec.mode === 'delimiter'
        ? Buffer.from(spec.delimiter, 'hex')
        : undefined;
  /** The length of the next complete frame at the start of `pending`, with how many trailing bytes to drop. */
  const nextFrame = (): [number, number] | undefined => {
    if (delimiter) {
      const at = pending.indexOf(delimiter);
      if (at < 0) return pending.length >= MAX_FRAME_BYTES ? [MAX_FRAME_BYTES, 0] : undefined;
      // Line framing `any`: LF with an optional CR before it.
      const cr = spec.mode === 'line' && spec.eol !== 'lf' && spec.eol !== 'crlf' && at > 0 && pending[at - 1] === 0x0d;
      return [at + delimiter.length, delimiter.length + (cr ? 1 : 0)];
    }
    if (spec.mode === 'fixed') return pending.length >= spec.size ? [spec.size, 0] : undefined;
    if (spec.mode === 'length') {
      const offset = spec.offset ?? 0;
      if (pending.length < offset + spec.bytes) return undefined;
      const le = spec.endian === 'le';
      const field =
        spec.bytes === 1
          ? pending[offset]
          : spec.bytes === 2
            ? le
              ? pending.readUInt16LE(offset)
              : pending.readUInt16BE(offset)
            : le
              ? pending.readUInt32LE(offset)
              : pending.readUInt32BE(offset);
      const size = Math.max(offset + spec.bytes, offset + spec.bytes + field + (spec.adjust ?? 0));
      return pending.length >= Math.min(size, MAX_FRAME_BYTES) ? [Math.min(size, MAX_FRAME_BYTES), 0] : undefined;
    }
    return undefined;
  };
  return {
    push(chunk) {
      if (disposed) return;
      pending = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
      if (spec.mode === 'idle') {
        clearTimeout(timer);
        timer = setTimeout(() => this.flush(), spec.gapMs);
        timer.unref();
        return;
      }
      for (let next = nextFrame(); next; next = nextFrame()) {
        const [size, drop] = next;
        emit(pending.subarray(0, size - drop));
        pending = pending.subarray(size);
      }
    },
    flush() {
      clearTimeout(timer);
      if (!disposed && pending.length) emit(pending);
      pending = Buffer.alloc(0);
    },
    dispose() {
      disposed = true;
      clearTimeout(timer);
      pending = Buffer.alloc(0);
    },
  };
}
