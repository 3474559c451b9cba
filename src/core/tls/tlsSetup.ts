/**
 * Turns what a user asks of a TLS endpoint (file paths, a key-log path, ALPN...) into what Node's tls needs
 * (PEM text, a secure context, an open key log), once per start: a listener given no certificate gets the
 * generated one kept in `credentialsFolder`; every file problem is a sentence naming the file.
 */
import type { TlsInfo } from '../../shared/tls';
import { type TlsServerContext, createServerContext } from './accept';
import { ensureGeneratedCredentials } from './certificates';
import type { TlsClientOptions } from './connect';
import { KeylogWriter } from './keylog';
import { loadCredentialFiles } from './pemFiles';

/** What a TLS listener was asked for (paths as given). */
export interface ServerTlsSpec {
  /** The listener's certificate (and chain) and key; both absent means the generated ones. */
  cert?: string;
  key?: string;
  /** CAs whose client certificates are trusted (with requestClientCert). */
  ca?: string;
  alpn?: readonly string[];
  requestClientCert?: boolean;
  keylogPath?: string;
  /** Where the generated CA and certificate are kept. */
  credentialsFolder: string;
  /** The host the listener binds (a generated certificate is made valid for it). */
  host?: string;
}

/** A listening side ready to accept: its context, the key log it writes (closed with the endpoint), its TlsInfo. */
export interface PreparedServerTls {
  context: TlsServerContext;
  keylog?: KeylogWriter;
  /** `caPath` of a generated certificate, `keylogPath`; no session (those are per connection). */
  info: TlsInfo;
}

/** Loads or generates the listener's credentials and opens its key log; nothing stays open on failure. */
export async function prepareServerTls(spec: ServerTlsSpec): Promise<PreparedServerTls> {
  let cert: string;
  let key: string;
  let caPath: string | undefined;
  const files = await loadCredentialFiles({ cert: spec.cert, key: spec.key, ca: spec.ca });
  if (files.cert !== undefined && files.key !== undefined) {
    cert = files.cert;
    key = files.key;
  } else {
    const generated = await ensureGeneratedCredentials(spec.credentialsFolder, { host: spec.host });
    cert = generated.cert;
    key = generated.key;
    caPath = generated.caPath;
  }
  const keylog = spec.keylogPath !== undefined ? await KeylogWriter.open(spec.keylogPath) : undefined;
  try {
    const context = createServerContext({
      cert,
      key,
      ca: files.ca,
      requestClientCert: spec.requestClientCert,
      alpn: spec.alpn,
      keylog,
      caPath,
    });
    const info: TlsInfo = { peerCertificates: [] };
    if (caPath) info.caPath = caPath;
    if (keylog) info.keylogPath = keylog.path;
    return { context, keylog, info };
  } catch (err) {
    await keylog?.close();
    throw err;
  }
}

/** What a TLS client was asked for (paths as given). */
export interface ClientTlsSpec {
  /** The SNI name and the name checked against the certificate; none for an address. */
  servername?: string;
  ca?: string;
  cert?: string;
  key?: string;
  alpn?: readonly string[];
  insecure?: boolean;
  keylogPath?: string;
}

/** Loads the client's files and opens its key log; the caller closes `keylog` when the endpoint ends. */
export async function prepareClientTls(spec: ClientTlsSpec): Promise<TlsClientOptions> {
  const files = await loadCredentialFiles({ cert: spec.cert, key: spec.key, ca: spec.ca });
  const options: TlsClientOptions = {
    servername: spec.servername,
    ca: files.ca,
    cert: files.cert,
    key: files.key,
    alpn: spec.alpn,
    insecure: spec.insecure,
  };
  if (spec.keylogPath !== undefined) options.keylog = await KeylogWriter.open(spec.keylogPath);
  return options;
}
