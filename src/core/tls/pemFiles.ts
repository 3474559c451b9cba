/** Reads the certificate, key and CA files a user names, with a clear sentence for each way they can be wrong. */
import * as crypto from 'crypto';
import * as fs from 'fs';
import { SocketLabError } from '../../shared/errors';
import { PEM_FILE_MAX_BYTES } from '../../shared/limits';
import { FIELD_LABELS } from '../../shared/valueWords';

/** Paths of the PEM files a TLS endpoint was given (any may be absent). */
export interface CredentialFiles {
  /** The certificate, optionally followed by its chain (leaf first). */
  cert?: string;
  /** The private key of that certificate (unencrypted). */
  key?: string;
  /** One or more CA certificates to trust instead of the system's. */
  ca?: string;
}

/** PEM text ready for Node's tls options: blocks joined by '\n', ending in '\n'. */
export interface TlsCredentials {
  cert?: string;
  key?: string;
  ca?: string;
}

/** One '-----BEGIN X-----' ... '-----END X-----' block of a PEM text. */
export interface PemBlock {
  /** The label between BEGIN and the dashes: 'CERTIFICATE', 'PRIVATE KEY', 'EC PRIVATE KEY'... */
  label: string;
  /** The whole block, BEGIN and END lines included, without a trailing newline. */
  text: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** The PEM blocks of `text`, in order (text outside blocks, such as OpenSSL's 'Bag Attributes', is ignored). */
export function pemBlocks(text: string): PemBlock[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1], text: m[0] }));
}

/**
 * Joins PEM texts with '\n' and ends with one: PEM written without a trailing newline and glued to the next
 * one ('...-----END CERTIFICATE----------BEGIN...') is refused by OpenSSL (ERR_OSSL_PEM_BAD_END_LINE).
 */
export function joinPem(texts: readonly string[]): string {
  return texts.map((t) => t.trim()).join('\n') + '\n';
}

type Field = 'cert' | 'key' | 'ca';

/** Reads and checks the files given; a key without a certificate (or the reverse) is refused. */
export async function loadCredentialFiles(files: CredentialFiles): Promise<TlsCredentials> {
  if (files.cert !== undefined && files.key === undefined) {
    throw SocketLabError.create(
      'tlsKeyMissing',
      'A certificate (cert) {path} was given without its private key; give the key file as well.',
      { path: files.cert },
    );
  }
  if (files.key !== undefined && files.cert === undefined) {
    throw SocketLabError.create(
      'tlsCertMissing',
      'A private key (key) {path} was given without its certificate; give the certificate file as well.',
      { path: files.key },
    );
  }
  const out: TlsCredentials = {};
  let leaf: crypto.X509Certificate | undefined;
  if (files.cert !== undefined) {
    const certs = certificatesOf('cert', files.cert, await readPemFile('cert', files.cert));
    leaf = certs[0].x509;
    out.cert = joinPem(certs.map((c) => c.text));
  }
  if (files.key !== undefined) {
    const { text, key } = privateKeyOf(files.key, await readPemFile('key', files.key));
    if (leaf && !leaf.checkPrivateKey(key)) {
      throw SocketLabError.create(
        'tlsKeyMismatch',
        'The private key (key) {keyPath} does not belong to the certificate (cert) {certPath}; give the key that was made with that certificate.',
        { keyPath: files.key, certPath: files.cert! },
      );
    }
    out.key = joinPem([text]);
  }
  if (files.ca !== undefined) {
    const cas = certificatesOf('ca', files.ca, await readPemFile('ca', files.ca));
    out.ca = joinPem(cas.map((c) => c.text));
  }
  return out;
}

/** Reads one PEM file as text, refusing what is missing, unreadable, a folder or far too large. */
export async function readPemFile(field: Field, path: string): Promise<string> {
  const values = { label: FIELD_LABELS[field], path };
  let size: number;
  try {
    const st = await fs.promises.stat(path);
    if (st.isDirectory()) {
      throw SocketLabError.create('isDirectory', '{label} {path} is a folder; give the path of a PEM file.', values);
    }
    size = st.size;
  } catch (err) {
    throw fileError(err, values);
  }
  if (size > PEM_FILE_MAX_BYTES) {
    throw SocketLabError.create(
      'pemTooLarge',
      '{label} {path} is {size} bytes, far more than a PEM file (at most {max} bytes); check the path.',
      { ...values, size, max: PEM_FILE_MAX_BYTES },
    );
  }
  try {
    return await fs.promises.readFile(path, 'latin1');
  } catch (err) {
    throw fileError(err, values);
  }
}

