/**
 * The `framing=` option of a `connect` line, in the framing issue's short syntax
 * (`none|line|crlf|delimiter:HEX|length:BYTES[:le][:offset=N][:adjust=N]|fixed:N|idle:MS`).
 * This file is the only place the request-file code meets framing: when src/shared/framing.ts provides
 * FramingSpec, parseFramingShorthand and formatFramingShorthand, it becomes a re-export of those.
 */
import { SocketLabError } from '../errors';
import { describeValue } from '../payload';

/** How a byte stream is cut into messages (the framing issue's contract, without maxFrameBytes here). */
export type FramingSpec =
  | { mode: 'none' }
  | { mode: 'line'; eol?: 'lf' | 'crlf' | 'any' }
  | { mode: 'delimiter'; delimiter: string; format?: 'text' | 'hex' }
  | { mode: 'length'; bytes: 1 | 2 | 4; endian?: 'be' | 'le'; offset?: number; adjust?: number }
  | { mode: 'fixed'; size: number }
  | { mode: 'idle'; gapMs: number };

const FORMS = 'none, line, crlf, delimiter:HEX, length:BYTES[:le][:offset=N][:adjust=N], fixed:N or idle:MS';

function bad(text: string): SocketLabError {
  return SocketLabError.create('invalidFraming', 'Framing must be one of {allowed} (got {value}).', {
    value: describeValue(text),
    allowed: FORMS,
  });
}

function whole(text: string | undefined, min: number, max: number, signed = false): number | undefined {
  if (text === undefined || !(signed ? /^-?[0-9]{1,9}$/ : /^[0-9]{1,9}$/).test(text)) {
    return undefined;
  }
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}

/** Parses the short framing syntax, or throws SocketLabError 'invalidFraming' listing the forms. */
export function parseFramingOption(text: string): FramingSpec {
  const [mode, ...rest] = text.split(':');
  const one = rest.length === 1 ? rest[0] : undefined;
  switch (mode) {
    case 'none':
    case 'line':
    case 'crlf':
      if (rest.length) break;
      return mode === 'none' ? { mode } : mode === 'line' ? { mode: 'line' } : { mode: 'line', eol: 'crlf' };
    case 'delimiter':
      if (one === undefined || !/^([0-9a-fA-F]{2})+$/.test(one)) break;
      return { mode: 'delimiter', delimiter: one.toLowerCase(), format: 'hex' };
    case 'fixed': {
      const size = whole(one, 1, 64 * 1024 * 1024);
      if (size === undefined) break;
      return { mode: 'fixed', size };
    }
    case 'idle': {
      const gapMs = whole(one, 1, 3_600_000);
      if (gapMs === undefined) break;
      return { mode: 'idle', gapMs };
    }
    case 'length': {
      const bytes = rest[0];
      if (bytes !== '1' && bytes !== '2' && bytes !== '4') break;
      const spec: FramingSpec = { mode: 'length', bytes: Number(bytes) as 1 | 2 | 4 };
      let endianSeen = false;
      for (const part of rest.slice(1)) {
        if ((part === 'le' || part === 'be') && !endianSeen && spec.offset === undefined && spec.adjust === undefined) {
          // Big-endian is the default, so only 'le' is kept: the spec then prints back the same way.
          endianSeen = true;
          if (part === 'le') spec.endian = 'le';
        } else if (part.startsWith('offset=') && spec.offset === undefined && spec.adjust === undefined) {
          spec.offset = whole(part.slice(7), 0, 65535);
          if (spec.offset === undefined) throw bad(text);
        } else if (part.startsWith('adjust=') && spec.adjust === undefined) {
          spec.adjust = whole(part.slice(7), -65535, 65535, true);
          if (spec.adjust === undefined) throw bad(text);
        } else {
          throw bad(text);
        }
      }
      return spec;
    }
  }
  throw bad(text);
}

/** The short syntax of `spec` (what parseFramingOption reads back to the same spec). */
export function formatFramingOption(spec: FramingSpec): string {
  switch (spec.mode) {
    case 'none':
      return 'none';
    case 'line':
      return spec.eol === 'crlf' ? 'crlf' : 'line';
    case 'delimiter':
      return `delimiter:${spec.delimiter}`;
    case 'fixed':
      return `fixed:${spec.size}`;
    case 'idle':
      return `idle:${spec.gapMs}`;
    case 'length': {
      let out = `length:${spec.bytes}`;
      if (spec.endian === 'le') out += ':le';
      if (spec.offset !== undefined) out += `:offset=${spec.offset}`;
      if (spec.adjust !== undefined) out += `:adjust=${spec.adjust}`;
      return out;
    }
  }
}
