import * as assert from 'assert';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as path from 'path';
import { encodePayload, toBase64 } from '../../src/core/codec';
import { composePayload } from '../../src/core/composePayload';
import { runRequestFileFromArgs } from '../../src/core/requestFile/command';
import { sendBytes } from '../../src/core/requestFile/payloads';
import { sendLineBytes } from '../../src/core/requestFile/sendLine';
import { CHECKSUM_NAMES } from '../../src/shared/checksum';
import { toHex } from '../../src/shared/display';
import type { SendStatement } from '../../src/shared/requestFile/ast';
import {
  connectStatementFor,
  savedBlockText,
  sendStatementFor,
  textPayloadForLine,
  type SavablePayload,
} from '../../src/shared/requestFile/fromPayload';
import { expandTemplate, parseTemplate } from '../../src/shared/requestFile/variables';
import { rejectsWith, throwsSocketLabError } from '../helpers/errors';
import { describeProblems, fixedBuiltins, parseClean, parseStrict } from '../helpers/requestFiles';
import { rawServer } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const client = { kind: 'tcp-client' as const, remote: { address: '127.0.0.1', port: 9000, family: 'IPv4' as const } };

/** What the saved block's send line sends: parsed back, expanded, encoded as the runner does. */
function bytesOfSavedLine(payload: SavablePayload): Uint8Array {
  const data =
    payload.format === 'text'
      ? payload.data
      : payload.format === 'hex'
        ? toHex(encodePayload({ data: payload.data, format: 'hex' }))
        : toBase64(encodePayload({ data: payload.data, format: 'base64' }));
  const text = savedBlockText('saved', connectStatementFor(client), sendStatementFor({ ...payload, data }));
  const { file, problems } = parseStrict(text);
  assert.deepStrictEqual(describeProblems(problems), [], text);
  const send = file.blocks[0].statements.find((s): s is SendStatement => s.kind === 'send')!;
  const expanded = expandTemplate(parseTemplate(send.payload).parts, () => undefined, fixedBuiltins());
  assert.ok('text' in expanded, `${text}: ${JSON.stringify(expanded)}`);
  return sendBytes(send, expanded.text);
}

/** The bytes the composer sends for the same draft (undefined when it refuses the draft). */
function composerBytes(payload: SavablePayload): Uint8Array | undefined {
  try {
    return composePayload(payload, payload.variables ? fixedBuiltins() : undefined);
  } catch {
    return undefined;
  }
}

