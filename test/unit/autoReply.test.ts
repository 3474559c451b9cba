import * as assert from 'assert';
import * as iconv from 'iconv-lite';
import { AUTO_REPLY_MATCH_LIMIT, AutoReplyFn, compileAutoReply } from '../../src/core/autoReply';
import { SocketLabError } from '../../src/shared/errors';

const utf8 = (text: string) => Uint8Array.from(Buffer.from(text, 'utf8'));
const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8'));

function compile(spec: unknown): AutoReplyFn {
  const fn = compileAutoReply(spec);
  assert.ok(fn, 'expected a reply function');
  return fn;
}

/** Asserts that compiling `spec` fails with 'invalidAutoReply' for `field`, and returns the error. */
function refuses(spec: unknown, field: string, pattern?: RegExp): SocketLabError {
  try {
    compileAutoReply(spec);
  } catch (err) {
    assert.ok(err instanceof SocketLabError, String(err));
    assert.strictEqual(err.code, 'invalidAutoReply');
    assert.strictEqual(err.values.field, field, err.message);
    assert.ok(err.message.startsWith(`${field}: `), err.message);
    assert.match(err.message, /^[^\n]+\.$/);
    if (pattern) {
      assert.match(err.message, pattern);
    }
    return err;
  }
  assert.fail(`expected ${JSON.stringify(spec)} to be refused`);
}

