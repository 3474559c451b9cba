import * as assert from 'assert';
import * as fs from 'fs';
import * as iconv from 'iconv-lite';
import * as path from 'path';
import '../helpers/noLeaks';
import { runRequestFile, type RequestRunOptions, type RequestRunResult } from '../../src/core/requestFile/runner';
import { runRequestFileAt } from '../../src/core/requestFile/load';
import { REQUEST_RECEIVE_MAX_BYTES } from '../../src/shared/limits';
import { rejectsWith } from '../helpers/errors';
import { waitForOutput } from '../helpers/peers';
import { requirePeer } from '../helpers/require';
import { fixedBuiltins, ncatListening, parseClean, pythonPeer, seedServer } from '../helpers/requestFiles';
import { freePort } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

const SEED_REPLY = '我是返回的数据';
const DEMO = path.join(__dirname, '../../../demo/seed.socklab');

async function run(text: string, options: RequestRunOptions = {}, known: string[] = []): Promise<RequestRunResult> {
  return runRequestFile(parseClean(text, known).file, { builtins: fixedBuiltins(), ...options });
}

/** Each block as `passed` or the failure's `line: message`. */
function outcomes(result: RequestRunResult): string[] {
  return result.blocks.map((b) => (b.passed ? 'passed' : `${b.failure!.line}: ${b.failure!.message}`));
}

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');

