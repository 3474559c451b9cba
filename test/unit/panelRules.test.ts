// The send panel's auto-reply draft: reading a saved draft back (including an older one whose rules were
// a JSON string) and turning the table's rows into rules the protocol and the core accept.
import * as assert from 'assert';
import { compileAutoReply } from '../../src/core/autoReply';
import { parseWebviewMessage } from '../../src/shared/protocol';
import { ruleIndexOf, specOf } from '../../src/webview/autoReply/autoReplySpec';
import { restoreAutoReply, rowsFromRules, ruleOf } from '../../src/webview/autoReply/ruleRows';
import { AUTO_REPLY_RULES_MAX } from '../../src/shared/limits';

const rules = [
  { contains: 'ping', reply: { data: 'pong\\n' } },
  { hex: '01 02', reply: { data: 'aa bb', format: 'hex' } },
  { regex: '^get (\\w+)', flags: 'i', reply: { data: 'got $1', lineEnding: 'crlf', encoding: 'gbk', escapes: false } },
];

describe('send panel auto-reply rules draft', () => {
  it('reads an old draft whose rules are a JSON string into rows', () => {
    const draft = restoreAutoReply({ mode: 'rules', data: 'x', format: 'hex', rules: JSON.stringify(rules) });
    assert.deepStrictEqual(draft, {
      mode: 'rules',
      data: 'x',
      format: 'hex',
      encoding: 'utf8',
      rules: [
        { kind: 'contains', match: 'ping', flags: '', reply: 'pong\\n', format: 'text' },
        { kind: 'hex', match: '01 02', flags: '', reply: 'aa bb', format: 'hex' },
        {
          kind: 'regex',
          match: '^get (\\w+)',
          flags: 'i',
          reply: 'got $1',
          format: 'text',
          more: { encoding: 'gbk', escapes: false, lineEnding: 'crlf' },
        },
      ],
    });
  });

  it('starts with one empty row when the old JSON does not parse, is not an array, or is missing', () => {
    const empty = [{ kind: 'contains', match: '', flags: '', reply: '', format: 'text' }];
    assert.deepStrictEqual(
      restoreAutoReply({ mode: 'rules', data: '', format: 'text', rules: '[{ "contains": ' }).rules,
      empty,
    );
    assert.deepStrictEqual(restoreAutoReply({ mode: 'rules', rules: '{"contains":"a"}' }).rules, empty);
    assert.deepStrictEqual(restoreAutoReply(undefined), {
      mode: 'off',
      data: '',
      format: 'text',
      encoding: 'utf8',
      rules: empty,
    });
    assert.deepStrictEqual(restoreAutoReply({ mode: 'nonsense', format: 'utf9', data: 3, rules: 5, encoding: 7 }), {
      mode: 'off',
      data: '',
      format: 'text',
      encoding: 'utf8',
      rules: empty,
    });
  });

  it("keeps the auto-reply's own encoding; a draft saved before it had one takes the composer's", () => {
    assert.strictEqual(restoreAutoReply({ mode: 'fixed', encoding: 'big5' }, 'gbk').encoding, 'big5');
    assert.strictEqual(restoreAutoReply({ mode: 'fixed' }, 'gbk').encoding, 'gbk');
    assert.strictEqual(restoreAutoReply({ mode: 'fixed', encoding: '' }, 'gbk').encoding, 'gbk');
    assert.strictEqual(restoreAutoReply({ mode: 'fixed' }).encoding, 'utf8');
  });

  it('checks saved rows field by field', () => {
    const draft = restoreAutoReply({
      mode: 'rules',
      rules: [
        {
          kind: 'regex',
          match: 'a',
          flags: 'i',
          reply: 'b',
          format: 'base64',
          more: { escapes: 'yes', lineEnding: 'lf', extra: 1 },
        },
        'junk',
        { kind: 'bogus', match: 7 },
      ],
      json: '[]',
    });
    assert.deepStrictEqual(draft.rules, [
      { kind: 'regex', match: 'a', flags: 'i', reply: 'b', format: 'base64', more: { lineEnding: 'lf' } },
      { kind: 'contains', match: '', flags: '', reply: '', format: 'text' },
    ]);
    assert.strictEqual(draft.json, '[]');
  });

  it('keeps at most the protocol limit of rules', () => {
    const many = Array.from({ length: AUTO_REPLY_RULES_MAX + 5 }, (_, i) => ({
      contains: String(i),
      reply: { data: '' },
    }));
    assert.strictEqual(rowsFromRules(many)!.length, AUTO_REPLY_RULES_MAX);
  });

  it('turns rows back into the same rules, which the protocol and the core accept', () => {
    const back = rowsFromRules(rules)!.map(ruleOf);
    assert.deepStrictEqual(back, rules);
    const spec = { mode: 'rules', rules: back };
    const parsed = parseWebviewMessage({ type: 'setAutoReply', id: 1, spec });
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    const reply = compileAutoReply(spec)!;
    assert.strictEqual(Buffer.from(reply(Buffer.from('ping\n'))!).toString(), 'pong\n');
    assert.deepStrictEqual(Buffer.from(reply(Buffer.from([1, 2, 3]))!), Buffer.from([0xaa, 0xbb]));
    assert.strictEqual(Buffer.from(reply(Buffer.from('GET index'))!).toString(), 'got index\r\n');
  });

  it('sends flags only with a regex, and the format only when it is not text', () => {
    assert.deepStrictEqual(ruleOf({ kind: 'contains', match: 'a', flags: 'i', reply: 'b', format: 'text' }), {
      contains: 'a',
      reply: { data: 'b' },
    });
    assert.deepStrictEqual(ruleOf({ kind: 'regex', match: 'a', flags: '', reply: 'b', format: 'base64' }), {
      regex: 'a',
      reply: { data: 'b', format: 'base64' },
    });
  });

  it("builds the spec Apply sends: fixed text with the auto-reply's encoding, rows or JSON as rules, off and echo as they are", () => {
    const draft = restoreAutoReply({ mode: 'fixed', data: '我是返回的数据', format: 'text', encoding: 'gbk' });
    assert.deepStrictEqual(specOf(draft), {
      ok: true,
      spec: { mode: 'fixed', data: '我是返回的数据', format: 'text', encoding: 'gbk' },
      sentRows: [],
    });
    assert.deepStrictEqual(specOf({ ...draft, data: 'aa bb', format: 'hex' }), {
      ok: true,
      spec: { mode: 'fixed', data: 'aa bb', format: 'hex' },
      sentRows: [],
    });
    const rows = restoreAutoReply({ mode: 'rules', rules: JSON.stringify(rules) });
    const fromRows = specOf(rows);
    assert.ok(fromRows.ok);
    assert.deepStrictEqual(fromRows.spec, { mode: 'rules', rules, encoding: 'utf8' });
    // The rows as sent, so that a refusal naming rules[1] finds the second row even if the table changes later.
    assert.deepStrictEqual(fromRows.sentRows, rows.rules);
    assert.notStrictEqual(fromRows.sentRows, rows.rules);
    for (const result of [fromRows, specOf({ ...rows, json: JSON.stringify(rules) })]) {
      assert.ok(result.ok);
      const parsed = parseWebviewMessage({ type: 'setAutoReply', id: 1, spec: result.spec });
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
    }
    const badJson = specOf({ ...rows, json: '[{ "contains": ' });
    assert.strictEqual(badJson.ok, false);
    assert.ok(!badJson.ok && badJson.json.length > 0);
    assert.deepStrictEqual(specOf({ ...rows, mode: 'echo' }), {
      ok: true,
      spec: { mode: 'echo' },
      sentRows: [],
    });
    assert.deepStrictEqual(specOf({ ...rows, mode: 'off' }), { ok: true, spec: { mode: 'off' }, sentRows: [] });
  });

  it('finds the rule a refusal names, as the core and as the protocol write it', () => {
    assert.strictEqual(ruleIndexOf('autoReply.rules[2].regex: must compile'), 2);
    assert.strictEqual(
      ruleIndexOf('The panel sent a message the extension does not understand: spec.rules.7.flags: x'),
      7,
    );
    assert.strictEqual(ruleIndexOf('Encoding must be one of utf8'), undefined);
  });
});
