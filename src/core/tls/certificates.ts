/**
 * The certificates a TLS listener uses when the user gives none: a CA and a leaf it signs (EC P-256,
 * SHA-256), kept in a folder (the host passes the workspace storage) and reused while valid, so a client
 * told to trust the CA once keeps trusting it.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as nodePath from 'path';
import { SocketLabError } from '../../shared/errors';
import {
  TLS_CA_VALIDITY_DAYS,
  TLS_CLOCK_SKEW_MS,
  TLS_LEAF_NAMES_MAX,
  TLS_LEAF_VALIDITY_DAYS,
  TLS_RENEW_BEFORE_MS,
} from '../../shared/limits';

/** The files of the generated certificates, by their names in the folder. */
export const GENERATED_FILES = {
  caCert: 'socket-lab-ca.pem',
  caKey: 'socket-lab-ca.key',
  cert: 'socket-lab-cert.pem',
  key: 'socket-lab-cert.key',
} as const;

/** Names every generated leaf certificate is valid for. */
export const LOOPBACK_NAMES: readonly string[] = ['localhost', '127.0.0.1', '::1'];

/** The generated credentials, as PEM text for Node's tls options, and where they are kept. */
export interface GeneratedCredentials {
  /** The leaf certificate (PEM). */
  cert: string;
  /** Its private key (PEM, PKCS#8). */
  key: string;
  /** The CA certificate that signed it (PEM): what a client trusts. */
  ca: string;
  /** The CA certificate's file: `EndpointInfo.tls.caPath`. */
  caPath: string;
  certPath: string;
  keyPath: string;
  /** The DNS names and IP addresses the leaf is valid for. */
  names: string[];
  /** SHA-256 fingerprint of the CA certificate (colon-separated hex). */
  caFingerprint256: string;
  /** What this call did: reused both, made a new leaf with the kept CA, or made both. */
  made: 'none' | 'leaf' | 'all';
}

/** Options of ensureGeneratedCredentials. */
export interface GenerateOptions {
  /** The host the listener binds or is reached by; a wildcard adds this machine's name and addresses. */
  host?: string;
  /** The current time (tests pass another one). */
  now?: Date;
}

const locks = new Map<string, Promise<unknown>>();

/**
 * Returns the CA and leaf kept in `folder`, making what is missing, damaged, mismatched, expiring or not
 * valid for the names asked: a leaf anew (signed by the kept CA) when only the leaf is unfit, both when the
 * CA is. Calls for one folder run one after another, so two listeners starting at once share one result.
 */
export function ensureGeneratedCredentials(
  folder: string,
  options: GenerateOptions = {},
): Promise<GeneratedCredentials> {
  const key = nodePath.resolve(folder);
  const previous = locks.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => ensureNow(key, options));
  locks.set(key, next);
  const forget = () => {
    if (locks.get(key) === next) locks.delete(key);
  };
  next.then(forget, forget);
  return next;
}

/** The names a leaf for `host` must be valid for: the loopback names, plus the host (or, for a wildcard, this machine's). */
export function namesFor(host: string | undefined): string[] {
  const names = [...LOOPBACK_NAMES];
  const add = (n: string) => {
    if (n && !names.some((m) => sameName(m, n))) names.push(n);
  };
  if (host === undefined || host === '') return names;
  if (host === '0.0.0.0' || host === '::') {
    add(os.hostname());
    for (const list of Object.values(os.networkInterfaces())) {
      for (const a of list ?? []) if (!a.internal && !a.address.startsWith('fe80:')) add(a.address);
    }
  } else {
    add(host);
  }
  return names.slice(0, TLS_LEAF_NAMES_MAX);
}

function sameName(a: string, b: string): boolean {
  if (net.isIP(a) && net.isIP(b)) return normalizeIp(a) === normalizeIp(b);
  return a.toLowerCase() === b.toLowerCase();
}

function normalizeIp(ip: string): string {
  if (net.isIPv4(ip)) return ip;
  // Expand '::' and strip zeros so '::1' equals '0:0:0:0:0:0:0:1' (how OpenSSL prints it).
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const a = head ? head.split(':') : [];
  const b = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...a, ...Array(8 - a.length - b.length).fill('0'), ...b] : a;
  return groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':');
}

interface KeptFiles {
  caCert?: crypto.X509Certificate;
  caCertText?: string;
  caKey?: crypto.KeyObject;
  caKeyText?: string;
  cert?: crypto.X509Certificate;
  certText?: string;
  key?: crypto.KeyObject;
  keyText?: string;
}

