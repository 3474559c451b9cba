// The argument schemas of src/shared/commandArgs.ts: what the core and the host's commands both parse with.
import * as assert from 'assert';
import { commandSchemas, parseArgs } from '../../src/shared/commandArgs';
import { SocketLabError } from '../../src/shared/errors';
import { checkHost, checkPort, checkUnixPath } from '../../src/shared/validate';
import { assertSocketLabError } from '../helpers/errors';

const linux = commandSchemas('linux');

/** The SocketLabError `fn` throws (it must throw one). */
function thrown(fn: () => unknown): SocketLabError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SocketLabError, String(err));
    return err;
  }
  assert.fail('nothing was thrown');
}

describe('command argument schemas', () => {
  it("a refused field throws the shared check's own error: same code, sentence, template and values", () => {
    for (const [command, args, expected] of [
      ['startTcpListener', { port: ' 80 ' }, checkPort(' 80 ', 'port')],
      ['connectTcp', { host: '999.1.1.1', port: 9 }, checkHost('999.1.1.1', 'host')],
      ['connectTcp', { port: 9, localAddress: 'http://x' }, checkHost('http://x', 'localAddress')],
      ['startUnixListener', { path: '' }, checkUnixPath('', 'path', 'linux')],
    ] as const) {
      const error = thrown(() => parseArgs(linux, command, args));
      assert.ok(expected);
      assert.strictEqual(error.code, expected.code);
      assert.strictEqual(error.message, expected.message);
      assert.strictEqual(error.template, expected.template);
      assert.deepStrictEqual(error.values, expected.values);
    }
  });

  it('refuses what is not an argument object, then an unknown field, before any field is checked', () => {
    assertSocketLabError(
      thrown(() => parseArgs(linux, 'startTcpListener', [9])),
      'invalidArgument',
      {
        command: 'startTcpListener',
        fields: 'host, port, backlog, maxConnections, autoReply, allowExternal, capture, framing',
      },
    );
    const unknown = thrown(() => parseArgs(linux, 'startTcpListener', { port: -1, prot: 1 }));
    assert.strictEqual(
      unknown.message,
      "startTcpListener has no field 'prot'; its fields are host, port, backlog, maxConnections, autoReply, allowExternal, capture, framing.",
    );
    assert.strictEqual(
      thrown(() => parseArgs(linux, 'stopAll', { force: true })).message,
      'stopAll takes no fields; pass {}.',
    );
  });

  it('checks the fields in the order they are listed, and a missing one gets its own sentence', () => {
    // Both host and port are bad: host comes first.
    assert.strictEqual(thrown(() => parseArgs(linux, 'connectTcp', { host: '', port: 0 })).code, 'invalidHost');
    assert.match(thrown(() => parseArgs(linux, 'startTcpListener', {})).message, /^Port must be .* \(got nothing\)\.$/);
    assert.strictEqual(
      thrown(() => parseArgs(linux, 'send', { data: 'x' })).message,
      'target must be a non-empty string.',
    );
    assert.strictEqual(
      thrown(() => parseArgs(linux, 'connectTcp', { port: 0 })).message,
      'port must be 1-65535 to connect (0 only means "any port" when binding).',
    );
  });

  it('returns the values normalized, and parsing that output again gives the same (the host parses, then the core)', () => {
    const parsed = parseArgs(linux, 'send', {
      target: 'e1',
      data: 'hi',
      to: { host: '[::1]', port: '53' },
      repeat: { intervalMs: '10', count: 2, extra: true },
    });
    assert.deepStrictEqual(parsed.to, { host: '::1', port: 53 });
    assert.deepStrictEqual(parsed.repeat, { intervalMs: 10, count: 2 });
    assert.strictEqual(parsed.format, undefined);
    assert.deepStrictEqual(parseArgs(linux, 'send', parsed), parsed);
    const listener = parseArgs(linux, 'startTcpListener', { host: 'LocalHost', port: '8080', capture: { path: 'x' } });
    assert.strictEqual(listener.host, 'localhost');
    assert.strictEqual(listener.port, 8080);
    assert.deepStrictEqual(listener.capture, { path: 'x', format: 'jsonl', maxBytes: 1024 ** 3, append: false });
    assert.deepStrictEqual(parseArgs(linux, 'startTcpListener', listener), listener);
  });

  it('reads framing on the stream commands with its defaults filled in; UDP takes only none', () => {
    const listener = parseArgs(linux, 'startTcpListener', {
      port: 0,
      framing: { mode: 'length', bytes: 2, offset: 4 },
    });
    assert.deepStrictEqual(listener.framing, {
      mode: 'length',
      bytes: 2,
      endian: 'be',
      offset: 4,
      adjust: 0,
      maxFrameBytes: 1024 * 1024,
    });
    assert.deepStrictEqual(parseArgs(linux, 'startTcpListener', listener), listener);
    assert.deepStrictEqual(parseArgs(linux, 'setFraming', { id: 'e1', framing: { mode: 'line' } }).framing, {
      mode: 'line',
      eol: 'any',
      maxFrameBytes: 1024 * 1024,
    });
    assert.deepStrictEqual(parseArgs(linux, 'openUdpClient', { port: 9, framing: { mode: 'none' } }).framing, {
      mode: 'none',
      maxFrameBytes: 1024 * 1024,
    });
    assertSocketLabError(
      thrown(() => parseArgs(linux, 'startUdpListener', { port: 0, framing: { mode: 'idle', gapMs: 5 } })),
      'framingNotForUdp',
      { field: 'framing', mode: 'idle' },
    );
    assertSocketLabError(
      thrown(() => parseArgs(linux, 'connectUnix', { path: '/tmp/x', framing: 'line' })),
      'invalidFraming',
      {
        field: 'framing',
      },
    );
  });

  it('checks a Unix path against the limit of the platform the schemas were built for', () => {
    const path107 = `/tmp/${'x'.repeat(102)}`;
    assert.strictEqual(parseArgs(linux, 'connectUnix', { path: path107 }).path, path107);
    assertSocketLabError(
      thrown(() => parseArgs(commandSchemas('darwin'), 'connectUnix', { path: path107 })),
      'unixPathTooLong',
      { limit: 103, length: 107 },
    );
  });
});
