/**
 * The short form of a framing spec that request files write after `framing=` (issue 15):
 * `none | line[:lf|crlf|any] | crlf | delimiter:HEX | length:BYTES[:le|be][:offset=N][:adjust=N] | fixed:N |
 * idle:MS`, each optionally followed by `:max=N` (maxFrameBytes). The values are checked by
 * parseFramingSpec, so a short form is refused with the same sentences as the object it stands for.
 */
import { SocketLabError } from './errors';
import { FRAMING_DEFAULT_MAX_FRAME_BYTES } from './limits';
import { parseFramingSpec, type FramingSpec } from './framing';
import { describeValue } from './payload';

/** The short forms, as a refusal lists them. */
const FORMS =
  'none, line, crlf, delimiter:HEX, length:BYTES[:le][:offset=N][:adjust=N], fixed:N or idle:MS (each may end with :max=N)';

/** The first part of each short form and the example a refusal shows when its value is missing. */
const EXAMPLES: Readonly<Record<string, string | undefined>> = {
  none: undefined,
  line: undefined,
  crlf: undefined,
  delimiter: 'delimiter:0d0a',
  length: 'length:2:offset=4',
  fixed: 'fixed:16',
  idle: 'idle:50',
};

/** The options each short form takes after its value, as a refusal lists them. */
const OPTIONS: Readonly<Record<string, string>> = {
  none: 'max=N',
  line: 'lf, crlf, any, max=N',
  crlf: 'max=N',
  delimiter: 'max=N',
  length: 'le, be, offset=N, adjust=N, max=N',
  fixed: 'max=N',
  idle: 'max=N',
};

/** A decimal number as a number; anything else stays a string, so parseFramingSpec refuses it with its sentence. */
function numberOrText(text: string): number | string {
  return /^-?[0-9]{1,12}$/.test(text) ? Number(text) : text;
}

/**
 * Parses the short form ('length:2:offset=4', 'delimiter:7e', 'crlf') into a framing spec with its defaults
 * filled in, as parseFramingSpec returns it. Throws SocketLabError 'invalidFraming' naming `field`; the
 * error's `index` value is where in `text` the refused part starts (for a request file's column).
 */
export function parseFramingShorthand(text: string, field = 'framing'): FramingSpec {
  const parts = typeof text === 'string' ? text.split(':') : [];
  const head = parts[0] ?? '';
  if (typeof text !== 'string' || !Object.prototype.hasOwnProperty.call(EXAMPLES, head)) {
    throw SocketLabError.create('invalidFraming', '{field} must be one of {forms} (got {value}).', {
      field,
      forms: FORMS,
      value: describeValue(text),
      index: 0,
    });
  }
  const spec: Record<string, unknown> = { mode: head };
  let index = head.length + 1;
  let rest = parts.slice(1);
  const example = EXAMPLES[head];
  if (head === 'crlf') {
    spec.mode = 'line';
    spec.eol = 'crlf';
  } else if (example !== undefined) {
    const value = rest[0];
    if (value === undefined || value === '' || value.includes('=')) {
      throw SocketLabError.create(
        'invalidFraming',
        '{field} is missing its value: write it as {example} (got {value}).',
        {
          field,
          example,
          value: describeValue(text),
          index: Math.min(index, text.length),
        },
      );
    }
    if (head === 'delimiter') {
      if (!/^(?:[0-9a-fA-F]{2})+$/.test(value)) {
        throw SocketLabError.create(
          'invalidFraming',
          '{field} must give the delimiter as hex digits, two per byte, as in {example} (got {value}).',
          { field, example, value: describeValue(value), index },
        );
      }
      spec.delimiter = value.toLowerCase();
      spec.format = 'hex';
    } else {
      spec[head === 'length' ? 'bytes' : head === 'fixed' ? 'size' : 'gapMs'] = numberOrText(value);
    }
    index += value.length + 1;
    rest = rest.slice(1);
  }
  const seen = new Set<string>();
  for (const option of rest) {
    const [name, value] = option.includes('=')
      ? [option.slice(0, option.indexOf('=')), option.slice(option.indexOf('=') + 1)]
      : [option, undefined];
    const key = value === undefined ? optionKey(head, name) : valueKey(head, name);
    if (!key) {
      throw SocketLabError.create(
        'invalidFraming',
        '{field} has an unknown option {value} for {mode}; allowed are {allowed}.',
        {
          field,
          value: describeValue(option),
          mode: head,
          allowed: OPTIONS[head],
          index,
        },
      );
    }
    if (seen.has(key)) {
      throw SocketLabError.create('invalidFraming', '{field} gives {option} twice (got {value}).', {
        field,
        option: key,
        value: describeValue(text),
        index,
      });
    }
    seen.add(key);
    spec[key] = value === undefined ? name : numberOrText(value);
    index += option.length + 1;
  }
  return parseFramingSpec(spec, field);
}

