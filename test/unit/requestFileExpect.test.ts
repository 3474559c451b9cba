import * as assert from 'assert';
import * as dgram from 'dgram';
import { getEventListeners } from 'events';
import * as iconv from 'iconv-lite';
import type * as net from 'net';
import '../helpers/noLeaks';
import { quoteBytes } from '../../src/core/requestFile/expect';
import { runRequestFile, type RequestRunOptions, type RequestRunResult } from '../../src/core/requestFile/runner';
import { fixedBuiltins, parseClean } from '../helpers/requestFiles';
import { rawServer, type RawServer } from '../helpers/sockets';
import { waitFor } from '../helpers/wait';

async function run(text: string, options: RequestRunOptions = {}, known: string[] = []): Promise<RequestRunResult> {
  return runRequestFile(parseClean(text, known).file, { builtins: fixedBuiltins(), ...options });
}

/** Each block as `passed` or the failure's `line: message`. */
function outcomes(result: RequestRunResult): string[] {
  return result.blocks.map((b) => (b.passed ? 'passed' : `${b.failure!.line}: ${b.failure!.message}`));
}

/** A TCP server whose n-th connection is handed to the n-th script (the last one repeats). */
function scriptedServer(...scripts: ((s: net.Socket) => void)[]): Promise<RawServer> {
  let n = 0;
  return rawServer('127.0.0.1', (s) => scripts[Math.min(n++, scripts.length - 1)](s));
}

