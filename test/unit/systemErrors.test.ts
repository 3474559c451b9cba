import * as assert from 'assert';
import '../helpers/noLeaks';

import { ErrorContext, toSocketLabError } from '../../src/core/systemErrors';
import { SocketLabError, fillTemplate } from '../../src/shared/errors';

/** A Node system error as net, dgram and fs raise it: an Error whose `code` is the errno name. */
const sys = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code} from the system`), { code });

const TCP: ErrorContext = { operation: 'connect', address: '127.0.0.1', port: 8880 };
const TCP6: ErrorContext = { operation: 'send', address: '::1', port: 9 };
const UNIX: ErrorContext = { operation: 'listen', path: '/tmp/lab.sock' };

/** One row: the Node code, what was being done, and the exact SocketLabError code and sentence expected. */
interface Row {
  systemCode: string;
  ctx: ErrorContext;
  code: string;
  message: string;
}

// Every branch of the table, each with the context variation it reads (path or address, datagram, operation).
const ROWS: Row[] = [
  {
    systemCode: 'EADDRINUSE',
    ctx: { operation: 'listen', address: '127.0.0.1', port: 8880 },
    code: 'addressInUse',
    message: '127.0.0.1:8880 is already in use by another process; choose another port or stop that process.',
  },
  {
    systemCode: 'EADDRINUSE',
    ctx: UNIX,
    code: 'addressInUse',
    message: '/tmp/lab.sock is already in use by another listening process; choose another path or stop that process.',
  },
  {
    systemCode: 'EACCES',
    ctx: { operation: 'send', address: '255.255.255.255', port: 9, datagram: true },
    code: 'broadcastNotEnabled',
    message:
      'Sending to 255.255.255.255:9 was refused (EACCES); to send to a broadcast address, enable broadcast on this socket.',
  },
  {
    systemCode: 'EACCES',
    ctx: { operation: 'bind', address: '0.0.0.0', port: 80, datagram: true },
    code: 'permissionDenied',
    message: 'Permission denied for 0.0.0.0:80; ports below 1024 need administrator rights, choose a port above 1023.',
  },
  {
    systemCode: 'EACCES',
    ctx: { operation: 'send', address: '127.0.0.1', port: 80 },
    code: 'permissionDenied',
    message:
      'Permission denied for 127.0.0.1:80; ports below 1024 need administrator rights, choose a port above 1023.',
  },
  {
    systemCode: 'EACCES',
    ctx: { operation: 'read file', path: '/tmp/secret.bin' },
    code: 'permissionDenied',
    message: 'Permission denied reading /tmp/secret.bin; choose a file you may read.',
  },
  {
    systemCode: 'EACCES',
    ctx: { operation: 'connect', path: '/tmp/lab.sock' },
    code: 'permissionDenied',
    message:
      'Permission denied for /tmp/lab.sock; connecting needs access to its folder and write permission on the socket.',
  },
  {
    systemCode: 'EACCES',
    ctx: UNIX,
    code: 'permissionDenied',
    message: 'Permission denied for /tmp/lab.sock; choose a path in a folder you may write to.',
  },
  {
    systemCode: 'EACCES',
    ctx: { operation: 'connect', address: '127.0.0.1', port: 80 },
    code: 'permissionDenied',
    message:
      'Permission denied for 127.0.0.1:80; ports below 1024 need administrator rights, choose a port above 1023.',
  },
  {
    systemCode: 'EACCES',
    ctx: { operation: 'read file', address: '127.0.0.1', port: 80 },
    code: 'permissionDenied',
    message:
      'Permission denied for 127.0.0.1:80; ports below 1024 need administrator rights, choose a port above 1023.',
  },
  {
    systemCode: 'EADDRNOTAVAIL',
    ctx: { operation: 'bind', address: '192.0.2.7', port: 8880 },
    code: 'addressNotAvailable',
    message: '192.0.2.7 is not an address of this machine; use one of its own addresses, 0.0.0.0 or ::.',
  },
  {
    systemCode: 'EADDRNOTAVAIL',
    ctx: { operation: 'bind', host: 'lab.example' },
    code: 'addressNotAvailable',
    message: 'lab.example is not an address of this machine; use one of its own addresses, 0.0.0.0 or ::.',
  },
  {
    systemCode: 'ECONNREFUSED',
    ctx: { operation: 'send', address: '127.0.0.1', port: 9, datagram: true },
    code: 'portUnreachable',
    message: '127.0.0.1:9 answered that the port is unreachable (ICMP, ECONNREFUSED); nothing listens there.',
  },
  {
    systemCode: 'ECONNREFUSED',
    ctx: TCP,
    code: 'connectionRefused',
    message: 'Nothing is listening at 127.0.0.1:8880 (connection refused); start the server first or check the port.',
  },
  {
    systemCode: 'ECONNREFUSED',
    ctx: { operation: 'connect', path: '/tmp/lab.sock' },
    code: 'connectionRefused',
    message: 'Nothing is listening at /tmp/lab.sock (connection refused); start the server first or check the path.',
  },
  {
    systemCode: 'ETIMEDOUT',
    ctx: TCP,
    code: 'timedOut',
    message: 'Connecting to 127.0.0.1:8880 timed out; check the address, the port and any firewall.',
  },
  {
    systemCode: 'ETIMEDOUT',
    ctx: TCP6,
    code: 'timedOut',
    message: 'The connection to [::1]:9 timed out; check the address, the port and any firewall.',
  },
  {
    systemCode: 'ECONNRESET',
    ctx: TCP6,
    code: 'connectionReset',
    message: 'The connection to [::1]:9 was reset by the peer (ECONNRESET).',
  },
  {
    systemCode: 'ECONNABORTED',
    ctx: TCP6,
    code: 'connectionAborted',
    message: 'The connection to [::1]:9 was aborted (ECONNABORTED).',
  },
  {
    systemCode: 'EPIPE',
    ctx: TCP6,
    code: 'brokenPipe',
    message: '[::1]:9 closed the connection while data was still being sent (EPIPE).',
  },
  {
    systemCode: 'ENOTCONN',
    ctx: TCP6,
    code: 'notConnected',
    message: 'The socket to [::1]:9 is not connected any more (ENOTCONN).',
  },
  ...['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL'].map((systemCode) => ({
    systemCode,
    ctx: { operation: 'connect', host: 'lab.invalid', port: 80 },
    code: 'hostNotFound',
    message: `Host name 'lab.invalid' could not be resolved (${systemCode}); check the spelling or use an IP address.`,
  })),
  {
    systemCode: 'ENOTFOUND',
    ctx: { operation: 'resolve', address: 'lab.invalid' },
    code: 'hostNotFound',
    message: "Host name 'lab.invalid' could not be resolved (ENOTFOUND); check the spelling or use an IP address.",
  },
  {
    systemCode: 'ENOTFOUND',
    ctx: { operation: 'resolve' },
    code: 'hostNotFound',
    message: "Host name '?' could not be resolved (ENOTFOUND); check the spelling or use an IP address.",
  },
  ...['EHOSTUNREACH', 'EHOSTDOWN'].map((systemCode) => ({
    systemCode,
    ctx: TCP,
    code: 'hostUnreachable',
    message: `127.0.0.1:8880 cannot be reached: no route to the host (${systemCode}); check the address and the network.`,
  })),
  ...['ENETUNREACH', 'ENETDOWN'].map((systemCode) => ({
    systemCode,
    ctx: TCP,
    code: 'networkUnreachable',
    message: `The network of 127.0.0.1:8880 is unreachable (${systemCode}); check the address and the network connection.`,
  })),
  {
    systemCode: 'EMSGSIZE',
    ctx: TCP6,
    code: 'messageTooLarge',
    message: 'The datagram to [::1]:9 is too large for the network (EMSGSIZE); send a smaller payload.',
  },
  {
    systemCode: 'ENOBUFS',
    ctx: TCP6,
    code: 'noBuffers',
    message: 'The system ran out of buffer space sending to [::1]:9 (ENOBUFS); send less or slower.',
  },
  {
    systemCode: 'ENAMETOOLONG',
    ctx: UNIX,
    code: 'pathTooLong',
    message: 'The path /tmp/lab.sock is too long for a socket (ENAMETOOLONG); use a shorter path.',
  },
  {
    systemCode: 'ENOENT',
    ctx: { operation: 'connect', path: '/tmp/lab.sock' },
    code: 'noSuchSocket',
    message: 'There is no socket at /tmp/lab.sock; start the listener first or check the path.',
  },
  {
    systemCode: 'ENOENT',
    ctx: { operation: 'read file', path: '/tmp/missing.bin' },
    code: 'fileNotFound',
    message: '/tmp/missing.bin does not exist (or its folder does not); check the path.',
  },
  {
    systemCode: 'ENOTDIR',
    ctx: { operation: 'read file', path: '/etc/hostname/x' },
    code: 'fileNotFound',
    message: 'A part of /etc/hostname/x is not a folder (ENOTDIR); check the path.',
  },
  {
    systemCode: 'EISDIR',
    ctx: { operation: 'read file', path: '/tmp' },
    code: 'isDirectory',
    message: '/tmp is a folder, not a file.',
  },
  {
    systemCode: 'ENOTSOCK',
    ctx: { operation: 'connect', path: '/etc/hostname' },
    code: 'notASocket',
    message: '/etc/hostname is not a socket.',
  },
  {
    systemCode: 'EPERM',
    ctx: TCP6,
    code: 'operationNotPermitted',
    message:
      'The system refused the operation on [::1]:9 (EPERM); broadcast may need to be enabled, or a firewall blocks it.',
  },
  {
    systemCode: 'EINVAL',
    ctx: TCP6,
    code: 'invalidAddress',
    message:
      'The address [::1]:9 cannot be used for this operation (EINVAL); for example IPv4 and IPv6 addresses were mixed.',
  },
  {
    systemCode: 'EAFNOSUPPORT',
    ctx: TCP6,
    code: 'addressFamilyNotSupported',
    message: 'The address family of [::1]:9 is not supported here (EAFNOSUPPORT); is IPv6 enabled?',
  },
  ...['ENODEV', 'ENOPROTOOPT'].map((systemCode) => ({
    systemCode,
    ctx: { operation: 'join multicast group', address: '239.1.2.3' },
    code: 'multicastFailed',
    message: `Multicast on 239.1.2.3 failed (${systemCode}); check the group address and the interface.`,
  })),
  ...[
    'EBADF',
    'ERR_SOCKET_DGRAM_NOT_RUNNING',
    'ERR_SOCKET_CLOSED',
    'ERR_STREAM_DESTROYED',
    'ERR_STREAM_WRITE_AFTER_END',
  ].map((systemCode) => ({
    systemCode,
    ctx: TCP6,
    code: 'socketClosed',
    message: 'The socket of [::1]:9 is already closed; restart it first.',
  })),
];

/** The sentence of an unknown code for each operation failed() knows, and for one it does not. */
const UNKNOWN_CODE_SENTENCES: Array<[string, string]> = [
  ['listen', 'Listening on 127.0.0.1:8880 failed (EWEIRD).'],
  ['bind', 'Binding 127.0.0.1:8880 failed (EWEIRD).'],
  ['connect', 'Connecting to 127.0.0.1:8880 failed (EWEIRD).'],
  ['send', 'Sending to 127.0.0.1:8880 failed (EWEIRD).'],
  ['read file', 'Reading 127.0.0.1:8880 failed (EWEIRD).'],
  ['resolve', 'Resolving 127.0.0.1:8880 failed (EWEIRD).'],
  ['restart', 'Restarting 127.0.0.1:8880 failed (EWEIRD).'],
  ['join multicast group', 'Joining the multicast group 127.0.0.1:8880 failed (EWEIRD).'],
  ['leave multicast group', 'Leaving the multicast group 127.0.0.1:8880 failed (EWEIRD).'],
  ['set broadcast', 'Changing the broadcast setting of 127.0.0.1:8880 failed (EWEIRD).'],
  ['set multicast options', 'Changing the multicast TTL or loopback of 127.0.0.1:8880 failed (EWEIRD).'],
  ['set keep-alive', 'set keep-alive on 127.0.0.1:8880 failed (EWEIRD).'],
];

function assertSentence(err: SocketLabError, code: string, message: string, systemCode: string | undefined): void {
  assert.ok(err instanceof SocketLabError, message);
  assert.strictEqual(err.code, code, message);
  assert.strictEqual(err.message, message);
  assert.strictEqual(err.systemCode, systemCode, message);
  assert.ok(err.template, message);
  assert.strictEqual(fillTemplate(err.template, err.values), err.message);
}

describe('systemErrors: each Node error code to its code and sentence', () => {
  for (const row of ROWS) {
    const shape = row.ctx.path !== undefined ? 'a path' : row.ctx.datagram ? 'a datagram address' : 'an address';
    it(`${row.systemCode} while '${row.ctx.operation}' on ${shape} is ${row.code}: "${row.message}"`, () => {
      assertSentence(toSocketLabError(sys(row.systemCode), row.ctx), row.code, row.message, row.systemCode);
    });
  }

  for (const [operation, message] of UNKNOWN_CODE_SENTENCES) {
    it(`an unknown code while '${operation}' is systemError: "${message}"`, () => {
      const err = toSocketLabError(sys('EWEIRD'), { operation, address: '127.0.0.1', port: 8880 });
      assertSentence(err, 'systemError', message, 'EWEIRD');
    });
  }
});

describe('systemErrors: the target named and the values kept', () => {
  it('names an address without a port by the address alone, and a port without an address by the host', () => {
    assertSentence(
      toSocketLabError(sys('ECONNRESET'), { operation: 'send', address: '127.0.0.1' }),
      'connectionReset',
      'The connection to 127.0.0.1 was reset by the peer (ECONNRESET).',
      'ECONNRESET',
    );
    assertSentence(
      toSocketLabError(sys('ECONNRESET'), { operation: 'send', port: 9, host: 'lab.example' }),
      'connectionReset',
      'The connection to lab.example was reset by the peer (ECONNRESET).',
      'ECONNRESET',
    );
  });

  it("names the path before the address, and 'the socket' when the context names nothing", () => {
    assertSentence(
      toSocketLabError(sys('ECONNRESET'), { operation: 'send', path: '/tmp/lab.sock', address: '127.0.0.1', port: 9 }),
      'connectionReset',
      'The connection to /tmp/lab.sock was reset by the peer (ECONNRESET).',
      'ECONNRESET',
    );
    assertSentence(
      toSocketLabError(sys('ECONNRESET'), { operation: 'send' }),
      'connectionReset',
      'The connection to the socket was reset by the peer (ECONNRESET).',
      'ECONNRESET',
    );
  });

  it('keeps exactly the context fields that were given as the values of the sentence', () => {
    const unix = toSocketLabError(sys('ENOENT'), { operation: 'connect', path: '/tmp/lab.sock' });
    assert.deepStrictEqual(unix.values, {
      operation: 'connect',
      target: '/tmp/lab.sock',
      path: '/tmp/lab.sock',
      systemCode: 'ENOENT',
    });
    const named = toSocketLabError(sys('ENOTFOUND'), { operation: 'connect', host: 'lab.invalid' });
    assert.deepStrictEqual(named.values, {
      operation: 'connect',
      target: 'lab.invalid',
      host: 'lab.invalid',
      name: 'lab.invalid',
      systemCode: 'ENOTFOUND',
    });
    const tcp = toSocketLabError(sys('ECONNREFUSED'), TCP);
    assert.deepStrictEqual(tcp.values, {
      operation: 'connect',
      target: '127.0.0.1:8880',
      address: '127.0.0.1',
      port: 8880,
      systemCode: 'ECONNREFUSED',
    });
  });
});

describe('systemErrors: what is not a Node system error', () => {
  it('passes a SocketLabError through as the same object', () => {
    const own = SocketLabError.create('badInput', 'port: must be 1-65535.');
    assert.strictEqual(toSocketLabError(own, TCP), own);
  });

  it("quotes an Error without a code by its message, with no system code and only the context's values", () => {
    const err = toSocketLabError(new Error('the handshake went wrong'), TCP);
    assertSentence(err, 'systemError', 'Connecting to 127.0.0.1:8880 failed (the handshake went wrong).', undefined);
    assert.deepStrictEqual(err.values, {
      operation: 'connect',
      target: '127.0.0.1:8880',
      address: '127.0.0.1',
      port: 8880,
      detail: 'the handshake went wrong',
    });
  });

  it('quotes an Error whose code is not a string by its message', () => {
    const err = toSocketLabError(Object.assign(new Error('code 42 from a library'), { code: 42 }), TCP);
    assertSentence(err, 'systemError', 'Connecting to 127.0.0.1:8880 failed (code 42 from a library).', undefined);
  });

  it('quotes a thrown string, and undefined, as text', () => {
    assertSentence(
      toSocketLabError('the peer went away', TCP),
      'systemError',
      'Connecting to 127.0.0.1:8880 failed (the peer went away).',
      undefined,
    );
    assertSentence(
      toSocketLabError(undefined, { operation: 'send', path: '/tmp/lab.sock' }),
      'systemError',
      'Sending to /tmp/lab.sock failed (undefined).',
      undefined,
    );
  });
});
