/**
 * Turns TLS failures into one SocketLabError with a clear sentence and a stable code, as systemErrors.ts
 * does for socket errors: certificate verification (self-signed, expired, wrong host name, unknown CA) and
 * handshake failures (not TLS at all, no common ALPN protocol, a client certificate required or refused).
 */
import * as tls from 'tls';
import { SocketLabError, isSocketLabError } from '../../shared/errors';
import { formatAddress } from '../../shared/naming';
import { ErrorContext, toSocketLabError } from '../systemErrors';
import { describeCertificate } from './describe';

/** What was being done, and to what, plus what TLS adds: the name checked and the offered ALPN protocols. */
export interface TlsErrorContext extends ErrorContext {
  /** The name the certificate was checked against (the SNI, or the host as given). */
  servername?: string;
  /** The ALPN protocols we offered. */
  alpn?: readonly string[];
}

/** The place a sentence names: the path, or 'address:port' (brackets for IPv6). */
export function errorTarget(ctx: TlsErrorContext): string {
  if (ctx.path !== undefined) return ctx.path;
  if (ctx.address !== undefined && ctx.port !== undefined)
    return formatAddress({ address: ctx.address, port: ctx.port });
  if (ctx.host !== undefined && ctx.port !== undefined) return formatAddress({ address: ctx.host, port: ctx.port });
  return ctx.address ?? ctx.host ?? '?';
}

/** The subject's common name (or the whole subject) of a certificate, for sentences. */
function nameOf(c: { subject: string }): string {
  const cn = /(?:^|, )CN=([^,]+)/.exec(c.subject);
  return cn ? cn[1] : c.subject || '?';
}

/**
 * The sentence for a failed verification of the peer's certificate: `code` is the socket's
 * `authorizationError` (or a verification error's `code`), `peer` the socket whose certificate failed.
 */
export function certificateError(code: string, peer: tls.TLSSocket | undefined, ctx: TlsErrorContext): SocketLabError {
  const raw = peer?.getPeerCertificate(true);
  const leaf = raw && raw.raw ? describeCertificate(raw) : undefined;
  const values = {
    target: errorTarget(ctx),
    systemCode: code,
    subject: leaf ? nameOf(leaf) : '?',
    issuer: leaf ? nameOf({ subject: leaf.issuer }) : '?',
  };
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return SocketLabError.create(
        'tlsSelfSigned',
        "{target} presented a self-signed certificate ({subject}) that is not trusted; give that certificate as 'ca' to trust it, or connect anyway (insecure).",
        values,
        code,
      );
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return SocketLabError.create(
        'tlsUntrustedRoot',
        "The certificate chain of {target} ends in a self-signed root that is not trusted; give that root as 'ca' to trust it, or connect anyway (insecure).",
        values,
        code,
      );
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return SocketLabError.create(
        'tlsUnknownCa',
        "The certificate of {target} ({subject}) was issued by an unknown CA ({issuer}); give that CA's certificate as 'ca' to trust it, or connect anyway (insecure).",
        values,
        code,
      );
    case 'CERT_HAS_EXPIRED':
      return SocketLabError.create(
        'tlsExpired',
        'The certificate of {target} ({subject}) expired on {validTo}; renew it on the server, or connect anyway (insecure).',
        { ...values, validTo: leaf?.validTo ?? '?' },
        code,
      );
    case 'CERT_NOT_YET_VALID':
      return SocketLabError.create(
        'tlsNotYetValid',
        'The certificate of {target} ({subject}) is not valid before {validFrom}; check the clocks of both machines, or connect anyway (insecure).',
        { ...values, validFrom: leaf?.validFrom ?? '?' },
        code,
      );
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return SocketLabError.create(
        'tlsWrongHost',
        "The certificate of {target} is for {names}, not for {name}; connect by one of those names (or set 'servername'), or connect anyway (insecure).",
        {
          ...values,
          name: ctx.servername ?? ctx.host ?? ctx.address ?? '?',
          names: leaf?.subjectAltName ?? `CN=${values.subject}`,
        },
        code,
      );
    default:
      return SocketLabError.create(
        'tlsUntrusted',
        'The certificate of {target} ({subject}) could not be verified ({systemCode}); connect anyway (insecure) only if you trust it.',
        values,
        code,
      );
  }
}

/**
 * Maps an error met during or after a TLS handshake; verification errors get certificateError's sentence
 * (pass the socket so it can name the certificate), and anything not TLS-specific goes to toSocketLabError.
 */
export function toTlsSocketLabError(err: unknown, ctx: TlsErrorContext, socket?: tls.TLSSocket): SocketLabError {
  if (isSocketLabError(err)) return err;
  const e = err as NodeJS.ErrnoException | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const values = { target: errorTarget(ctx), systemCode: code ?? '?' };
  if (code && VERIFY_CODES.has(code)) return certificateError(code, socket, ctx);
  switch (code) {
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
    case 'ERR_SSL_HTTP_REQUEST':
    case 'ERR_SSL_RECORD_LAYER_FAILURE':
    case 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING':
      return SocketLabError.create(
        'tlsNotTls',
        '{target} does not speak TLS here ({systemCode}); it may be a plain TCP service: connect with TCP instead.',
        values,
        code,
      );
    case 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL':
    case 'ERR_SSL_NO_APPLICATION_PROTOCOL':
      return SocketLabError.create(
        'tlsNoAlpn',
        '{target} accepts none of the ALPN protocols offered ({alpn}); offer one it knows, or none.',
        { ...values, alpn: ctx.alpn?.join(', ') || '-' },
        code,
      );
    case 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED':
    case 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE':
      return SocketLabError.create(
        'tlsCertificateRequired',
        "{target} requires a client certificate; give one with 'cert' and 'key'.",
        values,
        code,
      );
    case 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA':
    case 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE':
    case 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN':
    case 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED':
    case 'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR':
      return SocketLabError.create(
        'tlsPeerRejected',
        "{target} rejected our certificate during the TLS handshake ({systemCode}); it does not trust it: give it our CA ('caPath').",
        values,
        code,
      );
    case 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE':
    case 'ERR_SSL_NO_SHARED_CIPHER':
    case 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION':
    case 'ERR_SSL_UNSUPPORTED_PROTOCOL':
      return SocketLabError.create(
        'tlsNoCommonGround',
        '{target} and Socket Lab share no TLS version or cipher ({systemCode}); the peer may only speak an old or unusual TLS.',
        values,
        code,
      );
    case 'ECONNRESET':
      // Node's words for a peer that hung up before the handshake finished.
      if (/before secure TLS connection/.test(e?.message ?? '')) {
        return handshakeClosedError(ctx, code);
      }
      break;
  }
  if (code?.startsWith('ERR_SSL_') || code?.startsWith('ERR_TLS_')) {
    return SocketLabError.create('tlsHandshakeFailed', 'TLS with {target} failed ({systemCode}).', values, code);
  }
  return toSocketLabError(err, ctx);
}

/** The sentence for a peer that hung up before the TLS handshake finished. */
export function handshakeClosedError(ctx: TlsErrorContext, systemCode?: string): SocketLabError {
  return SocketLabError.create(
    'tlsHandshakeClosed',
    '{target} closed the connection during the TLS handshake; it may not speak TLS, or refused what was offered.',
    { target: errorTarget(ctx) },
    systemCode,
  );
}

/** The codes OpenSSL and Node give a failed certificate verification. */
const VERIFY_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'HOSTNAME_MISMATCH',
]);