/** A UDP server on 127.0.0.1 answering every datagram with `replies`, one datagram each. */
async function udpAnswering(...replies: string[]): Promise<{ port: number; close: () => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (_msg, from) => {
    for (const reply of replies) socket.send(reply, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

describe('request file expect', function () {
  this.timeout(20000);

  it('quotes at most 64 bytes, says the length only past 64, decodes UTF-8 by default', function () {
    assert.strictEqual(quoteBytes(new Uint8Array(0)), 'nothing');
    assert.strictEqual(quoteBytes(Buffer.alloc(64, 'x')), `"${'x'.repeat(64)}" (78${' 78'.repeat(63)})`);
    assert.strictEqual(quoteBytes(Buffer.alloc(65, 'x')), `"${'x'.repeat(64)}" (78${' 78'.repeat(63)}… 65 bytes)`);
    assert.strictEqual(quoteBytes(Buffer.from('é')), '"é" (c3 a9)');
    assert.strictEqual(quoteBytes(iconv.encode('你', 'gbk'), 'gbk'), '"你" (c4 e3)');
  });

  it('on a stream, text fails at once when what arrived already differs, and on a full wrong reply', async function () {
    const server = await scriptedServer(
      (s) => s.write('PX'),
      (s) => s.write('PONG'),
    );
    try {
      const result = await run(
        [
          `connect tcp 127.0.0.1:${server.port}`,
          'expect text;within=15000 PING',
          '###',
          `connect tcp 127.0.0.1:${server.port}`,
          'expect text PING',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), [
        '2: expect text at line 2: expected "PING" (50 49 4e 47) but received "PX" (50 58).',
        '5: expect text at line 5: expected "PING" (50 49 4e 47) but received "PONG" (50 4f 4e 47).',
      ]);
      assert.deepStrictEqual([result.blocks[0].failure!.expected, result.blocks[0].failure!.actual], ['PING', 'PX']);
    } finally {
      await server.close();
    }
  });

  it('on a stream, contains finds a match at the very start and one already waiting in the inbox', async function () {
    const server = await scriptedServer((s) => s.write('PONG!PING\r\nPONG and more'));
    try {
      const result = await run(
        [
          `connect tcp 127.0.0.1:${server.port}`,
          'expect contains;within=3000 PONG',
          'expect text !PING',
          'expect contains;within=3000 PONG',
          'expect text  and more',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), ['passed']);
    } finally {
      await server.close();
    }
  });

  it('on a stream, regex waits for data before an empty-matching pattern runs; unmatched groups capture empty', async function () {
    const server = await scriptedServer((s) => s.once('data', () => s.write('42;')));
    try {
      const result = await run(
        [
          `connect tcp 127.0.0.1:${server.port}`,
          'send text go',
          'expect regex;capture=n,x ^(\\d*)(x)?',
          'expect regex ^;',
          'send text [{{n}}|{{x}}]',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), ['passed']);
      await waitFor('the captured values sent back', () => server.received().toString() === 'go[42|]');
    } finally {
      await server.close();
    }
  });

  it('on a GBK stream, a regex consumes the GBK bytes of its match, not their UTF-8 length', async function () {
    const server = await scriptedServer((s) => s.write(iconv.encode('你好END', 'gbk')));
    try {
      const result = await run(
        [`connect tcp 127.0.0.1:${server.port}`, 'expect regex;encoding=gbk 你好', 'expect text END'].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), ['passed']);
    } finally {
      await server.close();
    }
  });

  it('says the connection failed (not closed) when the peer resets it during an expect', async function () {
    const server = await scriptedServer((s) => s.once('data', () => s.resetAndDestroy()));
    try {
      const result = await run(
        [`connect tcp 127.0.0.1:${server.port}`, 'send text reset', 'expect text;within=15000 PING'].join('\n'),
      );
      assert.match(
        outcomes(result)[0],
        /^3: expect text at line 3: the connection failed \(The connection to 127\.0\.0\.1:\d+ was reset by the peer \(ECONNRESET\)\.\) before "PING" \(50 49 4e 47\) arrived; received nothing\.$/,
      );
      assert.strictEqual(result.blocks[0].failure!.code, 'expectFailed');
    } finally {
      await server.close();
    }
  });

  it('expect closed fails while the peer keeps the connection open and quotes the unread bytes or frame', async function () {
    const server = await scriptedServer(
      (s) => s.write('leftover'),
      (s) => s.write('a\nb\n'),
    );
    try {
      const result = await run(
        [
          `connect tcp 127.0.0.1:${server.port}`,
          'expect text left',
          'expect closed;within=200',
          '###',
          `connect tcp 127.0.0.1:${server.port} framing=line`,
          'expect text a',
          'expect closed;within=200',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), [
        '3: expect closed at line 3: the peer did not close the connection within 200 ms; unread: "over" (6f 76 65 72).',
        '7: expect closed at line 7: the peer did not close the connection within 200 ms; unread: "b" (62).',
      ]);
    } finally {
      await server.close();
    }
  });

  it('expect silence broken by a datagram quotes that datagram', async function () {
    const udp = await udpAnswering('a');
    try {
      const result = await run(
        [`connect udp 127.0.0.1:${udp.port}`, 'send text go', 'expect silence;for=15000'].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), ['3: expect silence at line 3: "a" (61) arrived within 15000 ms.']);
    } finally {
      await udp.close();
    }
  });

  it('with framing: contains at the start, regex and contains that fail on the next message, a close before a message', async function () {
    const server = await scriptedServer((s) => s.end('PONG 2\nhello\nbye\n'));
    try {
      const result = await run(
        [
          `connect tcp 127.0.0.1:${server.port} framing=line`,
          'expect contains PONG',
          'expect regex ^world$',
          '###',
          `connect tcp 127.0.0.1:${server.port} framing=line`,
          'expect contains PONG',
          'expect regex ^hel',
          'expect contains xyz',
          '###',
          `connect tcp 127.0.0.1:${server.port} framing=line`,
          'expect text PONG 2',
          'expect text hello',
          'expect text bye',
          'expect text more',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), [
        '3: expect regex at line 3: the next message "hello" (68 65 6c 6c 6f) does not match /^world$/.',
        '8: expect contains at line 8: the next message "bye" (62 79 65) does not contain "xyz" (78 79 7a).',
        '14: expect text at line 14: the peer closed the connection before "more" (6d 6f 72 65) arrived; received nothing.',
      ]);
      assert.deepStrictEqual(
        [result.blocks[0].failure!.expected, result.blocks[0].failure!.actual],
        ['^world$', 'hello'],
      );
    } finally {
      await server.close();
    }
  });

  it('cuts the hex side of a diff at a third of 64 Ki characters', async function () {
    const server = await scriptedServer((s) => s.write(Buffer.concat([Buffer.alloc(30000, 0xab), Buffer.from('\n')])));
    try {
      const result = await run([`connect tcp 127.0.0.1:${server.port} framing=line`, 'expect hex 00'].join('\n'));
      const failure = result.blocks[0].failure!;
      assert.strictEqual(failure.expected, '00');
      assert.strictEqual(
        failure.actual,
        Array(Math.floor((64 * 1024) / 3))
          .fill('ab')
          .join(' '),
      );
    } finally {
      await server.close();
    }
  });

  it('names a pattern from a variable that is no regex, and a pattern too slow on the received text', async function () {
    const server = await scriptedServer((s) => s.write(`${'a'.repeat(30)}!`));
    try {
      const result = await run(
        [
          '@pattern = (',
          '### bad',
          `connect tcp 127.0.0.1:${server.port}`,
          'expect regex {{pattern}}',
          '### slow',
          `connect tcp 127.0.0.1:${server.port}`,
          'expect regex ^(a+)+$',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), [
        '4: expect at line 4: The regular expression is not valid: Invalid regular expression: /(/: Unterminated group.',
        '7: expect regex at line 7: the regular expression took longer than 100 ms on 31 characters of received text.',
      ]);
      assert.deepStrictEqual(
        result.blocks.map((b) => b.failure!.code),
        ['badRegex', 'regexTooSlow'],
      );
    } finally {
      await server.close();
    }
  });
});

describe('request file runner, less common paths', function () {
  this.timeout(20000);

  it('fails every block with the first prelude line that cannot be expanded, without connecting', async function () {
    const server = await scriptedServer(() => undefined);
    const started: string[] = [];
    try {
      const result = await run(
        [
          '@a = {{nowhere}}',
          '@b = {{elsewhere}}',
          '### one',
          `connect tcp 127.0.0.1:${server.port}`,
          '### two',
          `connect tcp 127.0.0.1:${server.port}`,
        ].join('\n'),
        { onBlockStart: (b) => started.push(b.title) },
        ['nowhere', 'elsewhere'],
      );
      const sentence =
        '1: @a at line 1: Variable nowhere has no value here; define it with @nowhere = ... above, capture it in an earlier expect, or pass it with --var or an environment.';
      assert.deepStrictEqual(outcomes(result), [sentence, sentence]);
      assert.deepStrictEqual([result.passed, result.failed], [0, 2]);
      assert.deepStrictEqual(started, ['one', 'two']);
      assert.deepStrictEqual(
        result.blocks.map((b) => [b.title, b.line, b.durationMs, b.transcript.length]),
        [
          ['one', 3, 0, 0],
          ['two', 5, 0, 0],
        ],
      );
      assert.strictEqual(server.sockets.length, 0);
    } finally {
      await server.close();
    }
  });

  it('a cancelled run stops a wait at once', async function () {
    const controller = new AbortController();
    const result = await run(['### waits', 'wait 60000'].join('\n'), {
      signal: controller.signal,
      onBlockStart: () => setImmediate(() => controller.abort()),
    });
    assert.deepStrictEqual(outcomes(result), ['2: The run was cancelled.']);
    assert.strictEqual(result.blocks[0].failure!.code, 'cancelled');
  });

  it('does not start a statement once cancelled, and leaves no listener on the signal after a wait', async function () {
    const aborted = new AbortController();
    const cancelled = await run(['### waits', 'wait 60000'].join('\n'), {
      signal: aborted.signal,
      onBlockStart: () => aborted.abort(),
    });
    assert.deepStrictEqual(outcomes(cancelled), ['2: The run was cancelled.']);
    const kept = new AbortController();
    const waited = await run(['### waits', 'wait 1', 'wait 1'].join('\n'), { signal: kept.signal });
    assert.deepStrictEqual(outcomes(waited), ['passed']);
    assert.strictEqual(getEventListeners(kept.signal, 'abort').length, 0);
  });

  it("uses Node's built-ins when none are given: $counter counts from 1", async function () {
    const server = await scriptedServer(() => undefined);
    try {
      const file = parseClean(
        [`connect tcp 127.0.0.1:${server.port}`, 'send text {{$counter}},{{$counter}}'].join('\n'),
      );
      assert.deepStrictEqual(outcomes(await runRequestFile(file.file)), ['passed']);
      await waitFor('the counter values', () => server.received().toString() === '1,2');
    } finally {
      await server.close();
    }
  });

  it('close closes the connection at once, while the block goes on', async function () {
    let peerClosed!: () => void;
    const closed = new Promise<void>((resolve) => (peerClosed = resolve));
    const server = await scriptedServer((s) => s.on('close', () => peerClosed()));
    const controller = new AbortController();
    try {
      const running = run([`connect tcp 127.0.0.1:${server.port}`, 'close', 'wait 60000'].join('\n'), {
        signal: controller.signal,
      });
      await closed;
      controller.abort();
      assert.deepStrictEqual(outcomes(await running), ['3: The run was cancelled.']);
    } finally {
      await server.close();
    }
  });

  it('counts the sent bytes the transcript leaves out', async function () {
    const server = await scriptedServer(() => undefined);
    const big = 'x'.repeat(600_000);
    try {
      const result = await run(
        [`@big = ${big}`, `connect tcp 127.0.0.1:${server.port}`, 'send text {{big}}', 'send text {{big}}'].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), ['passed']);
      const [block] = result.blocks;
      assert.deepStrictEqual(
        block.transcript.map((e) => `${e.direction}${e.data.length}`),
        ['out600000'],
      );
      assert.strictEqual(block.droppedTranscriptBytes, 600_000);
      await waitFor('the peer got both sends', () => server.received().length === 1_200_000);
    } finally {
      await server.close();
    }
  });
});
