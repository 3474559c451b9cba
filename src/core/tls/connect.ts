/**
 * Opens one outgoing stream, plain or TLS, over TCP or a Unix socket: with a connect timeout that covers
 * the handshake, half-open allowed, and the certificate checked by Socket Lab so that a failure is a clear
 * sentence (or, when insecure by choice, a note in the session's TlsInfo).
 */
import * as net from 'net';
import * as tls from 'tls';
import { SocketLabError } from '../../shared/errors';
import { TlsInfo } from '../../shared/tls';
import { formatAddress } from '../../shared/naming';
import { describeTlsSession } from './describe';
import { KeylogWriter } from './keylog';
import { TlsErrorContext, certificateError, handshakeClosedError, toTlsSocketLabError } from './tlsErrors';

/** Where to connect: a host (name or address) and port, or a Unix socket path. */
export type StreamTarget = { host: string; port: number } | { path: string };

/** TLS settings of an outgoing stream (PEM text, not paths: see pemFiles.ts). */
export interface TlsClientOptions {
  /** The name sent as SNI and checked against the certificate; defaults to the host when it is a name. */
  servername?: string;
  /** CA certificates to trust instead of the system's. */
  ca?: string;
  /** A client certificate and its key, for servers that ask for one. */
  cert?: string;
  key?: string;
  /** ALPN protocols to offer, most wanted first. */
  alpn?: readonly string[];
  /** Go on when the certificate is not trusted (the reason is kept in TlsInfo.authorizationError). */
  insecure?: boolean;
  /** Where to write the session keys. */
  keylog?: KeylogWriter;
}

/** Options of connectStream. */
export interface ConnectStreamOptions {
  target: StreamTarget;
  /** Gives up (and says so) when the connection, handshake included, is not up by then. */
  timeoutMs: number;
  tls?: TlsClientOptions;
  noDelay?: boolean;
  /** The local address and port to connect from (TCP). */
  localAddress?: string;
  localPort?: number;
  keepAlive?: boolean;
  /** Aborting destroys the socket and rejects with 'stopped'. */
  signal?: AbortSignal;
}

/** An open stream: `socket` to read and write (the TLS socket for TLS), `raw` the TCP or Unix socket under it. */
export interface ConnectedStream {
  socket: net.Socket;
  /** The transport socket: what resetAndDestroy() is called on to send a TCP reset. */
  raw: net.Socket;
  /** The TLS session, for TLS streams. */
  tls?: TlsInfo;
}

/**
 * The SNI to send for `host`: none for an IP address (RFC 6066 forbids it, and Node warns, DEP0123) and none
 * for a Unix path; an explicit `servername` wins unless it is an address itself.
 */
export function serverNameFor(host: string | undefined, servername?: string): string | undefined {
  const name = servername ?? host;
  if (!name || net.isIP(name)) return undefined;
  return name;
}

/** The error context of a target, for sentences ('Nothing is listening at 127.0.0.1:9...'). */
export function targetContext(target: StreamTarget, operation = 'connect'): TlsErrorContext {
  return 'path' in target
    ? { operation, path: target.path }
    : { operation, address: target.host, host: target.host, port: target.port };
}

/** The 'host:port' or path label of a target. */
export function formatTarget(target: StreamTarget): string {
  return 'path' in target ? target.path : formatAddress({ address: target.host, port: target.port });
}

/** Connects to `o.target` (TLS when `o.tls` is given); rejects with a clear SocketLabError. */
export function connectStream(o: ConnectStreamOptions): Promise<ConnectedStream> {
  const ctx: TlsErrorContext = { ...targetContext(o.target) };
  const raw =
    'path' in o.target
      ? net.connect({ path: o.target.path, allowHalfOpen: true })
      : net.connect({
          host: o.target.host,
          port: o.target.port,
          allowHalfOpen: true,
          noDelay: o.noDelay ?? false,
          localAddress: o.localAddress,
          localPort: o.localPort,
          keepAlive: o.keepAlive ?? false,
        });
  let secure: tls.TLSSocket | undefined;
  if (o.tls) {
    const host = 'path' in o.target ? undefined : o.target.host;
    const servername = serverNameFor(host, o.tls.servername);
    ctx.servername = servername ?? host ?? 'localhost';
    ctx.alpn = o.tls.alpn;
    secure = tls.connect({
      socket: raw,
      // The name checked against the certificate when no SNI is sent (an IP address is checked as an IP).
      host: host ?? 'localhost',
      servername,
      ca: o.tls.ca,
      cert: o.tls.cert,
      key: o.tls.key,
      ALPNProtocols: o.tls.alpn ? [...o.tls.alpn] : undefined,
      // Socket Lab checks the result itself, so an untrusted certificate becomes a sentence that names it.
      rejectUnauthorized: false,
      // Half-open is the raw socket's setting (allowHalfOpen above): a TLS socket wrapping one takes it over.
    });
    o.tls.keylog?.attach(secure);
  }
  const socket = secure ?? raw;
  return new Promise<ConnectedStream>((resolve, reject) => {
    let settled = false;
    const finish = (err: SocketLabError | undefined, info?: TlsInfo) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      raw.off('error', onError);
      secure?.off('error', onError);
      if (err) {
        socket.destroy();
        raw.destroy();
        reject(err);
      } else {
        resolve({ socket, raw, tls: info });
      }
    };
    const onError = (err: Error) => finish(toTlsSocketLabError(err, ctx, secure));
    const onAbort = () =>
      finish(
        SocketLabError.create('stopped', 'Connecting to {target} was stopped.', {
          target: formatTarget(o.target),
        }),
      );
    const timer = setTimeout(
      () =>
        finish(
          SocketLabError.create(
            'timedOut',
            'Connecting to {target} timed out after {timeoutMs} ms; check the address, the port and any firewall.',
            { target: formatTarget(o.target), timeoutMs: o.timeoutMs },
            'ETIMEDOUT',
          ),
        ),
      o.timeoutMs,
    );
    raw.on('error', onError);
    let secured = false;
    // A server that hangs up mid-handshake without an error (a plain FIN): say so now, not at the timeout.
    if (secure) socket.once('close', () => (secured ? onSecure() : finish(handshakeClosedError(ctx))));
    if (o.signal?.aborted) return onAbort();
    o.signal?.addEventListener('abort', onAbort);
    if (!secure) {
      raw.once('connect', () => finish(undefined));
      return;
    }
    secure.on('error', onError);
    // Settled a turn later, as acceptTls does: end() in the same turn as the handshake loses the close_notify.
    secure.once('secureConnect', () => {
      secured = true;
      setImmediate(onSecure);
    });
    const onSecure = () => {
      if (settled) return;
      const s = secure!;
      const keylogPath = o.tls!.keylog?.path;
      if (s.authorized) return finish(undefined, describeTlsSession(s, { keylogPath }));
      const problem = certificateError(String(s.authorizationError ?? 'CERT_UNTRUSTED'), s, ctx);
      if (!o.tls!.insecure) return finish(problem);
      finish(undefined, describeTlsSession(s, { authorizationError: problem, keylogPath }));
    };
  });
}
