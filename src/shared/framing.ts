/**
 * Framing of TCP and Unix streams: how a byte stream is cut into messages (lines, delimiter-terminated
 * frames, length-prefixed records, fixed sizes, or silence). This file holds the vocabulary every layer
 * speaks: the spec as the API takes it, its runtime parser and its short description for the UI. The
 * core turns a parsed spec into a deframer (src/core/framing/); the request files write it in short form
 * (shared/framingShorthand.ts).
 */
import { SocketLabError, fillTemplate, type ErrorValues } from './errors';
import {
  FRAMING_DEFAULT_MAX_FRAME_BYTES,
  FRAMING_IDLE_GAP_MAX_MS,
  FRAMING_LENGTH_ADJUST_MAX,
  FRAMING_LENGTH_OFFSET_MAX,
  FRAMING_MAX_FRAME_BYTES,
} from './limits';
import { describeValue } from './payload';
import type { ValueWords } from './valueWords';

/** How a stream is cut into frames. */
export type FramingMode = 'none' | 'line' | 'delimiter' | 'length' | 'fixed' | 'idle';

/** Which line ending ends a line: LF, CR LF, or LF with an optional CR before it. */
export type LineEol = 'lf' | 'crlf' | 'any';

/** How a delimiter is written: text with the composer's escapes, or hex. */
export type DelimiterFormat = 'text' | 'hex';

/** Size in bytes of a length field. */
export type LengthFieldBytes = 1 | 2 | 4;

/** Byte order of a length field. */
export type LengthEndian = 'be' | 'le';

/** Fields every mode has. */
interface FramingCommon {
  /** A frame longer than this is cut at it and marked truncated (default 1 MiB, at most 64 MiB). */
  maxFrameBytes?: number;
}

/**
 * A framing spec as the API takes it; `parseFramingSpec` returns it with every default filled in.
 * - none: each read is a record (no framing);
 * - line: a frame ends with its line ending (default `any`: LF with an optional CR before it);
 * - delimiter: a frame ends with the delimiter (`text` with escapes such as `\r\n`, or `hex` such as `7e`);
 * - length: a `bytes`-wide length field at `offset` says the frame is `offset + bytes + length + adjust` long;
 * - fixed: every frame is `size` bytes;
 * - idle: a frame ends when nothing arrives for `gapMs`.
 */
export type FramingSpec =
  | ({ mode: 'none' } & FramingCommon)
  | ({ mode: 'line'; eol?: LineEol } & FramingCommon)
  | ({ mode: 'delimiter'; delimiter: string; format?: DelimiterFormat } & FramingCommon)
  | ({
      mode: 'length';
      bytes: LengthFieldBytes;
      endian?: LengthEndian;
      offset?: number;
      adjust?: number;
    } & FramingCommon)
  | ({ mode: 'fixed'; size: number } & FramingCommon)
  | ({ mode: 'idle'; gapMs: number } & FramingCommon);

/** The framing modes, in the order the UI offers them. */
export const FRAMING_MODES: readonly FramingMode[] = ['none', 'line', 'delimiter', 'length', 'fixed', 'idle'];
/** The line endings of line framing. */
export const LINE_EOLS: readonly LineEol[] = ['lf', 'crlf', 'any'];
/** The ways a delimiter is written. */
export const DELIMITER_FORMATS: readonly DelimiterFormat[] = ['text', 'hex'];
/** The sizes of a length field. */
export const LENGTH_FIELD_BYTES: readonly LengthFieldBytes[] = [1, 2, 4];
/** The byte orders of a length field. */
export const LENGTH_ENDIANS: readonly LengthEndian[] = ['be', 'le'];

/** The framing of an endpoint that sets none. */
export const NO_FRAMING: FramingSpec = Object.freeze({ mode: 'none', maxFrameBytes: FRAMING_DEFAULT_MAX_FRAME_BYTES });