describe('autoReply', () => {
  it('is undefined when off or absent', () => {
    assert.strictEqual(compileAutoReply(undefined), undefined);
    assert.strictEqual(compileAutoReply(null), undefined);
    assert.strictEqual(compileAutoReply({ mode: 'off' }), undefined);
  });

  it("fixed: answers the seed server's reply in utf8 and in gbk, whatever arrives", () => {
    const inUtf8 = compile({ mode: 'fixed', data: '我是返回的数据' });
    assert.deepStrictEqual(inUtf8(utf8('hello')), utf8('我是返回的数据'));
    const inGbk = compile({ mode: 'fixed', data: '我是返回的数据', encoding: 'GBK' });
    assert.deepStrictEqual(inGbk(new Uint8Array(0)), Uint8Array.from(iconv.encode('我是返回的数据', 'gbk')));
    const withEnding = compile({ mode: 'fixed', data: 'OK', lineEnding: 'crlf' });
    assert.strictEqual(text(withEnding(utf8('x'))), 'OK\r\n');
    const hex = compile({ mode: 'fixed', data: 'de ad', format: 'hex' });
    assert.deepStrictEqual(hex(utf8('x')), Uint8Array.from([0xde, 0xad]));
  });

  it('fixed: every reply is a fresh copy', () => {
    const fn = compile({ mode: 'fixed', data: 'A' });
    const first = fn(utf8('x'))!;
    first[0] = 0;
    assert.strictEqual(text(fn(utf8('x'))), 'A');
  });

  it('echo: answers a copy of the same bytes', () => {
    const fn = compile({ mode: 'echo' });
    const received = Buffer.from([0, 1, 2, 0xff]);
    const reply = fn(received)!;
    assert.deepStrictEqual(Array.from(reply), [0, 1, 2, 0xff]);
    received[0] = 9;
    assert.strictEqual(reply[0], 0);
  });

  describe('rules', () => {
    it('contains: a substring of the decoded text', () => {
      const fn = compile({ mode: 'rules', rules: [{ contains: 'ping', reply: { data: 'pong\\n' } }] });
      assert.strictEqual(text(fn(utf8('xxpingxx'))), 'pong\n');
      assert.strictEqual(fn(utf8('pin g')), undefined);
    });

    it('contains: decodes with the spec encoding, which is also the default reply encoding', () => {
      const fn = compile({ mode: 'rules', encoding: 'gbk', rules: [{ contains: '数据', reply: { data: '收到' } }] });
      const reply = fn(Uint8Array.from(iconv.encode('我是返回的数据', 'gbk')));
      assert.deepStrictEqual(reply, Uint8Array.from(iconv.encode('收到', 'gbk')));
      // The UTF-8 form of the same text does not match a GBK rule.
      assert.strictEqual(fn(utf8('数据')), undefined);
      const utf8Reply = compile({
        mode: 'rules',
        encoding: 'gbk',
        rules: [{ contains: '数据', reply: { data: '收到', encoding: 'utf8' } }],
      });
      assert.strictEqual(text(utf8Reply(Uint8Array.from(iconv.encode('数据', 'gbk')))), '收到');
    });

    it('hex: the message starts with those bytes', () => {
      const fn = compile({ mode: 'rules', rules: [{ hex: '0xAA 55', reply: { data: '01', format: 'hex' } }] });
      assert.deepStrictEqual(fn(Uint8Array.from([0xaa, 0x55, 0x00])), Uint8Array.from([1]));
      assert.deepStrictEqual(fn(Uint8Array.from([0xaa, 0x55])), Uint8Array.from([1]));
      assert.strictEqual(fn(Uint8Array.from([0x00, 0xaa, 0x55])), undefined);
      assert.strictEqual(fn(Uint8Array.from([0xaa])), undefined);
    });

    it('regex: matches the decoded text and splices $1, $& and $$ into a text reply', () => {
      const fn = compile({
        mode: 'rules',
        rules: [{ regex: '^GET (\\S+)', reply: { data: 'path=$1 all=[$&] dollar=$$ none=$2\\r\\n' } }],
      });
      assert.strictEqual(
        text(fn(utf8('GET /index.html HTTP/1.0'))),
        'path=/index.html all=[GET /index.html] dollar=$ none=\r\n',
      );
      assert.strictEqual(fn(utf8('POST /')), undefined);
    });

    it('regex: a captured backslash stays a backslash (captures are not parsed as escapes)', () => {
      const fn = compile({ mode: 'rules', rules: [{ regex: 'say (.*)', reply: { data: '<$1>\\n' } }] });
      assert.strictEqual(text(fn(utf8('say a\\nb\\x'))), '<a\\nb\\x>\n');
    });

    it('regex: flags, and captures encoded in the reply encoding', () => {
      const fn = compile({
        mode: 'rules',
        rules: [{ regex: 'name=(\\w+)', flags: 'i', reply: { data: 'hi $1', encoding: 'utf16le' } }],
      });
      assert.deepStrictEqual(fn(utf8('NAME=bob')), Uint8Array.from(iconv.encode('hi bob', 'utf16le')));
    });

    it('regex: a group that took no part is empty; GBK literals and captures keep their bytes around it', () => {
      const fn = compile({
        mode: 'rules',
        encoding: 'gbk',
        rules: [{ regex: '(甲)|(乙)', reply: { data: '收到[$1][$2]\\x00', encoding: 'gbk', lineEnding: 'crlf' } }],
      });
      const expected = (inner: string) =>
        Uint8Array.from(Buffer.concat([iconv.encode(inner, 'gbk'), Buffer.from([0, 0x0d, 0x0a])]));
      assert.deepStrictEqual(fn(iconv.encode('乙', 'gbk')), expected('收到[][乙]'));
      assert.deepStrictEqual(fn(iconv.encode('甲乙', 'gbk')), expected('收到[甲][]'));
    });

    it('regex: a lone surrogate captured from utf16le text cannot go into a utf8 reply and is reported', () => {
      const errors: SocketLabError[] = [];
      const fn = compileAutoReply(
        {
          mode: 'rules',
          encoding: 'utf16le',
          rules: [{ regex: 'x(.)', flags: 'u', reply: { data: '<$1>', encoding: 'utf8' } }],
        },
        { onError: (e) => errors.push(e) },
      )!;
      assert.strictEqual(fn(Uint8Array.from([0x78, 0x00, 0x00, 0xd8])), undefined);
      assert.strictEqual(errors[0]?.values.cause, 'notEncodable');
      assert.deepStrictEqual(fn(Uint8Array.from([0x78, 0x00, 0x41, 0x00])), Uint8Array.from(Buffer.from('<A>')));
    });

    it('regex: $1 is taken literally in hex replies and in non-regex rules', () => {
      const fn = compile({
        mode: 'rules',
        rules: [
          { contains: 'a', reply: { data: 'x$1' } },
          { regex: '(b)', reply: { data: '24 31', format: 'hex' } },
        ],
      });
      assert.strictEqual(text(fn(utf8('a'))), 'x$1');
      assert.strictEqual(text(fn(utf8('b'))), '$1');
    });

    it('the first matching rule wins', () => {
      const fn = compile({
        mode: 'rules',
        rules: [
          { hex: '41', reply: { data: 'first' } },
          { contains: 'A', reply: { data: 'second' } },
          { regex: '', reply: { data: 'catch-all' } },
        ],
      });
      assert.strictEqual(text(fn(utf8('AB'))), 'first');
      assert.strictEqual(text(fn(utf8('BA'))), 'second');
      assert.strictEqual(text(fn(utf8('zzz'))), 'catch-all');
      assert.strictEqual(compile({ mode: 'rules', rules: [] })(utf8('x')), undefined);
    });

    it('only the first 64 KiB are decoded for matching', () => {
      const fn = compile({ mode: 'rules', rules: [{ contains: 'needle', reply: { data: 'found' } }] });
      const early = Buffer.concat([Buffer.from('needle'), Buffer.alloc(AUTO_REPLY_MATCH_LIMIT * 2, 0x20)]);
      const late = Buffer.concat([Buffer.alloc(AUTO_REPLY_MATCH_LIMIT, 0x20), Buffer.from('needle')]);
      assert.strictEqual(text(fn(early)), 'found');
      assert.strictEqual(fn(late), undefined);
    });

    it('a catastrophic pattern runs in linear time: no budget is needed for ^(a+)+$', () => {
      const errors: SocketLabError[] = [];
      const fn = compileAutoReply(
        { mode: 'rules', rules: [{ regex: '^(a+)+$', reply: { data: 'x' } }] },
        { onError: (e) => errors.push(e) },
      )!;
      // A backtracking engine would take hours here (2^40 steps) and the test would time out.
      assert.strictEqual(fn(utf8(`${'a'.repeat(40)}b`)), undefined);
      assert.deepStrictEqual(errors, []);
      assert.strictEqual(text(fn(utf8('aaa'))), 'x');
    });

    it('a capture the reply encoding cannot represent gives no reply and is reported', () => {
      const errors: SocketLabError[] = [];
      const fn = compileAutoReply(
        { mode: 'rules', rules: [{ regex: '(.+)', reply: { data: '$1', encoding: 'ascii' } }] },
        { onError: (e) => errors.push(e) },
      )!;
      assert.strictEqual(fn(utf8('é')), undefined);
      assert.strictEqual(errors[0].code, 'invalidAutoReply');
      assert.strictEqual(errors[0].values.cause, 'notEncodable');
      assert.strictEqual(errors[0].values.field, 'autoReply.rules[0].reply');
      assert.match(errors[0].message, /^autoReply\.rules\[0\]\.reply: Payload text has "é"/);
      assert.strictEqual(text(fn(utf8('ok'))), 'ok');
    });

    it('a capture the reply encoding cannot represent gives no reply even with nobody told (never throws)', () => {
      const fn = compile({ mode: 'rules', rules: [{ regex: '(.+)', reply: { data: '$1', encoding: 'ascii' } }] });
      assert.strictEqual(fn(utf8('é')), undefined);
      assert.strictEqual(text(fn(utf8('ok'))), 'ok');
    });

    it('regex: escapes on both sides of a capture are parsed, or kept as typed with escapes off', () => {
      const fn = compile({ mode: 'rules', rules: [{ regex: '(x)', reply: { data: '\\t$1\\n', escapes: false } }] });
      assert.strictEqual(text(fn(utf8('x'))), '\\tx\\n');
      const withEscapes = compile({ mode: 'rules', rules: [{ regex: '(x)', reply: { data: '\\t$1\\n' } }] });
      assert.strictEqual(text(withEscapes(utf8('x'))), '\tx\n');
    });

    it('regex: several flags at once', () => {
      const fn = compile({ mode: 'rules', rules: [{ regex: '^(b)$', flags: 'im', reply: { data: '<$1>' } }] });
      assert.strictEqual(text(fn(utf8('a\nB'))), '<B>');
    });
  });

  describe('invalid specs', () => {
    const cases: Array<[string, unknown, string, RegExp?]> = [
      ['not an object', 'echo', 'autoReply', /mode is off, echo, fixed or rules/],
      ['an array', [], 'autoReply'],
      ['an unknown mode', { mode: 'loud' }, 'autoReply.mode', /must be one of off, echo, fixed, rules \(got "loud"\)/],
      ['no mode', {}, 'autoReply.mode'],
      [
        'fixed without data',
        { mode: 'fixed' },
        'autoReply.data',
        /^autoReply\.data: must be a string \(got nothing\)\.$/,
      ],
      [
        'fixed with bad hex',
        { mode: 'fixed', data: 'zz', format: 'hex' },
        'autoReply.data',
        /Hex payload has the character "z" at position 1/,
      ],
      [
        'fixed with an unknown format',
        { mode: 'fixed', data: 'a', format: 'octal' },
        'autoReply.format',
        /format must be one of text, hex, base64 \(got "octal"\)/,
      ],
      ['fixed with an unknown encoding', { mode: 'fixed', data: 'a', encoding: 'ebcdic' }, 'autoReply.encoding'],
      ['fixed with a bad escape', { mode: 'fixed', data: 'a\\q' }, 'autoReply.data', /position 2/],
      ['fixed with unencodable text', { mode: 'fixed', data: '😀', encoding: 'gbk' }, 'autoReply.data', /gbk/],
      ['fixed with non-boolean escapes', { mode: 'fixed', data: 'a', escapes: 'no' }, 'autoReply.escapes'],
      [
        'fixed with an unknown line ending',
        { mode: 'fixed', data: 'a', lineEnding: 'nl' },
        'autoReply.lineEnding',
        /Line ending must be one of none, lf, cr, crlf \(got "nl"\)/,
      ],
      ['rules without rules', { mode: 'rules' }, 'autoReply.rules'],
      ['rules with an unknown encoding', { mode: 'rules', encoding: 'x', rules: [] }, 'autoReply.encoding'],
      [
        'a rule that is not an object',
        { mode: 'rules', rules: ['ping'] },
        'autoReply.rules[0]',
        /must be an object with one matcher/,
      ],
      [
        'a rule with no matcher',
        { mode: 'rules', rules: [{ reply: { data: 'a' } }] },
        'autoReply.rules[0]',
        /it has none/,
      ],
      [
        'a rule with two matchers',
        { mode: 'rules', rules: [{ contains: 'a', regex: 'b', reply: { data: 'a' } }] },
        'autoReply.rules[0]',
        /it has contains and regex/,
      ],
      [
        'a non-string matcher',
        { mode: 'rules', rules: [{ contains: 5, reply: { data: 'a' } }] },
        'autoReply.rules[0].contains',
      ],
      [
        'bad hex in a rule',
        {
          mode: 'rules',
          rules: [
            { contains: 'a', reply: { data: 'a' } },
            { hex: 'abc', reply: { data: 'a' } },
          ],
        },
        'autoReply.rules[1].hex',
        /odd number of digits/,
      ],
      [
        'an invalid regex',
        {
          mode: 'rules',
          rules: [
            { contains: 'a', reply: { data: 'a' } },
            { hex: '00', reply: { data: 'a' } },
            { regex: '(', reply: { data: 'a' } },
          ],
        },
        'autoReply.rules[2].regex',
        /^autoReply\.rules\[2\]\.regex: Invalid regular expression/,
      ],
      [
        'stateful regex flags',
        { mode: 'rules', rules: [{ regex: 'a', flags: 'g', reply: { data: 'a' } }] },
        'autoReply.rules[0].flags',
      ],
      [
        'flags without a regex',
        { mode: 'rules', rules: [{ contains: 'a', flags: 'i', reply: { data: 'a' } }] },
        'autoReply.rules[0].flags',
      ],
      ['a rule without reply', { mode: 'rules', rules: [{ contains: 'a' }] }, 'autoReply.rules[0].reply'],
      [
        'a null reply',
        { mode: 'rules', rules: [{ contains: 'a', reply: null }] },
        'autoReply.rules[0].reply',
        /must be an object with a data string \(got null\)/,
      ],
      [
        'a rule with all three matchers',
        { mode: 'rules', rules: [{ contains: 'a', hex: '61', regex: 'a', reply: { data: 'a' } }] },
        'autoReply.rules[0]',
        /it has all three/,
      ],
      [
        'regex flags given as an array',
        { mode: 'rules', rules: [{ regex: 'a', flags: ['i'], reply: { data: 'a' } }] },
        'autoReply.rules[0].flags',
        /\(got an array\)/,
      ],
      [
        'a reply without data',
        { mode: 'rules', rules: [{ contains: 'a', reply: {} }] },
        'autoReply.rules[0].reply.data',
      ],
      [
        'a reply with an unknown encoding',
        { mode: 'rules', rules: [{ contains: 'a', reply: { data: 'a', encoding: 'x' } }] },
        'autoReply.rules[0].reply.encoding',
      ],
      [
        'a reply with a bad escape in a regex template',
        { mode: 'rules', rules: [{ regex: '(a)', reply: { data: '$1\\' } }] },
        'autoReply.rules[0].reply.data',
      ],
      [
        'a reply with bad base64',
        { mode: 'rules', rules: [{ contains: 'a', reply: { data: '!!', format: 'base64' } }] },
        'autoReply.rules[0].reply.data',
      ],
    ];
    for (const [name, spec, field, pattern] of cases) {
      it(`refuses ${name} (${field})`, () => {
        refuses(spec, field, pattern);
      });
    }

    it('keeps the cause code and its values for localization', () => {
      const err = refuses({ mode: 'rules', rules: [{ hex: '0g', reply: { data: '' } }] }, 'autoReply.rules[0].hex');
      assert.strictEqual(err.values.cause, 'hexBadChar');
      assert.strictEqual(err.values.position, 2);
    });
  });
});

