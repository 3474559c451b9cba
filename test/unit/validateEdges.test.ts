// The edges of the shared value checks (src/shared/validate.ts, src/shared/ipAddress.ts): each bound, each
// anchor of a pattern and each field name a sentence carries, one value on either side.
import * as assert from 'assert';
import { MAX_CONNECTIONS_LIMIT } from '../../src/shared/limits';
import {
  checkBacklog,
  checkHost,
  checkInteger,
  checkTimeoutMs,
  checkUnixPath,
  checkWaitMs,
  fieldLabel,
  parseHost,
  parseMaxConnections,
  unixPathMax,
  utf8Length,
} from '../../src/shared/validate';
import { isExternalBind, isIPv6, isLoopbackHost, isMulticastAddress } from '../../src/shared/ipAddress';
import { assertSocketLabError } from '../helpers/errors';

/** The reason checkHost gives for `host`, or 'ok' when it accepts it. */
function hostReason(host: string): unknown {
  return checkHost(host)?.values.reason ?? 'ok';
}

describe('validate: edges of the value checks', () => {
  it('knows the Unix path limit of each platform: Linux and Android 107 bytes, macOS and BSD 103, Windows 256', () => {
    assert.deepStrictEqual(
      ['linux', 'android', 'darwin', 'freebsd', 'openbsd', 'win32'].map(unixPathMax),
      [107, 107, 103, 103, 103, 256],
    );
  });

  it('counts UTF-8 bytes at each encoding boundary, pairing a surrogate only with the low one after it', () => {
    assert.strictEqual(utf8Length('\u007f'), 1);
    assert.strictEqual(utf8Length('\u0080'), 2);
    assert.strictEqual(utf8Length('\u07ff'), 2);
    assert.strictEqual(utf8Length('\u0800'), 3);
    assert.strictEqual(utf8Length('😀'), 4);
    assert.strictEqual(utf8Length('a😀'), 5);
    assert.strictEqual(utf8Length('\ud83d'), 3); // a lone high surrogate at the end
    assert.strictEqual(utf8Length('\ude00'), 3); // a lone low surrogate
    assert.strictEqual(utf8Length('\ud83dA'), 4); // a high surrogate followed by a letter
    assert.strictEqual(utf8Length('\ud83d\ud83d'), 6); // two high surrogates
    assert.strictEqual(utf8Length('\ude00\ud83d'), 6); // low before high is no pair
    assert.strictEqual(utf8Length('\ude00\ude00'), 6); // two low surrogates
    assert.strictEqual(utf8Length('\u4e2d\ude00'), 6); // only a high surrogate starts a pair
    assert.strictEqual(utf8Length('\uffff'), 3);
  });

  it('spells out a field without a label: Ms dropped only at the end, no parentheses when the words are the name', () => {
    assert.strictEqual(fieldLabel('target'), 'Target');
    assert.strictEqual(fieldLabel('interface'), 'Interface');
    assert.strictEqual(fieldLabel('retryDelayMs'), 'Retry delay (retryDelayMs)');
    assert.strictEqual(fieldLabel('maxMsgs'), 'Max msgs (maxMsgs)');
    // The TLS file fields, whose sentences the core writes (src/core/tls), read as words too.
    assert.deepStrictEqual(['cert', 'key', 'ca', 'keylogPath'].map(fieldLabel), [
      'Certificate file (cert)',
      'Private key file (key)',
      'CA file (ca)',
      'Key log file (keylogPath)',
    ]);
  });

  it('reads only numbers and digit strings as whole numbers, and says why a value is refused', () => {
    const reason = (value: unknown) => checkInteger(value, 'count', 1, 10, 'invalidRepeat')?.values.reason ?? 'ok';
    assert.strictEqual(reason(5), 'ok');
    assert.strictEqual(reason('5'), 'ok');
    assert.strictEqual(reason([5]), 'type'); // an array's text is '5', yet it is no number
    assert.strictEqual(reason(true), 'type');
    assert.strictEqual(reason(11), 'range');
    assert.strictEqual(reason(0), 'range');
    assert.strictEqual(reason(' 5 '), 'spaces');
    assert.strictEqual(reason('   '), 'notInteger'); // only spaces is not a number with spaces around it
    assert.strictEqual(reason('5x'), 'notInteger');
    assert.strictEqual(
      checkInteger(' 5 ', 'count', 1, 10, 'invalidRepeat')?.message,
      'Repeat count (count) must be a whole number from 1 to 10, without spaces (got " 5 ").',
    );
    // Only a field ending in Ms counts milliseconds.
    assert.strictEqual(
      checkInteger(0, 'maxMsgs', 1, 10, 'invalidArgument')?.message,
      'Max msgs (maxMsgs) must be a whole number from 1 to 10 (got 0).',
    );
    assert.strictEqual(
      checkInteger(0, 'retryDelayMs', 1, 10, 'invalidArgument')?.message,
      'Retry delay (retryDelayMs) must be a whole number of milliseconds from 1 to 10 (got 0).',
    );
  });

  it('says in words what was given when it is neither text nor a number', () => {
    const got = (value: unknown) => checkInteger(value, 'count', 1, 10, 'invalidRepeat')?.values.value;
    assert.deepStrictEqual(
      [got(undefined), got([1]), got({}), got(() => 1), got(Symbol('s'))],
      ['nothing', 'an array', 'an object', 'a function', 'a symbol'],
    );
    assert.strictEqual(
      checkHost([], 'defaultHost')?.message,
      'Default host (defaultHost) must be text: an IPv4 address, an IPv6 address or a host name (got an array).',
    );
  });

  it('names its own field by default in the wait, timeout, backlog and connection-limit checks', () => {
    assertSocketLabError(checkWaitMs(-1), 'invalidWait', { field: 'waitMs', min: 0, max: 600_000 });
    assertSocketLabError(checkTimeoutMs(0), 'invalidTimeout', { field: 'timeoutMs', min: 1, max: 600_000 });
    assertSocketLabError(checkBacklog(65536), 'invalidBacklog', { field: 'backlog', min: 1, max: 65535 });
    assert.strictEqual(parseMaxConnections('7'), 7);
    assert.strictEqual(parseMaxConnections(MAX_CONNECTIONS_LIMIT), MAX_CONNECTIONS_LIMIT);
    for (const bad of [0, MAX_CONNECTIONS_LIMIT + 1]) {
      try {
        parseMaxConnections(bad);
        assert.fail(`accepted ${bad}`);
      } catch (err) {
        assertSocketLabError(err, 'invalidArgument', {
          field: 'maxConnections',
          label: 'Connection limit (maxConnections)',
          min: 1,
          max: MAX_CONNECTIONS_LIMIT,
        });
      }
    }
  });

  it('keeps the case of an IPv6 zone and lower-cases the address', () => {
    assert.strictEqual(parseHost('FE80::A%Eth0'), 'fe80::a%Eth0');
    assert.strictEqual(parseHost('[FE80::A]'), 'fe80::a');
  });

  it('anchors the scheme, port and numeric patterns of a host at both ends', () => {
    assert.strictEqual(hostReason('http://x'), 'scheme');
    assert.strictEqual(hostReason('_x://y'), 'badIpv6'); // no scheme starts with '_'
    assert.strictEqual(hostReason('[::1]:80'), 'withPort');
    assert.strictEqual(hostReason('x[::1]:80'), 'badIpv6');
    assert.strictEqual(hostReason('[::1]:80x'), 'badIpv6');
    assert.strictEqual(hostReason('host]'), 'badChar');
    // A last label that only starts or ends like a number is a name, not an IPv4 attempt.
    assert.strictEqual(hostReason('node.1a'), 'ok');
    assert.strictEqual(hostReason('a0x1'), 'ok');
    assert.strictEqual(hostReason('0x1g'), 'ok');
    assert.strictEqual(hostReason('0x7f000001'), 'ipv4');
    assert.strictEqual(hostReason('127.1'), 'ipv4');
    // A trailing dot is dropped before the labels are checked, not everything after the first character.
    assert.strictEqual(hostReason('bad-.example.'), 'badChar');
    assert.strictEqual(hostReason('a.b.c'), 'ok');
  });

  it('refuses a leading zero in any of the four parts of an IPv4 address', () => {
    for (const host of ['01.2.3.4', '10.01.3.4', '10.2.01.4', '10.2.3.01', '10.10.10.010']) {
      assert.strictEqual(hostReason(host), 'ipv4LeadingZero', host);
    }
    assert.strictEqual(hostReason('10.10.10.10'), 'ok');
  });

  it('accepts a host name of 253 characters, with or without its trailing dot, and refuses 254', () => {
    const name253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    assert.strictEqual(name253.length, 253);
    assert.strictEqual(hostReason(name253), 'ok');
    assert.strictEqual(hostReason(`${name253}.`), 'ok');
    assert.strictEqual(hostReason(`${name253}d`), 'tooLong');
    assert.strictEqual(hostReason(`${'a'.repeat(63)}.x`), 'ok');
    assert.strictEqual(hostReason(`${'a'.repeat(64)}.x`), 'labelLength');
  });

  it('on Windows takes only a named pipe path starting with \\\\.\\pipe\\, of at most 256 characters', () => {
    assertSocketLabError(checkUnixPath('x\\\\.\\pipe\\a', 'path', 'win32'), 'invalidPath', {
      prefix: '\\\\.\\pipe\\',
    });
    const pipe256 = `\\\\.\\pipe\\${'p'.repeat(256 - 9)}`;
    assert.strictEqual(pipe256.length, 256);
    assert.strictEqual(checkUnixPath(pipe256, 'path', 'win32'), undefined);
    assertSocketLabError(checkUnixPath(`${pipe256}p`, 'path', 'win32'), 'unixPathTooLong', {
      length: 257,
      limit: 256,
    });
  });
});

