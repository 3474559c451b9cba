/**
 * Payload codecs: what the user types (text with escapes, hex, base64) becomes bytes, and received
 * bytes become text (how that text is shown is in shared/display.ts). Character sets come from iconv-lite
 * rather than hand-written tables. Every failure is a SocketLabError with a stable code.
 */
import * as iconv from 'iconv-lite';
import { escapeForDisplay } from '../shared/display';
import { SocketLabError } from '../shared/errors';
import {
  LINE_ENDINGS,
  LINE_ENDING_TEXT,
  PAYLOAD_FORMATS,
  describeValue,
  normalizeEncoding,
  type PayloadSpec,
} from '../shared/payload';
import { decodeBase64, decodeHex, hexValue } from './hexAndBase64';

/** Characters of a text segment and where they start in the typed data (escaped: from one escape). */
export interface TextPiece {
  text: string;
  source: number;
  escaped?: boolean;
}

/** One piece of a parsed text payload: characters to encode, or raw bytes from `\xHH` escapes. */
export type TextSegment = { kind: 'text'; text: string; pieces: TextPiece[] } | { kind: 'bytes'; bytes: Uint8Array };

/** A Buffer view on the same memory (no copy), for APIs that want a Buffer. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A plain Uint8Array copy of `buffer`, so callers never hold a pooled Buffer slice. */
function toPlainBytes(buffer: Uint8Array): Uint8Array {
  const out = new Uint8Array(buffer.byteLength);
  out.set(buffer);
  return out;
}

/** One new array holding `parts` one after another. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const part of parts) {
    total += part.byteLength;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function badEscape(position: number, sequence: string, why: 'unfinished' | 'bad' | 'unknown'): SocketLabError {
  const values = { position, sequence, escape: `\\${escapeForDisplay(sequence.slice(1))}` };
  switch (why) {
    case 'unfinished':
      return SocketLabError.create(
        'badEscape',
        'Payload text has an unfinished escape "{escape}" at position {position}; allowed escapes are \\n \\r \\t \\0 \\\\ \\xHH \\uHHHH and \\u{H...}.',
        values,
      );
    case 'bad':
      return SocketLabError.create(
        'badEscape',
        'Payload text has a bad or unfinished escape "{escape}" at position {position}; allowed escapes are \\n \\r \\t \\0 \\\\ \\xHH \\uHHHH and \\u{H...}.',
        values,
      );
    case 'unknown':
      return SocketLabError.create(
        'badEscape',
        'Payload text has an unknown escape "{escape}" at position {position}; allowed escapes are \\n \\r \\t \\0 \\\\ \\xHH \\uHHHH and \\u{H...}.',
        values,
      );
  }
}

/**
 * Splits text with escapes into runs of characters to encode and raw bytes. `\xHH` is a raw byte
 * (not the character U+00HH) so that binary can be mixed into text whatever the encoding; every
 * other escape (including `\0`, `\uHHHH`, `\u{H...}`) is a character that the encoding then encodes.
 */
