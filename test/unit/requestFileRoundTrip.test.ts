import * as assert from 'assert';
import * as fc from 'fast-check';
import { CHECKSUM_NAMES } from '../../src/shared/checksum';
import { TEXT_ENCODINGS } from '../../src/shared/payload';
import type { RequestBlock, RequestFile, Statement, Transport } from '../../src/shared/requestFile/ast';
import { parseFramingOption, type FramingSpec } from '../../src/shared/requestFile/framingOption';
import { parseRequestFile } from '../../src/shared/requestFile/parser';
import { printBlock, printRequestFile } from '../../src/shared/requestFile/printer';
import { describeProblems, withoutPositions } from '../helpers/requestFiles';

// ---- arbitraries of valid nodes -------------------------------------------------------------------------

const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,8}$/);
/** Text of one line: no line break, no braces (references are added on purpose below). */
const plain = fc.string({ unit: fc.constantFrom(...'ab Z09 \t;=#@:[]\\"\'/我é€'.split('')), maxLength: 12 });
const reference = fc.oneof(
  name.map((n) => `{{${n}}}`),
  fc.constantFrom(
    '{{$counter}}',
    '{{$timestamp}}',
    '{{$isoTime}}',
    '{{$uuid}}',
    '{{ $randomInt -5 7 }}',
    '{{$env HOME}}',
  ),
);
const template = fc.array(fc.oneof(plain, reference), { maxLength: 4 }).map((parts) => parts.join(''));
const nonEmpty = (a: fc.Arbitrary<string>) => a.filter((s) => s !== '');
const trimmed = (a: fc.Arbitrary<string>) => a.map((s) => s.trim());
const ms = (min = 0) => fc.integer({ min, max: 3_600_000 });
const word = fc.stringMatching(/^[A-Za-z0-9_./=-]{1,10}$/);

/** Framing as the parser makes it from a short form (with its defaults filled in). */
const framing: fc.Arbitrary<FramingSpec> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('none', 'line', 'line:lf', 'line:any', 'crlf'),
      fc.uint8Array({ minLength: 1, maxLength: 4 }).map((d) => `delimiter:${Buffer.from(d).toString('hex')}`),
      fc
        .tuple(
          fc.constantFrom(1, 2, 4),
          fc.constantFrom('', ':le', ':be'),
          fc.option(fc.integer({ min: 0, max: 65535 })),
          fc.option(fc.integer({ min: -65535, max: 65535 })),
        )
        .map(
          ([bytes, endian, offset, adjust]) =>
            `length:${bytes}${endian}${offset === null ? '' : `:offset=${offset}`}${adjust === null ? '' : `:adjust=${adjust}`}`,
        ),
      fc.integer({ min: 1, max: 65536 }).map((n) => `fixed:${n}`),
      fc.integer({ min: 1, max: 60_000 }).map((n) => `idle:${n}`),
    ),
    // A max that leaves room for any length field offset (a smaller one is refused, as it should be).
    fc.option(fc.integer({ min: 65536 + 4, max: 64 * 1024 * 1024 })),
  )
  .map(([form, max]) => parseFramingOption(max === null ? form : `${form}:max=${max}`));

const variable = fc.record({
  kind: fc.constant('variable' as const),
  name,
  value: trimmed(template),
});

function connect(transport: Transport) {
  const host = fc.oneof(
    fc.constantFrom('127.0.0.1', 'localhost', '[::1]', '{{host}}'),
    word.filter((w) => !w.includes(':')),
  );
  const target =
    transport === 'unix'
      ? word
      : fc
          .tuple(host, fc.oneof(fc.integer({ min: 1, max: 65535 }).map(String), fc.constant('{{port}}')))
          .map(([h, p]) => `${h}:${p}`);
  return fc.record(
    {
      kind: fc.constant('connect' as const),
      transport: fc.constant(transport),
      target,
      timeoutMs: ms(1),
      ...(transport === 'udp' ? {} : { framing }),
      ...(transport === 'tls' ? { servername: word, ca: word, insecure: fc.boolean() } : {}),
    },
    { requiredKeys: ['kind', 'transport', 'target'] },
  );
}

const send = fc
  .record(
    {
      kind: fc.constant('send' as const),
      format: fc.constantFrom('text' as const, 'hex' as const, 'base64' as const),
      encoding: fc.constantFrom(...TEXT_ENCODINGS),
      eol: fc.constantFrom('lf' as const, 'cr' as const, 'crlf' as const),
      checksum: fc.constantFrom(...CHECKSUM_NAMES),
      checksumEndian: fc.constantFrom('le' as const, 'be' as const),
      payload: template,
    },
    { requiredKeys: ['kind', 'format', 'payload'] },
  )
  .map((s) => {
    const out = { ...s };
    if (out.format !== 'text') delete out.encoding;
    if (!out.checksum) delete out.checksumEndian;
    return out;
  });

const regexes: Array<[string, number]> = [
  ['^OK (\\d+)$', 1],
  ['(a)(b)?', 2],
  ['x{2,3}', 0],
  ['[{}] (\\w+)', 1],
];

/** Nodes without positions, as a generator builds them (positions are not compared). */
type Node = Record<string, unknown>;

