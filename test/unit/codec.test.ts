import * as assert from 'assert';
import * as fc from 'fast-check';
import * as iconv from 'iconv-lite';
import { decodeText, encodePayload, toBase64 } from '../../src/core/codec';
import { TEXT_ENCODINGS, normalizeEncoding } from '../../src/shared/payload';
import { SocketLabError } from '../../src/shared/errors';
import { throwsSocketLabError } from '../helpers/errors';

const bytes = (...values: number[]) => Uint8Array.from(values);
const utf8 = (text: string) => Uint8Array.from(Buffer.from(text, 'utf8'));

// Characters worth mixing: ASCII, the seed's Chinese, Japanese kana, Latin-1, any code point.
const interestingChar = fc.oneof(
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
  fc.constantFrom(...'我是返回的数据中文漢字日本語カタカナé€ü¥?\\'.split('')),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const mixedText = fc.string({ unit: interestingChar, maxLength: 40 });

describe('codec', () => {
  describe('text payloads', () => {
    it('encodes the seed reply "我是返回的数据" in GBK exactly as iconv-lite does', () => {
      const expected = Uint8Array.from(iconv.encode('我是返回的数据', 'gbk'));
      assert.deepStrictEqual(encodePayload({ data: '我是返回的数据', encoding: 'gbk' }), expected);
      assert.deepStrictEqual(
        expected,
        bytes(0xce, 0xd2, 0xca, 0xc7, 0xb7, 0xb5, 0xbb, 0xd8, 0xb5, 0xc4, 0xca, 0xfd, 0xbe, 0xdd),
      );
      assert.deepStrictEqual(encodePayload({ data: '我是返回的数据' }), utf8('我是返回的数据'));
    });

    it('defaults to text, utf8, escapes on, no line ending', () => {
      assert.deepStrictEqual(encodePayload({ data: 'a\\n' }), bytes(0x61, 0x0a));
      assert.deepStrictEqual(encodePayload({ data: 'a\\n', escapes: false }), bytes(0x61, 0x5c, 0x6e));
    });

    it('appends line endings after encoding, in the text encoding', () => {
      assert.deepStrictEqual(encodePayload({ data: 'hi', lineEnding: 'crlf' }), bytes(0x68, 0x69, 0x0d, 0x0a));
      assert.deepStrictEqual(encodePayload({ data: 'hi', lineEnding: 'lf' }), bytes(0x68, 0x69, 0x0a));
      assert.deepStrictEqual(encodePayload({ data: 'hi', lineEnding: 'cr' }), bytes(0x68, 0x69, 0x0d));
      assert.deepStrictEqual(encodePayload({ data: 'hi', lineEnding: 'none' }), bytes(0x68, 0x69));
      assert.deepStrictEqual(
        encodePayload({ data: 'hi', encoding: 'utf16le', lineEnding: 'crlf' }),
        bytes(0x68, 0, 0x69, 0, 0x0d, 0, 0x0a, 0),
      );
      assert.deepStrictEqual(
        encodePayload({ data: '我', encoding: 'gbk', lineEnding: 'crlf' }),
        bytes(0xce, 0xd2, 0x0d, 0x0a),
      );
      // Hex and base64 get the plain ASCII line ending.
      assert.deepStrictEqual(encodePayload({ data: 'ff', format: 'hex', lineEnding: 'crlf' }), bytes(0xff, 0x0d, 0x0a));
      assert.deepStrictEqual(encodePayload({ data: 'AA==', format: 'base64', lineEnding: 'lf' }), bytes(0, 0x0a));
    });

    it('decodes every escape', () => {
      assert.deepStrictEqual(encodePayload({ data: '\\n\\r\\t\\0\\\\' }), bytes(0x0a, 0x0d, 0x09, 0x00, 0x5c));
      assert.deepStrictEqual(encodePayload({ data: '\\u00e9\\u{1F600}' }), utf8('é😀'));
      assert.deepStrictEqual(encodePayload({ data: '\\uD83D\\uDE00' }), utf8('😀'));
    });

    it('writes \\xHH as the raw byte, not the encoded character, whatever the encoding', () => {
      assert.deepStrictEqual(encodePayload({ data: '\\xff\\x00' }), bytes(0xff, 0x00));
      assert.deepStrictEqual(encodePayload({ data: 'A\\xFF我', encoding: 'gbk' }), bytes(0x41, 0xff, 0xce, 0xd2));
      assert.deepStrictEqual(encodePayload({ data: 'A\\x01B', encoding: 'utf16le' }), bytes(0x41, 0, 0x01, 0x42, 0));
      // latin1 would encode U+00FF as ff too, but utf8 shows the difference.
      assert.deepStrictEqual(encodePayload({ data: '\\u00ff' }), bytes(0xc3, 0xbf));
    });

    it('refuses bad and unfinished escapes with their position', () => {
      throwsSocketLabError(() => encodePayload({ data: 'ab\\q' }), 'badEscape', { position: 3, sequence: '\\q' });
      throwsSocketLabError(() => encodePayload({ data: 'ab\\' }), 'badEscape', { position: 3 });
      throwsSocketLabError(() => encodePayload({ data: '\\x4' }), 'badEscape', { position: 1 });
      throwsSocketLabError(() => encodePayload({ data: 'x\\xZZ' }), 'badEscape', { position: 2 });
      throwsSocketLabError(() => encodePayload({ data: '\\u12' }), 'badEscape', { position: 1 });
      throwsSocketLabError(() => encodePayload({ data: '\\u{110000}' }), 'badEscape', { position: 1 });
      throwsSocketLabError(() => encodePayload({ data: '\\u{12' }), 'badEscape', { position: 1 });
      const err = throwsSocketLabError(() => encodePayload({ data: 'ok\\q' }), 'badEscape');
      assert.match(err.message, /unknown escape "\\q" at position 3/);
      // With escapes off, backslashes are literal.
      assert.deepStrictEqual(encodePayload({ data: 'ab\\', escapes: false }), utf8('ab\\'));
    });

    it('refuses characters an encoding cannot represent instead of writing "?"', () => {
      const err = throwsSocketLabError(() => encodePayload({ data: 'abé', encoding: 'ascii' }), 'notEncodable', {
        position: 3,
        char: 'é',
        encoding: 'ascii',
      });
      assert.match(err.message, /ascii/);
      throwsSocketLabError(() => encodePayload({ data: 'a€', encoding: 'latin1' }), 'notEncodable', {
        position: 2,
        codePoint: 'U+20AC',
      });
      throwsSocketLabError(() => encodePayload({ data: '我😀', encoding: 'gbk' }), 'notEncodable', {
        position: 2,
        char: '😀',
      });
      throwsSocketLabError(() => encodePayload({ data: '??\u0e01', encoding: 'big5' }), 'notEncodable', {
        position: 3,
      });
      throwsSocketLabError(() => encodePayload({ data: 'x한', encoding: 'shift_jis' }), 'notEncodable', {
        position: 2,
      });
      throwsSocketLabError(() => encodePayload({ data: 'a\uD800' }), 'notEncodable', {
        position: 2,
        codePoint: 'U+D800',
      });
      throwsSocketLabError(() => encodePayload({ data: 'a\uD800', encoding: 'gb18030' }), 'notEncodable', {
        position: 2,
      });
      // The position is that of the escape in the typed text.
      throwsSocketLabError(() => encodePayload({ data: '\\n\\xff\\u00e9', encoding: 'ascii' }), 'notEncodable', {
        position: 7,
      });
      // utf16le carries lone surrogates as they are; gb18030 has the emoji; a typed '?' is fine.
      assert.deepStrictEqual(encodePayload({ data: '\uD800', encoding: 'utf16le' }), bytes(0x00, 0xd8));
      assert.deepStrictEqual(
        encodePayload({ data: '😀', encoding: 'gb18030' }),
        Uint8Array.from(iconv.encode('😀', 'gb18030')),
      );
      assert.deepStrictEqual(encodePayload({ data: '?我?', encoding: 'gbk' }), bytes(0x3f, 0xce, 0xd2, 0x3f));
    });

    it('refuses the Latin-1 characters gbk, big5 and shift_jis lack (©, ¥, µ, é) instead of writing "?"', () => {
      // iconv-lite writes 0x3f for each of these; the refusal must name the character, not send '?'.
      const lacking: Array<[string, string]> = [
        ['gbk', '©'],
        ['gbk', '¥'],
        ['gbk', 'µ'],
        ['big5', '©'],
        ['big5', '¥'],
        ['shift_jis', 'é'],
        ['shift_jis', '©'],
      ];
      for (const [encoding, char] of lacking) {
        assert.deepStrictEqual([...iconv.encode(char, encoding)], [0x3f], `iconv-lite lacks ${char} in ${encoding}`);
        const err = throwsSocketLabError(() => encodePayload({ data: `价格 ${char}5`, encoding }), 'notEncodable', {
          position: 4,
          char,
          encoding,
        });
        assert.match(err.message, new RegExp(`${char}.*${encoding}|${encoding}.*${char}`));
      }
      // The Latin-1 characters they do have are written as their own bytes.
      assert.deepStrictEqual(encodePayload({ data: 'é§', encoding: 'gbk' }), bytes(0xa8, 0xa6, 0xa1, 0xec));
      assert.deepStrictEqual(encodePayload({ data: 'é', encoding: 'big5' }), bytes(0x88, 0x6d));
    });

    it('names the first unencodable character whether a lone surrogate or a missing one comes first, at its typed position', () => {
      for (const encoding of ['ascii', 'latin1', 'gbk', 'big5', 'shift_jis']) {
        const missing = encoding === 'latin1' ? '€' : '©';
        throwsSocketLabError(() => encodePayload({ data: `a${missing}b\uD800`, encoding }), 'notEncodable', {
          position: 2,
          char: missing,
        });
        throwsSocketLabError(() => encodePayload({ data: `a\uD800b${missing}`, encoding }), 'notEncodable', {
          position: 2,
          codePoint: 'U+D800',
        });
      }
      // After escapes and literal runs, the position counts typed characters: \u0041 is 6 of them, ab 2 more.
      throwsSocketLabError(() => encodePayload({ data: '\\u0041ab©', encoding: 'gbk' }), 'notEncodable', {
        position: 9,
        char: '©',
      });
      throwsSocketLabError(() => encodePayload({ data: 'ab\\u00a9', encoding: 'gbk' }), 'notEncodable', {
        position: 3,
        char: '©',
      });
    });

    it('refuses unknown formats, encodings, line endings and non-string data', () => {
      throwsSocketLabError(() => encodePayload({ data: 'a', format: 'octal' as never }), 'unknownFormat', {
        value: '"octal"',
      });
      const err = throwsSocketLabError(() => encodePayload({ data: 'a', encoding: 'ebcdic' }), 'unknownEncoding');
      assert.match(err.message, /utf8, ascii, latin1, utf16le, gbk, gb18030, big5, shift_jis/);
      throwsSocketLabError(() => encodePayload({ data: 'a', lineEnding: 'lfcr' as never }), 'unknownLineEnding');
      throwsSocketLabError(() => encodePayload({ data: 42 as never }), 'invalidPayload');
    });

    it('encodes a 1 MB payload, and finds an unencodable character or a bad escape at its very end', () => {
      const big = '我是返回的数据?'.repeat(150_000);
      assert.strictEqual(encodePayload({ data: big, encoding: 'gbk' }).length, 150_000 * 15);
      throwsSocketLabError(() => encodePayload({ data: `${big}😀`, encoding: 'gbk' }), 'notEncodable', {
        position: big.length + 1,
      });
      throwsSocketLabError(() => encodePayload({ data: `${big}\\q`, encoding: 'gbk' }), 'badEscape', {
        position: big.length + 1,
      });
    });
  });

  describe('hex payloads', () => {
    it('accepts separators, 0x prefixes and either case', () => {
      assert.deepStrictEqual(encodePayload({ data: 'DE:ad-Be,eF', format: 'hex' }), bytes(0xde, 0xad, 0xbe, 0xef));
      assert.deepStrictEqual(encodePayload({ data: '0x01 0X02\n\t0x0304\r\n', format: 'hex' }), bytes(1, 2, 3, 4));
      assert.deepStrictEqual(encodePayload({ data: '0x410x42', format: 'hex' }), bytes(0x41, 0x42));
      assert.deepStrictEqual(encodePayload({ data: '', format: 'hex' }), bytes());
      assert.deepStrictEqual(encodePayload({ data: ' \n ', format: 'hex' }), bytes());
    });

    it('refuses an odd digit count, naming the group and its position', () => {
      throwsSocketLabError(() => encodePayload({ data: 'abc', format: 'hex' }), 'hexOddDigits', {
        position: 1,
        group: 'abc',
      });
      throwsSocketLabError(() => encodePayload({ data: 'de a', format: 'hex' }), 'hexOddDigits', {
        position: 4,
        group: 'a',
      });
      throwsSocketLabError(() => encodePayload({ data: '1 2', format: 'hex' }), 'hexOddDigits', { position: 1 });
      throwsSocketLabError(() => encodePayload({ data: 'ff 0x1', format: 'hex' }), 'hexOddDigits', { position: 6 });
    });

    it('refuses a bad character with its 1-based position and the character', () => {
      throwsSocketLabError(() => encodePayload({ data: 'de ag', format: 'hex' }), 'hexBadChar', {
        position: 5,
        char: 'g',
      });
      throwsSocketLabError(() => encodePayload({ data: 'ff;00', format: 'hex' }), 'hexBadChar', {
        position: 3,
        char: ';',
      });
      throwsSocketLabError(() => encodePayload({ data: '0x', format: 'hex' }), 'hexBadChar', {
        position: 2,
        char: 'x',
      });
      throwsSocketLabError(() => encodePayload({ data: 'ff 😀', format: 'hex' }), 'hexBadChar', {
        position: 4,
        char: '😀',
      });
    });

    it('round-trips random bytes written with random separators, prefixes and case (property)', () => {
      const separator = fc.constantFrom(' ', ':', '-', ',', '\n', '\r\n', '  ', '\t');
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 64 }),
          fc.array(fc.tuple(fc.boolean(), fc.boolean(), separator), { minLength: 64, maxLength: 64 }),
          (data, styles) => {
            const text = Array.from(data, (byte, i) => {
              const [prefix, upper, sep] = styles[i];
              const digits = byte.toString(16).padStart(2, '0');
              return `${prefix ? '0x' : ''}${upper ? digits.toUpperCase() : digits}${sep}`;
            }).join('');
            assert.deepStrictEqual(encodePayload({ data: text, format: 'hex' }), data);
          },
        ),
      );
    });
  });

  describe('base64 payloads', () => {
    it('decodes standard and URL-safe base64, with optional padding and whitespace', () => {
      assert.deepStrictEqual(encodePayload({ data: 'SGVsbG8=', format: 'base64' }), utf8('Hello'));
      assert.deepStrictEqual(encodePayload({ data: 'SGVs\n bG8', format: 'base64' }), utf8('Hello'));
      assert.deepStrictEqual(encodePayload({ data: '+/8=', format: 'base64' }), bytes(0xfb, 0xff));
      assert.deepStrictEqual(encodePayload({ data: '-_8', format: 'base64' }), bytes(0xfb, 0xff));
      assert.deepStrictEqual(encodePayload({ data: '', format: 'base64' }), bytes());
    });

    it('skips tab, CR and LF anywhere: CRLF-wrapped MIME/PEM base64 and a pasted tab decode', () => {
      const data = Uint8Array.from({ length: 120 }, (_, i) => (i * 37) & 0xff);
      const wrapped = Buffer.from(data).toString('base64').replace(/.{76}/g, '$&\r\n');
      assert.ok(wrapped.includes('\r\n'));
      assert.deepStrictEqual(encodePayload({ data: `${wrapped}\r\n`, format: 'base64' }), data);
      assert.deepStrictEqual(encodePayload({ data: 'SGVs\tbG8=', format: 'base64' }), utf8('Hello'));
      assert.deepStrictEqual(encodePayload({ data: 'SG\rVs\r\nbG8\t', format: 'base64' }), utf8('Hello'));
      // Whitespace does not count as a position of the group: the truncation is still found.
      throwsSocketLabError(() => encodePayload({ data: 'SGVs\r\nb', format: 'base64' }), 'base64Invalid', {
        position: 7,
      });
    });

    it('refuses bad characters, bad padding, truncation and mixed alphabets', () => {
      throwsSocketLabError(() => encodePayload({ data: 'SGVs!bG8=', format: 'base64' }), 'base64Invalid', {
        position: 5,
        char: '!',
      });
      throwsSocketLabError(() => encodePayload({ data: 'S=GVs', format: 'base64' }), 'base64Invalid', { position: 2 });
      throwsSocketLabError(() => encodePayload({ data: 'SGVsbG8==', format: 'base64' }), 'base64Invalid', {
        position: 9,
      });
      throwsSocketLabError(() => encodePayload({ data: 'SGVsbA=', format: 'base64' }), 'base64Invalid');
      throwsSocketLabError(() => encodePayload({ data: 'SGVsbA==QQ==', format: 'base64' }), 'base64Invalid', {
        position: 9,
      });
      throwsSocketLabError(() => encodePayload({ data: 'SGVsb', format: 'base64' }), 'base64Invalid', { position: 5 });
      throwsSocketLabError(() => encodePayload({ data: 'SGVsbG9=', format: 'base64' }), 'base64Invalid', {
        position: 7,
      });
      throwsSocketLabError(() => encodePayload({ data: 'QR==', format: 'base64' }), 'base64Invalid', { position: 2 });
      throwsSocketLabError(() => encodePayload({ data: '+_8=', format: 'base64' }), 'base64Invalid', { position: 2 });
    });

    it('round-trips random bytes, standard and URL-safe (property)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(300), (data, cut) => {
          const encoded = toBase64(data);
          assert.strictEqual(encoded, Buffer.from(data).toString('base64'));
          assert.deepStrictEqual(encodePayload({ data: encoded, format: 'base64' }), data);
          const url = encoded.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
          assert.deepStrictEqual(encodePayload({ data: url, format: 'base64' }), data);
          const spaced = `${encoded.slice(0, cut)}\n  ${encoded.slice(cut)}`;
          assert.deepStrictEqual(encodePayload({ data: spaced, format: 'base64' }), data);
        }),
      );
    });

    it('ignores any mix of space, tab, CR and LF between any characters (property)', () => {
      const whitespace = fc.string({ unit: fc.constantFrom(' ', '\t', '\r', '\n'), maxLength: 3 });
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 60 }), fc.array(whitespace, { maxLength: 90 }), (data, gaps) => {
          const encoded = Buffer.from(data).toString('base64');
          const mixed = [...encoded].map((char, i) => `${gaps[i] ?? ''}${char}`).join('') + (gaps.at(-1) ?? '');
          assert.deepStrictEqual(encodePayload({ data: mixed, format: 'base64' }), data);
        }),
      );
    });
  });

  describe('encodings', () => {
    it('normalizes encoding names and aliases', () => {
      const cases: Array<[string, string]> = [
        ['UTF-8', 'utf8'],
        ['utf_8', 'utf8'],
        ['US-ASCII', 'ascii'],
        ['ISO-8859-1', 'latin1'],
        ['UTF-16LE', 'utf16le'],
        ['GBK', 'gbk'],
        ['GB2312', 'gbk'],
        ['GB18030', 'gb18030'],
        ['Big5', 'big5'],
        ['Shift_JIS', 'shift_jis'],
        ['shift-jis', 'shift_jis'],
        ['SJIS', 'shift_jis'],
      ];
      for (const [input, expected] of cases) {
        assert.strictEqual(normalizeEncoding(input), expected, input);
      }
      for (const name of TEXT_ENCODINGS) {
        assert.strictEqual(normalizeEncoding(name), name);
      }
      throwsSocketLabError(() => normalizeEncoding('koi8-r'), 'unknownEncoding', { value: '"koi8-r"' });
      throwsSocketLabError(() => normalizeEncoding('constructor'), 'unknownEncoding');
      throwsSocketLabError(() => normalizeEncoding(undefined as never), 'unknownEncoding');
    });

    for (const encoding of TEXT_ENCODINGS) {
      it(`${encoding}: encode -> decode -> encode gives the same bytes, and refusals are real (property)`, () => {
        fc.assert(
          fc.property(mixedText, (text) => {
            let encoded: Uint8Array;
            try {
              encoded = encodePayload({ data: text, encoding, escapes: false });
            } catch (err) {
              assert.ok(err instanceof SocketLabError && err.code === 'notEncodable', String(err));
              // The refused character really is one iconv-lite would have replaced.
              const char = err.values.char as string;
              const alone = iconv.encode(char, encoding);
              assert.ok(
                /[\uD800-\uDFFF]/.test(char) || (alone.length === 1 && alone[0] === 0x3f && char !== '?'),
                `${encoding} refused ${char}`,
              );
              return;
            }
            // Nothing was mangled: exactly what iconv-lite writes.
            assert.deepStrictEqual(encoded, Uint8Array.from(iconv.encode(text, encoding)));
            const decoded = decodeText(encoded, encoding);
            // ... and no character silently became '?' (iconv-lite's own output would have the same '?').
            const questions = (s: string) => s.split('?').length - 1;
            assert.strictEqual(questions(decoded), questions(text), `${encoding} wrote '?' for something in ${text}`);
            assert.deepStrictEqual(encodePayload({ data: decoded, encoding, escapes: false }), encoded);
            if (['utf8', 'utf16le', 'latin1', 'ascii', 'gb18030'].includes(encoding)) {
              assert.strictEqual(decoded, text);
            }
          }),
          { numRuns: 300 },
        );
      });
    }
  });

  describe('escapes (property)', () => {
    it('a sequence of literals and escapes encodes to the concatenation of their bytes', () => {
      const literal = fc
        .string({ unit: 'grapheme', maxLength: 5 })
        .filter((s) => !s.includes('\\'))
        .map((s) => [s, utf8(s)] as const);
      const rawByte = fc
        .integer({ min: 0, max: 255 })
        .map((b) => [`\\x${b.toString(16).padStart(2, '0')}`, bytes(b)] as const);
      const bmp = fc
        .integer({ min: 0, max: 0xffff })
        .filter((c) => c < 0xd800 || c > 0xdfff)
        .map((c) => [`\\u${c.toString(16).padStart(4, '0')}`, utf8(String.fromCharCode(c))] as const);
      const astral = fc
        .integer({ min: 0, max: 0x10ffff })
        .filter((c) => c < 0xd800 || c > 0xdfff)
        .map((c) => [`\\u{${c.toString(16)}}`, utf8(String.fromCodePoint(c))] as const);
      const simple = fc.constantFrom(
        ['\\n', bytes(10)] as const,
        ['\\r', bytes(13)] as const,
        ['\\t', bytes(9)] as const,
        ['\\0', bytes(0)] as const,
        ['\\\\', bytes(0x5c)] as const,
      );
      fc.assert(
        fc.property(fc.array(fc.oneof(literal, rawByte, bmp, astral, simple), { maxLength: 20 }), (parts) => {
          const data = parts.map(([text]) => text).join('');
          const expected = Buffer.concat(parts.map(([, b]) => b));
          assert.deepStrictEqual(encodePayload({ data }), Uint8Array.from(expected));
        }),
      );
    });
  });

  describe('decoding', () => {
    it('decodes with U+FFFD for invalid sequences and keeps a BOM', () => {
      assert.strictEqual(decodeText(bytes(0x61, 0xff, 0x62)), 'a\uFFFDb');
      assert.strictEqual(decodeText(bytes(0xef, 0xbb, 0xbf, 0x41)), '\uFEFFA');
      assert.strictEqual(decodeText(bytes(0xce, 0xd2, 0xca, 0xc7), 'GBK'), '我是');
      assert.strictEqual(decodeText(bytes(0x41, 0, 0x42), 'utf16le'), 'A\uFFFD');
      assert.strictEqual(decodeText(bytes(0x41, 0xff), 'ascii'), 'A\uFFFD');
      assert.strictEqual(decodeText(new Uint8Array(0)), '');
      throwsSocketLabError(() => decodeText(bytes(1), 'nope'), 'unknownEncoding');
    });
  });
});
