import * as assert from 'assert';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { diagnose } from '../../src/core/requestFile/diagnose';
import { findEnvironmentFile, loadEnvironment } from '../../src/core/requestFile/environment';
import { loadRequestFile, readRequestFileText } from '../../src/core/requestFile/load';
import { encodeText, sendBytes } from '../../src/core/requestFile/payloads';
import { encodePayload } from '../../src/core/codec';
import { REQUEST_FILE_MAX_BYTES } from '../../src/shared/limits';
import { parseRequestFile } from '../../src/shared/requestFile/parser';
import type { SendStatement } from '../../src/shared/requestFile/ast';
import { rejectsWith } from '../helpers/errors';
import { tempDir } from '../helpers/tempDir';

/** `line:column+length code` of each diagnostic of `text`. */
const where = (text: string, known?: string[]) =>
  diagnose(text, { knownVariables: known }).map((d) => `${d.line}:${d.column}+${d.length} ${d.code}`);

describe('request file diagnostics', () => {
  it('point at the character the codec refuses in a payload or an expected value', () => {
    const text = [
      'connect tcp 127.0.0.1:1',
      'send hex 01 0g',
      'send hex 01 2',
      'send base64 a$==',
      'send text;encoding=latin1 ok 我',
      'send text bad \\q escape',
      'expect hex zz',
      'expect text \\x4',
      'send hex {{$counter}}',
    ].join('\n');
    assert.deepStrictEqual(where(text), [
      '2:14+1 hexBadChar',
      '3:13+1 hexOddDigits',
      '4:14+1 base64Invalid',
      '5:30+1 notEncodable',
      '6:15+1 badEscape',
      '7:12+1 hexBadChar',
      '8:13+1 badEscape',
    ]);
    const [hex] = diagnose(text);
    assert.strictEqual(
      hex.message,
      "Hex payload has the character \"g\" at position 5; allowed are hex digits, spaces, newlines, ':', '-', ',' and a 0x prefix per byte.",
    );
    assert.strictEqual(hex.template?.startsWith('Hex payload has the character {quotedChar}'), true);
  });

  it('check hosts and Unix paths, and report unknown variables, checksums and regexes with the parser', () => {
    const text = [
      'connect tcp 999.1.1.1:80',
      '###',
      `connect unix /tmp/${'x'.repeat(120)}`,
      'send hex;checksum=crc8 00',
      'expect regex (',
      '###',
      'connect tcp {{host}}:{{port}}',
    ].join('\n');
    assert.deepStrictEqual(where(text, ['host']), [
      '1:13+9 invalidHost',
      '3:14+125 unixPathTooLong',
      '4:19+4 unknownChecksum',
      '5:14+1 badRegex',
      '7:22+8 unknownVariable',
    ]);
    assert.deepStrictEqual(where(text.split('\n').slice(-1)[0]), ['1:13+8 unknownVariable', '1:22+8 unknownVariable']);
  });

  it('never throw, whatever the text', () => {
    const piece = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'connect ',
        'tcp ',
        'send ',
        'hex;',
        'checksum=',
        'expect ',
        'regex ',
        '{{',
        '}}',
        '\n',
        '###',
        '@x = ',
        '\\x',
        ';',
        '=',
      ),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const out = diagnose(pieces.join(''));
        assert.ok(Array.isArray(out));
        for (const d of out) assert.ok(d.line >= 1 && d.column >= 1 && d.length >= 1 && d.message.length > 0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('request file environments', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.remove());

  it('come from the nearest socklab.env.json above the file, $shared overlaid by the chosen one', () => {
    const nested = path.join(tmp.dir, 'a', 'b');
    fs.mkdirSync(nested, { recursive: true });
    fs.writeFileSync(
      path.join(tmp.dir, 'socklab.env.json'),
      JSON.stringify({ $shared: { host: '127.0.0.1', port: 1 }, ci: { port: 9000, tls: false } }),
    );
    assert.strictEqual(findEnvironmentFile(nested), path.join(tmp.dir, 'socklab.env.json'));
    assert.deepStrictEqual(loadEnvironment(nested), {
      file: path.join(tmp.dir, 'socklab.env.json'),
      names: ['ci'],
      values: { host: '127.0.0.1', port: '1' },
    });
    assert.deepStrictEqual(loadEnvironment(nested, 'ci').values, { host: '127.0.0.1', port: '9000', tls: 'false' });
    fs.writeFileSync(path.join(nested, 'x.socklab'), 'connect tcp {{host}}:{{port}}\nsend text {{token}}\n');
    const loaded = loadRequestFile(path.join(nested, 'x.socklab'), { env: 'ci', variables: { token: 't' } });
    assert.deepStrictEqual(loaded.problems, []);
    assert.strictEqual(
      loadRequestFile(path.join(nested, 'x.socklab'), { env: 'ci' }).problems[0].error.code,
      'unknownVariable',
    );
  });

  it('refuse an unknown environment, a missing file for a named one, and malformed files', async () => {
    await rejectsWith(
      () => loadEnvironment(tmp.dir, 'ci'),
      'unknownEnvironment',
      /^Environment ci was asked for, but there is no socklab\.env\.json in .* or a folder above it\.$/,
    );
    const file = path.join(tmp.dir, 'socklab.env.json');
    fs.writeFileSync(file, JSON.stringify({ $shared: {}, dev: {}, staging: {} }));
    await rejectsWith(
      () => loadEnvironment(tmp.dir, 'ci'),
      'unknownEnvironment',
      /^Environment ci is not in .*; it has dev, staging\.$/,
    );
    const bad: Array<[string, RegExp]> = [
      ['{ nope', /is not readable JSON: /],
      ['[1]', /must hold an object of named environments \(got an array\)\.$/],
      ['{"dev": 3}', /environment dev must be an object of variables \(got 3\)\.$/],
      ['{"dev": {"9x": "1"}}', /variable 9x of environment dev must have a valid name/],
      ['{"dev": {"a": {"b": 1}}}', /variable a of environment dev .* \(got an object\)\.$/],
    ];
    for (const [content, message] of bad) {
      fs.writeFileSync(file, content);
      await rejectsWith(() => loadEnvironment(tmp.dir), 'invalidEnvironmentFile', message);
    }
  });
});

describe('request file loading', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.remove());

  it('drops a BOM, and lists the parser and core problems together by line, then column', () => {
    const file = path.join(tmp.dir, 'a.socklab');
    fs.writeFileSync(file, '\uFEFFconnect tcp 127.0.0.1:1\n');
    assert.strictEqual(readRequestFileText(file), 'connect tcp 127.0.0.1:1\n');
    assert.deepStrictEqual(loadRequestFile(file).problems, []);
    fs.writeFileSync(file, 'connect tcp 999.0.0.1:1 bogus=1\nfrobnicate\nconnect tcp 127.0.0.1:1\nsend hex 0\n');
    assert.deepStrictEqual(
      loadRequestFile(file).problems.map((p) => `${p.line}:${p.column} ${p.error.code}`),
      ['1:13 invalidHost', '1:25 unknownOption', '2:1 unknownLine', '3:1 secondConnect', '4:10 hexOddDigits'],
    );
  });

  it('refuses a folder, a missing file and one over 4 MiB; reads one of exactly 4 MiB', () => {
    assert.throws(() => readRequestFileText(tmp.dir), {
      code: 'isDirectory',
      message: `The request file ${tmp.dir} is a folder, not a file.`,
    });
    const missing = path.join(tmp.dir, 'missing.socklab');
    assert.throws(() => readRequestFileText(missing), {
      code: 'fileUnreadable',
      message: `The request file ${missing} cannot be read (ENOENT).`,
    });
    const file = path.join(tmp.dir, 'big.socklab');
    fs.writeFileSync(file, `#${'x'.repeat(REQUEST_FILE_MAX_BYTES - 1)}`);
    assert.strictEqual(readRequestFileText(file).length, REQUEST_FILE_MAX_BYTES);
    fs.appendFileSync(file, 'x');
    assert.throws(() => readRequestFileText(file), {
      code: 'fileTooLarge',
      message: `The request file ${file} is ${REQUEST_FILE_MAX_BYTES + 1} bytes; at most ${REQUEST_FILE_MAX_BYTES} are read.`,
    });
  });
});

