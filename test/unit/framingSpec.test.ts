import * as assert from 'assert';
import fc from 'fast-check';
import '../helpers/noLeaks';
import { isSocketLabError } from '../../src/shared/errors';
import {
  FRAMING_WORDS,
  NO_FRAMING,
  checkFramingSpec,
  describeFraming,
  parseFramingSpec,
  type FramingSpec,
} from '../../src/shared/framing';
import { formatFramingShorthand, parseFramingShorthand } from '../../src/shared/framingShorthand';
import { FRAMING_DEFAULT_MAX_FRAME_BYTES, FRAMING_MAX_FRAME_BYTES } from '../../src/shared/limits';
import { resolveFraming } from '../../src/core/framing/deframer';

const MiB = 1024 * 1024;

/** The SocketLabError `fn` throws (fails when it throws none or something else). */
function refusal(fn: () => unknown): { code: string; message: string; values: Record<string, string | number> } {
  try {
    fn();
  } catch (err) {
    assert.ok(isSocketLabError(err), `not a SocketLabError: ${err}`);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('framing spec: parseFramingSpec', () => {
  it('fills in every default and keeps a delimiter as written', () => {
    assert.deepStrictEqual(parseFramingSpec({ mode: 'none' }), { mode: 'none', maxFrameBytes: MiB });
    assert.deepStrictEqual(parseFramingSpec({ mode: 'line' }), { mode: 'line', eol: 'any', maxFrameBytes: MiB });
    assert.deepStrictEqual(parseFramingSpec({ mode: 'line', eol: 'crlf', maxFrameBytes: 80 }), {
      mode: 'line',
      eol: 'crlf',
      maxFrameBytes: 80,
    });
    assert.deepStrictEqual(parseFramingSpec({ mode: 'delimiter', delimiter: '\\r\\n' }), {
      mode: 'delimiter',
      delimiter: '\\r\\n',
      format: 'text',
      maxFrameBytes: MiB,
    });
    assert.deepStrictEqual(parseFramingSpec({ mode: 'delimiter', delimiter: '7E', format: 'hex' }), {
      mode: 'delimiter',
      delimiter: '7E',
      format: 'hex',
      maxFrameBytes: MiB,
    });
    assert.deepStrictEqual(parseFramingSpec({ mode: 'length', bytes: 2, offset: 4 }), {
      mode: 'length',
      bytes: 2,
      endian: 'be',
      offset: 4,
      adjust: 0,
      maxFrameBytes: MiB,
    });
    assert.deepStrictEqual(parseFramingSpec({ mode: 'length', bytes: 4, endian: 'le', adjust: -4 }), {
      mode: 'length',
      bytes: 4,
      endian: 'le',
      offset: 0,
      adjust: -4,
      maxFrameBytes: MiB,
    });
    assert.deepStrictEqual(parseFramingSpec({ mode: 'fixed', size: 16 }), {
      mode: 'fixed',
      size: 16,
      maxFrameBytes: MiB,
    });
    assert.deepStrictEqual(parseFramingSpec({ mode: 'idle', gapMs: 50 }), {
      mode: 'idle',
      gapMs: 50,
      maxFrameBytes: MiB,
    });
    assert.deepStrictEqual(parseFramingSpec({ mode: 'none', maxFrameBytes: FRAMING_MAX_FRAME_BYTES }), {
      mode: 'none',
      maxFrameBytes: 64 * MiB,
    });
    assert.strictEqual(FRAMING_DEFAULT_MAX_FRAME_BYTES, MiB);
    assert.deepStrictEqual(parseFramingSpec(NO_FRAMING), NO_FRAMING);
  });

  it('gives a parsed spec back unchanged (parsing is idempotent)', () => {
    for (const spec of [
      { mode: 'line', eol: 'lf' },
      { mode: 'delimiter', delimiter: '7e', format: 'hex', maxFrameBytes: 5 },
      { mode: 'length', bytes: 1, endian: 'le', offset: 3, adjust: 2 },
      { mode: 'fixed', size: 3, maxFrameBytes: 3 },
      { mode: 'idle', gapMs: 60_000 },
    ]) {
      const once = parseFramingSpec(spec);
      assert.deepStrictEqual(parseFramingSpec(once), once);
    }
  });

  // Every refusal sentence of the parser, with the field it names.
  const refusals: Array<[string, unknown, string, string]> = [
    [
      'not an object',
      'line',
      'invalidFraming',
      'framing must be an object whose mode is none, line, delimiter, length, fixed or idle (got "line").',
    ],
    [
      'null',
      null,
      'invalidFraming',
      'framing must be an object whose mode is none, line, delimiter, length, fixed or idle (got null).',
    ],
    [
      'an array',
      [],
      'invalidFraming',
      'framing must be an object whose mode is none, line, delimiter, length, fixed or idle (got an array).',
    ],
    [
      'no mode',
      {},
      'invalidFraming',
      'framing.mode must be none, line, delimiter, length, fixed or idle (got nothing).',
    ],
    [
      'unknown mode',
      { mode: 'lines' },
      'invalidFraming',
      'framing.mode must be none, line, delimiter, length, fixed or idle (got "lines").',
    ],
    [
      'a field of another mode',
      { mode: 'line', size: 3 },
      'unknownField',
      'framing.size is not a field of line framing; its fields are mode, eol, maxFrameBytes.',
    ],
    [
      'an unknown field',
      { mode: 'length', bytes: 2, ofset: 4 },
      'unknownField',
      'framing.ofset is not a field of length framing; its fields are mode, bytes, endian, offset, adjust, maxFrameBytes.',
    ],
    ['eol', { mode: 'line', eol: 'cr' }, 'invalidFraming', 'framing.eol must be lf, crlf or any (got "cr").'],
    [
      'empty delimiter',
      { mode: 'delimiter', delimiter: '' },
      'invalidFraming',
      'framing.delimiter must be a non-empty string: text with escapes such as \\r\\n, or hex such as 7e (got "").',
    ],
    [
      'no delimiter',
      { mode: 'delimiter' },
      'invalidFraming',
      'framing.delimiter must be a non-empty string: text with escapes such as \\r\\n, or hex such as 7e (got nothing).',
    ],
    [
      'delimiter format',
      { mode: 'delimiter', delimiter: 'x', format: 'base64' },
      'invalidFraming',
      'framing.format must be text or hex (got "base64").',
    ],
    ['bytes 3', { mode: 'length', bytes: 3 }, 'invalidFraming', 'framing.bytes must be 1, 2 or 4 (got 3).'],
    ['bytes as text', { mode: 'length', bytes: '2' }, 'invalidFraming', 'framing.bytes must be 1, 2 or 4 (got "2").'],
    ['no bytes', { mode: 'length' }, 'invalidFraming', 'framing.bytes must be 1, 2 or 4 (got nothing).'],
    [
      'endian',
      { mode: 'length', bytes: 2, endian: 'BE' },
      'invalidFraming',
      'framing.endian must be be or le (got "BE").',
    ],
    [
      'negative offset',
      { mode: 'length', bytes: 2, offset: -1 },
      'invalidFraming',
      'framing.offset must be a whole number from 0 to 65535 (got -1).',
    ],
    [
      'fractional offset',
      { mode: 'length', bytes: 2, offset: 1.5 },
      'invalidFraming',
      'framing.offset must be a whole number from 0 to 65535 (got 1.5).',
    ],
    [
      'adjust too far',
      { mode: 'length', bytes: 2, adjust: 70000 },
      'invalidFraming',
      'framing.adjust must be a whole number from -65535 to 65535 (got 70000).',
    ],
    [
      'header past the limit',
      { mode: 'length', bytes: 4, offset: 8, maxFrameBytes: 10 },
      'invalidFraming',
      'framing.offset puts the length field past framing.maxFrameBytes (10) (got 8); lower it or raise framing.maxFrameBytes.',
    ],
    [
      'size 0',
      { mode: 'fixed', size: 0 },
      'invalidFraming',
      'framing.size must be a whole number from 1 to 67108864 (got 0).',
    ],
    [
      'size over maxFrameBytes',
      { mode: 'fixed', size: 2 * MiB },
      'invalidFraming',
      'framing.size must be at most framing.maxFrameBytes (1048576) (got 2097152); raise framing.maxFrameBytes for larger frames.',
    ],
    [
      'gap 0',
      { mode: 'idle', gapMs: 0 },
      'invalidFraming',
      'framing.gapMs must be a whole number of milliseconds from 1 to 60000 (got 0).',
    ],
    [
      'gap as text',
      { mode: 'idle', gapMs: '50' },
      'invalidFraming',
      'framing.gapMs must be a whole number of milliseconds from 1 to 60000 (got "50").',
    ],
    [
      'maxFrameBytes over 64 MiB',
      { mode: 'line', maxFrameBytes: 64 * MiB + 1 },
      'invalidFraming',
      'framing.maxFrameBytes must be a whole number from 1 to 67108864 (got 67108865).',
    ],
    [
      'maxFrameBytes 0',
      { mode: 'none', maxFrameBytes: 0 },
      'invalidFraming',
      'framing.maxFrameBytes must be a whole number from 1 to 67108864 (got 0).',
    ],
    [
      'maxFrameBytes NaN',
      { mode: 'none', maxFrameBytes: NaN },
      'invalidFraming',
      'framing.maxFrameBytes must be a whole number from 1 to 67108864 (got NaN).',
    ],
  ];
  for (const [what, value, code, sentence] of refusals) {
    it(`refuses ${what}: ${sentence}`, () => {
      const err = refusal(() => parseFramingSpec(value));
      assert.strictEqual(err.code, code);
      assert.strictEqual(err.message, sentence);
      assert.match(String(err.values.field), /^framing(\.|$)/);
      assert.strictEqual(checkFramingSpec(value)?.message, sentence);
    });
  }

  it('names the field it was given (a command argument deeper in an object)', () => {
    const err = refusal(() => parseFramingSpec({ mode: 'length', bytes: 3 }, 'args.framing'));
    assert.strictEqual(err.message, 'args.framing.bytes must be 1, 2 or 4 (got 3).');
    assert.strictEqual(err.values.field, 'args.framing.bytes');
    assert.strictEqual(checkFramingSpec({ mode: 'line' }), undefined);
  });
});

describe('framing spec: resolveFraming (the core decodes the delimiter)', () => {
  it('decodes text escapes and hex, and gives each line ending its bytes', () => {
    assert.deepStrictEqual([...resolveFraming({ mode: 'delimiter', delimiter: '\\r\\n' }).delimiter!], [13, 10]);
    assert.deepStrictEqual(
      [...resolveFraming({ mode: 'delimiter', delimiter: 'END\\x00' }).delimiter!],
      [69, 78, 68, 0],
    );
    assert.deepStrictEqual(
      [...resolveFraming({ mode: 'delimiter', delimiter: '0x7E', format: 'hex' }).delimiter!],
      [0x7e],
    );
    assert.deepStrictEqual(
      [...resolveFraming({ mode: 'delimiter', delimiter: '0d 0a', format: 'hex' }).delimiter!],
      [13, 10],
    );
    assert.deepStrictEqual([...resolveFraming({ mode: 'line', eol: 'crlf' }).delimiter!], [13, 10]);
    assert.deepStrictEqual([...resolveFraming({ mode: 'line' }).delimiter!], [10]);
    assert.strictEqual(resolveFraming({ mode: 'fixed', size: 4 }).delimiter, undefined);
  });

  it('refuses a delimiter the codec refuses, quoting its sentence under the field', () => {
    const escape = refusal(() => resolveFraming({ mode: 'delimiter', delimiter: 'a\\q' }));
    assert.strictEqual(escape.code, 'invalidFraming');
    assert.strictEqual(
      escape.message,
      'framing.delimiter: Payload text has an unknown escape "\\q" at position 2; allowed escapes are \\n \\r \\t \\0 \\\\ \\xHH \\uHHHH and \\u{H...}.',
    );
    assert.strictEqual(escape.values.cause, 'badEscape');
    const hex = refusal(() => resolveFraming({ mode: 'delimiter', delimiter: '7', format: 'hex' }));
    assert.match(hex.message, /^framing\.delimiter: Hex payload has an odd number of digits/);
    const bad = refusal(() => resolveFraming({ mode: 'delimiter', delimiter: 'zz', format: 'hex' }));
    assert.match(bad.message, /^framing\.delimiter: Hex payload has the character "z" at position 1/);
  });

  it('refuses a delimiter of no bytes or of more than 256', () => {
    assert.strictEqual(
      refusal(() => resolveFraming({ mode: 'delimiter', delimiter: ' ', format: 'hex' })).message,
      'framing.delimiter must stand for 1 to 256 bytes (got 0 from " ").',
    );
    assert.strictEqual(
      refusal(() => resolveFraming({ mode: 'delimiter', delimiter: 'ab'.repeat(257), format: 'hex' })).message,
      `framing.delimiter must stand for 1 to 256 bytes (got 257 from "${'ab'.repeat(20)}…").`,
    );
    assert.strictEqual(resolveFraming({ mode: 'delimiter', delimiter: 'x'.repeat(256) }).delimiter!.length, 256);
  });
});

describe('framing spec: describeFraming', () => {
  it('says each mode in a few words', () => {
    const say = (spec: unknown) => describeFraming(parseFramingSpec(spec));
    assert.strictEqual(say({ mode: 'none' }), 'none');
    assert.strictEqual(say({ mode: 'line' }), 'line (any)');
    assert.strictEqual(say({ mode: 'line', eol: 'crlf' }), 'line (crlf)');
    assert.strictEqual(say({ mode: 'delimiter', delimiter: '7E', format: 'hex' }), 'delimiter 7e');
    assert.strictEqual(say({ mode: 'delimiter', delimiter: '\\r\\n' }), 'delimiter "\\r\\n"');
    assert.strictEqual(say({ mode: 'length', bytes: 2, offset: 4 }), 'length 2 BE at 4, +0');
    assert.strictEqual(say({ mode: 'length', bytes: 4, endian: 'le', adjust: -4 }), 'length 4 LE at 0, -4');
    assert.strictEqual(say({ mode: 'fixed', size: 16 }), 'fixed 16');
    assert.strictEqual(say({ mode: 'idle', gapMs: 50 }), 'idle 50 ms');
    assert.strictEqual(say({ mode: 'line', maxFrameBytes: 4096 }), 'line (any), frames up to 4096 bytes');
  });

  it('fills templates of FRAMING_WORDS through the translation it is given', () => {
    const seen: string[] = [];
    const text = describeFraming(
      parseFramingSpec({ mode: 'fixed', size: 16, maxFrameBytes: 100 }),
      (template, values) => {
        seen.push(template);
        return `<${template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name]))}>`;
      },
    );
    assert.deepStrictEqual(seen, [FRAMING_WORDS.fixed, FRAMING_WORDS.withMax]);
    assert.strictEqual(text, '<<fixed 16>, frames up to 100 bytes>');
  });
});

describe('framing spec: the short form of request files', () => {
  const cases: Array<[string, FramingSpec, string?]> = [
    ['none', { mode: 'none', maxFrameBytes: MiB }],
    ['line', { mode: 'line', eol: 'any', maxFrameBytes: MiB }],
    ['crlf', { mode: 'line', eol: 'crlf', maxFrameBytes: MiB }],
    ['line:lf', { mode: 'line', eol: 'lf', maxFrameBytes: MiB }],
    ['line:crlf', { mode: 'line', eol: 'crlf', maxFrameBytes: MiB }, 'crlf'],
    ['line:any', { mode: 'line', eol: 'any', maxFrameBytes: MiB }, 'line'],
    ['delimiter:7E', { mode: 'delimiter', delimiter: '7e', format: 'hex', maxFrameBytes: MiB }, 'delimiter:7e'],
    ['delimiter:0d0a:max=4096', { mode: 'delimiter', delimiter: '0d0a', format: 'hex', maxFrameBytes: 4096 }],
    ['length:2', { mode: 'length', bytes: 2, endian: 'be', offset: 0, adjust: 0, maxFrameBytes: MiB }],
    ['length:2:offset=4', { mode: 'length', bytes: 2, endian: 'be', offset: 4, adjust: 0, maxFrameBytes: MiB }],
    [
      'length:4:le:offset=2:adjust=-6',
      { mode: 'length', bytes: 4, endian: 'le', offset: 2, adjust: -6, maxFrameBytes: MiB },
    ],
    [
      'length:1:adjust=2:be:offset=1',
      { mode: 'length', bytes: 1, endian: 'be', offset: 1, adjust: 2, maxFrameBytes: MiB },
      'length:1:offset=1:adjust=2',
    ],
    ['fixed:16', { mode: 'fixed', size: 16, maxFrameBytes: MiB }],
    ['idle:50', { mode: 'idle', gapMs: 50, maxFrameBytes: MiB }],
    ['idle:50:max=100', { mode: 'idle', gapMs: 50, maxFrameBytes: 100 }],
  ];
  for (const [text, spec, canonical] of cases) {
    it(`${text} <-> ${JSON.stringify(spec)}`, () => {
      assert.deepStrictEqual(parseFramingShorthand(text), spec);
      assert.strictEqual(formatFramingShorthand(spec), canonical ?? text);
    });
  }

  it('writes a text delimiter as its hex (from its bytes when it has escapes)', () => {
    assert.strictEqual(formatFramingShorthand({ mode: 'delimiter', delimiter: 'END' }), 'delimiter:454e44');
    assert.strictEqual(
      formatFramingShorthand({ mode: 'delimiter', delimiter: '0x0D 0x0A', format: 'hex' }),
      'delimiter:0d0a',
    );
    const withEscapes = parseFramingSpec({ mode: 'delimiter', delimiter: '\\r\\n' });
    const err = refusal(() => formatFramingShorthand(withEscapes));
    assert.strictEqual(err.code, 'framingNoShorthand');
    assert.strictEqual(
      err.message,
      'The delimiter "\\\\r\\\\n" has escapes, which the short form cannot decode here; give its bytes or write it in hex.',
    );
    const bytes = resolveFraming(withEscapes).delimiter;
    assert.strictEqual(formatFramingShorthand(withEscapes, bytes), 'delimiter:0d0a');
  });

  const refusals: Array<[string, string, number]> = [
    [
      '',
      'framing must be one of none, line, crlf, delimiter:HEX, length:BYTES[:le][:offset=N][:adjust=N], fixed:N or idle:MS (each may end with :max=N) (got "").',
      0,
    ],
    [
      'lines',
      'framing must be one of none, line, crlf, delimiter:HEX, length:BYTES[:le][:offset=N][:adjust=N], fixed:N or idle:MS (each may end with :max=N) (got "lines").',
      0,
    ],
    [
      'LINE',
      'framing must be one of none, line, crlf, delimiter:HEX, length:BYTES[:le][:offset=N][:adjust=N], fixed:N or idle:MS (each may end with :max=N) (got "LINE").',
      0,
    ],
    ['delimiter', 'framing is missing its value: write it as delimiter:0d0a (got "delimiter").', 9],
    ['delimiter:', 'framing is missing its value: write it as delimiter:0d0a (got "delimiter:").', 10],
    ['length:offset=4', 'framing is missing its value: write it as length:2:offset=4 (got "length:offset=4").', 7],
    ['fixed', 'framing is missing its value: write it as fixed:16 (got "fixed").', 5],
    ['idle:', 'framing is missing its value: write it as idle:50 (got "idle:").', 5],
    ['delimiter:7', 'framing must give the delimiter as hex digits, two per byte, as in delimiter:0d0a (got "7").', 10],
    [
      'delimiter:7e7',
      'framing must give the delimiter as hex digits, two per byte, as in delimiter:0d0a (got "7e7").',
      10,
    ],
    ['delimiter:7e:offset=2', 'framing has an unknown option "offset=2" for delimiter; allowed are max=N.', 13],
    ['fixed:4:le', 'framing has an unknown option "le" for fixed; allowed are max=N.', 8],
    ['idle:5:lf', 'framing has an unknown option "lf" for idle; allowed are max=N.', 7],
    [
      'delimiter:0x7e',
      'framing must give the delimiter as hex digits, two per byte, as in delimiter:0d0a (got "0x7e").',
      10,
    ],
    ['length:3', 'framing.bytes must be 1, 2 or 4 (got 3).', -1],
    ['length:two', 'framing.bytes must be 1, 2 or 4 (got "two").', -1],
    ['length:2:offset=x', 'framing.offset must be a whole number from 0 to 65535 (got "x").', -1],
    ['length:2:offset=-1', 'framing.offset must be a whole number from 0 to 65535 (got -1).', -1],
    [
      'length:2:middle',
      'framing has an unknown option "middle" for length; allowed are le, be, offset=N, adjust=N, max=N.',
      9,
    ],
    ['length:2:le:le', 'framing gives endian twice (got "length:2:le:le").', 12],
    ['length:2:le:be', 'framing gives endian twice (got "length:2:le:be").', 12],
    ['line:cr', 'framing has an unknown option "cr" for line; allowed are lf, crlf, any, max=N.', 5],
    ['crlf:lf', 'framing has an unknown option "lf" for crlf; allowed are max=N.', 5],
    ['none:offset=2', 'framing has an unknown option "offset=2" for none; allowed are max=N.', 5],
    [
      'fixed:16:max=8',
      'framing.size must be at most framing.maxFrameBytes (8) (got 16); raise framing.maxFrameBytes for larger frames.',
      -1,
    ],
    ['fixed:0', 'framing.size must be a whole number from 1 to 67108864 (got 0).', -1],
    ['idle:1.5', 'framing.gapMs must be a whole number of milliseconds from 1 to 60000 (got "1.5").', -1],
    ['line:max=0', 'framing.maxFrameBytes must be a whole number from 1 to 67108864 (got 0).', -1],
    ['line:max=1:max=2', 'framing gives maxFrameBytes twice (got "line:max=1:max=2").', 11],
  ];
  for (const [text, sentence, index] of refusals) {
    it(`refuses ${JSON.stringify(text)}: ${sentence}`, () => {
      const err = refusal(() => parseFramingShorthand(text));
      assert.strictEqual(err.code, 'invalidFraming');
      assert.strictEqual(err.message, sentence);
      if (index >= 0) assert.strictEqual(err.values.index, index, 'where the refused part starts');
    });
  }

  it('property: printing any spec and parsing it back gives the same spec', () => {
    const max = fc.oneof(fc.constant(MiB), fc.integer({ min: 70_000, max: FRAMING_MAX_FRAME_BYTES }));
    const spec: fc.Arbitrary<unknown> = fc.oneof(
      fc.record({ mode: fc.constant('none'), maxFrameBytes: max }),
      fc.record({ mode: fc.constant('line'), eol: fc.constantFrom('lf', 'crlf', 'any'), maxFrameBytes: max }),
      fc.record({
        mode: fc.constant('delimiter'),
        delimiter: fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.from(b).toString('hex')),
        format: fc.constant('hex'),
        maxFrameBytes: max,
      }),
      fc.record({
        mode: fc.constant('length'),
        bytes: fc.constantFrom(1, 2, 4),
        endian: fc.constantFrom('be', 'le'),
        offset: fc.integer({ min: 0, max: 65535 }),
        adjust: fc.integer({ min: -65535, max: 65535 }),
        maxFrameBytes: max,
      }),
      fc.record({ mode: fc.constant('fixed'), size: fc.integer({ min: 1, max: 70_000 }), maxFrameBytes: max }),
      fc.record({ mode: fc.constant('idle'), gapMs: fc.integer({ min: 1, max: 60_000 }), maxFrameBytes: max }),
    );
    fc.assert(
      fc.property(spec, (value) => {
        const parsed = parseFramingSpec(value);
        assert.deepStrictEqual(parseFramingShorthand(formatFramingShorthand(parsed)), parsed);
      }),
      { numRuns: 500 },
    );
  });
});
