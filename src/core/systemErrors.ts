/** Turns the Node errors endpoints meet into one SocketLabError with a clear sentence and a hint. */
import { SocketLabError, isSocketLabError } from '../shared/errors';
import { formatAddress } from '../shared/naming';
import { PLACE_WORDS } from '../shared/valueWords';

/** What was being done, and to what, when the error happened. */
export interface ErrorContext {
  /** The operation, used in the sentence of unknown codes: 'listen', 'connect', 'send', 'bind'... */
  operation: string;
  address?: string;
  port?: number;
  /** A Unix socket path or a file path. */
  path?: string;
  /** The host name as the user typed it (for resolution failures). */
  host?: string;
  /** True for datagram sockets (ECONNREFUSED there means an ICMP port-unreachable). */
  datagram?: boolean;
}

function where(ctx: ErrorContext): string {
  if (ctx.path !== undefined) {
    return ctx.path;
  }
  if (ctx.address !== undefined && ctx.port !== undefined) {
    return formatAddress({ address: ctx.address, port: ctx.port });
  }
  return ctx.address ?? ctx.host ?? PLACE_WORDS.unknown;
}

/** The values of a system error's sentence, typed by name so that scripts/l10n.mjs can check each template's placeholders. */
type SystemErrorValues = {
  operation: string;
  target: string;
  address?: string;
  port?: number;
  path?: string;
  host?: string;
  systemCode: string;
};

/** Builds the SocketLabError of one Node error code, knowing what was being done (`ctx`). */
type SystemErrorSentence = (values: SystemErrorValues, ctx: ErrorContext, code: string) => SocketLabError;

const addressInUse: SystemErrorSentence = (values, ctx, code) =>
  ctx.path !== undefined
    ? SocketLabError.create(
        'addressInUse',
        '{target} is already in use by another listening process; choose another path or stop that process.',
        values,
        code,
      )
    : SocketLabError.create(
        'addressInUse',
        '{target} is already in use by another process; choose another port or stop that process.',
        values,
        code,
      );

const permissionDenied: SystemErrorSentence = (values, ctx, code) => {
  const isPath = ctx.path !== undefined;
  if (ctx.datagram && ctx.operation === 'send') {
    return SocketLabError.create(
      'broadcastNotEnabled',
      'Sending to {target} was refused (EACCES); to send to a broadcast address, enable broadcast on this socket.',
      values,
      code,
    );
  }
  if (isPath && ctx.operation === 'read file') {
    return SocketLabError.create(
      'permissionDenied',
      'Permission denied reading {target}; choose a file you may read.',
      values,
      code,
    );
  }
  if (isPath && ctx.operation === 'connect') {
    return SocketLabError.create(
      'permissionDenied',
      'Permission denied for {target}; connecting needs access to its folder and write permission on the socket.',
      values,
      code,
    );
  }
  return isPath
    ? SocketLabError.create(
        'permissionDenied',
        'Permission denied for {target}; choose a path in a folder you may write to.',
        values,
        code,
      )
    : SocketLabError.create(
        'permissionDenied',
        'Permission denied for {target}; ports below 1024 need administrator rights, choose a port above 1023.',
        values,
        code,
      );
};

const connectionRefused: SystemErrorSentence = (values, ctx, code) => {
  if (ctx.datagram) {
    return SocketLabError.create(
      'portUnreachable',
      '{target} answered that the port is unreachable (ICMP, ECONNREFUSED); nothing listens there.',
      values,
      code,
    );
  }
  return ctx.path !== undefined
    ? SocketLabError.create(
        'connectionRefused',
        'Nothing is listening at {target} (connection refused); start the server first or check the path.',
        values,
        code,
      )
    : SocketLabError.create(
        'connectionRefused',
        'Nothing is listening at {target} (connection refused); start the server first or check the port.',
        values,
        code,
      );
};

const timedOut: SystemErrorSentence = (values, ctx, code) =>
  ctx.operation === 'connect'
    ? SocketLabError.create(
        'timedOut',
        'Connecting to {target} timed out; check the address, the port and any firewall.',
        values,
        code,
      )
    : SocketLabError.create(
        'timedOut',
        'The connection to {target} timed out; check the address, the port and any firewall.',
        values,
        code,
      );

