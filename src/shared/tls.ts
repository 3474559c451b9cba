/**
 * What a TLS session looks like as plain data: the shape `EndpointInfo.tls` and each connection's `tls`
 * carry, built by src/core/tls/describe.ts and shown by the host and the panel.
 */
import type { ErrorValues } from './errors';

/** One certificate of a peer's chain, leaf first. */
export interface TlsCertificateInfo {
  /** The subject as 'CN=localhost, O=Example' (attributes in the certificate's order). */
  subject: string;
  /** The issuer, written the same way. */
  issuer: string;
  /** The subject alternative names as 'DNS:localhost, IP Address:127.0.0.1', when there are any. */
  subjectAltName?: string;
  /** Start of validity, ISO 8601 (UTC). */
  validFrom: string;
  /** End of validity, ISO 8601 (UTC). */
  validTo: string;
  /** SHA-256 fingerprint of the DER certificate, as colon-separated upper-case hex pairs. */
  fingerprint256: string;
  /** The serial number in upper-case hex. */
  serialNumber: string;
  /** True when subject and issuer are the same certificate (a root, or a lone self-signed one). */
  selfIssued: boolean;
}

/** A TLS session of an endpoint or a connection. */
export interface TlsInfo {
  /** 'TLSv1.3', 'TLSv1.2'...; undefined until the handshake is done. */
  protocol?: string;
  /** The OpenSSL name of the negotiated cipher suite ('TLS_AES_256_GCM_SHA384'). */
  cipher?: string;
  /** The ALPN protocol agreed on, when both sides offered one. */
  alpn?: string;
  /** The server name (SNI) the client sent; none for IP addresses. */
  servername?: string;
  /**
   * Whether the peer's certificate was verified: true when trusted, false when not (the connection went
   * on because it was insecure by choice, or the peer is a client whose certificate was not required);
   * undefined when the peer sent no certificate.
   */
  authorized?: boolean;
  /** Why verification failed, as a clear sentence (only when `authorized` is false). */
  authorizationError?: string;
  /** That sentence's template and values, for translation. */
  authorizationErrorTemplate?: string;
  authorizationErrorValues?: ErrorValues;
  /** The peer's certificate chain as it sent it (plus the trusted root it chains to), leaf first. */
  peerCertificates: TlsCertificateInfo[];
  /** Listeners: the path of the CA certificate that signed our generated certificate, for clients to trust. */
  caPath?: string;
  /** The file the session keys are written to (SSLKEYLOGFILE format), when key logging is on. */
  keylogPath?: string;
}

/** The error codes of a certificate the client did not trust: the ones "connect anyway (insecure)" can get past. */
export const CERTIFICATE_ERROR_CODES: readonly string[] = [
  'tlsSelfSigned',
  'tlsUntrustedRoot',
  'tlsUnknownCa',
  'tlsExpired',
  'tlsNotYetValid',
  'tlsWrongHost',
  'tlsUntrusted',
];
