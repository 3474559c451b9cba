import * as assert from 'assert';
import { expandTemplate, parseTemplate } from '../../src/shared/requestFile/variables';
import { nodeBuiltins } from '../../src/core/requestFile/environment';
import { fixedBuiltins } from '../helpers/requestFiles';

const expand = (text: string, vars: Record<string, string> = {}, builtins = fixedBuiltins({ HOME: '/home/lab' })) =>
  expandTemplate(parseTemplate(text).parts, (n) => vars[n], builtins);

describe('request file variables', () => {
  it('split text and references, spaces inside the braces allowed', () => {
    assert.deepStrictEqual(parseTemplate('a{{ x }}b{{$randomInt 1 9}}'), {
      parts: [
        { kind: 'text', text: 'a', offset: 0 },
        { kind: 'ref', name: 'x', args: [], offset: 1, length: 7 },
        { kind: 'text', text: 'b', offset: 8 },
        { kind: 'ref', name: '$randomInt', args: ['1', '9'], offset: 9, length: 18 },
      ],
      problems: [],
    });
    assert.deepStrictEqual(parseTemplate('no refs { } }}'), {
      parts: [{ kind: 'text', text: 'no refs { } }}', offset: 0 }],
      problems: [],
    });
  });

  it('expand names and every built-in', () => {
    const builtins = fixedBuiltins({ HOME: '/home/lab' });
    assert.deepStrictEqual(
      expand(
        '{{host}}:{{port}} #{{$counter}} #{{$counter}} {{$timestamp}} {{$isoTime}} {{$randomInt 3 9}} {{$uuid}} {{$env HOME}}',
        { host: 'h', port: '1' },
        builtins,
      ),
      {
        text: 'h:1 #1 #2 1767323045006 2026-01-02T03:04:05.006Z 3 00000000-0000-4000-8000-000000000000 /home/lab',
      },
    );
    // The counter counts per run: the same context goes on where it stopped.
    assert.deepStrictEqual(
      expandTemplate(parseTemplate('{{$counter}}').parts, () => undefined, builtins),
      {
        text: '3',
      },
    );
  });

  it('report an unknown variable or an unset environment variable at its reference, never an empty string', () => {
    const unknown = expand('ab{{missing}}cd');
    assert.ok('error' in unknown);
    assert.deepStrictEqual([unknown.offset, unknown.length, unknown.error.code], [2, 11, 'unknownVariable']);
    assert.match(unknown.error.message, /^Variable missing has no value here;/);
    const unset = expand('{{$env NOT_SET_ANYWHERE}}');
    assert.ok('error' in unset);
    assert.strictEqual(unset.error.message, 'The environment variable NOT_SET_ANYWHERE is not set.');
    const bad = expand('x {{$randomInt a b}}');
    assert.ok('error' in bad);
    assert.deepStrictEqual([bad.offset, bad.error.code], [2, 'builtinArguments']);
    // MIN must be below MAX: [5, 5) holds no number.
    const empty = expand('{{$randomInt 5 5}}');
    assert.ok('error' in empty);
    assert.strictEqual(
      empty.error.message,
      '$randomInt takes two whole numbers MIN and MAX with MIN below MAX (got "5 5").',
    );
    assert.ok(!('error' in expand('{{$randomInt 4 5}}')));
  });

  it('have real built-ins on Node: a counter from 1, time now, random in [min, max), v4 uuids, process.env', () => {
    const real = nodeBuiltins({ SOCKET_LAB_TEST_VAR: 'yes' });
    const before = Date.now();
    const out = expandTemplate(
      parseTemplate(
        '{{$counter}} {{$counter}} {{$timestamp}} {{$randomInt 5 7}} {{$uuid}} {{$env SOCKET_LAB_TEST_VAR}}',
      ).parts,
      () => undefined,
      real,
    );
    assert.ok('text' in out);
    const [c1, c2, ts, rnd, uuid, env] = out.text.split(' ');
    assert.deepStrictEqual([c1, c2, env], ['1', '2', 'yes']);
    assert.ok(Number(ts) >= before && Number(ts) <= Date.now());
    assert.ok(['5', '6'].includes(rnd), rnd);
    assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(real.randomInt(-2, 2));
    assert.deepStrictEqual([...seen].sort(), [-1, -2, 0, 1]);
    assert.ok(real.randomInt(0, 2 ** 52) < 2 ** 52);
  });
});

describe('request file variables: exact parts and $randomInt bounds', () => {
  it('refuses $randomInt bounds that are not plain whole numbers, one bad bound is enough', () => {
    const codes = (text: string) => parseTemplate(text).problems.map((p) => p.error.code);
    for (const text of ['{{$randomInt 0x1 9}}', '{{$randomInt 1 9x}}', '{{$randomInt x 9}}', '{{$randomInt 1 x}}']) {
      assert.deepStrictEqual(codes(text), ['builtinArguments'], text);
    }
    assert.deepStrictEqual(codes('{{$randomInt -10 20}}'), []);
  });

  it('keeps the text of an unclosed reference as one text part at its offset', () => {
    const { parts, problems } = parseTemplate('ab{{x');
    assert.deepStrictEqual(parts, [
      { kind: 'text', text: 'ab', offset: 0 },
      { kind: 'text', text: '{{x', offset: 2 },
    ]);
    assert.deepStrictEqual(
      problems.map((p) => [p.offset, p.length, p.error.code]),
      [[2, 3, 'unclosedVariable']],
    );
  });

  it('starts with a reference without an empty text part, and reads spaced arguments', () => {
    assert.deepStrictEqual(parseTemplate('{{ $randomInt  1\t9 }}').parts, [
      { kind: 'ref', name: '$randomInt', args: ['1', '9'], offset: 0, length: 21 },
    ]);
  });

  it('says which environment variable is not set', () => {
    const result = expand('{{$env SOCKET_LAB_SURELY_UNSET}}');
    assert.ok('error' in result, JSON.stringify(result));
    assert.strictEqual(result.error.message, 'The environment variable SOCKET_LAB_SURELY_UNSET is not set.');
  });
});