describe('request file payload bytes', () => {
  it('encode UTF-8 text exactly as the codec does, on any string (the fast path is not a second rule)', () => {
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('a', ' ', '\\', 'n', 'x', '4', '1', '我', '\ud83d', '\ude00', '\ud83d\ude00', '\0', '{'),
        fc.string({ unit: 'binary', maxLength: 1 }),
      ),
      maxLength: 20,
    });
    fc.assert(
      fc.property(text, (data) => {
        let want: string;
        try {
          want = Buffer.from(encodePayload({ data, format: 'text' })).toString('hex');
        } catch (err) {
          assert.throws(() => encodeText(data, undefined), { code: (err as { code: string }).code });
          return;
        }
        assert.strictEqual(Buffer.from(encodeText(data, undefined)).toString('hex'), want);
        assert.strictEqual(Buffer.from(encodeText(data, 'utf8')).toString('hex'), want);
      }),
      { numRuns: 500 },
    );
  });

  it('put the checksum over the payload alone and the line ending after it', () => {
    const { file } = parseRequestFile(
      'connect tcp h:1\nsend text;checksum=sum8;eol=crlf 123456789\nsend text;encoding=utf16le;eol=lf A\n',
    );
    const [, withSum, wide] = file.blocks[0].statements as SendStatement[];
    assert.strictEqual(
      Buffer.from(sendBytes(withSum, withSum.payload)).toString('hex'),
      Buffer.from('123456789\xdd\r\n', 'latin1').toString('hex'),
    );
    assert.strictEqual(Buffer.from(sendBytes(wide, wide.payload)).toString('hex'), '41000a00');
  });
});