function fileError(err: unknown, values: { label: string; path: string }): SocketLabError {
  if (err instanceof SocketLabError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return SocketLabError.create('fileNotFound', '{label} {path} does not exist; check the path.', values, code);
    case 'EACCES':
    case 'EPERM':
      return SocketLabError.create(
        'permissionDenied',
        '{label} {path} cannot be read (permission denied); choose a file you may read.',
        values,
        code,
      );
    default:
      return SocketLabError.create(
        'fileUnreadable',
        '{label} {path} cannot be read ({detail}).',
        { ...values, detail: code ?? String(err) },
        code,
      );
  }
}

/** The certificates of a PEM text, each parsed, leaf first. */
function certificatesOf(
  field: 'cert' | 'ca',
  path: string,
  text: string,
): { text: string; x509: crypto.X509Certificate }[] {
  const values = { label: FIELD_LABELS[field], path };
  const blocks = pemBlocks(text);
  if (!blocks.length) throw noPem(values, text);
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE');
  if (!certs.length) {
    throw SocketLabError.create(
      'pemNoCertificate',
      "{label} {path} holds no certificate, only '{found}'; give the file with '-----BEGIN CERTIFICATE-----'.",
      { ...values, found: blocks[0].label },
    );
  }
  return certs.map((b, i) => {
    try {
      return { text: b.text, x509: new crypto.X509Certificate(b.text) };
    } catch (err) {
      throw SocketLabError.create(
        'pemInvalid',
        '{label} {path}: certificate {index} is damaged and cannot be read ({detail}).',
        { ...values, index: i + 1, detail: (err as NodeJS.ErrnoException).code ?? String(err) },
      );
    }
  });
}

function privateKeyOf(path: string, text: string): { text: string; key: crypto.KeyObject } {
  const values = { label: FIELD_LABELS.key, path };
  const blocks = pemBlocks(text);
  if (!blocks.length) throw noPem(values, text);
  const block = blocks.find((b) => /PRIVATE KEY$/.test(b.label));
  if (!block) {
    throw SocketLabError.create(
      'pemNoKey',
      "{label} {path} holds no private key, only '{found}'; give the file with '-----BEGIN PRIVATE KEY-----'.",
      { ...values, found: blocks[0].label },
    );
  }
  if (block.label === 'ENCRYPTED PRIVATE KEY' || /Proc-Type: *4,ENCRYPTED/.test(block.text)) {
    throw SocketLabError.create(
      'pemKeyEncrypted',
      '{label} {path} is protected by a passphrase; give an unencrypted key (openssl pkey -in {path} -out plain.key).',
      values,
    );
  }
  try {
    return { text: block.text, key: crypto.createPrivateKey(block.text) };
  } catch (err) {
    throw SocketLabError.create('pemInvalid', '{label} {path} holds a private key that cannot be read ({detail}).', {
      ...values,
      detail: (err as NodeJS.ErrnoException).code ?? String(err),
    });
  }
}

/** A file without any PEM block: DER gets a hint on how to convert it. */
function noPem(values: { label: string; path: string }, text: string): SocketLabError {
  // DER starts with an ASN.1 SEQUENCE (0x30) followed by a long length (0x82 for a typical certificate or key).
  const looksDer = text.charCodeAt(0) === 0x30 && text.charCodeAt(1) >= 0x80;
  return looksDer
    ? SocketLabError.create(
        'pemIsDer',
        '{label} {path} is binary DER, not PEM; convert it first (openssl x509 -inform der -in {path} -out cert.pem, or openssl pkey -inform der for a key).',
        values,
      )
    : SocketLabError.create(
        'pemMissing',
        "{label} {path} holds no PEM block ('-----BEGIN ...-----'); give a PEM file.",
        values,
      );
}