describe('Save to request file: a composer draft as a block that sends the same bytes', () => {
  it('writes a connect line for the client and the send with its options', () => {
    const text = savedBlockText(
      'ping',
      connectStatementFor(client),
      sendStatementFor({
        data: 'hi',
        format: 'text',
        encoding: 'gbk',
        lineEnding: 'crlf',
        checksum: 'crc16-modbus',
        checksumEndian: 'be',
      }),
    );
    assert.strictEqual(
      text,
      '### ping\nconnect tcp 127.0.0.1:9000\nsend text;encoding=gbk;eol=crlf;checksum=crc16-modbus;checksum-endian=be hi\n',
    );
    parseClean(text);
  });

  it('connects a bound UDP socket to its destination, brackets IPv6, and has no connect for a listener', () => {
    const udp = connectStatementFor({ kind: 'udp' }, { host: '::1', port: 7 });
    assert.deepStrictEqual([udp?.transport, udp?.target], ['udp', '[::1]:7']);
    assert.strictEqual(connectStatementFor({ kind: 'tcp-listener' }), undefined);
    const unix = connectStatementFor({ kind: 'unix-client', remote: { path: '/tmp/a.sock' } });
    assert.deepStrictEqual([unix?.transport, unix?.target], ['unix', '/tmp/a.sock']);
  });

  it('escapes what a line cannot hold: line breaks, controls, a literal {{, a trailing space', () => {
    const draft: SavablePayload = { data: 'a\nb\x01{{x}} ', format: 'text', escapes: false };
    const line = sendStatementFor(draft).payload;
    assert.ok(!line.includes('\n') && !line.includes('\x01') && !line.endsWith(' '), line);
    assert.strictEqual(hex(bytesOfSavedLine(draft)), hex(composerBytes(draft)!));
  });

  it('property: the saved line sends exactly what the composer sends (any text, escapes, encoding, ending, checksum)', () => {
    const textUnit = fc.constantFrom(
      ...'aZ09 \t\\n{}$\r\n\x00\x7f我é€"#;'.split(''),
      '\\x41',
      '\\u00e9',
      '{{$counter}}',
    );
    const draft: fc.Arbitrary<SavablePayload> = fc.record(
      {
        data: fc.array(textUnit, { maxLength: 12 }).map((a) => a.join('')),
        format: fc.constant('text' as const),
        encoding: fc.constantFrom('utf8', 'gbk', 'latin1', 'utf16le'),
        escapes: fc.boolean(),
        lineEnding: fc.constantFrom('none' as const, 'lf' as const, 'cr' as const, 'crlf' as const),
        checksum: fc.constantFrom(...CHECKSUM_NAMES),
        variables: fc.boolean(),
      },
      { requiredKeys: ['data', 'format'] },
    );
    fc.assert(
      fc.property(draft, (d) => {
        const expected = composerBytes(d);
        fc.pre(expected !== undefined);
        assert.strictEqual(hex(bytesOfSavedLine(d)), hex(expected!));
      }),
      { numRuns: 300 },
    );
  });

  it('property: hex and base64 drafts keep their bytes (rewritten from them in one line)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.constantFrom('hex' as const, 'base64' as const),
        fc.option(fc.constantFrom(...CHECKSUM_NAMES), { nil: undefined }),
        (bytes, format, checksum) => {
          const data = format === 'hex' ? Buffer.from(bytes).toString('hex').replace(/(..)/g, '$1\n') : toBase64(bytes);
          const d: SavablePayload = { data, format, checksum };
          assert.strictEqual(hex(bytesOfSavedLine(d)), hex(composerBytes(d)!));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Send to…: the bytes of one send line', () => {
  const text = [
    '@host = 127.0.0.1',
    '@greeting = hello {{who}}',
    '### one',
    'connect tcp {{host}}:1',
    'send text {{greeting}} #{{$counter}}\\r\\n',
    'send hex;checksum=crc16-modbus 01 03 00 00 00 0a',
    'expect regex ok (\\d+) capture=n',
    'send text {{n}}',
    '',
  ].join('\n');

  it('expands the environment, the @ lines above it and the built-ins, then encodes as the runner', () => {
    const file = parseStrict(text, ['who']).file;
    assert.strictEqual(
      Buffer.from(sendLineBytes(file, 5, { who: 'lab' }, fixedBuiltins())).toString(),
      'hello lab #1\r\n',
    );
    assert.strictEqual(hex(sendLineBytes(file, 6)), '01030000000ac5cd');
  });

  it('refuses a line that is not a send, and a capture (it exists only in a run) at its column', () => {
    const file = parseStrict(text, ['who']).file;
    throwsSocketLabError(() => sendLineBytes(file, 4), 'noSendLine', { line: 4 });
    const err = throwsSocketLabError(() => sendLineBytes(file, 8, { who: 'x' }), 'unknownVariable', {
      line: 8,
      column: 11,
    });
    assert.match(err.message, /^send at line 8, column 11: /);
  });
});

describe('socketLab.runRequestFile in the core: argument, path, block, vars', function () {
  this.timeout(20000);

  it('runs a relative path from the base folder with vars and one block, against a real echo server', async () => {
    const server = await rawServer('127.0.0.1', (s) => s.pipe(s));
    const t = tempDir();
    try {
      fs.writeFileSync(
        path.join(t.dir, 'echo.socklab'),
        [
          '### first',
          'connect tcp 127.0.0.1:{{port}}',
          'send text {{word}}\\n',
          'expect text {{word}}\\n',
          '### second',
          'connect tcp 127.0.0.1:{{port}}',
          'send text x',
          'expect text y within=300',
          '',
        ].join('\n'),
      );
      const all = await runRequestFileFromArgs(
        { path: 'echo.socklab', vars: { port: String(server.port), word: 'ping' } },
        { baseDir: t.dir },
      );
      assert.deepStrictEqual([all.passed, all.failed], [1, 1]);
      assert.deepStrictEqual(
        all.blocks.map((b) => [b.title, b.passed]),
        [
          ['first', true],
          ['second', false],
        ],
      );
      assert.strictEqual(all.blocks[1].failure?.line, 8);
      assert.deepStrictEqual(
        all.blocks[0].transcript.map((e) => [e.direction, Buffer.from(e.data).toString()]),
        [
          ['out', 'ping\n'],
          ['in', 'ping\n'],
        ],
      );
      const one = await runRequestFileFromArgs(
        { path: path.join(t.dir, 'echo.socklab'), block: 'first', vars: { port: String(server.port), word: 'w' } },
        {},
      );
      assert.deepStrictEqual([one.passed, one.failed, one.blocks.length], [1, 0, 1]);
    } finally {
      t.remove();
      await server.close();
    }
  });

  it('refuses bad arguments with sentences naming the field', async () => {
    await rejectsWith(runRequestFileFromArgs({ path: '' }), 'invalidArgument', /^path must be a non-empty string\.$/);
    await rejectsWith(
      runRequestFileFromArgs({ path: 'a.socklab', vars: { '1x': 'v' } }),
      'invalidArgument',
      /^vars must map names .*; "1x" does not\.$/,
    );
    await rejectsWith(
      runRequestFileFromArgs({ path: 'a.socklab', vars: ['x'] as never }),
      'invalidArgument',
      /^vars must be an object of variable names and string values\.$/,
    );
    const t = tempDir();
    try {
      await rejectsWith(runRequestFileFromArgs({ path: t.dir }), 'isDirectory', /is a folder, not a file\.$/);
      await rejectsWith(
        runRequestFileFromArgs({ path: 'missing.socklab' }, { baseDir: t.dir }),
        'fileUnreadable',
        /missing\.socklab cannot be read \(ENOENT\)\.$/,
      );
    } finally {
      t.remove();
    }
  });
});

describe('Save to request file: the exact line written for each draft option', () => {
  it('writes a line break as \\n and \\r, not as a \\u escape, so the saved line stays readable', () => {
    assert.strictEqual(sendStatementFor({ data: 'a\r\nb', format: 'text' }).payload, 'a\\r\\nb');
  });

  it('writes encoding= only for a text draft in another encoding than utf8', () => {
    const line = (p: SavablePayload) => savedBlockText('t', undefined, sendStatementFor(p)).split('\n')[1];
    assert.strictEqual(line({ data: 'a', format: 'text', encoding: 'utf8' }), 'send text a');
    assert.strictEqual(line({ data: 'a', format: 'text' }), 'send text a');
    assert.strictEqual(line({ data: '61', format: 'hex', encoding: 'latin1' }), 'send hex 61');
    assert.strictEqual(line({ data: 'a', format: 'text', encoding: 'latin1' }), 'send text;encoding=latin1 a');
  });

  it('writes no checksum options without a checksum, even when the draft keeps an endianness', () => {
    const send = sendStatementFor({ data: 'a', format: 'text', checksumEndian: 'le' });
    assert.deepStrictEqual([send.checksum, send.checksumEndian], [undefined, undefined]);
    const plain = sendStatementFor({ data: 'a', format: 'text', checksum: 'crc16-modbus' });
    assert.deepStrictEqual([plain.checksum, 'checksumEndian' in plain], ['crc16-modbus', false]);
  });

  it('connects a connected UDP client as udp, and has no connect for a UDP socket without destination or a client without peer', () => {
    const udp = connectStatementFor({ kind: 'udp', remote: { address: '127.0.0.1', port: 53 } });
    assert.deepStrictEqual([udp?.transport, udp?.target], ['udp', '127.0.0.1:53']);
    assert.strictEqual(connectStatementFor({ kind: 'udp' }), undefined);
    assert.strictEqual(connectStatementFor({ kind: 'tcp-client' }), undefined);
    assert.strictEqual(connectStatementFor({ kind: 'tcp-listener' }, { host: '127.0.0.1', port: 1 }), undefined);
  });

  it('folds a title with line breaks into one line with one space per break run', () => {
    const text = savedBlockText(' a\r\n\nb\rc ', undefined, sendStatementFor({ data: 'x', format: 'text' }));
    assert.strictEqual(text.split('\n')[0], '### a b c');
  });

  it('reads a draft without an escapes flag as escapes on, and defaults to escapes on and variables off', () => {
    assert.strictEqual(sendStatementFor({ data: '\\x41', format: 'text' }).payload, '\\x41');
    assert.strictEqual(textPayloadForLine('\\x41{{x}}'), '\\x41\\u007b{x}}');
  });
});
