// The argument schemas of src/shared/commandArgs.ts: what the core and the host's commands both parse with.
import * as assert from 'assert';
import { captureOfStartArgs, commandSchemas, parseArgs } from '../../src/shared/commandArgs';
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
    assertSocketLabError(
      thrown(() => parseArgs(linux, 'stopAll', { force: true })),
      'unknownField',
      {
        field: 'force',
        command: 'stopAll',
      },
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

describe('command argument schemas: which command and which field a refusal names', () => {
  /** Every command's fields, in the order its refusal of a non-object lists them (the public contract). */
  const FIELDS: Record<string, string> = {
    startTcpListener: 'host, port, backlog, maxConnections, autoReply, allowExternal, capture, framing',
    startUdpListener:
      'host, port, broadcast, multicastGroups, multicastTtl, multicastLoopback, autoReply, allowExternal, capture, framing',
    connectTcp:
      'host, port, timeoutMs, localAddress, localPort, noDelay, keepAlive, halfOpen, autoReply, capture, framing',
    openUdpClient: 'host, port, localPort, autoReply, capture, framing',
    startUnixListener: 'path, backlog, maxConnections, autoReply, capture, framing',
    connectUnix: 'path, timeoutMs, halfOpen, autoReply, capture, framing',
    startTlsListener:
      'host, port, cert, key, ca, alpn, requestClientCert, keylogPath, backlog, maxConnections, autoReply, allowExternal, capture, framing',
    connectTls:
      'host, port, servername, ca, cert, key, alpn, insecure, keylogPath, timeoutMs, autoReply, capture, framing',
    startRelay: 'listen, upstream, protocol, tls, allowExternal, capture',
    send: 'target, data, format, encoding, escapes, lineEnding, checksum, checksumEndian, variables, to, repeat, waitMs, direction',
    sendFile: 'target, path, to, direction',
    runRequestFile: 'path, block, vars, env',
    stopRepeat: 'repeatId',
    stop: 'id',
    halfClose: 'id',
    restart: 'id',
    clearLog: 'id',
    copyAddress: 'id',
    copyCaPath: 'id',
    openPanel: 'id',
    stopAll: '',
    setBroadcast: 'id, on',
    joinMulticast: 'id, group, interface',
    setFraming: 'id, framing',
    leaveMulticast: 'id, group, interface',
    setMulticastOptions: 'id, ttl, loopback',
    startCapture: 'id, path, format, maxBytes, append',
    stopCapture: 'id',
    exportPcapng: 'id, path',
    listSystemPorts: '',
  };

  it('refuses a non-object argument with a sentence naming the command and listing its fields', () => {
    assert.deepStrictEqual(Object.keys(linux).sort(), Object.keys(FIELDS).sort());
    for (const [command, fields] of Object.entries(FIELDS)) {
      for (const value of [42, null, ['id']]) {
        const error = thrown(() => parseArgs(linux, command as keyof typeof linux, value));
        assert.strictEqual(error.code, 'invalidArgument', `${command}: ${error.message}`);
        assert.deepStrictEqual(error.values, { field: 'args', command, fields }, `${command} given ${String(value)}`);
        assert.strictEqual(error.message, `${command} needs an argument object with ${fields}.`);
      }
    }
  });

  it('names the refused field itself, not another one, for every checked field of every command', () => {
    // [command, valid other fields, the refused field, its bad value]
    const cases: [string, Record<string, unknown>, string, unknown][] = [
      ['startUdpListener', { port: 0 }, 'host', 'http://x'],
      ['startUdpListener', {}, 'port', -1],
      ['startUdpListener', { port: 0 }, 'broadcast', 'yes'],
      ['startUdpListener', { port: 0 }, 'multicastTtl', 256],
      ['startUdpListener', { port: 0 }, 'multicastLoopback', 1],
      ['startUdpListener', { port: 0 }, 'allowExternal', 'true'],
      ['startTcpListener', { port: 0 }, 'allowExternal', 'true'],
      ['connectTcp', { port: 9 }, 'noDelay', 'yes'],
      ['connectTcp', { port: 9 }, 'keepAlive', 0],
      ['connectTcp', { port: 9 }, 'halfOpen', null],
      ['connectTcp', { port: 9 }, 'localPort', 65536],
      ['openUdpClient', { port: 9 }, 'host', 'http://x'],
      ['openUdpClient', {}, 'port', 0],
      ['openUdpClient', { port: 9 }, 'localPort', -1],
      ['connectUnix', { path: '/tmp/x.sock' }, 'halfOpen', 'no'],
      ['startTlsListener', { port: 0 }, 'host', 'http://x'],
      ['startTlsListener', {}, 'port', -1],
      ['startTlsListener', { port: 0 }, 'cert', ''],
      ['startTlsListener', { port: 0 }, 'key', ''],
      ['startTlsListener', { port: 0 }, 'ca', ''],
      ['startTlsListener', { port: 0 }, 'requestClientCert', 'yes'],
      ['startTlsListener', { port: 0 }, 'keylogPath', ''],
      ['startTlsListener', { port: 0 }, 'allowExternal', 'yes'],
      ['connectTls', { port: 9 }, 'host', 'http://x'],
      ['connectTls', {}, 'port', 0],
      ['connectTls', { port: 9 }, 'ca', ''],
      ['connectTls', { port: 9 }, 'cert', ''],
      ['connectTls', { port: 9 }, 'key', ''],
      ['connectTls', { port: 9 }, 'insecure', 'yes'],
      ['connectTls', { port: 9 }, 'keylogPath', ''],
      ['startRelay', { listen: { port: 0 }, upstream: { host: '127.0.0.1', port: 9 } }, 'allowExternal', 'yes'],
      ['send', { data: 'x' }, 'target', ''],
      ['send', { target: 'e1', data: 'x' }, 'escapes', 'yes'],
      ['send', { target: 'e1', data: 'x' }, 'variables', 'yes'],
      ['sendFile', { path: '/tmp/x' }, 'target', ''],
      ['runRequestFile', {}, 'path', ''],
      ['runRequestFile', { path: 'a.http' }, 'block', ''],
      ['runRequestFile', { path: 'a.http' }, 'env', ''],
      ['stopRepeat', {}, 'repeatId', ''],
      ['setBroadcast', { on: true }, 'id', ''],
      ['setBroadcast', { id: 'e1' }, 'on', 'yes'],
      ['joinMulticast', { group: '239.1.2.3' }, 'id', ''],
      ['joinMulticast', { id: 'e1', group: '239.1.2.3' }, 'interface', ''],
      ['leaveMulticast', { group: '239.1.2.3' }, 'id', ''],
      ['leaveMulticast', { id: 'e1', group: '239.1.2.3' }, 'interface', ''],
      ['setFraming', { framing: { mode: 'line' } }, 'id', ''],
      ['setMulticastOptions', {}, 'id', ''],
      ['setMulticastOptions', { id: 'e1' }, 'ttl', 256],
      ['setMulticastOptions', { id: 'e1' }, 'loopback', 'yes'],
      ['startCapture', { path: 'x.jsonl' }, 'id', ''],
      ['exportPcapng', { path: '/tmp/x.pcapng' }, 'id', ''],
    ];
    for (const [command, others, field, bad] of cases) {
      const error = thrown(() => parseArgs(linux, command as keyof typeof linux, { ...others, [field]: bad }));
      assert.strictEqual(error.values.field, field, `${command}.${field}: ${error.message}`);
    }
  });

  it('starts the sentence of a labelled field with its words, the field name kept in parentheses', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['startTcpListener', { port: 0, maxConnections: 0 }, 'Connection limit (maxConnections) must be '],
      ['connectTcp', { port: 9, localAddress: '' }, 'Local address (localAddress) must be '],
      ['connectTcp', { port: 9, localPort: -1 }, 'Local port (localPort) must be '],
      ['startUdpListener', { port: 0, multicastTtl: 256 }, 'Multicast TTL (multicastTtl) must be '],
      ['setMulticastOptions', { id: 'e1', ttl: 256 }, 'Multicast TTL (ttl) must be '],
      [
        'startTcpListener',
        { port: 0, capture: { path: 'x', maxBytes: 0 } },
        'Capture size limit (capture.maxBytes) must be ',
      ],
      ['connectTcp', { port: 9, timeoutMs: 0 }, 'Timeout (timeoutMs) must be '],
      ['send', { target: 'e1', data: 'x', waitMs: -1 }, 'Wait time (waitMs) must be '],
      ['send', { target: 'e1', data: 'x', repeat: { intervalMs: -1 } }, 'Repeat interval (intervalMs) must be '],
      ['send', { target: 'e1', data: 'x', repeat: { intervalMs: 1, count: 0 } }, 'Repeat count (count) must be '],
    ];
    for (const [command, args, start] of cases) {
      const { message } = thrown(() => parseArgs(linux, command as keyof typeof linux, args));
      assert.ok(message.startsWith(start), `${command}: ${message}`);
    }
    const maxBytes = parseArgs(linux, 'startCapture', { id: 'e1', path: 'x', maxBytes: 0 });
    assert.match(thrown(() => captureOfStartArgs(maxBytes)).message, /^Capture size limit \(maxBytes\) must be /);
  });

  it('captureOfStartArgs reads the capture fields of startCapture with the defaults, and names a bad one by its own name', () => {
    const parsed = parseArgs(linux, 'startCapture', { id: 'e1', path: 'trace.pcapng', format: 'pcapng' });
    assert.deepStrictEqual(captureOfStartArgs(parsed), {
      path: 'trace.pcapng',
      format: 'pcapng',
      maxBytes: 1024 ** 3,
      append: false,
    });
    const bad = parseArgs(linux, 'startCapture', { id: 'e1', path: 'trace.jsonl', format: 'csv' });
    assertSocketLabError(
      thrown(() => captureOfStartArgs(bad)),
      'invalidArgument',
      { field: 'format' },
    );
    assert.strictEqual(thrown(() => captureOfStartArgs(bad)).message, "format must be 'jsonl', 'raw' or 'pcapng'.");
  });
});