async function ensureNow(folder: string, options: GenerateOptions): Promise<GeneratedCredentials> {
  await checkFolderIsOurs(folder);
  const now = options.now ?? new Date();
  const wanted = namesFor(options.host);
  const paths = {
    caCert: nodePath.join(folder, GENERATED_FILES.caCert),
    caKey: nodePath.join(folder, GENERATED_FILES.caKey),
    cert: nodePath.join(folder, GENERATED_FILES.cert),
    key: nodePath.join(folder, GENERATED_FILES.key),
  };
  const kept = await readKept(paths);
  let made: GeneratedCredentials['made'] = 'none';
  let caCertText = kept.caCertText;
  let caKeyText = kept.caKeyText;
  let certText = kept.certText;
  let keyText = kept.keyText;
  let names = wanted;
  const caFit = isCaFit(kept, now);
  if (!caFit) {
    const ca = await generate('ca', { names: [], now });
    caCertText = ca.cert;
    caKeyText = ca.key;
    made = 'all';
  } else if (!isLeafFit(kept, wanted, now)) {
    made = 'leaf';
    // Keep the names the old leaf was valid for, so listeners on two hosts do not make a new leaf each time.
    const old = kept.cert ? sanNames(kept.cert) : [];
    const union = [...wanted];
    for (const n of old) if (!union.some((m) => sameName(m, n))) union.push(n);
    names = union.length <= TLS_LEAF_NAMES_MAX ? union : wanted;
  } else {
    names = sanNames(kept.cert!);
  }
  if (made !== 'none') {
    const leaf = await generate('leaf', { names, now, ca: { cert: caCertText!, key: caKeyText! } });
    certText = leaf.cert;
    keyText = leaf.key;
    await storeAll(
      folder,
      paths,
      made === 'all' ? { caCertText, caKeyText, certText, keyText } : { certText, keyText },
    );
  }
  return {
    cert: ensureNewline(certText!),
    key: ensureNewline(keyText!),
    ca: ensureNewline(caCertText!),
    caPath: paths.caCert,
    certPath: paths.cert,
    keyPath: paths.key,
    names,
    caFingerprint256: new crypto.X509Certificate(caCertText!).fingerprint256,
    made,
  };
}

function ensureNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : pem + '\n';
}

/**
 * Refuses a folder that is not this user's own directory: the keys in it sign what clients are told to
 * trust, and a folder somebody else made (in a shared temp folder, say) could hold their key.
 */
async function checkFolderIsOurs(folder: string): Promise<void> {
  if (typeof process.getuid !== 'function') return;
  const st = await fs.promises.lstat(folder).catch(() => undefined);
  if (!st || (st.isDirectory() && st.uid === process.getuid())) return;
  throw SocketLabError.create(
    'tlsFolderNotOurs',
    'The folder {folder} for the generated TLS certificates is not a folder of this user (it is a link, a file, or owned by someone else); remove it or choose another folder.',
    { folder },
  );
}

/** Reads and parses what is kept; anything missing or unreadable is simply absent (and made anew). */
async function readKept(paths: { caCert: string; caKey: string; cert: string; key: string }): Promise<KeptFiles> {
  const read = async (p: string) => fs.promises.readFile(p, 'utf8').catch(() => undefined);
  const [caCertText, caKeyText, certText, keyText] = await Promise.all([
    read(paths.caCert),
    read(paths.caKey),
    read(paths.cert),
    read(paths.key),
  ]);
  const parse = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  return {
    caCertText,
    caKeyText,
    certText,
    keyText,
    caCert: caCertText ? parse(() => new crypto.X509Certificate(caCertText)) : undefined,
    caKey: caKeyText ? parse(() => crypto.createPrivateKey(caKeyText)) : undefined,
    cert: certText ? parse(() => new crypto.X509Certificate(certText)) : undefined,
    key: keyText ? parse(() => crypto.createPrivateKey(keyText)) : undefined,
  };
}

/** The kept CA can sign: a CA certificate with its own key, valid now and well beyond. */
function isCaFit(k: KeptFiles, now: Date): boolean {
  if (!k.caCert || !k.caKey || !k.caCert.ca || !k.caCert.checkPrivateKey(k.caKey)) return false;
  return validAt(k.caCert, now, TLS_LEAF_VALIDITY_DAYS * 86_400_000);
}

/** The kept leaf is signed by the kept CA, has its own key, is valid for a while yet, and for every name wanted. */
function isLeafFit(k: KeptFiles, names: readonly string[], now: Date): boolean {
  const { cert, key, caCert } = k;
  if (!cert || !key || !caCert || !cert.checkPrivateKey(key)) return false;
  if (!cert.checkIssued(caCert) || !cert.verify(caCert.publicKey)) return false;
  if (!validAt(cert, now, TLS_RENEW_BEFORE_MS)) return false;
  return names.every((n) => (net.isIP(n) ? cert.checkIP(n) !== undefined : cert.checkHost(n) !== undefined));
}

