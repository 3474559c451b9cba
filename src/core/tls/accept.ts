/**
 * The server side of TLS on a socket a plain net.Server accepted. Wrapping the accepted socket (rather than
 * using tls.Server) keeps the TCP socket under the TLS one at hand: a reset (resetAndDestroy) can only be
 * sent on it, and that is how the relay mirrors a reset.
 */
import * as net from 'net';
import * as tls from 'tls';
import { SocketLabError } from '../../shared/errors';
import { TlsInfo } from '../../shared/tls';
import { describeTlsSession } from './describe';
import { KeylogWriter } from './keylog';
import { TlsErrorContext, certificateError, errorTarget, handshakeClosedError, toTlsSocketLabError } from './tlsErrors';

/** TLS settings of a listening side (PEM text). */
export interface TlsServerOptions {
  cert: string;
  key: string;
  /** CAs whose client certificates are trusted (with requestClientCert). */
  ca?: string;
  /** Ask clients for a certificate; the session goes on without one, and TlsInfo says whether it was trusted. */
  requestClientCert?: boolean;
  /** ALPN protocols accepted, most wanted first; a client offering none of them is refused. */
  alpn?: readonly string[];
  keylog?: KeylogWriter;
  /** The CA file clients should trust, reported in TlsInfo.caPath. */
  caPath?: string;
}

/** A secure context built once per listener, shared by every accepted socket. */
export interface TlsServerContext {
  options: TlsServerOptions;
  context: tls.SecureContext;
}

/** Builds the context of a listening side; a certificate and key Node refuses become a clear sentence. */
export function createServerContext(options: TlsServerOptions): TlsServerContext {
  try {
    return { options, context: tls.createSecureContext({ cert: options.cert, key: options.key, ca: options.ca }) };
  } catch (err) {
    throw SocketLabError.create(
      'tlsContextFailed',
      'The certificate and key cannot be used for TLS ({detail}); check that they are a PEM certificate and its key.',
      { detail: (err as NodeJS.ErrnoException).code ?? String(err) },
    );
  }
}

/** A finished server-side handshake. */
export interface AcceptedTls {
  socket: tls.TLSSocket;
  tls: TlsInfo;
}

/**
 * Runs the server side of the handshake on `raw` (an accepted socket, ideally paused on connect); rejects
 * with a clear sentence when the client fails it or it does not finish within `timeoutMs`.
 */
export function acceptTls(
  raw: net.Socket,
  server: TlsServerContext,
  timeoutMs: number,
  ctx: TlsErrorContext,
  /** ALPN protocols to accept on this socket instead of the context's (a relay answers what its upstream chose). */
  alpn?: readonly string[],
): Promise<AcceptedTls> {
  const o = server.options;
  const protocols = alpn ?? o.alpn;
  const socket = new tls.TLSSocket(raw, {
    isServer: true,
    secureContext: server.context,
    requestCert: o.requestClientCert ?? false,
    // The session goes on whatever the client's certificate; TlsInfo tells whether it was trusted.
    rejectUnauthorized: false,
    ALPNProtocols: protocols ? [...protocols] : undefined,
  });
  o.keylog?.attach(socket);
  return new Promise<AcceptedTls>((resolve, reject) => {
    let settled = false;
    const finish = (err?: SocketLabError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.off('error', onError);
      raw.off('error', onError);
      if (err) {
        socket.destroy();
        raw.destroy();
        reject(err);
        return;
      }
      const hasCert = !!socket.getPeerCertificate()?.raw;
      const problem =
        hasCert && !socket.authorized
          ? certificateError(String(socket.authorizationError ?? 'CERT_UNTRUSTED'), socket, ctx)
          : undefined;
      resolve({
        socket,
        tls: describeTlsSession(socket, { authorizationError: problem, caPath: o.caPath, keylogPath: o.keylog?.path }),
      });
    };
    const onError = (err: Error) => finish(toTlsSocketLabError(err, ctx, socket));
    const timer = setTimeout(
      () =>
        finish(
          SocketLabError.create(
            'tlsHandshakeTimedOut',
            '{target} did not finish the TLS handshake within {timeoutMs} ms.',
            { target: errorTarget(ctx), timeoutMs },
            'ETIMEDOUT',
          ),
        ),
      timeoutMs,
    );
    socket.on('error', onError);
    raw.on('error', onError);
    let secured = false;
    // A client that hangs up mid-handshake without an error (a plain FIN) would otherwise wait for the timer.
    socket.once('close', () => finish(secured ? undefined : handshakeClosedError(ctx)));
    socket.once('secure', () => {
      secured = true;
      if (o.requestClientCert) learnVerification(socket);
      // Resolved a turn later: end() called in the same turn as 'secure' loses the close_notify alert (Node 20),
      // and the peer then sees a truncated stream (OpenSSL: 'unexpected eof while reading').
      setImmediate(() => finish());
    });
  });
}

/**
 * Sets `authorized` / `authorizationError` of a server TLSSocket made outside a tls.Server: Node fills them
 * in only in a tls.Server's own 'secure' handler, which asks the handle for its verification result as here.
 */
function learnVerification(socket: tls.TLSSocket): void {
  const handle = (socket as unknown as { _handle?: { verifyError?: () => (Error & { code?: string }) | null } })
    ._handle;
  if (typeof handle?.verifyError !== 'function') return;
  const err = handle.verifyError();
  // Node keeps the code ('UNABLE_TO_VERIFY_LEAF_SIGNATURE'...) there, whatever its typings say.
  if (err) socket.authorizationError = (err.code ?? err.message) as unknown as Error;
  else socket.authorized = true;
}