describe('ipAddress: edges of the literal readers', () => {
  it('reads IPv6 with one "::" at most and a full eight groups to the last character', () => {
    assert.strictEqual(isIPv6('1:2:3:4:5:6:7:8'), true);
    assert.strictEqual(isIPv6('1::2::3'), false);
    assert.strictEqual(isIPv6('1:2:3:4:5:6:7:8::1::2'), false); // eight groups, then two more '::'
    assert.strictEqual(isIPv6('fe80::1%eth0'), true);
    assert.strictEqual(isIPv6('fe80::1%'), false);
  });

  it('counts as loopback exactly localhost, 127/8, ::1 and ::ffff:127/104, whatever the spelling', () => {
    for (const host of ['localhost', 'LocalHost.', '::1', '0::1', '0:0::1', '::0.0.0.1', '::ffff:127.10.10.10']) {
      assert.strictEqual(isLoopbackHost(host), true, host);
    }
    for (const host of [
      '::1x',
      '::7f00:1',
      '1::ffff:127.0.0.1',
      '::ffff:128.0.0.1',
      '[::1x',
      'x::1]',
      '::ffff:126.255.0.1',
    ]) {
      assert.strictEqual(isLoopbackHost(host), false, host);
    }
    // The public API passes unknown data: what is not text is no host, so binding it is external.
    assert.strictEqual(isLoopbackHost(42 as unknown as string), false);
    assert.strictEqual(isExternalBind(undefined as unknown as string), true);
  });

  it('counts as multicast exactly 224.0.0.0/4 and ff00::/8', () => {
    for (const address of ['224.0.0.1', '239.255.255.255', 'ff02::1', 'FF05::1:3']) {
      assert.strictEqual(isMulticastAddress(address), true, address);
    }
    for (const address of ['223.255.255.255', '240.0.0.1', 'ff0::1', 'ff::1', '1::ff02:1', '127.0.0.1', 'ff02']) {
      assert.strictEqual(isMulticastAddress(address), false, address);
    }
  });
});