export function parseTextSegments(data: string, escapes = true): TextSegment[] {
  if (!escapes || data.indexOf('\\') < 0) {
    return [{ kind: 'text', text: data, pieces: [{ text: data, source: 0 }] }];
  }
  const segments: TextSegment[] = [];
  let pieces: TextPiece[] = [];
  let rawBytes: number[] = [];
  const flushText = () => {
    if (pieces.length > 0) {
      segments.push({ kind: 'text', text: pieces.map((p) => p.text).join(''), pieces });
      pieces = [];
    }
  };
  const flushBytes = () => {
    if (rawBytes.length > 0) {
      segments.push({ kind: 'bytes', bytes: Uint8Array.from(rawBytes) });
      rawBytes = [];
    }
  };
  const addText = (text: string, source: number, escaped = false) => {
    flushBytes();
    pieces.push({ text, source, escaped });
  };
  let i = 0;
  while (i < data.length) {
    const slash = data.indexOf('\\', i);
    if (slash < 0) {
      addText(data.slice(i), i);
      break;
    }
    if (slash > i) {
      addText(data.slice(i, slash), i);
    }
    const position = slash + 1;
    const next = data[slash + 1];
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '0': '\0', '\\': '\\' };
    if (next === undefined) {
      throw badEscape(position, '\\', 'unfinished');
    } else if (Object.prototype.hasOwnProperty.call(simple, next)) {
      addText(simple[next], slash, true);
      i = slash + 2;
    } else if (next === 'x') {
      const hi = hexValue(data.charCodeAt(slash + 2));
      const lo = hexValue(data.charCodeAt(slash + 3));
      if (hi < 0 || lo < 0) {
        throw badEscape(position, data.slice(slash, slash + 4), 'bad');
      }
      flushText();
      rawBytes.push(hi * 16 + lo);
      i = slash + 4;
    } else if (next === 'u' && data[slash + 2] === '{') {
      const close = data.indexOf('}', slash + 3);
      const digits = close < 0 ? '' : data.slice(slash + 3, close);
      const codePoint = /^[0-9a-fA-F]{1,6}$/.test(digits) ? parseInt(digits, 16) : -1;
      if (codePoint < 0 || codePoint > 0x10ffff) {
        throw badEscape(position, close < 0 ? data.slice(slash, slash + 10) : data.slice(slash, close + 1), 'bad');
      }
      addText(String.fromCodePoint(codePoint), slash, true);
      i = close + 1;
    } else if (next === 'u') {
      const digits = data.slice(slash + 2, slash + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(digits)) {
        throw badEscape(position, data.slice(slash, slash + 6), 'bad');
      }
      addText(String.fromCharCode(parseInt(digits, 16)), slash, true);
      i = slash + 6;
    } else {
      throw badEscape(position, data.slice(slash, slash + 1 + (next.codePointAt(0)! > 0xffff ? 2 : 1)), 'unknown');
    }
  }
  flushText();
  flushBytes();
  return segments;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NOT_ASCII = /[\u0080-\uffff]/;
const NOT_LATIN1 = /[\u0100-\uffff]/;
const QUESTION_MARK = 0x3f;

// Per code point answers for the multi-byte tables, so locating an offender in a 1 MB payload costs
// one iconv call per distinct character, not per character.
const encodableCache = new Map<string, Map<number, boolean>>();

function isEncodableCodePoint(codePoint: number, encoding: string): boolean {
  let cache = encodableCache.get(encoding);
  if (!cache) {
    cache = new Map();
    encodableCache.set(encoding, cache);
  }
  let known = cache.get(codePoint);
  if (known === undefined) {
    const bytes = iconv.encode(String.fromCodePoint(codePoint), encoding);
    known = !(bytes.length === 1 && bytes[0] === QUESTION_MARK);
    cache.set(codePoint, known);
  }
  return known;
}

/** Index (in UTF-16 units) of the first character of `text` that `encoding` cannot represent, or -1. */
function findUnencodable(text: string, encoding: string, encoded: Buffer): number {
  const lone = LONE_SURROGATE.exec(text);
  // utf16le carries lone surrogates as they are; every other encoding would substitute them.
  const loneIndex = lone && encoding !== 'utf16le' ? lone.index : -1;
  let index = -1;
  switch (encoding) {
    case 'utf8':
    case 'utf16le':
      return loneIndex;
    case 'ascii':
      index = text.search(NOT_ASCII);
      break;
    case 'latin1':
      index = text.search(NOT_LATIN1);
      break;
    default: {
      // iconv-lite writes '?' for what its table lacks, and no valid multi-byte sequence of these
      // encodings contains the byte 0x3f, so equal counts of '?' prove that nothing was substituted.
      let questionsIn = 0;
      for (let at = text.indexOf('?'); at >= 0; at = text.indexOf('?', at + 1)) {
        questionsIn++;
      }
      let questionsOut = 0;
      for (let at = encoded.indexOf(QUESTION_MARK); at >= 0; at = encoded.indexOf(QUESTION_MARK, at + 1)) {
        questionsOut++;
      }
      if (questionsIn === questionsOut) {
        return -1;
      }
      for (let at = 0; at < text.length;) {
        const codePoint = text.codePointAt(at)!;
        const width = codePoint > 0xffff ? 2 : 1;
        const isLone = codePoint >= 0xd800 && codePoint <= 0xdfff;
        if (codePoint >= 0x80 && (isLone || !isEncodableCodePoint(codePoint, encoding))) {
          index = at;
          break;
        }
        at += width;
      }
    }
  }
  if (loneIndex >= 0 && (index < 0 || loneIndex < index)) {
    return loneIndex;
  }
  return index;
}

