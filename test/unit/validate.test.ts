import * as assert from 'assert';
import fc from 'fast-check';
import * as net from 'net';
import type { SocketLabError } from '../../src/shared/errors';
import { assertSocketLabError } from '../helpers/errors';
import { UNIX_PATH_MAX } from '../../src/core/commandArgs';
import {
  checkBacklog,
  checkHost,
  checkPort,
  checkRepeat,
  checkTimeoutMs,
  checkUnixPath,
  checkWaitMs,
  parseBacklog,
  parseHost,
  parsePort,
  parseRepeat,
  parseTimeoutMs,
  parseUnixPath,
  parseWaitMs,
  unixPathMax,
  utf8Length,
} from '../../src/shared/validate';
import { ipFamily, isExternalBind, isIPv4, isIPv6, isLoopbackHost } from '../../src/shared/ipAddress';
import { UDP_MAX_PAYLOAD_IPV4, UDP_MAX_PAYLOAD_IPV6 } from '../../src/shared/limits';

/** Runs the parse/check pair on one input: both agree, the parser throws what the checker returns. */
function both<T>(parse: () => T, check: () => SocketLabError | undefined): { value?: T; error?: SocketLabError } {
  const checked = check();
  try {
    const value = parse();
    assert.strictEqual(checked, undefined, `check reported ${checked?.message} but parse accepted`);
    return { value };
  } catch (err) {
    assert.ok(checked, `parse threw ${String(err)} but check accepted`);
    assert.strictEqual((err as SocketLabError).message, checked.message);
    return { error: err as SocketLabError };
  }
}