/** The fields of each mode, in the order the refusal of an unknown field lists them. */
const FIELDS: Readonly<Record<FramingMode, readonly string[]>> = {
  none: ['mode', 'maxFrameBytes'],
  line: ['mode', 'eol', 'maxFrameBytes'],
  delimiter: ['mode', 'delimiter', 'format', 'maxFrameBytes'],
  length: ['mode', 'bytes', 'endian', 'offset', 'adjust', 'maxFrameBytes'],
  fixed: ['mode', 'size', 'maxFrameBytes'],
  idle: ['mode', 'gapMs', 'maxFrameBytes'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The words of a list in a sentence: 'lf, crlf or any'. */
function alternatives(items: readonly (string | number)[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** Refuses `value` unless it is one of `allowed`; returns it typed. */
function oneOf<T extends string | number>(value: unknown, field: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw SocketLabError.create('invalidFraming', '{field} must be {allowed} (got {value}).', {
      field,
      allowed: alternatives(allowed),
      value: describeValue(value),
    });
  }
  return value as T;
}

/** Refuses `value` unless it is a whole number (a JSON number, not a string) in [min, max]. */
function wholeNumber(value: unknown, field: string, min: number, max: number, milliseconds = false): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
    return value;
  }
  const values = { field, min, max, value: describeValue(value) };
  throw milliseconds
    ? SocketLabError.create(
        'invalidFraming',
        '{field} must be a whole number of milliseconds from {min} to {max} (got {value}).',
        values,
      )
    : SocketLabError.create(
        'invalidFraming',
        '{field} must be a whole number from {min} to {max} (got {value}).',
        values,
      );
}

/**
 * Checks a framing spec of unknown shape (a command argument, a panel message) and returns it with every
 * default filled in (eol any, format text, endian be, offset 0, adjust 0, maxFrameBytes 1 MiB). Refuses
 * a bad shape with SocketLabError 'invalidFraming' (or 'unknownField') whose sentence names the field
 * (`framing.bytes must be 1, 2 or 4 (got 3).`). A delimiter is kept as written: the core decodes it.
 */
export function parseFramingSpec(value: unknown, field = 'framing'): FramingSpec {
  if (!isRecord(value)) {
    throw SocketLabError.create('invalidFraming', '{field} must be an object whose mode is {allowed} (got {value}).', {
      field,
      allowed: alternatives(FRAMING_MODES),
      value: describeValue(value),
    });
  }
  const mode = oneOf(value.mode, `${field}.mode`, FRAMING_MODES);
  const fields = FIELDS[mode];
  for (const key of Object.keys(value)) {
    if (!fields.includes(key)) {
      throw SocketLabError.create(
        'unknownField',
        '{field} is not a field of {mode} framing; its fields are {fields}.',
        { field: `${field}.${key}`, mode, fields: fields.join(', ') },
      );
    }
  }
  const maxFrameBytes =
    value.maxFrameBytes === undefined
      ? FRAMING_DEFAULT_MAX_FRAME_BYTES
      : wholeNumber(value.maxFrameBytes, `${field}.maxFrameBytes`, 1, FRAMING_MAX_FRAME_BYTES);
  switch (mode) {
    case 'none':
      return { mode, maxFrameBytes };
    case 'line':
      return {
        mode,
        eol: value.eol === undefined ? 'any' : oneOf(value.eol, `${field}.eol`, LINE_EOLS),
        maxFrameBytes,
      };
    case 'delimiter': {
      if (typeof value.delimiter !== 'string' || value.delimiter === '') {
        throw SocketLabError.create(
          'invalidFraming',
          '{field} must be a non-empty string: text with escapes such as \\r\\n, or hex such as 7e (got {value}).',
          { field: `${field}.delimiter`, value: describeValue(value.delimiter) },
        );
      }
      const format = value.format === undefined ? 'text' : oneOf(value.format, `${field}.format`, DELIMITER_FORMATS);
      return { mode, delimiter: value.delimiter, format, maxFrameBytes };
    }
    case 'length': {
      const bytes = oneOf(value.bytes, `${field}.bytes`, LENGTH_FIELD_BYTES);
      const endian = value.endian === undefined ? 'be' : oneOf(value.endian, `${field}.endian`, LENGTH_ENDIANS);
      const offset =
        value.offset === undefined ? 0 : wholeNumber(value.offset, `${field}.offset`, 0, FRAMING_LENGTH_OFFSET_MAX);
      const adjust =
        value.adjust === undefined
          ? 0
          : wholeNumber(value.adjust, `${field}.adjust`, -FRAMING_LENGTH_ADJUST_MAX, FRAMING_LENGTH_ADJUST_MAX);
      if (offset + bytes > maxFrameBytes) {
        // The header alone would be over the limit: no frame could ever be read whole.
        throw SocketLabError.create(
          'invalidFraming',
          '{field} puts the length field past {maxField} ({max}) (got {value}); lower it or raise {maxField}.',
          { field: `${field}.offset`, maxField: `${field}.maxFrameBytes`, max: maxFrameBytes, value: offset },
        );
      }
      return { mode, bytes, endian, offset, adjust, maxFrameBytes };
    }
    case 'fixed': {
      const size = wholeNumber(value.size, `${field}.size`, 1, FRAMING_MAX_FRAME_BYTES);
      if (size > maxFrameBytes) {
        // Every frame would be cut: say which of the two to change rather than truncate everything.
        throw SocketLabError.create(
          'invalidFraming',
          '{field} must be at most {maxField} ({max}) (got {value}); raise {maxField} for larger frames.',
          { field: `${field}.size`, maxField: `${field}.maxFrameBytes`, max: maxFrameBytes, value: size },
        );
      }
      return { mode, size, maxFrameBytes };
    }
    case 'idle':
      return {
        mode,
        gapMs: wholeNumber(value.gapMs, `${field}.gapMs`, 1, FRAMING_IDLE_GAP_MAX_MS, true),
        maxFrameBytes,
      };
  }
}

/** Like parseFramingSpec, but returns the error (or undefined) instead of throwing it. */
export function checkFramingSpec(value: unknown, field = 'framing'): SocketLabError | undefined {
  try {
    parseFramingSpec(value, field);
    return undefined;
  } catch (err) {
    if (err instanceof SocketLabError) {
      return err;
    }
    throw err;
  }
}

/**
 * The words of a framing's description in the Sockets view and the panel ('line (any)', 'length 2 BE at
 * 4, +0'): templates a host translates before filling them (scripts/l10n.mjs collects them).
 */
export const FRAMING_WORDS: ValueWords = {
  none: 'none',
  line: 'line ({eol})',
  delimiterHex: 'delimiter {delimiter}',
  delimiterText: 'delimiter "{delimiter}"',
  length: 'length {bytes} {endian} at {offset}, {adjust}',
  fixed: 'fixed {size}',
  idle: 'idle {gapMs} ms',
  withMax: '{framing}, frames up to {max} bytes',
};

/** Translates a template of FRAMING_WORDS and fills it; the host passes one built on vscode.l10n.t. */
export type FramingTranslate = (template: string, values: ErrorValues) => string;

/**
 * A short description of a framing for the Sockets view and tooltips: 'line (any)', 'delimiter 7e',
 * 'length 2 BE at 4, +0', 'fixed 16', 'idle 50 ms', with ', frames up to N bytes' when maxFrameBytes is
 * not the default. `translate` fills a template of FRAMING_WORDS (default: English).
 */
export function describeFraming(spec: FramingSpec, translate: FramingTranslate = fillTemplate): string {
  const text = describeMode(spec, translate);
  const max = spec.maxFrameBytes ?? FRAMING_DEFAULT_MAX_FRAME_BYTES;
  return max === FRAMING_DEFAULT_MAX_FRAME_BYTES ? text : translate(FRAMING_WORDS.withMax, { framing: text, max });
}

function describeMode(spec: FramingSpec, translate: FramingTranslate): string {
  switch (spec.mode) {
    case 'none':
      return translate(FRAMING_WORDS.none, {});
    case 'line':
      return translate(FRAMING_WORDS.line, { eol: spec.eol ?? 'any' });
    case 'delimiter':
      return spec.format === 'hex'
        ? translate(FRAMING_WORDS.delimiterHex, { delimiter: spec.delimiter.trim().toLowerCase() })
        : translate(FRAMING_WORDS.delimiterText, { delimiter: spec.delimiter });
    case 'length': {
      const adjust = spec.adjust ?? 0;
      return translate(FRAMING_WORDS.length, {
        bytes: spec.bytes,
        endian: (spec.endian ?? 'be').toUpperCase(),
        offset: spec.offset ?? 0,
        adjust: adjust < 0 ? String(adjust) : `+${adjust}`,
      });
    }
    case 'fixed':
      return translate(FRAMING_WORDS.fixed, { size: spec.size });
    case 'idle':
      return translate(FRAMING_WORDS.idle, { gapMs: spec.gapMs });
  }
}
