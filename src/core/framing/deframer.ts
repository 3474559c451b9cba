/**
 * Deframers: one per TCP/Unix connection, they cut what the reads bring into the frames a framing spec
 * describes (shared/framing.ts) and hand each complete frame to a callback. Frames that lie inside one
 * read are views of it (no copy); a frame spread over reads is copied once when it is complete. Nothing
 * buffers past maxFrameBytes: a longer frame is handed over cut at the limit, marked truncated, and the
 * deframer skips the rest of it (to the next delimiter, past the announced length, or to the next gap).
 */
import { SocketLabError, isSocketLabError } from '../../shared/errors';
import { parseFramingSpec, type FramingSpec } from '../../shared/framing';
import { FRAMING_DELIMITER_MAX_BYTES } from '../../shared/limits';
import { describeValue } from '../../shared/payload';
import { encodePayload } from '../codec';
import { asBuffer } from './chunkQueue';
import { DelimiterDeframer } from './delimiterDeframer';
import type { Deframer, FrameInfo, FrameSink } from './frame';
import { IdleDeframer } from './idleDeframer';
import { LengthDeframer } from './lengthDeframer';

export type { Deframer, FrameInfo, FrameSink } from './frame';

/** A framing spec with its defaults filled in, and the bytes of its delimiter (line and delimiter framing). */
export interface ResolvedFraming {
  spec: FramingSpec;
  delimiter?: Uint8Array;
}

const LINE_DELIMITERS = { lf: '\n', crlf: '\r\n', any: '\n' };

/**
 * Checks a framing spec of unknown shape completely (parseFramingSpec, then the delimiter decoded with the
 * payload codec and its length checked): what a command runs before it opens anything. Throws
 * SocketLabError 'invalidFraming' naming the field.
 */
export function resolveFraming(value: unknown, field = 'framing'): ResolvedFraming {
  const spec = parseFramingSpec(value, field);
  if (spec.mode === 'line') {
    return { spec, delimiter: Buffer.from(LINE_DELIMITERS[spec.eol ?? 'any'], 'latin1') };
  }
  if (spec.mode !== 'delimiter') {
    return { spec };
  }
  const delimiterField = `${field}.delimiter`;
  let delimiter: Uint8Array;
  try {
    delimiter = encodePayload({ data: spec.delimiter, format: spec.format ?? 'text' });
  } catch (err) {
    if (!isSocketLabError(err)) {
      throw err;
    }
    throw SocketLabError.create(
      'invalidFraming',
      '{field}: {problem}',
      { ...err.values, field: delimiterField, cause: err.code, problem: err.message },
      undefined,
      err,
    );
  }
  if (delimiter.length === 0 || delimiter.length > FRAMING_DELIMITER_MAX_BYTES) {
    throw SocketLabError.create(
      'invalidFraming',
      '{field} must stand for 1 to {max} bytes (got {length} from {value}).',
      {
        field: delimiterField,
        max: FRAMING_DELIMITER_MAX_BYTES,
        length: delimiter.length,
        value: describeValue(spec.delimiter),
      },
    );
  }
  return { spec, delimiter };
}

/** framing none: every read is a frame (cut at maxFrameBytes). */
class ReadDeframer implements Deframer {
  private disposed = false;
  private static readonly WHOLE: Readonly<FrameInfo> = Object.freeze({});
  private static readonly CUT: Readonly<FrameInfo> = Object.freeze({ truncated: true });
  readonly pending = 0;

  constructor(
    readonly spec: FramingSpec,
    private readonly max: number,
    private readonly onFrame: FrameSink,
  ) {}

  push(chunk: Uint8Array): void {
    if (this.disposed || chunk.length === 0) {
      return;
    }
    if (chunk.length > this.max) {
      this.onFrame(chunk.subarray(0, this.max), ReadDeframer.CUT);
    } else {
      this.onFrame(chunk, ReadDeframer.WHOLE);
    }
  }

  flush(): void {}

  takePending(): Uint8Array {
    return new Uint8Array(0);
  }

  dispose(): void {
    this.disposed = true;
  }
}

/**
 * A deframer for `spec` (which is checked and completed as resolveFraming does; a bad one throws
 * SocketLabError 'invalidFraming'). Each complete frame goes to `onFrame`.
 */
export function createDeframer(spec: FramingSpec, onFrame: FrameSink): Deframer {
  const resolved = resolveFraming(spec);
  const full = resolved.spec;
  const max = full.maxFrameBytes!;
  switch (full.mode) {
    case 'none':
      return new ReadDeframer(full, max, onFrame);
    case 'line':
    case 'delimiter':
      return new DelimiterDeframer(
        full,
        asBuffer(resolved.delimiter!),
        full.mode === 'line' && full.eol === 'any',
        max,
        onFrame,
      );
    case 'length':
      return new LengthDeframer(
        full,
        { offset: full.offset!, bytes: full.bytes, littleEndian: full.endian === 'le', adjust: full.adjust! },
        max,
        onFrame,
      );
    case 'fixed':
      return new LengthDeframer(full, { size: full.size }, max, onFrame);
    case 'idle':
      return new IdleDeframer(full, full.gapMs, max, onFrame);
  }
}