/** The spec field an option without '=' sets ('le' sets endian), or undefined when `head` takes no such option. */
function optionKey(head: string, name: string): string | undefined {
  if (head === 'line' && (name === 'lf' || name === 'crlf' || name === 'any')) return 'eol';
  if (head === 'length' && (name === 'le' || name === 'be')) return 'endian';
  return undefined;
}

/** The spec field a `name=N` option sets, or undefined when `head` takes no such option. */
function valueKey(head: string, name: string): string | undefined {
  if (name === 'max') return 'maxFrameBytes';
  if (head === 'length' && (name === 'offset' || name === 'adjust')) return name;
  return undefined;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += HEX[byte];
  return out;
}

/**
 * Writes a framing spec in its short form ('length:2:offset=4', 'delimiter:0d0a', 'line'), so that
 * parseFramingShorthand gives the same spec back (a text delimiter comes back as its hex). A text
 * delimiter with escapes needs its bytes (`delimiterBytes`, from the core's resolveFraming), since this
 * layer does not decode escapes; without them it is refused with SocketLabError 'framingNoShorthand'.
 */
export function formatFramingShorthand(spec: FramingSpec, delimiterBytes?: Uint8Array): string {
  const max =
    spec.maxFrameBytes === undefined || spec.maxFrameBytes === FRAMING_DEFAULT_MAX_FRAME_BYTES
      ? ''
      : `:max=${spec.maxFrameBytes}`;
  switch (spec.mode) {
    case 'none':
      return `none${max}`;
    case 'line':
      return spec.eol === 'crlf' ? `crlf${max}` : spec.eol === 'lf' ? `line:lf${max}` : `line${max}`;
    case 'delimiter':
      return `delimiter:${delimiterHex(spec, delimiterBytes)}${max}`;
    case 'length': {
      const endian = spec.endian === 'le' ? ':le' : '';
      const offset = spec.offset ? `:offset=${spec.offset}` : '';
      const adjust = spec.adjust ? `:adjust=${spec.adjust}` : '';
      return `length:${spec.bytes}${endian}${offset}${adjust}${max}`;
    }
    case 'fixed':
      return `fixed:${spec.size}${max}`;
    case 'idle':
      return `idle:${spec.gapMs}${max}`;
  }
}

function delimiterHex(spec: Extract<FramingSpec, { mode: 'delimiter' }>, delimiterBytes?: Uint8Array): string {
  if (delimiterBytes) {
    return toHex(delimiterBytes);
  }
  if (spec.format === 'hex') {
    // The hex as the API takes it may have separators and 0x prefixes; the short form has neither.
    return spec.delimiter
      .replace(/0x/gi, '')
      .replace(/[\s:,-]/g, '')
      .toLowerCase();
  }
  if (!spec.delimiter.includes('\\')) {
    return toHex(new TextEncoder().encode(spec.delimiter));
  }
  throw SocketLabError.create(
    'framingNoShorthand',
    'The delimiter {value} has escapes, which the short form cannot decode here; give its bytes or write it in hex.',
    { field: 'framing.delimiter', value: describeValue(spec.delimiter) },
  );
}
