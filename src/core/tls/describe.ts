/** Describes a TLS session as plain data (TlsInfo): protocol, cipher, ALPN, SNI and the peer's certificate chain. */
import * as tls from 'tls';
import { SocketLabError } from '../../shared/errors';
import { TLS_CHAIN_MAX } from '../../shared/limits';
import { TlsCertificateInfo, TlsInfo } from '../../shared/tls';

/** Writes a certificate name object ({ CN: 'x', O: 'y', OU: ['a', 'b'] }) as 'CN=x, O=y, OU=a, OU=b'. */
export function formatCertificateName(name: tls.Certificate | undefined): string {
  if (!name) return '';
  const parts: string[] = [];
  for (const [attr, value] of Object.entries(name as unknown as Record<string, string | string[] | undefined>)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${attr}=${v}`);
  }
  return parts.join(', ');
}

/** OpenSSL's 'Nov 30 10:42:01 2026 GMT' as ISO 8601; the text itself when it cannot be read. */
function isoDate(text: string | undefined): string {
  if (!text) return '';
  const t = Date.parse(text);
  return Number.isNaN(t) ? text : new Date(t).toISOString();
}

/** One certificate as `getPeerCertificate()` returns it, as plain data. */
export function describeCertificate(c: tls.PeerCertificate | tls.DetailedPeerCertificate): TlsCertificateInfo {
  const subject = formatCertificateName(c.subject);
  const issuer = formatCertificateName(c.issuer);
  const issuerCertificate = (c as tls.DetailedPeerCertificate).issuerCertificate;
  const info: TlsCertificateInfo = {
    subject,
    issuer,
    validFrom: isoDate(c.valid_from),
    validTo: isoDate(c.valid_to),
    fingerprint256: c.fingerprint256 ?? '',
    serialNumber: (c.serialNumber ?? '').toUpperCase(),
    selfIssued: issuerCertificate ? issuerCertificate.fingerprint256 === c.fingerprint256 : subject === issuer,
  };
  if (c.subjectaltname) info.subjectAltName = c.subjectaltname;
  return info;
}

/**
 * The peer's certificate chain, leaf first, walking `getPeerCertificate(true)` through `issuerCertificate`.
 * The root points to itself, and a chain is never trusted to end: a certificate seen before, or more than
 * TLS_CHAIN_MAX of them, ends the walk.
 */
export function peerCertificateChain(socket: tls.TLSSocket): TlsCertificateInfo[] {
  const out: TlsCertificateInfo[] = [];
  let c: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  const seen = new Set<string>();
  while (c && c.raw && out.length < TLS_CHAIN_MAX) {
    const id = c.fingerprint256 || c.raw.toString('base64');
    if (seen.has(id)) break;
    seen.add(id);
    out.push(describeCertificate(c));
    c = c.issuerCertificate;
  }
  return out;
}

/** Extras a TlsInfo carries beside what the socket tells. */
export interface TlsInfoExtras {
  /** Why the peer's certificate was not trusted (the session went on anyway). */
  authorizationError?: SocketLabError;
  caPath?: string;
  keylogPath?: string;
}

/**
 * A snapshot of a TLS socket's session: call it after 'secureConnect' (client) or 'secure' /
 * 'secureConnection' (server). `authorized` is left out when the peer sent no certificate (a client of a
 * listener that did not ask for one).
 */
export function describeTlsSession(socket: tls.TLSSocket, extras: TlsInfoExtras = {}): TlsInfo {
  const chain = peerCertificateChain(socket);
  const info: TlsInfo = { peerCertificates: chain };
  const protocol = socket.getProtocol();
  if (protocol) info.protocol = protocol;
  const cipher = socket.getCipher() as tls.CipherNameAndProtocol | undefined;
  if (cipher?.name) info.cipher = cipher.name;
  if (typeof socket.alpnProtocol === 'string' && socket.alpnProtocol) info.alpn = socket.alpnProtocol;
  // A server socket knows the SNI the client sent; a client socket, the one it sent (none for IP addresses).
  const sni = (socket as tls.TLSSocket & { servername?: string | false }).servername;
  if (typeof sni === 'string' && sni) info.servername = sni;
  if (chain.length) info.authorized = extras.authorizationError ? false : socket.authorized;
  const err = extras.authorizationError;
  if (err) {
    info.authorized = false;
    info.authorizationError = err.message;
    if (err.template) {
      info.authorizationErrorTemplate = err.template;
      info.authorizationErrorValues = { ...err.values };
    }
  }
  if (extras.caPath) info.caPath = extras.caPath;
  if (extras.keylogPath) info.keylogPath = extras.keylogPath;
  return info;
}
