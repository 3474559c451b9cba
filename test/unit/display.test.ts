// How received bytes and counts are shown (src/shared/display.ts), the same in the host and in the panel:
// escaping, hex, the hex dump, byte sizes, times; and the panel's own decoding, which must agree with the core's.
import * as assert from 'assert';
import * as fc from 'fast-check';
import { decodeText, encodePayload, parseTextSegments } from '../../src/core/codec';
import {
  cutBefore,
  escapeForDisplay,
  formatBytes,
  formatTime,
  hexDump,
  hexPreview,
  toHex,
} from '../../src/shared/display';
import { decodeForDisplay } from '../../src/webview/traffic/rowText';

const bytes = (...values: number[]) => Uint8Array.from(values);
const utf8 = (text: string) => Uint8Array.from(Buffer.from(text, 'utf8'));

describe('display', () => {
  it('toHex uses a separator, default a space', () => {
    assert.strictEqual(toHex(bytes(0xde, 0xad, 0xbe, 0xef)), 'de ad be ef');
    assert.strictEqual(toHex(bytes(0, 0x0f, 0xf0), ''), '000ff0');
    assert.strictEqual(toHex(bytes(1, 2), ':'), '01:02');
    assert.strictEqual(toHex(new Uint8Array(0)), '');
    // Works on a view into a larger buffer.
    assert.strictEqual(toHex(bytes(9, 1, 2, 9).subarray(1, 3), ''), '0102');
  });

  it('escapeForDisplay escapes controls, bidi and format characters, keeps U+FFFD', () => {
    assert.strictEqual(escapeForDisplay('a\r\n\t\0\\b'), 'a\\r\\n\\t\\0\\\\b');
    assert.strictEqual(escapeForDisplay('\x01\x7f\u0085'), '\\x01\\x7f\\u0085');
    assert.strictEqual(escapeForDisplay('x\u202Ey\u200B\u2028'), 'x\\u202ey\\u200b\\u2028');
    assert.strictEqual(escapeForDisplay('我\uFFFD😀'), '我\uFFFD😀');
    assert.strictEqual(escapeForDisplay('\uD800'), '\\ud800');
    // Astral format characters are escaped whole, never as half a surrogate pair (core and webview alike).
    assert.strictEqual(escapeForDisplay('\u{E0001}a\u{13430}'), '\\u{e0001}a\\u{13430}');
    assert.strictEqual(decodeForDisplay(Buffer.from('\u{E0001}a\u{13430}'), 'utf8'), '\\u{e0001}a\\u{13430}');
    // The webview decodes latin1 and ascii as the core does (browsers would use windows-1252: 0x80 as '€').
    const high = Buffer.from([0x41, 0x80, 0x9f, 0xe9, 0xff]);
    assert.strictEqual(decodeForDisplay(high, 'latin1'), escapeForDisplay(decodeText(high, 'latin1')));
    assert.strictEqual(decodeForDisplay(high, 'latin1'), 'A\\u0080\\u009féÿ');
    // ASCII has no character for a byte of 0x80 or more: written as the byte, never U+FFFD.
    assert.strictEqual(decodeForDisplay(high, 'ascii'), 'A\\x80\\x9f\\xe9\\xff');
    assert.deepStrictEqual(
      Buffer.from(encodePayload({ data: escapeForDisplay('\u{E0001}') })),
      Buffer.from('\u{E0001}'),
    );
    assert.strictEqual(escapeForDisplay('<script>'), '<script>');
  });

  it('escapeForDisplay truncates with an ellipsis, never inside an escape or a surrogate pair', () => {
    assert.strictEqual(escapeForDisplay('abcdef', 3), 'abc…');
    assert.strictEqual(escapeForDisplay('abc', 3), 'abc');
    assert.strictEqual(escapeForDisplay('ab\ncd', 3), 'ab…');
    assert.strictEqual(escapeForDisplay('ab\ncd', 4), 'ab\\n…');
    assert.strictEqual(escapeForDisplay('a😀b', 2), 'a…');
    assert.strictEqual(escapeForDisplay('x'.repeat(1_000_000), 10), `${'x'.repeat(10)}…`);
    assert.strictEqual(escapeForDisplay('abc', 0), '…');
  });

  it('hexDump prints offset, two hex halves and the ASCII column', () => {
    const dump = hexDump(utf8('Hello\r\n World. this is long enough'));
    assert.strictEqual(
      dump,
      [
        '00000000  48 65 6c 6c 6f 0d 0a 20  57 6f 72 6c 64 2e 20 74  |Hello.. World. t|',
        '00000010  68 69 73 20 69 73 20 6c  6f 6e 67 20 65 6e 6f 75  |his is long enou|',
        '00000020  67 68                                             |gh|',
      ].join('\n'),
    );
    assert.strictEqual(hexDump(new Uint8Array(0)), '');
    assert.strictEqual(
      hexDump(bytes(0x00, 0x7f, 0x80, 0xff, 0x41)),
      '00000000  00 7f 80 ff 41                                    |....A|',
    );
  });

  it('hexDump stops at maxBytes and says how many bytes were left out', () => {
    const dump = hexDump(new Uint8Array(40).fill(0x41), { maxBytes: 16 });
    assert.strictEqual(
      dump,
      '00000000  41 41 41 41 41 41 41 41  41 41 41 41 41 41 41 41  |AAAAAAAAAAAAAAAA|\n… 24 more bytes',
    );
    assert.strictEqual(hexDump(bytes(1, 2), { maxBytes: 16 }).split('\n').length, 1);
  });
  it('toHex output parses back (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(' ', '', ':', '-', ',', '\n'), (data, sep) => {
        assert.deepStrictEqual(encodePayload({ data: toHex(data, sep), format: 'hex' }), data);
      }),
    );
  });
  it('escapeForDisplay output is inert and parses back to the same text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        const shown = escapeForDisplay(text);
        assert.ok(!/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u.test(shown), JSON.stringify(shown));
        const segments = parseTextSegments(shown);
        const back = segments.map((s) => (s.kind === 'text' ? s.text : String.fromCharCode(...s.bytes))).join('');
        assert.strictEqual(back, text);
      }),
    );
  });

  it('hexPreview is the hex of a preview, with an ellipsis when the record is longer', () => {
    assert.strictEqual(hexPreview(bytes(0x48, 0x69), 2), '48 69');
    assert.strictEqual(hexPreview(bytes(0x48, 0x69), 600), '48 69 …');
    assert.strictEqual(hexPreview(new Uint8Array(0), 0), '');
  });

  it('cutBefore cuts at a length, never between the halves of a surrogate pair', () => {
    assert.strictEqual(cutBefore('abcdef', 3), 'abc');
    assert.strictEqual(cutBefore('ab', 3), 'ab');
    assert.strictEqual(cutBefore('a😀b', 2), 'a');
    assert.strictEqual(cutBefore('a😀b', 3), 'a😀');
    assert.strictEqual(cutBefore('abc', 0), '');
  });

  it('formats byte counts', () => {
    assert.strictEqual(formatBytes(0), '0 B');
    assert.strictEqual(formatBytes(300), '300 B');
    assert.strictEqual(formatBytes(1229), '1.2 KB');
    assert.strictEqual(formatBytes(20 * 1024), '20 KB');
    assert.strictEqual(formatBytes(3 * 1024 ** 3), '3.0 GB');
  });

  it('formats times with milliseconds', () => {
    const t = new Date(2026, 10, 25, 9, 5, 7, 42).getTime();
    assert.strictEqual(formatTime(t), '09:05:07.042');
    assert.strictEqual(formatTime(t, true), '2026-11-25 09:05:07.042');
  });

  describe('bytes that are no character are written \\xHH, never U+FFFD (decodeEscaped)', () => {
    const show = (hex: string, encoding: string, cut = false) =>
      decodeForDisplay(Buffer.from(hex.replace(/ /g, ''), 'hex'), encoding, cut);

    it('utf8: invalid, overlong, surrogate and too-large sequences byte by byte; valid ones as characters', () => {
      assert.strictEqual(show('41 ff fe 42 e6 88 91 0a', 'utf8'), 'A\\xff\\xfeB我\\n');
      // Overlong '/' (c0 af), a UTF-16 surrogate (ed a0 80), past U+10FFFF (f4 90 80 80), a lone continuation.
      assert.strictEqual(show('c0 af', 'utf8'), '\\xc0\\xaf');
      assert.strictEqual(show('ed a0 80', 'utf8'), '\\xed\\xa0\\x80');
      assert.strictEqual(show('f4 90 80 80', 'utf8'), '\\xf4\\x90\\x80\\x80');
      assert.strictEqual(show('80 41', 'utf8'), '\\x80A');
      assert.strictEqual(show('f0 9f 98 80', 'utf8'), '😀');
      // A U+FFFD in the bytes is written as its bytes too: the log never shows the replacement character.
      assert.strictEqual(show('ef bf bd', 'utf8'), '\\xef\\xbf\\xbd');
      // Cut at the end: escaped, unless the bytes are the start of a longer record.
      assert.strictEqual(show('41 e6 88', 'utf8'), 'A\\xe6\\x88');
      assert.strictEqual(show('41 e6 88', 'utf8', true), 'A');
    });

    it('gbk, gb18030, big5, shift_jis and utf16le: what their decoders cannot map is written as bytes', () => {
      assert.strictEqual(show('ce c2 b6 c8 ff 41', 'gbk'), '温度\\xffA');
      assert.strictEqual(show('81 20', 'gb18030'), '\\x81 ');
      assert.strictEqual(show('81 30 81 30', 'gb18030'), '\\u0080');
      assert.strictEqual(show('a4 40 80 ff', 'big5'), '一\\x80\\xff');
      assert.strictEqual(show('82 a0 a0 fd', 'shift_jis'), 'あ\\xa0\\xfd');
      assert.strictEqual(show('41 00 00 dc 42 00', 'utf16le'), 'A\\x00\\xdcB');
      assert.strictEqual(show('3d d8 00 de', 'utf16le'), '😀');
      assert.strictEqual(show('41 00 42', 'utf16le'), 'A\\x42');
      // A control of utf16le is a two-byte character: escaped as one (\x01 would send a single byte).
      assert.strictEqual(show('01 00 0a 00', 'utf16le'), '\\u0001\\n');
    });

    it('never shows U+FFFD, and the text it shows is a payload that sends the same bytes (property)', () => {
      for (const encoding of ['utf8', 'ascii', 'latin1', 'utf16le']) {
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
            const shown = decodeForDisplay(data, encoding);
            assert.ok(!shown.includes('\uFFFD'), JSON.stringify(shown));
            assert.deepStrictEqual(
              Buffer.from(encodePayload({ data: shown, format: 'text', encoding, escapes: true })),
              Buffer.from(data),
              `${encoding}: ${JSON.stringify(shown)}`,
            );
          }),
          { numRuns: 300 },
        );
      }
      for (const encoding of ['gbk', 'gb18030', 'big5', 'shift_jis'])
        fc.assert(
          fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
            assert.ok(!decodeForDisplay(data, encoding).includes('\uFFFD'));
          }),
          { numRuns: 300 },
        );
    });
  });
});
