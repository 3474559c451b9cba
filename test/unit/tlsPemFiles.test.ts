import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import '../helpers/noLeaks';
import { PEM_FILE_MAX_BYTES } from '../../src/shared/limits';
import { joinPem, loadCredentialFiles, readPemFile } from '../../src/core/tls/pemFiles';
import { Pem, makeLeaf, writeFile } from '../helpers/certs';
import { assertSocketLabError } from '../helpers/errors';
import { requirePeer, skipOrFail } from '../helpers/require';
import { tempDir } from '../helpers/tempDir';

/** The SocketLabError `p` rejects with (fails when it resolves). */
async function refusal(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  return assert.fail('expected a refusal');
}

describe('PEM files: each refusal names the right file, and what is accepted', function () {
  this.timeout(20000);
  let dir: string;
  let remove: () => void;
  let leaf: Pem;
  before(async () => (leaf = await makeLeaf(['localhost'])));
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  it('joinPem trims each text before joining, so no blank lines come between or after the blocks', () => {
    assert.strictEqual(joinPem(['\n  A\n\n', 'B\r\n', ' C']), 'A\nB\nC\n');
  });

  it('a certificate without its key, a key without its certificate, and a key of another pair name both paths', async () => {
    const cert = writeFile(dir, 'cert.pem', leaf.cert);
    const other = writeFile(dir, 'other.key', (await makeLeaf(['localhost'])).key);
    const noKey = assertSocketLabError(await refusal(loadCredentialFiles({ cert })), 'tlsKeyMissing', { path: cert });
    assert.strictEqual(
      noKey.message,
      `A certificate (cert) ${cert} was given without its private key; give the key file as well.`,
    );
    const noCert = assertSocketLabError(await refusal(loadCredentialFiles({ key: other })), 'tlsCertMissing', {
      path: other,
    });
    assert.strictEqual(
      noCert.message,
      `A private key (key) ${other} was given without its certificate; give the certificate file as well.`,
    );
    const mismatch = assertSocketLabError(await refusal(loadCredentialFiles({ cert, key: other })), 'tlsKeyMismatch', {
      keyPath: other,
      certPath: cert,
    });
    assert.strictEqual(
      mismatch.message,
      `The private key (key) ${other} does not belong to the certificate (cert) ${cert}; give the key that was made with that certificate.`,
    );
  });

  it('a certificate file holding only a key is named as the certificate file', async () => {
    const key = writeFile(dir, 'key.pem', leaf.key);
    const err = assertSocketLabError(await refusal(loadCredentialFiles({ cert: key, key })), 'pemNoCertificate');
    assert.strictEqual(
      err.message,
      `Certificate file (cert) ${key} holds no certificate, only 'PRIVATE KEY'; give the file with '-----BEGIN CERTIFICATE-----'.`,
    );
  });

  it(`a file of exactly ${PEM_FILE_MAX_BYTES} bytes is read; one byte more is too large`, async () => {
    const text = leaf.cert + '\n';
    const padded = text + ' '.repeat(PEM_FILE_MAX_BYTES - Buffer.byteLength(text));
    const atLimit = writeFile(dir, 'ca.pem', padded);
    assert.strictEqual((await readPemFile('ca', atLimit)).length, PEM_FILE_MAX_BYTES);
    assert.deepStrictEqual(await loadCredentialFiles({ ca: atLimit }), { ca: leaf.cert + '\n' });
    const over = writeFile(dir, 'big.pem', padded + ' ');
    const err = assertSocketLabError(await refusal(readPemFile('ca', over)), 'pemTooLarge', {
      size: PEM_FILE_MAX_BYTES + 1,
      max: PEM_FILE_MAX_BYTES,
    });
    assert.strictEqual(
      err.message,
      `CA file (ca) ${over} is ${PEM_FILE_MAX_BYTES + 1} bytes, far more than a PEM file (at most ${PEM_FILE_MAX_BYTES} bytes); check the path.`,
    );
  });

  it('a path under a file does not exist (ENOTDIR)', async () => {
    const file = writeFile(dir, 'plain.txt', 'x');
    const under = path.join(file, 'ca.pem');
    const err = assertSocketLabError(await refusal(readPemFile('ca', under)), 'fileNotFound', { path: under });
    assert.strictEqual(err.systemCode, 'ENOTDIR');
    assert.strictEqual(err.message, `CA file (ca) ${under} does not exist; check the path.`);
  });

  it('a file nobody may read, not even root (a write-only sysfs attribute), is permission denied (EACCES)', async function () {
    // The kernel refuses reading a write-only sysfs attribute whatever the process's privileges.
    const writeOnly = '/sys/bus/platform/uevent';
    if (process.platform !== 'linux' || !fs.existsSync(writeOnly)) skipOrFail(this, `${writeOnly} is missing`);
    const err = assertSocketLabError(await refusal(readPemFile('cert', writeOnly)), 'permissionDenied', {
      path: writeOnly,
    });
    assert.strictEqual(err.systemCode, 'EACCES');
    assert.strictEqual(
      err.message,
      `Certificate file (cert) ${writeOnly} cannot be read (permission denied); choose a file you may read.`,
    );
  });

  it('a TRUSTED CERTIFICATE block (openssl x509 -trustout) is a certificate', async function () {
    requirePeer(this, 'openssl');
    const plain = writeFile(dir, 'plain.pem', leaf.cert);
    const trusted = path.join(dir, 'trusted.pem');
    execFileSync('openssl', ['x509', '-in', plain, '-trustout', '-addtrust', 'serverAuth', '-out', trusted]);
    const loaded = await loadCredentialFiles({ ca: trusted });
    assert.match(loaded.ca!, /^-----BEGIN TRUSTED CERTIFICATE-----\n[\s\S]+\n-----END TRUSTED CERTIFICATE-----\n$/);
  });

  it('a damaged certificate names OpenSSL’s error code, not the whole error text', async () => {
    const damaged = leaf.cert.replace(/(-----BEGIN CERTIFICATE-----\n)(.{20})/, '$1AAAAAAAAAAAAAAAAAAAA');
    const file = writeFile(dir, 'bad.pem', damaged);
    const err = assertSocketLabError(await refusal(loadCredentialFiles({ ca: file })), 'pemInvalid', { index: 1 });
    assert.match(String(err.values.detail), /^ERR_OSSL_[A-Z0-9_]+$/);
    assert.strictEqual(
      err.message,
      `CA file (ca) ${file}: certificate 1 is damaged and cannot be read (${String(err.values.detail)}).`,
    );
  });

  it('a key file without any PEM block is refused as no PEM, or as DER when it is DER', async () => {
    const cert = writeFile(dir, 'cert.pem', leaf.cert);
    const text = writeFile(dir, 'text.key', 'no key here');
    const noPem = assertSocketLabError(await refusal(loadCredentialFiles({ cert, key: text })), 'pemMissing');
    assert.strictEqual(
      noPem.message,
      `Private key file (key) ${text} holds no PEM block ('-----BEGIN ...-----'); give a PEM file.`,
    );
    const der = crypto.createPrivateKey(leaf.key).export({ format: 'der', type: 'pkcs8' });
    const derFile = writeFile(dir, 'key.der', der);
    const isDer = assertSocketLabError(await refusal(loadCredentialFiles({ cert, key: derFile })), 'pemIsDer');
    assert.match(isDer.message, /^Private key file \(key\) .*key\.der is binary DER, not PEM; convert it first/);
  });

  it('a legacy encrypted key (Proc-Type 4,ENCRYPTED, with or without the space) is protected by a passphrase', async () => {
    const cert = writeFile(dir, 'cert.pem', leaf.cert);
    const legacy = crypto
      .createPrivateKey(leaf.key)
      .export({ format: 'pem', type: 'sec1', cipher: 'aes-128-cbc', passphrase: 'secret' }) as string;
    assert.match(legacy, /^-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n/);
    for (const text of [legacy, legacy.replace('Proc-Type: 4', 'Proc-Type:4')]) {
      const key = writeFile(dir, 'enc.key', text);
      const err = assertSocketLabError(await refusal(loadCredentialFiles({ cert, key })), 'pemKeyEncrypted');
      assert.strictEqual(
        err.message,
        `Private key file (key) ${key} is protected by a passphrase; give an unencrypted key (openssl pkey -in ${key} -out plain.key).`,
      );
    }
  });

  it('only a SEQUENCE with a long length (0x30, then 0x80 or more) is taken for DER', async () => {
    const cases: [string, Buffer, string][] = [
      ['a text starting with the digit 0', Buffer.from('0 certificates here\n'), 'pemMissing'],
      ['a high second byte after another first byte', Buffer.from([0x31, 0x82, 0x01, 0x00]), 'pemMissing'],
      ['a SEQUENCE with a short length', Buffer.from([0x30, 0x7f, 0x02, 0x01]), 'pemMissing'],
      ['a SEQUENCE of indefinite length (0x80)', Buffer.from([0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00]), 'pemIsDer'],
      ['a SEQUENCE with a two-byte length (0x82)', Buffer.from([0x30, 0x82, 0x01, 0x00]), 'pemIsDer'],
    ];
    for (const [title, bytes, code] of cases) {
      const file = writeFile(dir, 'ca.bin', bytes);
      const err = await refusal(loadCredentialFiles({ ca: file }));
      assert.strictEqual((err as { code?: string }).code, code, title);
    }
  });
});