const hostNotFound: SystemErrorSentence = (values, ctx, code) =>
  SocketLabError.create(
    'hostNotFound',
    "Host name '{name}' could not be resolved ({systemCode}); check the spelling or use an IP address.",
    { ...values, name: ctx.host ?? ctx.address ?? '?' },
    code,
  );

const hostUnreachable: SystemErrorSentence = (values, _ctx, code) =>
  SocketLabError.create(
    'hostUnreachable',
    '{target} cannot be reached: no route to the host ({systemCode}); check the address and the network.',
    values,
    code,
  );

const networkUnreachable: SystemErrorSentence = (values, _ctx, code) =>
  SocketLabError.create(
    'networkUnreachable',
    'The network of {target} is unreachable ({systemCode}); check the address and the network connection.',
    values,
    code,
  );

const multicastFailed: SystemErrorSentence = (values, _ctx, code) =>
  SocketLabError.create(
    'multicastFailed',
    'Multicast on {target} failed ({systemCode}); check the group address and the interface.',
    values,
    code,
  );

const socketClosed: SystemErrorSentence = (values, _ctx, code) =>
  SocketLabError.create('socketClosed', 'The socket of {target} is already closed; restart it first.', values, code);

/** The sentence of each Node error code Socket Lab explains; any other code gets failed()'s sentence. */
const SENTENCES: Readonly<Record<string, SystemErrorSentence>> = {
  EADDRINUSE: addressInUse,
  EACCES: permissionDenied,
  EADDRNOTAVAIL: (values, ctx, code) =>
    SocketLabError.create(
      'addressNotAvailable',
      '{target} is not an address of this machine; use one of its own addresses, 0.0.0.0 or ::.',
      { ...values, target: ctx.address ?? values.target },
      code,
    ),
  ECONNREFUSED: connectionRefused,
  ETIMEDOUT: timedOut,
  ECONNRESET: (values, _ctx, code) =>
    SocketLabError.create(
      'connectionReset',
      'The connection to {target} was reset by the peer (ECONNRESET).',
      values,
      code,
    ),
  ECONNABORTED: (values, _ctx, code) =>
    SocketLabError.create('connectionAborted', 'The connection to {target} was aborted (ECONNABORTED).', values, code),
  EPIPE: (values, _ctx, code) =>
    SocketLabError.create(
      'brokenPipe',
      '{target} closed the connection while data was still being sent (EPIPE).',
      values,
      code,
    ),
  ENOTCONN: (values, _ctx, code) =>
    SocketLabError.create('notConnected', 'The socket to {target} is not connected any more (ENOTCONN).', values, code),
  ENOTFOUND: hostNotFound,
  EAI_AGAIN: hostNotFound,
  EAI_NONAME: hostNotFound,
  EAI_FAIL: hostNotFound,
  EHOSTUNREACH: hostUnreachable,
  EHOSTDOWN: hostUnreachable,
  ENETUNREACH: networkUnreachable,
  ENETDOWN: networkUnreachable,
  EMSGSIZE: (values, _ctx, code) =>
    SocketLabError.create(
      'messageTooLarge',
      'The datagram to {target} is too large for the network (EMSGSIZE); send a smaller payload.',
      values,
      code,
    ),
  ENOBUFS: (values, _ctx, code) =>
    SocketLabError.create(
      'noBuffers',
      'The system ran out of buffer space sending to {target} (ENOBUFS); send less or slower.',
      values,
      code,
    ),
  ENAMETOOLONG: (values, _ctx, code) =>
    SocketLabError.create(
      'pathTooLong',
      'The path {target} is too long for a socket (ENAMETOOLONG); use a shorter path.',
      values,
      code,
    ),
  ENOENT: (values, ctx, code) =>
    ctx.operation === 'connect'
      ? SocketLabError.create(
          'noSuchSocket',
          'There is no socket at {target}; start the listener first or check the path.',
          values,
          code,
        )
      : SocketLabError.create(
          'fileNotFound',
          '{target} does not exist (or its folder does not); check the path.',
          values,
          code,
        ),
  ENOTDIR: (values, _ctx, code) =>
    SocketLabError.create(
      'fileNotFound',
      'A part of {target} is not a folder (ENOTDIR); check the path.',
      values,
      code,
    ),
  EISDIR: (values, _ctx, code) =>
    SocketLabError.create('isDirectory', '{target} is a folder, not a file.', values, code),
  ENOTSOCK: (values, _ctx, code) => SocketLabError.create('notASocket', '{target} is not a socket.', values, code),
  EPERM: (values, _ctx, code) =>
    SocketLabError.create(
      'operationNotPermitted',
      'The system refused the operation on {target} (EPERM); broadcast may need to be enabled, or a firewall blocks it.',
      values,
      code,
    ),
  EINVAL: (values, _ctx, code) =>
    SocketLabError.create(
      'invalidAddress',
      'The address {target} cannot be used for this operation (EINVAL); for example IPv4 and IPv6 addresses were mixed.',
      values,
      code,
    ),
  EAFNOSUPPORT: (values, _ctx, code) =>
    SocketLabError.create(
      'addressFamilyNotSupported',
      'The address family of {target} is not supported here (EAFNOSUPPORT); is IPv6 enabled?',
      values,
      code,
    ),
  ENODEV: multicastFailed,
  ENOPROTOOPT: multicastFailed,
  EBADF: socketClosed,
  ERR_SOCKET_DGRAM_NOT_RUNNING: socketClosed,
  ERR_SOCKET_CLOSED: socketClosed,
  ERR_STREAM_DESTROYED: socketClosed,
  ERR_STREAM_WRITE_AFTER_END: socketClosed,
};

