// The send panel's composer rules that need no DOM: the Repeat fields' check, the payload fields a draft
// sends, the history badge, and the singular/plural choice of strings.
import * as assert from 'assert';
import { checkRepeat as coreCheckRepeat } from '../../src/shared/validate';
import { REPEAT_MAX_COUNT, REPEAT_MAX_INTERVAL_MS } from '../../src/shared/limits';
import { parseWebviewMessage } from '../../src/shared/protocol';
import {
  checkRepeat,
  historyBadge,
  payloadOf,
  repeatName,
  sameDraft,
  type Draft,
} from '../../src/webview/composer/draft';
import { fill, pluralKey } from '../../src/webview/strings';

const text: Draft = { data: 'hi', format: 'text', encoding: 'gbk', lineEnding: 'crlf', escapes: true };
const hex: Draft = { data: '68 69', format: 'hex', encoding: 'gbk', lineEnding: 'crlf', escapes: true };

describe('send panel composer', () => {
  describe('checkRepeat', () => {
    it('takes whole numbers in range, a count or none', () => {
      assert.deepStrictEqual(checkRepeat('100', ''), { ok: true, repeat: { intervalMs: 100 } });
      assert.deepStrictEqual(checkRepeat(' 0 ', '5'), { ok: true, repeat: { intervalMs: 0, count: 5 } });
      assert.deepStrictEqual(checkRepeat(String(REPEAT_MAX_INTERVAL_MS), String(REPEAT_MAX_COUNT)), {
        ok: true,
        repeat: { intervalMs: REPEAT_MAX_INTERVAL_MS, count: REPEAT_MAX_COUNT },
      });
    });

    it('names the field and the problem; an empty interval is a mistake, not 0', () => {
      const cases: [string, string, string, string][] = [
        ['', '3', 'interval', 'repeatIntervalEmpty'],
        ['  ', '', 'interval', 'repeatIntervalEmpty'],
        ['-5', '3', 'interval', 'repeatIntervalInvalid'],
        ['0.5', '2', 'interval', 'repeatIntervalInvalid'],
        ['1e3', '2', 'interval', 'repeatIntervalInvalid'],
        [String(REPEAT_MAX_INTERVAL_MS + 1), '', 'interval', 'repeatIntervalInvalid'],
        ['100', '0', 'count', 'repeatCountInvalid'],
        ['100', '2.5', 'count', 'repeatCountInvalid'],
        ['100', String(REPEAT_MAX_COUNT + 1), 'count', 'repeatCountInvalid'],
        ['0', '', 'count', 'repeatNeedsCount'],
      ];
      for (const [interval, count, field, key] of cases) {
        const r = checkRepeat(interval, count);
        assert.ok(!r.ok, `${interval}/${count}`);
        assert.deepStrictEqual([r.field, r.key], [field, key], `${interval}/${count}`);
      }
    });

    it('agrees with the protocol and the core: what it accepts they accept (one set of limits, shared/limits.ts)', () => {
      for (const [interval, count] of [
        ['0', '1'],
        ['100', ''],
        [String(REPEAT_MAX_INTERVAL_MS), String(REPEAT_MAX_COUNT)],
      ]) {
        const r = checkRepeat(interval, count);
        assert.ok(r.ok);
        assert.ok(
          parseWebviewMessage({ type: 'send', id: 1, target: 'e1', data: 'x', format: 'text', repeat: r.repeat }).ok,
        );
        assert.strictEqual(coreCheckRepeat(r.repeat), undefined);
      }
    });
  });

  describe('payloadOf and the history', () => {
    it('sends encoding, escapes and line ending for text only', () => {
      assert.deepStrictEqual(payloadOf(text), {
        data: 'hi',
        format: 'text',
        encoding: 'gbk',
        escapes: true,
        lineEnding: 'crlf',
      });
      assert.deepStrictEqual(payloadOf(hex), { data: '68 69', format: 'hex' });
      assert.ok(
        parseWebviewMessage({ type: 'validate', id: 1, ...payloadOf(hex) }).ok,
        'the protocol takes a hex payload without them',
      );
    });

    it('tells payloads apart by what applies to their format', () => {
      assert.ok(sameDraft(hex, { ...hex, lineEnding: 'none', encoding: 'utf8', escapes: false }));
      assert.ok(!sameDraft(text, { ...text, lineEnding: 'lf' }));
      assert.ok(!sameDraft(text, { ...text, format: 'hex' }));
      assert.strictEqual(historyBadge(text), 'text · gbk · CRLF');
      assert.strictEqual(historyBadge({ ...text, lineEnding: 'none', escapes: false }), 'text · gbk · no escapes');
      assert.strictEqual(historyBadge(hex), 'hex');
      assert.strictEqual(repeatName({ ...text, data: 'x'.repeat(40) }, 4), '"xxxx…" (text · gbk · CRLF)');
    });
  });

  describe('strings', () => {
    const table = { bytes: '{0} bytes', bytesOne: '{0} byte', sent: 'Sent {0}' };
    it('picks the singular string for exactly one, when there is one', () => {
      assert.strictEqual(pluralKey(table, 'bytes', 1), 'bytesOne');
      assert.strictEqual(pluralKey(table, 'bytes', 0), 'bytes');
      assert.strictEqual(pluralKey(table, 'bytes', 2), 'bytes');
      assert.strictEqual(pluralKey(table, 'sent', 1), 'sent');
    });
    it('fills placeholders and leaves unknown ones', () => {
      assert.strictEqual(fill('{0} of {1}, {2}', [1, 'two']), '1 of two, {2}');
    });
  });
});
