/** Turns the Node errors endpoints meet into one SocketLabError with a clear sentence and a hint. */
import { ErrorValues, SocketLabError, isSocketLabError } from './errors';

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

/** 'address:port', with IPv6 addresses in brackets. */
export function formatAddress(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function where(ctx: ErrorContext): string {
  if (ctx.path !== undefined) {
    return ctx.path;
  }
  if (ctx.address !== undefined && ctx.port !== undefined) {
    return formatAddress(ctx.address, ctx.port);
  }
  return ctx.address ?? ctx.host ?? 'the socket';
}

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
  const at = where(ctx);
  const values: ErrorValues = { operation: ctx.operation };
  if (ctx.address !== undefined) values.address = ctx.address;
  if (ctx.port !== undefined) values.port = ctx.port;
  if (ctx.path !== undefined) values.path = ctx.path;
  if (ctx.host !== undefined) values.host = ctx.host;
  if (code !== undefined) values.systemCode = code;
  const make = (slCode: string, sentence: string) => new SocketLabError(slCode, sentence, values, code);
  const isPath = ctx.path !== undefined;

  switch (code) {
    case 'EADDRINUSE':
      return isPath
        ? make('addressInUse', `${at} is already in use by another listening process; choose another path or stop that process.`)
        : make('addressInUse', `${at} is already in use by another process; choose another port or stop that process.`);
    case 'EACCES':
      if (ctx.datagram && ctx.operation === 'send') {
        return make('broadcastNotEnabled', `Sending to ${at} was refused (EACCES); to send to a broadcast address, enable broadcast on this socket.`);
      }
      if (isPath && ctx.operation === 'read file') {
        return make('permissionDenied', `Permission denied reading ${at}; choose a file you may read.`);
      }
      if (isPath && ctx.operation === 'connect') {
        return make('permissionDenied', `Permission denied for ${at}; connecting needs access to its folder and write permission on the socket.`);
      }
      return isPath
        ? make('permissionDenied', `Permission denied for ${at}; choose a path in a folder you may write to.`)
        : make('permissionDenied', `Permission denied for ${at}; ports below 1024 need administrator rights, choose a port above 1023.`);
    case 'EADDRNOTAVAIL':
      return make('addressNotAvailable', `${ctx.address ?? at} is not an address of this machine; use one of its own addresses, 0.0.0.0 or ::.`);
    case 'ECONNREFUSED':
      return ctx.datagram
        ? make('portUnreachable', `${at} answered that the port is unreachable (ICMP, ECONNREFUSED); nothing listens there.`)
        : make('connectionRefused', `Nothing is listening at ${at} (connection refused); start the server first or check the ${isPath ? 'path' : 'port'}.`);
    case 'ETIMEDOUT':
      return make('timedOut', `${ctx.operation === 'connect' ? 'Connecting to' : 'The connection to'} ${at} timed out; check the address, the port and any firewall.`);
    case 'ECONNRESET':
      return make('connectionReset', `The connection to ${at} was reset by the peer (ECONNRESET).`);
    case 'ECONNABORTED':
      return make('connectionAborted', `The connection to ${at} was aborted (ECONNABORTED).`);
    case 'EPIPE':
      return make('brokenPipe', `${at} closed the connection while data was still being sent (EPIPE).`);
    case 'ENOTCONN':
      return make('notConnected', `The socket to ${at} is not connected any more (ENOTCONN).`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return make('hostNotFound', `Host name '${ctx.host ?? ctx.address ?? '?'}' could not be resolved (${code}); check the spelling or use an IP address.`);
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
      return make('hostUnreachable', `${at} cannot be reached: no route to the host (${code}); check the address and the network.`);
    case 'ENETUNREACH':
    case 'ENETDOWN':
      return make('networkUnreachable', `The network of ${at} is unreachable (${code}); check the address and the network connection.`);
    case 'EMSGSIZE':
      return make('messageTooLarge', `The datagram to ${at} is too large for the network (EMSGSIZE); send a smaller payload.`);
    case 'ENOBUFS':
      return make('noBuffers', `The system ran out of buffer space sending to ${at} (ENOBUFS); send less or slower.`);
    case 'ENAMETOOLONG':
      return make('pathTooLong', `The path ${at} is too long for a socket (ENAMETOOLONG); use a shorter path.`);
    case 'ENOENT':
      return ctx.operation === 'connect'
        ? make('noSuchSocket', `There is no socket at ${at}; start the listener first or check the path.`)
        : make('fileNotFound', `${at} does not exist (or its folder does not); check the path.`);
    case 'ENOTDIR':
      return make('fileNotFound', `A part of ${at} is not a folder (ENOTDIR); check the path.`);
    case 'EISDIR':
      return make('isDirectory', `${at} is a folder, not a file.`);
    case 'ENOTSOCK':
      return make('notASocket', `${at} is not a socket.`);
    case 'EPERM':
      return make('operationNotPermitted', `The system refused the operation on ${at} (EPERM); broadcast may need to be enabled, or a firewall blocks it.`);
    case 'EINVAL':
      return make('invalidAddress', `The address ${at} cannot be used for this operation (EINVAL); for example IPv4 and IPv6 addresses were mixed.`);
    case 'EAFNOSUPPORT':
      return make('addressFamilyNotSupported', `The address family of ${at} is not supported here (EAFNOSUPPORT); is IPv6 enabled?`);
    case 'ENODEV':
    case 'ENOPROTOOPT':
      return make('multicastFailed', `Multicast on ${at} failed (${code}); check the group address and the interface.`);
    case 'EBADF':
    case 'ERR_SOCKET_DGRAM_NOT_RUNNING':
    case 'ERR_SOCKET_CLOSED':
    case 'ERR_STREAM_DESTROYED':
    case 'ERR_STREAM_WRITE_AFTER_END':
      return make('socketClosed', `The socket of ${at} is already closed; restart it first.`);
    default: {
      const detail = code ?? (e instanceof Error ? e.message : String(err));
      return make('systemError', `${ctx.operation} on ${at} failed (${detail}).`);
    }
  }
}