function expect(transport: Transport): fc.Arbitrary<Node> {
  const common = { kind: fc.constant('expect' as const), withinMs: ms() };
  const kinds: fc.Arbitrary<Node>[] = [
    fc.record(
      {
        ...common,
        match: fc.constantFrom('text' as const, 'contains' as const),
        value: nonEmpty(template),
        encoding: fc.constantFrom(...TEXT_ENCODINGS),
      },
      { requiredKeys: ['kind', 'match', 'value'] },
    ),
    fc.record(
      { ...common, match: fc.constant('hex' as const), value: nonEmpty(template) },
      { requiredKeys: ['kind', 'match', 'value'] },
    ),
    fc
      .record(
        {
          ...common,
          match: fc.constant('regex' as const),
          pattern: fc.constantFrom(...regexes),
          captures: fc.array(name, { maxLength: 2 }),
          flags: fc.subarray(['i', 'm', 's', 'u'], { minLength: 1 }).map((f) => f.join('')),
          encoding: fc.constantFrom(...TEXT_ENCODINGS),
        },
        { requiredKeys: ['kind', 'match', 'pattern', 'captures'] },
      )
      .map(({ pattern: [value, groups], captures, ...rest }) => ({
        ...rest,
        value,
        ...(captures.length && captures.length <= groups ? { captures } : {}),
      })),
    fc.record(
      {
        kind: fc.constant('expect' as const),
        match: fc.constant('silence' as const),
        value: fc.constant(''),
        forMs: ms(1),
      },
      { requiredKeys: ['kind', 'match', 'value'] },
    ),
  ];
  if (transport !== 'udp') {
    kinds.push(
      fc.record(
        { ...common, match: fc.constant('closed' as const), value: fc.constant('') },
        { requiredKeys: ['kind', 'match', 'value'] },
      ),
    );
  }
  return fc.oneof(...kinds);
}

const wait = ms().map((n): Node => ({ kind: 'wait', ms: n }));

/** A block whose statements are in a valid order: connect first, no send after end, nothing but waits after close. */
const block: fc.Arbitrary<Pick<RequestBlock, 'title' | 'statements'>> = fc
  .constantFrom<Transport>('tcp', 'udp', 'unix', 'tls')
  .chain((transport) =>
    fc.record({
      title: trimmed(plain).filter((t) => !t.startsWith('#')),
      before: fc.array(variable, { maxLength: 2 }),
      connect: connect(transport),
      middle: fc.array(fc.oneof(send, expect(transport), wait, variable), { maxLength: 6 }),
      end: transport === 'udp' ? fc.constant(false) : fc.boolean(),
      after: fc.array(fc.oneof(expect(transport), wait), { maxLength: 2 }),
      close: fc.boolean(),
    }),
  )
  .map(({ title, before, connect, middle, end, after, close }) => ({
    title,
    statements: [
      ...before,
      connect,
      ...middle,
      ...(end ? [{ kind: 'end' }] : []),
      ...after,
      ...(close ? [{ kind: 'close' }, { kind: 'wait', ms: 1 }] : []),
    ] as Statement[],
  }));

const file: fc.Arbitrary<RequestFile> = fc.record({
  prelude: fc.array(variable, { maxLength: 3 }) as fc.Arbitrary<RequestFile['prelude']>,
  blocks: fc.array(block, { minLength: 1, maxLength: 4 }) as unknown as fc.Arbitrary<RequestBlock[]>,
});

// ---- properties ------------------------------------------------------------------------------------------

describe('request file printer', () => {
  it('prints any valid block so that parsing gives the same block', () => {
    fc.assert(
      fc.property(block, (b) => {
        const { file: parsed, problems } = parseRequestFile(printBlock(b));
        assert.deepStrictEqual(describeProblems(problems), [], printBlock(b));
        assert.strictEqual(parsed.blocks.length, 1, printBlock(b));
        assert.deepStrictEqual(withoutPositions(parsed.blocks[0]), withoutPositions(b), printBlock(b));
      }),
      { numRuns: 400 },
    );
  });

  it('prints any valid file so that parsing gives the same file', () => {
    fc.assert(
      fc.property(file, (f) => {
        const text = printRequestFile(f);
        const { file: parsed, problems } = parseRequestFile(text);
        assert.deepStrictEqual(describeProblems(problems), [], text);
        assert.deepStrictEqual(withoutPositions(parsed), withoutPositions(f), text);
      }),
      { numRuns: 200 },
    );
  });

  it('print(parse(x)) parses back to parse(x) for any text, whatever problems x has', () => {
    const line = fc.oneof(
      fc.constantFrom(
        '',
        '# comment',
        '### title',
        '###',
        'connect tcp 127.0.0.1:80 timeout=5',
        'connect udp [::1]:53',
        'connect unix /tmp/x framing=line',
        'send text hi{{$counter}}',
        'send hex;checksum=crc16-modbus 01 03',
        'send text;checksum=bogus x',
        'expect text ok',
        'expect regex;capture=a (\\d)',
        'expect closed',
        'expect silence;for=0',
        'end',
        'close',
        'wait 10',
        '@a = 1',
        '@ = broken',
        'nonsense here',
      ),
      plain,
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 15 }), (lines) => {
        const first = parseRequestFile(lines.join('\n')).file;
        const second = parseRequestFile(printRequestFile(first)).file;
        assert.deepStrictEqual(withoutPositions(second), withoutPositions(first), lines.join('\n'));
      }),
      { numRuns: 400 },
    );
  });
});

describe('request file printer: exact layout', () => {
  it('prints the prelude, a blank line, then blocks separated by a blank line, with no trailing blanks', () => {
    const { file } = parseRequestFile(
      '@a =\n@b = 1\n### one\nconnect tcp 127.0.0.1:1\nexpect closed\n### two\nconnect tcp 127.0.0.1:2\n',
    );
    assert.strictEqual(
      printRequestFile(file),
      '@a =\n@b = 1\n\n### one\nconnect tcp 127.0.0.1:1\nexpect closed\n\n### two\nconnect tcp 127.0.0.1:2\n',
    );
  });
});