/**
 * Maps `err` (a Node system error, a SocketLabError or anything thrown) to a SocketLabError whose message
 * names the address and gives a hint. SocketLabErrors pass through unchanged.
 */
export function toSocketLabError(err: unknown, ctx: ErrorContext): SocketLabError {
  if (isSocketLabError(err)) {
    return err;
  }
  const e = err as NodeJS.ErrnoException | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const values: Omit<SystemErrorValues, 'systemCode'> & { systemCode?: string } = {
    operation: ctx.operation,
    target: where(ctx),
  };
  if (ctx.address !== undefined) values.address = ctx.address;
  if (ctx.port !== undefined) values.port = ctx.port;
  if (ctx.path !== undefined) values.path = ctx.path;
  if (ctx.host !== undefined) values.host = ctx.host;
  if (code === undefined) {
    return failed(ctx.operation, { ...values, detail: e instanceof Error ? e.message : String(err) }, code);
  }
  values.systemCode = code;
  const sentence = Object.prototype.hasOwnProperty.call(SENTENCES, code) ? SENTENCES[code] : undefined;
  return sentence
    ? sentence({ ...values, systemCode: code }, ctx, code)
    : failed(ctx.operation, { ...values, detail: code }, code);
}

/** 'Listening on 127.0.0.1:80 failed (EWHATEVER).': one whole sentence per operation, so each translates as a whole. */
function failed(
  operation: string,
  values: { operation: string; target: string; detail: string },
  code: string | undefined,
): SocketLabError {
  switch (operation) {
    case 'listen':
      return SocketLabError.create('systemError', 'Listening on {target} failed ({detail}).', values, code);
    case 'bind':
      return SocketLabError.create('systemError', 'Binding {target} failed ({detail}).', values, code);
    case 'connect':
      return SocketLabError.create('systemError', 'Connecting to {target} failed ({detail}).', values, code);
    case 'send':
      return SocketLabError.create('systemError', 'Sending to {target} failed ({detail}).', values, code);
    case 'read file':
      return SocketLabError.create('systemError', 'Reading {target} failed ({detail}).', values, code);
    case 'resolve':
      return SocketLabError.create('systemError', 'Resolving {target} failed ({detail}).', values, code);
    case 'restart':
      return SocketLabError.create('systemError', 'Restarting {target} failed ({detail}).', values, code);
    case 'join multicast group':
      return SocketLabError.create(
        'systemError',
        'Joining the multicast group {target} failed ({detail}).',
        values,
        code,
      );
    case 'leave multicast group':
      return SocketLabError.create(
        'systemError',
        'Leaving the multicast group {target} failed ({detail}).',
        values,
        code,
      );
    case 'set broadcast':
      return SocketLabError.create(
        'systemError',
        'Changing the broadcast setting of {target} failed ({detail}).',
        values,
        code,
      );
    case 'set multicast options':
      return SocketLabError.create(
        'systemError',
        'Changing the multicast TTL or loopback of {target} failed ({detail}).',
        values,
        code,
      );
    default:
      // An operation named by a caller this list does not know yet: its name is quoted as it is.
      return SocketLabError.create('systemError', '{operation} on {target} failed ({detail}).', values, code);
  }
}