function validAt(c: crypto.X509Certificate, now: Date, margin: number): boolean {
  const from = Date.parse(c.validFrom);
  const to = Date.parse(c.validTo);
  return from <= now.getTime() + TLS_CLOCK_SKEW_MS && to - margin > now.getTime();
}

/** The DNS names and IP addresses of a certificate's subjectAltName (IPv6 as OpenSSL prints it: '0:0:0:0:0:0:0:1'). */
export function sanNames(c: crypto.X509Certificate): string[] {
  const out: string[] = [];
  for (const part of (c.subjectAltName ?? '').split(', ')) {
    const m = /^(DNS|IP Address):(.+)$/.exec(part);
    if (m) out.push(m[2]);
  }
  return out;
}

interface GenerateSpec {
  names: readonly string[];
  now: Date;
  ca?: { cert: string; key: string };
}

/** Makes a CA (self-signed) or a leaf signed by `spec.ca`, with selfsigned (EC P-256, SHA-256). */
async function generate(kind: 'ca' | 'leaf', spec: GenerateSpec): Promise<{ cert: string; key: string }> {
  // Loaded on first use: the library (and the x509 stack under it) is large and most sessions never need it.
  const { generate: selfsigned } = await import('selfsigned');
  const notBeforeDate = new Date(spec.now.getTime() - TLS_CLOCK_SKEW_MS);
  const days = kind === 'ca' ? TLS_CA_VALIDITY_DAYS : TLS_LEAF_VALIDITY_DAYS;
  const notAfterDate = new Date(spec.now.getTime() + days * 86_400_000);
  const hostLabel = os.hostname() || 'localhost';
  try {
    const r =
      kind === 'ca'
        ? await selfsigned(
            [
              { name: 'commonName', value: `Socket Lab local CA (${hostLabel})` },
              { name: 'organizationName', value: 'Socket Lab' },
            ],
            {
              keyType: 'ec',
              curve: 'P-256',
              algorithm: 'sha256',
              notBeforeDate,
              notAfterDate,
              extensions: [
                { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
                { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
              ],
            },
          )
        : await selfsigned(
            [
              { name: 'commonName', value: spec.names[0] ?? 'localhost' },
              { name: 'organizationName', value: 'Socket Lab' },
            ],
            {
              keyType: 'ec',
              curve: 'P-256',
              algorithm: 'sha256',
              notBeforeDate,
              notAfterDate,
              ca: spec.ca,
              extensions: [
                { name: 'basicConstraints', cA: false, critical: true },
                // EC keys sign (ECDHE); keyEncipherment is an RSA-only usage.
                { name: 'keyUsage', digitalSignature: true, critical: true },
                { name: 'extKeyUsage', serverAuth: true, clientAuth: true },
                {
                  name: 'subjectAltName',
                  altNames: spec.names.map((n) => (net.isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })),
                },
              ],
            },
          );
    return { cert: r.cert, key: r.private };
  } catch (err) {
    throw SocketLabError.create('tlsGenerateFailed', 'Making a TLS certificate failed ({detail}).', {
      detail: err instanceof Error ? err.message : String(err),
    });
  }
}

/** Writes each file whole (a temporary file renamed over it), keys readable by the owner only. */
async function storeAll(
  folder: string,
  paths: { caCert: string; caKey: string; cert: string; key: string },
  texts: { caCertText?: string; caKeyText?: string; certText: string; keyText: string },
): Promise<void> {
  try {
    await fs.promises.mkdir(folder, { recursive: true, mode: 0o700 });
    // CA first: a crash between the two leaves a leaf the new CA did not sign, which the next call replaces.
    if (texts.caCertText && texts.caKeyText) {
      await writeWhole(paths.caKey, texts.caKeyText, 0o600);
      await writeWhole(paths.caCert, texts.caCertText, 0o644);
    }
    await writeWhole(paths.key, texts.keyText, 0o600);
    await writeWhole(paths.cert, texts.certText, 0o644);
  } catch (err) {
    throw SocketLabError.create(
      'tlsStoreFailed',
      'The TLS certificates could not be kept in {folder} ({detail}); check that the folder can be written.',
      { folder, detail: (err as NodeJS.ErrnoException).code ?? String(err) },
      (err as NodeJS.ErrnoException).code,
    );
  }
}

async function writeWhole(path: string, text: string, mode: number): Promise<void> {
  const tmp = `${path}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.promises.writeFile(tmp, ensureNewline(text), { mode });
    await fs.promises.rename(tmp, path);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