// Limits every match exceeds (a negative time) make the budget's decisions deterministic: no test here depends
// on how fast this machine runs a pattern.
describe('autoReply: the regex budget', () => {
  const everyMatchSlow = { messageMs: -1, maxStrikes: 2, endpointMs: 1e9, windowMs: 60000 };

  it('a regex rule slow on maxStrikes messages is reported, then switched off; the next rule answers instead', () => {
    const errors: SocketLabError[] = [];
    const fn = compileAutoReply(
      {
        mode: 'rules',
        rules: [
          { regex: '^(p)ing', reply: { data: '$1ong' } },
          { contains: 'ping', reply: { data: 'from contains' } },
        ],
      },
      { onError: (e) => errors.push(e), budget: everyMatchSlow },
    )!;
    assert.strictEqual(text(fn(utf8('ping'))), 'pong');
    assert.deepStrictEqual(
      errors.map((e) => e.code),
      ['autoReplyRegexSlow'],
    );
    assert.match(
      errors[0].message,
      /^autoReply\.rules\[0\]\.regex took \d+ ms on one message, more than the -1 ms a message may take; simplify the pattern\.$/,
    );
    assert.strictEqual(errors[0].values.rule, 0);
    // The match that earned the last strike still answers; the rule is off from the next message on.
    assert.strictEqual(text(fn(utf8('ping'))), 'pong');
    assert.deepStrictEqual(
      errors.map((e) => e.code),
      ['autoReplyRegexSlow', 'autoReplyRuleOff'],
    );
    assert.strictEqual(
      errors[1].message,
      'autoReply.rules[0].regex took longer than -1 ms on 2 messages and is switched off; simplify the pattern and set the auto-reply again.',
    );
    assert.deepStrictEqual(
      { rule: errors[1].values.rule, reason: errors[1].values.reason },
      { rule: 0, reason: 'strikes' },
    );
    assert.strictEqual(text(fn(utf8('ping'))), 'from contains');
    assert.strictEqual(errors.length, 2, 'a switched-off rule is not run, so not reported again');
  });

  it('contains and hex rules are never timed, so never switched off', () => {
    const errors: SocketLabError[] = [];
    const fn = compileAutoReply(
      {
        mode: 'rules',
        rules: [
          { hex: 'ff', reply: { data: 'hex' } },
          { contains: 'ping', reply: { data: 'pong' } },
        ],
      },
      { onError: (e) => errors.push(e), budget: everyMatchSlow },
    )!;
    for (let i = 0; i < 5; i++) {
      assert.strictEqual(text(fn(utf8('ping'))), 'pong');
      assert.strictEqual(text(fn(Uint8Array.from([0xff]))), 'hex');
    }
    assert.deepStrictEqual(errors, []);
  });

  it("the endpoint's window budget switches off a regex rule with its own sentence", () => {
    const errors: SocketLabError[] = [];
    const fn = compileAutoReply(
      {
        mode: 'rules',
        rules: [
          { regex: 'a', reply: { data: 'A' } },
          { contains: 'a', reply: { data: 'from contains' } },
        ],
      },
      {
        onError: (e) => errors.push(e),
        budget: { messageMs: 1e9, maxStrikes: 3, endpointMs: -1, windowMs: 60000 },
      },
    )!;
    assert.strictEqual(text(fn(utf8('a'))), 'A');
    assert.deepStrictEqual(
      errors.map((e) => [e.code, e.values.rule, e.values.reason]),
      [['autoReplyRuleOff', 0, 'endpoint']],
    );
    assert.match(
      errors[0].message,
      /^autoReply\.rules\[0\]\.regex used \d+ ms of CPU within 60000 ms on this socket, more than the -1 ms allowed, and is switched off; simplify the pattern and set the auto-reply again\.$/,
    );
    assert.strictEqual(text(fn(utf8('a'))), 'from contains');
    assert.strictEqual(errors.length, 1);
  });
});