describe('validate', () => {
  describe('ports', () => {
    const good: Array<[unknown, number]> = [
      [0, 0],
      [80, 80],
      [65535, 65535],
      ['0', 0],
      ['8880', 8880],
      ['65535', 65535],
    ];
    for (const [input, expected] of good) {
      it(`accepts ${JSON.stringify(input)}`, () => {
        assert.strictEqual(
          both(
            () => parsePort(input),
            () => checkPort(input),
          ).value,
          expected,
        );
      });
    }

    const bad: Array<[unknown, string]> = [
      [-1, 'range'],
      [65536, 'range'],
      ['65536', 'range'],
      [1.5, 'notInteger'],
      ['1.5', 'notInteger'],
      ['', 'notInteger'],
      ['80a', 'notInteger'],
      ['0x50', 'notInteger'],
      ['-1', 'notInteger'],
      [' 80 ', 'spaces'],
      ['80 ', 'spaces'],
      [NaN, 'notInteger'],
      [Infinity, 'notInteger'],
      [true, 'type'],
      [false, 'type'],
      [null, 'type'],
      [undefined, 'type'],
      [{}, 'type'],
    ];
    for (const [input, reason] of bad) {
      it(`refuses ${typeof input === 'string' ? JSON.stringify(input) : String(input)} (${reason})`, () => {
        const { error } = both(
          () => parsePort(input),
          () => checkPort(input),
        );
        const err = assertSocketLabError(error, 'invalidPort', { field: 'port', reason, min: 0, max: 65535 });
        assert.match(err.message, /^Port must be a whole number from 0 to 65535/);
      });
    }

    it('says that spaces are not trimmed, and quotes the value', () => {
      assert.strictEqual(
        checkPort(' 80 ')!.message,
        'Port must be a whole number from 0 to 65535, without spaces (got " 80 ").',
      );
      assert.strictEqual(checkPort('80a')!.message, 'Port must be a whole number from 0 to 65535 (got "80a").');
    });

    it('names the field it was given', () => {
      const err = assertSocketLabError(checkPort('x', 'localPort'), 'invalidPort', { field: 'localPort' });
      assert.match(err.message, /^Local port \(localPort\) must be/);
    });
  });

  describe('hosts', () => {
    const good: Array<[string, string]> = [
      ['127.0.0.1', '127.0.0.1'],
      ['0.0.0.0', '0.0.0.0'],
      ['255.255.255.255', '255.255.255.255'],
      ['::1', '::1'],
      ['::', '::'],
      ['[::1]', '::1'],
      ['[FE80::1]', 'fe80::1'],
      ['fe80::1%eth0', 'fe80::1%eth0'],
      ['::ffff:127.0.0.1', '::ffff:127.0.0.1'],
      ['localhost', 'localhost'],
      ['LocalHost', 'localhost'],
      ['example.com', 'example.com'],
      ['example.com.', 'example.com.'],
      ['a-b.c0', 'a-b.c0'],
      ['1abc.example', '1abc.example'],
      ['my_db', 'my_db'],
      [`${'a'.repeat(63)}.com`, `${'a'.repeat(63)}.com`],
    ];
    for (const [input, expected] of good) {
      it(`accepts ${JSON.stringify(input)}`, () => {
        assert.strictEqual(
          both(
            () => parseHost(input),
            () => checkHost(input),
          ).value,
          expected,
        );
      });
    }

    const bad: Array<[unknown, string]> = [
      ['', 'empty'],
      [' localhost', 'spaces'],
      ['local host', 'spaces'],
      ['999.1.1.1', 'ipv4'],
      ['256.0.0.1', 'ipv4'],
      ['1.2.3', 'ipv4'],
      ['1.2.3.4.5', 'ipv4'],
      ['127.1', 'ipv4'],
      ['12345', 'ipv4'],
      ['0x7f000001', 'ipv4'],
      ['010.0.0.1', 'ipv4LeadingZero'],
      ['[::1', 'badIpv6'],
      ['[example.com]', 'badIpv6'],
      ['1::2::3', 'badIpv6'],
      ['::1:', 'badIpv6'],
      ['127.0.0.1:8080', 'withPort'],
      ['localhost:', 'withPort'],
      ['[::1]:80', 'withPort'],
      ['http://127.0.0.1', 'scheme'],
      ['tcp://device.local:502', 'scheme'],
      ['-a.com', 'badChar'],
      ['a-.com', 'badChar'],
      ['a!b.com', 'badChar'],
      ['例子.com', 'badChar'],
      ['a..b', 'labelLength'],
      ['.a', 'labelLength'],
      [`${'a'.repeat(64)}.com`, 'labelLength'],
      [`${'abcdefghi.'.repeat(26)}com`, 'tooLong'],
      [80, 'type'],
      [undefined, 'type'],
    ];
    for (const [input, reason] of bad) {
      it(`refuses ${JSON.stringify(input)} (${reason})`, () => {
        const { error } = both(
          () => parseHost(input),
          () => checkHost(input),
        );
        const err = assertSocketLabError(error, 'invalidHost', { field: 'host', reason });
        assert.match(err.message, /^Host must be /);
      });
    }

    it('says what to drop when a port or a scheme was pasted with the host', () => {
      assert.strictEqual(
        checkHost('127.0.0.1:8080')!.message,
        'Host must be a host name or IP address without a port; the port is given separately (got "127.0.0.1:8080").',
      );
      assert.strictEqual(
        checkHost('http://127.0.0.1')!.message,
        'Host must be a host name or IP address without a scheme such as http:// (got "http://127.0.0.1").',
      );
    });

    it('names the field and the value', () => {
      assert.strictEqual(
        checkHost('999.1.1.1', 'localHost')!.message,
        'Local host (localHost) must be a valid IPv4 address: four numbers from 0 to 255 separated by dots (got "999.1.1.1").',
      );
    });

    const loopback: Array<[string, boolean]> = [
      ['127.0.0.1', true],
      ['127.255.0.9', true],
      ['::1', true],
      ['[::1]', true],
      ['0:0:0:0:0:0:0:1', true],
      ['::ffff:127.0.0.1', true],
      ['::ffff:7f00:1', true],
      ['localhost', true],
      ['LOCALHOST', true],
      ['0.0.0.0', false],
      ['::', false],
      ['10.0.0.1', false],
      ['128.0.0.1', false],
      ['::2', false],
      ['::ffff:10.0.0.1', false],
      ['example.com', false],
      ['localhost.example', false],
      ['', false],
    ];
    for (const [host, expected] of loopback) {
      it(`isLoopbackHost(${JSON.stringify(host)}) is ${expected}, isExternalBind is ${!expected}`, () => {
        assert.strictEqual(isLoopbackHost(host), expected);
        assert.strictEqual(isExternalBind(host), !expected);
      });
    }
  });

  describe('Unix socket paths', () => {
    it('knows the limit of each platform', () => {
      assert.strictEqual(unixPathMax('linux'), 107);
      assert.strictEqual(unixPathMax('darwin'), 103);
      assert.strictEqual(unixPathMax('freebsd'), 103);
      assert.strictEqual(unixPathMax('win32'), 256);
      assert.strictEqual(UNIX_PATH_MAX, unixPathMax(process.platform));
    });

    it('accepts paths up to the limit in UTF-8 bytes', () => {
      const atLimit = `/tmp/${'a'.repeat(107 - 5)}`;
      assert.strictEqual(parseUnixPath(atLimit, 'path', 'linux'), atLimit);
      assert.strictEqual(parseUnixPath('/tmp/socket-lab.sock', 'path', 'darwin'), '/tmp/socket-lab.sock');
      assert.strictEqual(parseUnixPath('relative.sock', 'path', 'linux'), 'relative.sock');
      assert.strictEqual(parseUnixPath('\\\\.\\pipe\\socket-lab', 'path', 'win32'), '\\\\.\\pipe\\socket-lab');
    });

    it('refuses a path one byte too long, counting UTF-8 bytes, with the limit in the message', () => {
      const tooLong = `/tmp/${'a'.repeat(103)}`;
      const { error } = both(
        () => parseUnixPath(tooLong, 'path', 'linux'),
        () => checkUnixPath(tooLong, 'path', 'linux'),
      );
      const err = assertSocketLabError(error, 'unixPathTooLong', { path: tooLong, length: 108, limit: 107 });
      assert.match(err.message, /at most 107 bytes/);
      // 35 three-byte characters: 105 characters of path, but 5 + 105 bytes.
      const wide = `/tmp/${'我'.repeat(35)}`;
      assertSocketLabError(checkUnixPath(wide, 'path', 'linux'), 'unixPathTooLong', { length: 110 });
      assertSocketLabError(checkUnixPath(`/tmp/${'a'.repeat(99)}`, 'path', 'darwin'), 'unixPathTooLong', {
        length: 104,
        limit: 103,
      });
      assertSocketLabError(checkUnixPath(`\\\\.\\pipe\\${'a'.repeat(250)}`, 'path', 'win32'), 'unixPathTooLong', {
        limit: 256,
      });
    });

    const bad: Array<[unknown, NodeJS.Platform]> = [
      ['', 'linux'],
      ['/tmp/a\0b', 'linux'],
      ['/tmp/dir/', 'linux'],
      [42, 'linux'],
      [undefined, 'darwin'],
      ['C:\\temp\\x.sock', 'win32'],
    ];
    for (const [input, platform] of bad) {
      it(`refuses ${JSON.stringify(input)} on ${platform} as invalidPath`, () => {
        const { error } = both(
          () => parseUnixPath(input, 'path', platform),
          () => checkUnixPath(input, 'path', platform),
        );
        assertSocketLabError(error, 'invalidPath', { field: 'path' });
      });
    }
  });

  describe('repeat', () => {
    const good: Array<[unknown, { intervalMs: number; count?: number }]> = [
      [{ intervalMs: 1000 }, { intervalMs: 1000 }],
      [
        { intervalMs: 0, count: 5 },
        { intervalMs: 0, count: 5 },
      ],
      [
        { intervalMs: 86_400_000, count: 10_000_000 },
        { intervalMs: 86_400_000, count: 10_000_000 },
      ],
      [
        { intervalMs: '250', count: '3' },
        { intervalMs: 250, count: 3 },
      ],
      [
        { intervalMs: 1, count: 1 },
        { intervalMs: 1, count: 1 },
      ],
    ];
    for (const [input, expected] of good) {
      it(`accepts ${JSON.stringify(input)}`, () => {
        assert.deepStrictEqual(
          both(
            () => parseRepeat(input),
            () => checkRepeat(input),
          ).value,
          expected,
        );
      });
    }

    const bad: Array<[unknown, string, string]> = [
      [{ intervalMs: 0 }, 'repeatNeedsCount', 'count'],
      [{ intervalMs: -1 }, 'invalidRepeat', 'intervalMs'],
      [{ intervalMs: 86_400_001 }, 'invalidRepeat', 'intervalMs'],
      [{ intervalMs: 1.5 }, 'invalidRepeat', 'intervalMs'],
      [{}, 'invalidRepeat', 'intervalMs'],
      [{ intervalMs: 10, count: 0 }, 'invalidRepeat', 'count'],
      [{ intervalMs: 10, count: 10_000_001 }, 'invalidRepeat', 'count'],
      [{ intervalMs: 10, count: 2.5 }, 'invalidRepeat', 'count'],
      [{ intervalMs: 10, count: -3 }, 'invalidRepeat', 'count'],
      [null, 'invalidRepeat', 'repeat'],
      [1000, 'invalidRepeat', 'repeat'],
    ];
    for (const [input, code, field] of bad) {
      it(`refuses ${JSON.stringify(input)} (${code} on ${field})`, () => {
        const { error } = both(
          () => parseRepeat(input),
          () => checkRepeat(input),
        );
        assertSocketLabError(error, code, { field });
      });
    }

    it('names the field and the allowed range', () => {
      assert.strictEqual(
        checkRepeat({ intervalMs: -5 })!.message,
        'Repeat interval (intervalMs) must be a whole number of milliseconds from 0 to 86400000 (got -5).',
      );
      assert.strictEqual(
        checkRepeat({ intervalMs: 5, count: 0 })!.message,
        'Repeat count (count) must be a whole number from 1 to 10000000 (got 0).',
      );
      assert.match(checkRepeat({ intervalMs: 0 })!.message, /interval is 0 ms/);
    });
  });

  describe('wait, timeout, backlog', () => {
    const cases: Array<{
      name: string;
      parse: (v: unknown) => number;
      check: (v: unknown) => SocketLabError | undefined;
      code: string;
      good: unknown[];
      bad: unknown[];
    }> = [
      {
        name: 'waitMs',
        parse: parseWaitMs,
        check: checkWaitMs,
        code: 'invalidWait',
        good: [0, 1, 600_000, '500'],
        bad: [-1, 600_001, 1.5, '', ' 5', true, NaN],
      },
      {
        name: 'timeoutMs',
        parse: parseTimeoutMs,
        check: checkTimeoutMs,
        code: 'invalidTimeout',
        good: [1, 600_000, '30000'],
        bad: [0, -1, 600_001, 2.5, 'x', null],
      },
      {
        name: 'backlog',
        parse: parseBacklog,
        check: checkBacklog,
        code: 'invalidBacklog',
        good: [1, 3, 511, 65535],
        bad: [0, 65536, 1.5, '3 ', false],
      },
    ];
    for (const { name, parse, check, code, good, bad } of cases) {
      for (const input of good) {
        it(`${name} accepts ${JSON.stringify(input)}`, () => {
          assert.strictEqual(
            both(
              () => parse(input),
              () => check(input),
            ).value,
            Number(input),
          );
        });
      }
      for (const input of bad) {
        it(`${name} refuses ${typeof input === 'string' ? JSON.stringify(input) : String(input)}`, () => {
          assertSocketLabError(
            both(
              () => parse(input),
              () => check(input),
            ).error,
            code,
            { field: name },
          );
        });
      }
    }

    it('timeout takes a field name and says milliseconds', () => {
      assert.strictEqual(parseTimeoutMs('30', 'connectTimeoutMs'), 30);
      assert.strictEqual(
        checkTimeoutMs(0, 'connectTimeoutMs')!.message,
        'Connect timeout (connectTimeoutMs) must be a whole number of milliseconds from 1 to 600000 (got 0).',
      );
      assert.strictEqual(
        checkWaitMs(-1)!.message,
        'Wait time (waitMs) must be a whole number of milliseconds from 0 to 600000 (got -1).',
      );
    });
  });

  describe('IP address literals (no Node in src/shared: they must read addresses as net does)', () => {
    const samples = [
      '',
      '::',
      '::1',
      '1::',
      '1:2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7::',
      '::2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7:8:9',
      '1::2:3:4:5:6:7:8',
      '1:2:3:4:5:6:7',
      ':1::',
      '1:::2',
      '1::2::3',
      '::ffff:127.0.0.1',
      '::127.0.0.1',
      '1:2:3:4:5:6:127.0.0.1',
      '1:2:3:4:5:6:7:127.0.0.1',
      '127.0.0.1::',
      '::ffff:1.2.3',
      '::ffff:01.2.3.4',
      'fe80::1%eth0',
      'fe80::1%',
      'fe80::1%a b',
      'fe80::1%e-t.h:0',
      'FE80::ABCD',
      'g::1',
      '12345::',
      '[::1]',
      '127.0.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '256.0.0.1',
      '01.2.3.4',
      '1.2.3',
      '1.2.3.4.5',
      '1..2.3',
      ' 1.2.3.4',
      '1.2.3.4 ',
      '0x7f.0.0.1',
      '1e2.0.0.1',
      '١.٢.٣.٤',
      '::1%0',
      '::%x',
      '%x',
    ];
    it('agree with net.isIPv4, net.isIPv6 and net.isIP on edge cases', () => {
      for (const text of samples) {
        assert.strictEqual(isIPv4(text), net.isIPv4(text), `isIPv4(${JSON.stringify(text)})`);
        assert.strictEqual(isIPv6(text), net.isIPv6(text), `isIPv6(${JSON.stringify(text)})`);
        assert.strictEqual(ipFamily(text), net.isIP(text), `ipFamily(${JSON.stringify(text)})`);
      }
    });

    it('agree with net on generated addresses and near-misses (20,000 cases each)', () => {
      const nearMiss = fc
        .array(fc.constantFrom(...'0123456789abcdefABCDEFg:.%[]- '.split('')), { maxLength: 45 })
        .map((chars) => chars.join(''));
      const text = fc.oneof(fc.ipV4(), fc.ipV4Extended(), fc.ipV6(), nearMiss);
      fc.assert(
        fc.property(text, (t) => isIPv4(t) === net.isIPv4(t) && isIPv6(t) === net.isIPv6(t)),
        { numRuns: 20000 },
      );
      fc.assert(
        fc.property(fc.ipV6(), fc.stringMatching(/^[0-9A-Za-z.:-]{0,6}$/), (address, zone) => {
          const t = `${address}%${zone}`;
          return isIPv6(t) === net.isIPv6(t);
        }),
        { numRuns: 20000 },
      );
    });

    it('count UTF-8 bytes as Buffer.byteLength does (Unix path limits are in bytes)', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), (t) => utf8Length(t) === Buffer.byteLength(t, 'utf8')),
        { numRuns: 20000 },
      );
      for (const t of ['路', '😀', '\uD800', '\uDC00x', 'a\uD83D', '\u07FF\u0800'])
        assert.strictEqual(utf8Length(t), Buffer.byteLength(t, 'utf8'), JSON.stringify(t));
    });
  });

  it('exports the UDP payload limits', () => {
    assert.strictEqual(UDP_MAX_PAYLOAD_IPV4, 65507);
    assert.strictEqual(UDP_MAX_PAYLOAD_IPV6, 65527);
  });
});