describe('request file runner', function () {
  this.timeout(20000);

  it("passes the demo file against the seed's PHP server, with the port given from outside", async function () {
    requirePeer(this, 'php');
    const { peer, port } = await seedServer();
    try {
      const result = await runRequestFileAt(DEMO, { variables: { port: String(port) } });
      assert.deepStrictEqual(outcomes(result), ['passed']);
      const [block] = result.blocks;
      assert.strictEqual(block.title, 'The seed server answers 我是返回的数据 and closes');
      assert.deepStrictEqual(
        block.transcript.map((e) => `${e.direction} ${text(e.data)}`),
        ['out hello', `in ${SEED_REPLY}`],
      );
      assert.ok(block.transcript.every((e) => e.data.constructor === Uint8Array && e.time > 0));
      assert.ok(block.durationMs > 0);
      await waitForOutput(peer, /received: hello/);
    } finally {
      await peer.kill();
    }
  });

  it('runs blocks in order on their own connections; a failing block does not stop the next; captures carry over', async function () {
    requirePeer(this, 'ncat');
    const port = await freePort();
    const ncat = await ncatListening(['-l', '-k', '127.0.0.1', String(port), '--sh-exec', 'cat']);
    try {
      const result = await run(
        [
          `@port = ${port}`,
          '### capture',
          'connect tcp 127.0.0.1:{{port}}',
          'send text session=4711;user=ada\\n',
          'expect regex;capture=session,user session=(\\d+);user=(\\w+)',
          '### wrong reply',
          'connect tcp 127.0.0.1:{{port}}',
          'send text PING',
          'expect text PONG',
          '### capture used in a later block, counter goes on',
          'connect tcp 127.0.0.1:{{port}}',
          'send text {{user}}:{{session}}#{{$counter}}#{{$counter}}',
          'expect text ada:4711#1#2',
          'expect silence;for=100',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), [
        'passed',
        '9: expect text at line 9: expected "PONG" (50 4f 4e 47) but received "PING" (50 49 4e 47).',
        'passed',
      ]);
      assert.deepStrictEqual([result.passed, result.failed], [2, 1]);
      const failure = result.blocks[1].failure!;
      assert.deepStrictEqual(
        [failure.column, failure.code, failure.expected, failure.actual],
        [1, 'expectFailed', 'PONG', 'PING'],
      );
      assert.strictEqual(failure.template, 'expect {kind} at line {line}: expected {expected} but received {actual}.');
      assert.deepStrictEqual(
        result.blocks.map((b) => [b.title, b.line]),
        [
          ['capture', 2],
          ['wrong reply', 6],
          ['capture used in a later block, counter goes on', 10],
        ],
      );
    } finally {
      await ncat.kill();
    }
  });

  it('sends byte-exact payloads: GBK text with CRLF, hex with a MODBUS CRC, base64, a CRC-32 big-endian; end half-closes', async function () {
    requirePeer(this, 'ncat');
    const port = await freePort();
    const ncat = await ncatListening(['-l', '127.0.0.1', String(port), '--recv-only']);
    try {
      const result = await run(
        [
          `connect tcp 127.0.0.1:${port}`,
          'send text;encoding=gbk;eol=crlf 你好 {{$counter}}',
          'send hex;checksum=crc16-modbus 01 03 00 00 00 0a',
          'send base64;eol=lf aGk=',
          'send text;checksum=crc32 123456789',
          'send text;checksum=crc16-xmodem;checksum-endian=le 123456789',
          'end',
          'expect closed',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), ['passed']);
      await ncat.exited();
      const want = Buffer.concat([
        iconv.encode('你好 1\r\n', 'gbk'),
        Buffer.from('01030000000ac5cd', 'hex'),
        Buffer.from('hi\n'),
        Buffer.from('123456789'),
        Buffer.from('cbf43926', 'hex'),
        Buffer.from('123456789'),
        Buffer.from('c331', 'hex'),
      ]);
      assert.strictEqual(ncat.stdout().toString('hex'), want.toString('hex'));
    } finally {
      await ncat.kill();
    }
  });

  it('talks to a MODBUS RTU-like server that checks the CRC: a right CRC gets its answer, a wrong one silence', async function () {
    requirePeer(this, 'python3');
    const { peer, port } = await pythonPeer('modbus_rtu_server.py', ['127.0.0.1']);
    try {
      const result = await run(
        [
          `connect tcp 127.0.0.1:${port}`,
          'send hex;checksum=crc16-modbus 01 03 00 00 00 02',
          'expect hex 01 03 04 00 2a 00 2b 9b e4',
          'send hex;checksum=crc16-modbus;checksum-endian=be 01 03 00 00 00 02',
          'expect silence;for=300',
          'send hex 01 03 00 00 00 02 c4 0b',
          'expect hex;within=300 01 03 04 00 2a 00 2b 9b e4',
          'send hex 01 03 00 00 00 02 0b c4',
          'expect hex;within=300 01 03 04 00 2a 00 2b 9b e4',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), [
        '9: expect hex at line 9: "\\x01\\x03\\x04\\0*\\0+\ufffd\ufffd" (01 03 04 00 2a 00 2b 9b e4) did not arrive within 300 ms; received nothing.',
      ]);
      await waitFor('four verdicts of the server', () => peer.stdout().toString().split('\n').length >= 5);
      assert.deepStrictEqual(peer.stdout().toString().trim().split('\n').slice(1), [
        'crc ok',
        'crc bad',
        'crc ok',
        'crc bad',
      ]);
      assert.strictEqual(result.blocks[0].failure!.expected, '01 03 04 00 2a 00 2b 9b e4');
    } finally {
      await peer.kill();
    }
  });

  it('UDP over IPv4 and IPv6: each datagram is a message; expect silence', async function () {
    requirePeer(this, 'python3');
    for (const host of ['127.0.0.1', '::1']) {
      const { peer, port } = await pythonPeer('reqfile_peer.py', ['udp-echo', host]);
      try {
        const target = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
        const result = await run(
          [
            `connect udp ${target}`,
            'send text one',
            'send text two',
            'expect text py:one',
            'expect contains two',
            'expect silence;for=150',
            'send hex 00 ff',
            'expect hex 70 79 3a 00 ff',
          ].join('\n'),
        );
        assert.deepStrictEqual(outcomes(result), ['passed'], host);
        assert.deepStrictEqual(
          result.blocks[0].transcript.map((e) => e.direction + e.data.length),
          ['out3', 'out3', 'in6', 'in6', 'out2', 'in5'],
        );
      } finally {
        await peer.kill();
      }
    }
  });

  it('Unix sockets, a relative path starting at the request file folder', async function () {
    requirePeer(this, 'ncat');
    const { dir, remove } = tempDir();
    const ncat = await ncatListening(['-lU', path.join(dir, 'echo.sock'), '--sh-exec', 'cat']);
    try {
      const result = await run(
        ['connect unix ./echo.sock', 'send text over unix', 'expect text over unix', 'end', 'expect closed'].join('\n'),
        { baseDir: dir },
      );
      assert.deepStrictEqual(outcomes(result), ['passed']);
    } finally {
      await ncat.kill();
      remove();
    }
  });

  it('without framing: text waits for its bytes across reads, contains and regex consume through the match', async function () {
    requirePeer(this, 'python3');
    const { peer, port } = await pythonPeer('reqfile_peer.py', ['lines', '127.0.0.1']);
    try {
      const result = await run(
        [
          `connect tcp 127.0.0.1:${port}`,
          'expect text PING',
          'expect contains PONG',
          'expect regex;capture=n ^ (\\d)\\r\\n',
          'expect text unfinished',
          'expect closed',
          'send text {{n}}',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), ['passed']);
    } finally {
      await peer.kill();
    }
  });

  it('with line framing: each expect takes the next frame without its delimiter; a partial frame at close is a frame', async function () {
    requirePeer(this, 'python3');
    const { peer, port } = await pythonPeer('reqfile_peer.py', ['lines', '127.0.0.1']);
    try {
      const result = await run(
        [
          `connect tcp 127.0.0.1:${port} framing=line`,
          'expect text PING',
          'expect regex;capture=n ^PONG (\\d)$',
          'expect contains finish',
          'expect closed',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), ['passed']);
    } finally {
      await peer.kill();
    }
  });

  it('with length framing (MODBUS/TCP): frames arriving a byte at a time are matched whole', async function () {
    requirePeer(this, 'python3');
    const { peer, port } = await pythonPeer('reqfile_peer.py', ['length', '127.0.0.1']);
    try {
      const result = await run(
        [
          `connect tcp 127.0.0.1:${port} framing=length:2:offset=4`,
          'expect hex 00 01 00 00 00 03 01 03 2a',
          'expect hex 00 02 00 00 00 04 01 83 02 00',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), [
        '3: expect hex at line 3: expected "\\0\\x02\\0\\0\\0\\x04\\x01\ufffd\\x02\\0" (00 02 00 00 00 04 01 83 02 00) but received "\\0\\x02\\0\\0\\0\\x04\\x01\ufffd\\x02\ufffd" (00 02 00 00 00 04 01 83 02 ff).',
      ]);
      const f = result.blocks[0].failure!;
      assert.deepStrictEqual(
        [f.expected, f.actual],
        ['00 02 00 00 00 04 01 83 02 00', '00 02 00 00 00 04 01 83 02 ff'],
      );
    } finally {
      await peer.kill();
    }
  });

  it('says what went wrong: refused, timed out, closed before, silence broken, a capture that never ran', async function () {
    requirePeer(this, 'python3');
    const refused = await freePort();
    const { peer, port } = await pythonPeer('reqfile_peer.py', ['lines', '127.0.0.1']);
    try {
      const result = await run(
        [
          '@timeout = 150',
          `### refused`,
          `connect tcp 127.0.0.1:${refused}`,
          '### closed before',
          `connect tcp 127.0.0.1:${port}`,
          'expect silence;for=2000',
          '### unknown at run time',
          `connect tcp 127.0.0.1:${refused}`,
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), [
        `3: connect at line 3: Nothing is listening at 127.0.0.1:${refused} (connection refused); start the server first or check the port.`,
        '6: expect silence at line 6: "PI" (50 49) arrived within 2000 ms.',
        `8: connect at line 8: Nothing is listening at 127.0.0.1:${refused} (connection refused); start the server first or check the port.`,
      ]);
    } finally {
      await peer.kill();
    }
    const second = await pythonPeer('reqfile_peer.py', ['lines', '127.0.0.1']);
    try {
      const result = await run(
        [
          `connect tcp 127.0.0.1:${second.port}`,
          'expect regex;capture=never;within=300 ^NEVER (\\d+)',
          '###',
          'connect udp 127.0.0.1:9',
          'send text {{never}}',
        ].join('\n'),
      );
      assert.deepStrictEqual(outcomes(result), [
        '2: expect regex at line 2: the peer closed the connection before /^NEVER (\\d+)/ arrived; received "PING\\r\\nPONG 2\\r\\nunfinished" (50 49 4e 47 0d 0a 50 4f 4e 47 20 32 0d 0a 75 6e 66 69 6e 69 73 68 65 64).',
        '5: send at line 5: Variable never has no value here; define it with @never = ... above, capture it in an earlier expect, or pass it with --var or an environment.',
      ]);
      assert.strictEqual(result.blocks[1].failure!.column, 11);
    } finally {
      await second.peer.kill();
    }
    const silent = await pythonPeer('modbus_rtu_server.py', ['127.0.0.1']);
    try {
      const result = await run([`connect tcp 127.0.0.1:${silent.port}`, 'expect text hello'].join('\n'), {
        defaultTimeoutMs: 120,
      });
      assert.deepStrictEqual(outcomes(result), [
        '2: expect text at line 2: "hello" (68 65 6c 6c 6f) did not arrive within 120 ms; received nothing.',
      ]);
    } finally {
      await silent.peer.kill();
    }
  });

  it('stays bounded when the peer floods: reading stops at the limit and the expect fails at once', async function () {
    requirePeer(this, 'python3');
    const { peer, port } = await pythonPeer('reqfile_peer.py', ['flood', '127.0.0.1', String(512 * 1024 * 1024)]);
    try {
      const rssBefore = process.memoryUsage().rss;
      const started = Date.now();
      const result = await run([`connect tcp 127.0.0.1:${port}`, 'expect contains;within=15000 NEVER'].join('\n'));
      const rssGrowth = process.memoryUsage().rss - rssBefore;
      assert.match(
        outcomes(result)[0],
        new RegExp(
          `^2: expect contains at line 2: no match for "NEVER" \\(4e 45 56 45 52\\) in the first ${REQUEST_RECEIVE_MAX_BYTES} bytes received; received "x{64}" \\(78( 78){63}… \\d+ bytes\\)\\.$`,
        ),
      );
      assert.ok(Date.now() - started < 10000, 'failed long before within');
      const sent = Number((await waitForOutput(peer, /^\d+\n(\d+)\n/))[1]);
      // The kernel's socket buffers take a few MiB; everything else stayed with the flooding peer.
      assert.ok(sent < 64 * 1024 * 1024, `the peer got ${sent} bytes out`);
      assert.ok(rssGrowth < 64 * 1024 * 1024, `rss grew ${rssGrowth} bytes`);
      const kept = result.blocks[0].transcript.reduce((n, e) => n + e.data.length, 0);
      assert.ok(kept <= 1024 * 1024, `transcript kept ${kept} bytes`);
    } finally {
      await peer.kill();
    }
  });

  it('drops datagrams past the limit when a UDP peer floods, and says how many', async function () {
    requirePeer(this, 'python3');
    const { peer, port } = await pythonPeer('reqfile_peer.py', ['udp-flood', '127.0.0.1', '2000']);
    try {
      const result = await run(
        [`connect udp 127.0.0.1:${port}`, 'send text go', 'wait 1500', 'expect text x'].join('\n'),
      );
      const [block] = result.blocks;
      assert.match(
        outcomes(result)[0],
        /^4: expect text at line 4: expected "x" \(78\) but received "x{64}" \(78( 78){63}… 1000 bytes\)\.$/,
      );
      assert.ok((block.droppedDatagrams ?? 0) > 0, 'some datagrams were dropped');
      const kept = block.transcript.reduce((n, e) => n + e.data.length, 0);
      assert.ok(kept <= 1024 * 1024, `transcript kept ${kept} bytes`);
      await peer.exited();
    } finally {
      await peer.kill();
    }
  });

  it('runs one block of a file on disk: earlier @ lines apply, other blocks do not run; refuses a file with problems', async function () {
    requirePeer(this, 'ncat');
    const port = await freePort();
    const ncat = await ncatListening(['-l', '-k', '127.0.0.1', String(port), '--sh-exec', 'cat']);
    const { dir, remove } = tempDir();
    try {
      const file = path.join(dir, 'two.socklab');
      fs.writeFileSync(
        file,
        `@port = ${port}\n### one\n@greeting = hi\nconnect tcp 127.0.0.1:{{port}}\nexpect text never\n### two\nconnect tcp 127.0.0.1:{{port}}\nsend text {{greeting}}\nexpect text hi\n`,
      );
      const result = await runRequestFileAt(file, { block: 'two' });
      assert.deepStrictEqual(outcomes(result), ['passed']);
      assert.strictEqual(result.blocks[0].title, 'two');
      assert.deepStrictEqual(outcomes(await runRequestFileAt(file, { block: '6' })), ['passed']);
      await rejectsWith(
        () => runRequestFileAt(file, { block: 'three' }),
        'noSuchBlock',
        /two\.socklab has no block titled "three"\.$/,
      );
      fs.writeFileSync(file, 'connect tcp 127.0.0.1:1\nsend hex 0\n');
      await rejectsWith(
        () => runRequestFileAt(file),
        'requestFileProblems',
        /two\.socklab has 1 problem\(s\); the first, at line 2 column 10: Hex payload has an odd number of digits/,
      );
    } finally {
      await ncat.kill();
      remove();
    }
  });

  it('is cancelled by its AbortSignal: the waiting block fails at once, later blocks do not run', async function () {
    requirePeer(this, 'python3');
    const { peer, port } = await pythonPeer('modbus_rtu_server.py', ['127.0.0.1']);
    const controller = new AbortController();
    try {
      const promise = run(
        [
          `connect tcp 127.0.0.1:${port}`,
          'expect text never;within=60000',
          '###',
          `connect tcp 127.0.0.1:${port}`,
        ].join('\n'),
        { signal: controller.signal, onBlockStart: () => setImmediate(() => controller.abort()) },
      );
      const result = await promise;
      assert.deepStrictEqual(outcomes(result), ['2: The run was cancelled.']);
      assert.deepStrictEqual([result.passed, result.failed], [0, 1]);
      assert.ok(result.blocks[0].durationMs < 5000);
    } finally {
      await peer.kill();
    }
  });

  it('TLS: verifies the certificate with ca=, refuses an unknown CA, accepts anything with insecure=true', async function () {
    requirePeer(this, 'openssl');
    requirePeer(this, 'ncat');
    const { dir, remove } = tempDir();
    const { spawnSync } = await import('child_process');
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { encoding: 'utf8' },
    );
    assert.strictEqual(made.status, 0, made.stderr);
    const port = await freePort();
    const ncat = await ncatListening([
      '-l',
      '-k',
      '--ssl',
      '--ssl-cert',
      path.join(dir, 'cert.pem'),
      '--ssl-key',
      path.join(dir, 'key.pem'),
      '127.0.0.1',
      String(port),
      '--sh-exec',
      'cat',
    ]);
    try {
      const result = await run(
        [
          `### trusted`,
          `connect tls localhost:${port} ca=cert.pem`,
          'send text over tls',
          'expect text over tls',
          `### unknown CA`,
          `connect tls 127.0.0.1:${port}`,
          `### insecure`,
          `connect tls 127.0.0.1:${port} insecure=true`,
          'send text still encrypted',
          'expect text still encrypted',
        ].join('\n'),
        { baseDir: dir },
      );
      const [trusted, unknown, insecure] = outcomes(result);
      assert.deepStrictEqual([trusted, insecure], ['passed', 'passed']);
      // The TLS endpoints' sentence: it names the certificate and the two ways out (ca=, insecure=true).
      assert.match(
        unknown,
        /^6: connect at line 6: 127\.0\.0\.1:\d+ presented a self-signed certificate \(localhost\) that is not trusted; give that certificate as 'ca' to trust it, or connect anyway \(insecure\)\.$/,
      );
    } finally {
      await ncat.kill();
      remove();
    }
  });

  it('runs @ lines inside blocks, close, @timeout; names the failing statement: @ line, bad target, unreadable ca=, payload from a variable', async function () {
    requirePeer(this, 'ncat');
    const port = await freePort();
    const ncat = await ncatListening(['-l', '-k', '127.0.0.1', String(port), '--sh-exec', 'cat']);
    const { dir, remove } = tempDir();
    try {
      const result = await run(
        [
          `@port = ${port}`,
          '@host = 127.0.0.1',
          '### an @ line in a block, then close',
          '@word = hi{{$counter}}',
          'connect tcp {{host}}:{{port}}',
          'send text {{word}}',
          'expect text hi1',
          'close',
          '### an @ line that cannot be expanded',
          '@broken = {{nowhere}}',
          '### a target without a port',
          'connect tcp {{host}}',
          '### an unreadable ca= file',
          'connect tls {{host}}:{{port}} ca=missing.pem',
          '### a hex payload from a variable',
          '@odd = 0a b',
          'connect tcp {{host}}:{{port}}',
          'send hex {{odd}}',
          '### @timeout sets the wait of the expects after it',
          '@timeout = 150',
          'connect tcp {{host}}:{{port}}',
          'expect text never',
        ].join('\n'),
        { baseDir: dir },
        ['nowhere'],
      );
      // A title followed by @ lines only starts no block of its own: @broken is the first block's last line.
      // A title followed by @ lines only starts no block of its own: @broken is the first block's last line.
      assert.deepStrictEqual(outcomes(result), [
        '10: @broken at line 10: Variable nowhere has no value here; define it with @nowhere = ... above, capture it in an earlier expect, or pass it with --var or an environment.',
        '12: connect at line 12: connect tcp needs HOST:PORT with a port from 1 to 65535, IPv6 in brackets as [::1]:PORT (got "127.0.0.1").',
        `14: connect at line 14: The ca= file ${path.join(dir, 'missing.pem')} cannot be read (ENOENT).`,
        '18: send at line 18: Hex payload has an odd number of digits in "b" at position 4; every byte needs two digits (write 0f, not f).',
        '22: expect text at line 22: "never" (6e 65 76 65 72) did not arrive within 150 ms; received nothing.',
      ]);
      // A payload from a variable: the failure points at the payload, not into the variable's value.
      assert.deepStrictEqual(
        result.blocks.map((b) => b.failure?.column),
        [11, 13, 13, 10, 1],
      );
      assert.deepStrictEqual(
        result.blocks[0].transcript.map((e) => `${e.direction} ${text(e.data)}`),
        ['out hi1', 'in hi1'],
      );
    } finally {
      await ncat.kill();
      remove();
    }
  });
});
