/** Helpers of the framing tests: a deframer that records what it hands over, and frames to feed it. */
import { createDeframer, type Deframer, type FrameInfo } from '../../src/core/framing/deframer';
import { parseFramingSpec } from '../../src/shared/framing';

/** A frame as recorded: its bytes (copied) and its info. */
export interface SeenFrame {
  data: Buffer;
  info: FrameInfo;
  /** The frame as it was handed over (not copied), to check views against their read. */
  view: Uint8Array;
}

/** A deframer for `spec` and the frames it has handed over so far. */
export function recording(spec: unknown): { deframer: Deframer; frames: SeenFrame[]; texts: () => string[] } {
  const frames: SeenFrame[] = [];
  const deframer = createDeframer(parseFramingSpec(spec), (frame, info) =>
    frames.push({ data: Buffer.from(frame), info: { ...info }, view: frame }),
  );
  return { deframer, frames, texts: () => frames.map((f) => f.data.toString('latin1')) };
}

/** A length-prefixed frame: `offset` filler bytes, the length field, the body. */
export function lengthFrame(
  body: Buffer,
  options: { bytes: 1 | 2 | 4; endian?: 'be' | 'le'; offset?: number; adjust?: number; prefix?: Buffer },
): Buffer {
  const offset = options.offset ?? 0;
  const header = Buffer.alloc(offset + options.bytes, 0xaa);
  options.prefix?.copy(header, 0, 0, offset);
  const value = body.length - (options.adjust ?? 0);
  const le = options.endian === 'le';
  if (options.bytes === 1) header.writeUInt8(value, offset);
  else if (options.bytes === 2 && le) header.writeUInt16LE(value, offset);
  else if (options.bytes === 2) header.writeUInt16BE(value, offset);
  else if (le) header.writeUInt32LE(value, offset);
  else header.writeUInt32BE(value, offset);
  return Buffer.concat([header, body]);
}

/** `stream` cut at the given points (sorted, deduplicated, inside it). */
export function splitAt(stream: Buffer, points: number[]): Buffer[] {
  const cuts = [...new Set(points.filter((p) => p > 0 && p < stream.length))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts, stream.length]) {
    pieces.push(stream.subarray(at, cut));
    at = cut;
  }
  return pieces.filter((p) => p.length > 0);
}

/** A frame of the reference deframers: bytes and info, compared with what a deframer hands over. */
export interface ReferenceFrame {
  data: Buffer;
  info: FrameInfo;
}

/**
 * The frames of a whole stream under line/delimiter framing, written the plain way (search from each
 * frame's start; a frame over max is cut and the deframer resumes after its delimiter), then the frame
 * in progress that flush hands over.
 */
export function referenceDelimited(
  stream: Buffer,
  delimiter: Buffer,
  max: number,
  optionalCr: boolean,
): ReferenceFrame[] {
  const frames: ReferenceFrame[] = [];
  let start = 0;
  for (;;) {
    const at = stream.indexOf(delimiter, start);
    if (at < 0) break;
    const end = at + delimiter.length;
    if (end - start > max) {
      frames.push({ data: stream.subarray(start, start + max), info: { truncated: true } });
    } else {
      const crlf = optionalCr && at > start && stream[at - 1] === 0x0d;
      frames.push({ data: stream.subarray(start, end), info: { delimiterBytes: crlf ? 2 : delimiter.length } });
    }
    start = end;
  }
  const rest = stream.length - start;
  if (rest >= max) frames.push({ data: stream.subarray(start, start + max), info: { truncated: true } });
  else if (rest > 0) frames.push({ data: stream.subarray(start), info: { partial: true } });
  return frames;
}

/** The frames of a whole stream under length framing (`size` for fixed framing), then flush's partial frame. */
export function referenceLength(
  stream: Buffer,
  rule: { bytes: 1 | 2 | 4; endian: 'be' | 'le'; offset: number; adjust: number } | { size: number },
  max: number,
): ReferenceFrame[] {
  const frames: ReferenceFrame[] = [];
  const header = 'size' in rule ? 0 : rule.offset + rule.bytes;
  const headerInfo = header > 0 ? { headerBytes: header } : {};
  let start = 0;
  while (stream.length - start >= header) {
    let size: number;
    if ('size' in rule) {
      size = rule.size;
    } else {
      const field = start + rule.offset;
      let value = 0;
      for (let i = 0; i < rule.bytes; i++) {
        const byte = stream[rule.endian === 'le' ? field + i : field + rule.bytes - 1 - i];
        value += byte * 2 ** (8 * i);
      }
      size = header + Math.max(0, value + rule.adjust);
    }
    const kept = Math.min(size, max);
    if (stream.length - start < kept) break;
    if (size > max) {
      frames.push({
        data: stream.subarray(start, start + max),
        info: { truncated: true, ...(header > 0 ? { headerBytes: Math.min(header, max) } : {}) },
      });
    } else {
      frames.push({ data: stream.subarray(start, start + size), info: { ...headerInfo } });
    }
    start += size;
  }
  if (start < stream.length) {
    const rest = stream.subarray(start);
    frames.push({
      data: rest,
      info: rest.length >= header && header > 0 ? { partial: true, headerBytes: header } : { partial: true },
    });
  }
  return frames;
}

/** Pushes `pieces` into a fresh deframer for `spec`, flushes it and returns every frame it handed over. */
export function deframeAll(spec: unknown, pieces: Uint8Array[]): ReferenceFrame[] {
  const { deframer, frames } = recording(spec);
  let pendingMax = 0;
  const max = parseFramingSpec(spec).maxFrameBytes!;
  for (const piece of pieces) {
    deframer.push(piece);
    pendingMax = Math.max(pendingMax, deframer.pending);
  }
  deframer.flush();
  deframer.dispose();
  if (pendingMax > max) throw new Error(`pending reached ${pendingMax}, over maxFrameBytes ${max}`);
  return frames.map((f) => ({ data: f.data, info: f.info }));
}