/** Encodes one text segment, refusing (instead of mangling) characters the encoding lacks. */
function encodeTextSegment(segment: Extract<TextSegment, { kind: 'text' }>, encoding: string): Uint8Array {
  const encoded = iconv.encode(segment.text, encoding);
  const bad = findUnencodable(segment.text, encoding, encoded);
  if (bad >= 0) {
    let offset = 0;
    let position = 1;
    for (const piece of segment.pieces) {
      if (bad < offset + piece.text.length) {
        // Characters of a literal run map one to one; an escape maps to where it starts.
        position = piece.source + 1 + (piece.escaped ? 0 : bad - offset);
        break;
      }
      offset += piece.text.length;
    }
    const codePoint = segment.text.codePointAt(bad)!;
    const char = String.fromCodePoint(codePoint);
    const hexCode = codePoint.toString(16).toUpperCase().padStart(4, '0');
    throw SocketLabError.create(
      'notEncodable',
      'Payload text has {quotedChar} ({codePoint}) at position {position}, which the {encoding} encoding cannot represent; choose another encoding or write raw bytes as \\xHH.',
      { char, quotedChar: JSON.stringify(char), codePoint: `U+${hexCode}`, position, encoding },
    );
  }
  return encoded;
}

/** Encodes parsed text segments: text runs through `encoding`, raw bytes as they are. */
export function encodeTextSegments(segments: readonly TextSegment[], encoding = 'utf8'): Uint8Array {
  const name = normalizeEncoding(encoding);
  const parts = segments.map((segment) =>
    segment.kind === 'bytes' ? segment.bytes : encodeTextSegment(segment, name),
  );
  return parts.length === 1 ? toPlainBytes(parts[0]) : concatBytes(parts);
}

/**
 * text -> bytes. Defaults: format 'text', encoding 'utf8', escapes true for text, lineEnding 'none'.
 * The line ending is appended to every format (encoded in the text encoding for text, so utf16le
 * gets 0d 00 0a 00; plain ASCII bytes for hex and base64). Throws SocketLabError.
 */
export function encodePayload(spec: PayloadSpec): Uint8Array {
  if (typeof spec !== 'object' || spec === null || typeof spec.data !== 'string') {
    throw SocketLabError.create('invalidPayload', 'Payload data must be a string (got {value}).', {
      value: describeValue(spec?.data),
    });
  }
  const format = spec.format ?? 'text';
  const lineEnding = spec.lineEnding ?? 'none';
  if (!Object.prototype.hasOwnProperty.call(LINE_ENDING_TEXT, lineEnding)) {
    throw SocketLabError.create('unknownLineEnding', 'Line ending must be one of {allowed} (got {value}).', {
      value: describeValue(lineEnding),
      allowed: LINE_ENDINGS.join(', '),
    });
  }
  const ending = LINE_ENDING_TEXT[lineEnding];
  let body: Uint8Array;
  let endingBytes: Uint8Array | undefined;
  if (format === 'text') {
    const encoding = normalizeEncoding(spec.encoding ?? 'utf8');
    body = encodeTextSegments(parseTextSegments(spec.data, spec.escapes ?? true), encoding);
    endingBytes = ending ? iconv.encode(ending, encoding) : undefined;
  } else if (format === 'hex') {
    body = decodeHex(spec.data);
  } else if (format === 'base64') {
    body = decodeBase64(spec.data);
  } else {
    throw SocketLabError.create('unknownFormat', 'Payload format must be one of {allowed} (got {value}).', {
      value: describeValue(format),
      allowed: PAYLOAD_FORMATS.join(', '),
    });
  }
  if (ending && !endingBytes) {
    endingBytes = Buffer.from(ending, 'latin1');
  }
  return endingBytes ? concatBytes([body, endingBytes]) : body;
}

/** bytes -> string in the given encoding (iconv-lite); invalid sequences become U+FFFD. A BOM is kept, since it is data. */
export function decodeText(bytes: Uint8Array, encoding = 'utf8'): string {
  const name = normalizeEncoding(encoding);
  const text = iconv.decode(asBuffer(bytes), name, { stripBOM: false });
  // Node's utf16le decoder silently drops a trailing odd byte; show that it was there.
  return name === 'utf16le' && bytes.byteLength % 2 === 1 ? `${text}\uFFFD` : text;
}

/** base64 of bytes (for export / JSON Lines). */
export function toBase64(bytes: Uint8Array): string {
  return asBuffer(bytes).toString('base64');
}
