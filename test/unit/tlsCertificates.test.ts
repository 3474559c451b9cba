import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tls from 'tls';
import '../helpers/noLeaks';
import { generate } from 'selfsigned';
import { GENERATED_FILES, ensureGeneratedCredentials, namesFor, sanNames } from '../../src/core/tls/certificates';
import { describeCertificate, formatCertificateName } from '../../src/core/tls/describe';
import { joinPem, loadCredentialFiles, pemBlocks } from '../../src/core/tls/pemFiles';
import { makeCa, makeLeaf, writeFile } from '../helpers/certs';
import { rejectsWith } from '../helpers/errors';
import { requirePeer } from '../helpers/require';
import { tempDir } from '../helpers/tempDir';
import { TLS_CLOCK_SKEW_MS, TLS_RENEW_BEFORE_MS } from '../../src/shared/limits';

const DAY = 86_400_000;

describe('TLS certificates: generated and kept per folder', function () {
  this.timeout(20000);
  let dir: string;
  let remove: () => void;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  it('makes an EC P-256 CA and a leaf it signed with SHA-256, valid for localhost, 127.0.0.1 and ::1', async () => {
    const c = await ensureGeneratedCredentials(dir);
    assert.strictEqual(c.made, 'all');
    const ca = new crypto.X509Certificate(c.ca);
    const leaf = new crypto.X509Certificate(c.cert);
    assert.ok(ca.ca, 'the CA is a CA');
    assert.ok(!leaf.ca, 'the leaf is not');
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey), 'the CA signed the leaf');
    assert.ok(leaf.checkPrivateKey(crypto.createPrivateKey(c.key)));
    assert.strictEqual(leaf.publicKey.asymmetricKeyType, 'ec');
    assert.strictEqual(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    // Node has no accessor for the signature algorithm: the DER carries the ecdsa-with-SHA256 OID (1.2.840.10045.4.3.2).
    const ecdsaSha256 = Buffer.from('06082a8648ce3d040302', 'hex');
    assert.ok(leaf.raw.includes(ecdsaSha256), 'signed with ecdsa-with-SHA256');
    assert.ok(leaf.checkHost('localhost'));
    assert.ok(leaf.checkIP('127.0.0.1'));
    assert.ok(leaf.checkIP('::1'));
    assert.deepStrictEqual(c.names.slice(0, 3), ['localhost', '127.0.0.1', '::1']);
    assert.strictEqual(c.caPath, path.join(dir, GENERATED_FILES.caCert));
    assert.strictEqual(fs.readFileSync(c.caPath, 'utf8'), c.ca);
    assert.ok(c.cert.endsWith('\n') && c.key.endsWith('\n') && c.ca.endsWith('\n'));
    for (const key of [GENERATED_FILES.key, GENERATED_FILES.caKey]) {
      assert.strictEqual(fs.statSync(path.join(dir, key)).mode & 0o777, 0o600, `${key} is readable by its owner only`);
    }
  });

  it('openssl reads the generated CA and leaf as made: names, SHA-256, P-256, critical constraints and usages', async function () {
    requirePeer(this, 'openssl');
    const c = await ensureGeneratedCredentials(dir);
    /** The lines `openssl x509 -text` prints for `pem` from its signature algorithm on, trimmed. */
    const described = (pem: string) =>
      execFileSync('openssl', ['x509', '-noout', '-text', '-certopt', 'no_pubkey,no_sigdump,no_validity,no_serial'], {
        input: pem,
      })
        .toString()
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !/^(Certificate|Data|Version):/.test(line));
    const caName = `CN = Socket Lab local CA (${os.hostname()}), O = Socket Lab`;
    assert.deepStrictEqual(described(c.ca), [
      'Signature Algorithm: ecdsa-with-SHA256',
      `Issuer: ${caName}`,
      `Subject: ${caName}`,
      'X509v3 extensions:',
      'X509v3 Basic Constraints: critical',
      'CA:TRUE, pathlen:0',
      'X509v3 Key Usage: critical',
      'Digital Signature, Certificate Sign, CRL Sign',
    ]);
    assert.deepStrictEqual(described(c.cert), [
      'Signature Algorithm: ecdsa-with-SHA256',
      `Issuer: ${caName}`,
      'Subject: CN = localhost, O = Socket Lab',
      'X509v3 extensions:',
      'X509v3 Basic Constraints: critical',
      'CA:FALSE',
      'X509v3 Key Usage: critical',
      'Digital Signature',
      'X509v3 Extended Key Usage:',
      'TLS Web Server Authentication, TLS Web Client Authentication',
      'X509v3 Subject Alternative Name:',
      'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    ]);
    assert.strictEqual(new crypto.X509Certificate(c.ca).publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  it('sanNames keeps the DNS names and IP addresses of a certificate, none of its other entries', async () => {
    const r = await generate([{ name: 'commonName', value: 'lab.example' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'lab.example' },
            { type: 1, value: 'ops@lab.example' },
            { type: 6, value: 'DNS:not.a.name' },
            { type: 7, ip: '10.1.2.3' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    });
    assert.deepStrictEqual(sanNames(new crypto.X509Certificate(r.cert)), [
      'lab.example',
      '10.1.2.3',
      '0:0:0:0:0:0:0:1',
    ]);
    assert.deepStrictEqual(sanNames(new crypto.X509Certificate((await makeCa('No SAN CA')).cert)), []);
  });

  it('reuses what it kept while valid, and adds a host by a new leaf signed by the same CA', async () => {
    const first = await ensureGeneratedCredentials(dir);
    const again = await ensureGeneratedCredentials(dir);
    assert.strictEqual(again.made, 'none');
    assert.strictEqual(again.cert, first.cert);
    const withHost = await ensureGeneratedCredentials(dir, { host: 'lab.example' });
    assert.strictEqual(withHost.made, 'leaf');
    assert.strictEqual(withHost.ca, first.ca, 'the CA a client trusts stays the same');
    assert.notStrictEqual(withHost.cert, first.cert);
    const leaf = new crypto.X509Certificate(withHost.cert);
    assert.ok(leaf.checkHost('lab.example') && leaf.checkHost('localhost') && leaf.checkIP('::1'));
    // The loopback names alone are covered by the new leaf: no new leaf for them.
    assert.strictEqual((await ensureGeneratedCredentials(dir)).made, 'none');
    assert.strictEqual((await ensureGeneratedCredentials(dir, { host: '127.0.0.1' })).made, 'none');
  });

  it('makes a new leaf before the kept one expires, and everything anew when the CA is near its end', async () => {
    const first = await ensureGeneratedCredentials(dir);
    const leafEnd = Date.parse(new crypto.X509Certificate(first.cert).validTo);
    const nearLeafEnd = await ensureGeneratedCredentials(dir, { now: new Date(leafEnd - 2 * DAY) });
    assert.strictEqual(nearLeafEnd.made, 'leaf');
    assert.strictEqual(nearLeafEnd.ca, first.ca);
    const caEnd = Date.parse(new crypto.X509Certificate(first.ca).validTo);
    const nearCaEnd = await ensureGeneratedCredentials(dir, { now: new Date(caEnd - 30 * DAY) });
    assert.strictEqual(nearCaEnd.made, 'all');
    assert.notStrictEqual(nearCaEnd.ca, first.ca);
  });

  it('replaces damaged, mismatched or foreign files instead of failing', async () => {
    const first = await ensureGeneratedCredentials(dir);
    fs.writeFileSync(path.join(dir, GENERATED_FILES.cert), 'garbage');
    const fixedLeaf = await ensureGeneratedCredentials(dir);
    assert.strictEqual(fixedLeaf.made, 'leaf');
    assert.strictEqual(fixedLeaf.ca, first.ca);
    // A leaf whose key is another one's.
    const other = await makeLeaf(['localhost']);
    fs.writeFileSync(path.join(dir, GENERATED_FILES.key), other.key);
    assert.strictEqual((await ensureGeneratedCredentials(dir)).made, 'leaf');
    // A CA key that does not match the CA.
    fs.writeFileSync(path.join(dir, GENERATED_FILES.caKey), other.key);
    assert.strictEqual((await ensureGeneratedCredentials(dir)).made, 'all');
  });

  it('two listeners starting at once share one generation', async () => {
    const [a, b] = await Promise.all([ensureGeneratedCredentials(dir), ensureGeneratedCredentials(dir)]);
    assert.deepStrictEqual([a.made, b.made], ['all', 'none']);
    assert.strictEqual(a.cert, b.cert);
  });

  it('a folder that cannot be written is a clear sentence', async () => {
    const file = writeFile(dir, 'not-a-folder', 'x');
    await rejectsWith(
      ensureGeneratedCredentials(path.join(file, 'tls')),
      'tlsStoreFailed',
      /could not be kept in .*not-a-folder.*\(ENOTDIR\); check that the folder can be written/,
    );
  });

  it('a wildcard host adds this machine’s name to the loopback names', () => {
    assert.deepStrictEqual(namesFor(undefined), ['localhost', '127.0.0.1', '::1']);
    assert.deepStrictEqual(namesFor('::1'), ['localhost', '127.0.0.1', '::1'], '::1 is already there');
    assert.deepStrictEqual(namesFor('0:0:0:0:0:0:0:1'), ['localhost', '127.0.0.1', '::1'], 'however it is written');
    assert.ok(namesFor('0.0.0.0').length > 3);
  });

  it('namesFor adds a host once (names case-insensitively, IPv6 however written), and all addresses for a wildcard', () => {
    const loopback = ['localhost', '127.0.0.1', '::1'];
    assert.deepStrictEqual(namesFor(''), loopback);
    assert.deepStrictEqual(namesFor('LocalHost'), loopback);
    assert.deepStrictEqual(namesFor('0::0001'), loopback);
    assert.deepStrictEqual(namesFor('Lab.Example'), [...loopback, 'Lab.Example']);
    assert.deepStrictEqual(namesFor('::2'), [...loopback, '::2']);
    assert.deepStrictEqual(namesFor('fd00::1'), [...loopback, 'fd00::1']);
    assert.deepStrictEqual(namesFor('10.0.0.1'), [...loopback, '10.0.0.1']);
    // A wildcard: this machine's name and each external address but link-local ones, each once, in order.
    const expected = [...loopback, os.hostname()];
    for (const list of Object.values(os.networkInterfaces())) {
      for (const a of list ?? []) {
        if (!a.internal && !a.address.startsWith('fe80:') && !expected.includes(a.address)) expected.push(a.address);
      }
    }
    for (const wildcard of ['0.0.0.0', '::'])
      assert.deepStrictEqual(namesFor(wildcard), expected.slice(0, 32), wildcard);
  });
  it('a new leaf keeps the names of the one it replaces (IPv6 as OpenSSL prints it counted once), the CA file untouched', async () => {
    const first = await ensureGeneratedCredentials(dir, { host: 'a.example' });
    const caInode = fs.statSync(first.caPath).ino;
    const second = await ensureGeneratedCredentials(dir, { host: 'B.example' });
    assert.strictEqual(second.made, 'leaf');
    assert.deepStrictEqual(second.names, ['localhost', '127.0.0.1', '::1', 'B.example', 'a.example']);
    assert.deepStrictEqual(sanNames(new crypto.X509Certificate(second.cert)), [
      'localhost',
      '127.0.0.1',
      '0:0:0:0:0:0:0:1',
      'B.example',
      'a.example',
    ]);
    // Only the leaf was rewritten (each file is replaced by a rename, so a rewritten one has a new inode).
    assert.strictEqual(fs.statSync(first.caPath).ino, caInode, 'the CA file was not rewritten');
    const reused = await ensureGeneratedCredentials(dir, { host: 'b.EXAMPLE' });
    assert.strictEqual(reused.made, 'none');
    assert.deepStrictEqual(reused.names, ['localhost', '127.0.0.1', '0:0:0:0:0:0:0:1', 'B.example', 'a.example']);
  });

  it('the kept names grow up to 32; one more host makes a leaf for the wanted names alone', async () => {
    let last = await ensureGeneratedCredentials(dir);
    for (let i = 1; i <= 29; i++) last = await ensureGeneratedCredentials(dir, { host: `h${i}.example` });
    assert.strictEqual(last.made, 'leaf');
    assert.strictEqual(last.names.length, 32, 'exactly the most a leaf holds');
    assert.strictEqual(last.names[3], 'h29.example');
    assert.strictEqual(last.names[31], 'h1.example');
    const over = await ensureGeneratedCredentials(dir, { host: 'h30.example' });
    assert.strictEqual(over.made, 'leaf');
    assert.deepStrictEqual(over.names, ['localhost', '127.0.0.1', '::1', 'h30.example']);
  });

  it('a call made while two others wait runs after both (the queue of a folder is not dropped early)', async () => {
    const a = ensureGeneratedCredentials(dir, { host: 'a.example' });
    const b = ensureGeneratedCredentials(dir, { host: 'b.example' });
    // Started when the first resolves, while the second still runs: it must wait for the second.
    const c = a.then(() => ensureGeneratedCredentials(dir, { host: 'c.example' }));
    const [ra, rb, rc] = await Promise.all([a, b, c]);
    assert.deepStrictEqual([ra.made, rb.made, rc.made], ['all', 'leaf', 'leaf']);
    assert.deepStrictEqual(rc.names, ['localhost', '127.0.0.1', '::1', 'c.example', 'b.example', 'a.example']);
  });

  it('refuses a folder that is a link, a file, or another user’s, and makes one that does not exist', async () => {
    const real = path.join(dir, 'real');
    fs.mkdirSync(real);
    const link = path.join(dir, 'link');
    fs.symlinkSync(real, link);
    const sentence =
      /^The folder .* for the generated TLS certificates is not a folder of this user \(it is a link, a file, or owned by someone else\); remove it or choose another folder\.$/;
    await rejectsWith(ensureGeneratedCredentials(link), 'tlsFolderNotOurs', sentence);
    await rejectsWith(ensureGeneratedCredentials(writeFile(dir, 'file', 'x')), 'tlsFolderNotOurs', sentence);
    assert.deepStrictEqual(fs.readdirSync(real), [], 'nothing was written through the link');
    if (process.getuid?.() === 0) {
      const theirs = path.join(dir, 'theirs');
      fs.mkdirSync(theirs);
      fs.chownSync(theirs, 65534, 65534);
      await rejectsWith(ensureGeneratedCredentials(theirs), 'tlsFolderNotOurs', sentence);
    }
    const fresh = path.join(dir, 'new', 'tls');
    assert.strictEqual((await ensureGeneratedCredentials(fresh)).made, 'all');
    assert.strictEqual(fs.statSync(fresh).mode & 0o777, 0o700);
  });

  it('a kept CA is used from its first second (allowing for clock skew), and a leaf renewed exactly a week before its end', async () => {
    const start = new Date(Math.floor(Date.now() / 1000) * 1000);
    const first = await ensureGeneratedCredentials(dir, { now: start });
    const from = Date.parse(new crypto.X509Certificate(first.ca).validFrom);
    assert.strictEqual(from, start.getTime() - TLS_CLOCK_SKEW_MS);
    // A clock an hour behind still accepts what was made: the earliest such moment, then one second before it.
    assert.strictEqual(
      (await ensureGeneratedCredentials(dir, { now: new Date(from - TLS_CLOCK_SKEW_MS) })).made,
      'none',
    );
    const leafEnd = Date.parse(new crypto.X509Certificate(first.cert).validTo);
    const renewAt = leafEnd - TLS_RENEW_BEFORE_MS;
    assert.strictEqual((await ensureGeneratedCredentials(dir, { now: new Date(renewAt - 1) })).made, 'none');
    const renewed = await ensureGeneratedCredentials(dir, { now: new Date(renewAt) });
    assert.strictEqual(renewed.made, 'leaf');
    assert.strictEqual(renewed.ca, first.ca);
    const early = await ensureGeneratedCredentials(dir, { now: new Date(from - TLS_CLOCK_SKEW_MS - 1000) });
    assert.strictEqual(early.made, 'all', 'a CA not valid yet is made anew');
  });

  it('a CA key file missing, a CA that is not a CA, or a leaf another CA signed is made anew', async () => {
    const first = await ensureGeneratedCredentials(dir);
    fs.rmSync(path.join(dir, GENERATED_FILES.caKey));
    const noCaKey = await ensureGeneratedCredentials(dir);
    assert.strictEqual(noCaKey.made, 'all');
    assert.notStrictEqual(noCaKey.ca, first.ca);
    // A self-signed leaf with its own key in the CA's place: it matches its key but cannot sign.
    const notCa = await makeLeaf(['localhost']);
    fs.writeFileSync(path.join(dir, GENERATED_FILES.caCert), notCa.cert);
    fs.writeFileSync(path.join(dir, GENERATED_FILES.caKey), notCa.key);
    assert.strictEqual((await ensureGeneratedCredentials(dir)).made, 'all');
    // A leaf for the right names, with its key, but signed by another CA.
    const foreign = await makeLeaf(['localhost', '127.0.0.1', '::1'], { issuer: await makeCa('Another CA') });
    fs.writeFileSync(path.join(dir, GENERATED_FILES.cert), foreign.cert);
    fs.writeFileSync(path.join(dir, GENERATED_FILES.key), foreign.key);
    const replaced = await ensureGeneratedCredentials(dir);
    assert.strictEqual(replaced.made, 'leaf');
    assert.ok(new crypto.X509Certificate(replaced.cert).checkIssued(new crypto.X509Certificate(replaced.ca)));
  });

  it('a leaf from a CA with the same name as the kept one but another key is made anew', async () => {
    const first = await ensureGeneratedCredentials(dir);
    const keptCa = new crypto.X509Certificate(first.ca);
    const [cn, o] = keptCa.subject.split('\n').map((line) => line.slice(line.indexOf('=') + 1));
    const twin = await generate(
      [
        { name: 'commonName', value: cn },
        { name: 'organizationName', value: o },
      ],
      { keyType: 'ec', algorithm: 'sha256', extensions: [{ name: 'basicConstraints', cA: true, critical: true }] },
    );
    const forged = await makeLeaf(['localhost', '127.0.0.1', '::1'], {
      issuer: { cert: twin.cert, key: twin.private },
    });
    const forgedLeaf = new crypto.X509Certificate(forged.cert);
    // The names match (OpenSSL's issuer check passes); only the signature tells them apart.
    assert.ok(forgedLeaf.checkIssued(keptCa) && !forgedLeaf.verify(keptCa.publicKey));
    fs.writeFileSync(path.join(dir, GENERATED_FILES.cert), forged.cert);
    fs.writeFileSync(path.join(dir, GENERATED_FILES.key), forged.key);
    const replaced = await ensureGeneratedCredentials(dir);
    assert.strictEqual(replaced.made, 'leaf');
    assert.ok(new crypto.X509Certificate(replaced.cert).verify(keptCa.publicKey));
  });

  it('a file that cannot be renamed into place is a clear sentence and leaves no temporary file', async () => {
    await ensureGeneratedCredentials(dir);
    const certPath = path.join(dir, GENERATED_FILES.cert);
    fs.rmSync(certPath);
    fs.mkdirSync(certPath);
    writeFile(certPath, 'inside', 'x');
    await rejectsWith(
      ensureGeneratedCredentials(dir),
      'tlsStoreFailed',
      /^The TLS certificates could not be kept in .* \((EISDIR|ENOTEMPTY|EEXIST)\); check that the folder can be written\.$/,
    );
    assert.deepStrictEqual(
      fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });
});

describe('TLS certificates: files the user gives', function () {
  this.timeout(20000);
  let dir: string;
  let remove: () => void;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  it('PEM without a trailing newline, and blocks glued together, load and work with Node tls', async () => {
    const root = await makeCa('Test Root');
    const inter = await makeCa('Test Intermediate', root);
    const leaf = await makeLeaf(['localhost'], { issuer: inter });
    // Each as selfsigned writes it: no newline at the end, so a plain concatenation glues END to BEGIN.
    assert.ok(!leaf.cert.endsWith('\n'));
    const certPath = writeFile(dir, 'chain.pem', leaf.cert + inter.cert);
    const keyPath = writeFile(dir, 'leaf.key', leaf.key);
    const caPath = writeFile(dir, 'root.pem', 'Bag Attributes: ignored\n' + root.cert);
    const loaded = await loadCredentialFiles({ cert: certPath, key: keyPath, ca: caPath });
    assert.strictEqual(pemBlocks(loaded.cert!).length, 2);
    assert.ok(loaded.cert!.includes('-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----'));
    assert.ok(loaded.cert!.endsWith('\n') && loaded.key!.endsWith('\n'));
    assert.strictEqual(loaded.ca, root.cert + '\n');
    // The glued text itself is what OpenSSL refuses; the joined one is accepted.
    assert.throws(() => tls.createSecureContext({ cert: leaf.cert + inter.cert, key: leaf.key }));
    tls.createSecureContext({ cert: loaded.cert, key: loaded.key, ca: loaded.ca });
    assert.strictEqual(joinPem([leaf.cert, inter.cert]), loaded.cert);
  });

  it('says which file is missing, a folder, not PEM, DER, the wrong kind, encrypted, damaged or not the pair', async () => {
    const leaf = await makeLeaf(['localhost']);
    const other = await makeLeaf(['localhost']);
    const cert = writeFile(dir, 'cert.pem', leaf.cert);
    const key = writeFile(dir, 'key.pem', leaf.key);
    const missing = path.join(dir, 'missing.pem');
    await rejectsWith(
      loadCredentialFiles({ cert: missing, key }),
      'fileNotFound',
      /^Certificate file \(cert\) .*missing\.pem does not exist/,
    );
    await rejectsWith(
      loadCredentialFiles({ cert, key: dir }),
      'isDirectory',
      /^Private key file \(key\) .* is a folder/,
    );
    await rejectsWith(
      loadCredentialFiles({ ca: writeFile(dir, 'text.pem', 'hello') }),
      'pemMissing',
      /^CA file \(ca\) .*text\.pem holds no PEM block/,
    );
    const der = new crypto.X509Certificate(leaf.cert).raw;
    await rejectsWith(
      loadCredentialFiles({ ca: writeFile(dir, 'cert.der', der) }),
      'pemIsDer',
      /is binary DER, not PEM; convert it first \(openssl x509 -inform der/,
    );
    await rejectsWith(
      loadCredentialFiles({ cert: key, key }),
      'pemNoCertificate',
      /holds no certificate, only 'PRIVATE KEY'/,
    );
    await rejectsWith(loadCredentialFiles({ cert, key: cert }), 'pemNoKey', /holds no private key, only 'CERTIFICATE'/);
    const encrypted = crypto
      .createPrivateKey(leaf.key)
      .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' }) as string;
    await rejectsWith(
      loadCredentialFiles({ cert, key: writeFile(dir, 'enc.key', encrypted) }),
      'pemKeyEncrypted',
      /is protected by a passphrase/,
    );
    const damaged = leaf.cert.replace(/(-----BEGIN CERTIFICATE-----\n)(.{20})/, '$1AAAAAAAAAAAAAAAAAAAA');
    await rejectsWith(
      loadCredentialFiles({ cert: writeFile(dir, 'bad.pem', damaged), key }),
      'pemInvalid',
      /certificate 1 is damaged/,
    );
    await rejectsWith(
      loadCredentialFiles({ cert, key: writeFile(dir, 'other.key', other.key) }),
      'tlsKeyMismatch',
      /does not belong to the certificate \(cert\)/,
    );
    await rejectsWith(loadCredentialFiles({ cert }), 'tlsKeyMissing', /without its private key/);
    await rejectsWith(loadCredentialFiles({ key }), 'tlsCertMissing', /without its certificate/);
    await rejectsWith(
      loadCredentialFiles({ ca: writeFile(dir, 'big.pem', Buffer.alloc(2 * 1024 * 1024, 0x41)) }),
      'pemTooLarge',
      /is 2097152 bytes, far more than a PEM file/,
    );
  });
});

describe('TLS certificates: described as plain data', function () {
  it('formatCertificateName writes each attribute, repeated ones each time, and skips absent ones', () => {
    assert.strictEqual(formatCertificateName(undefined), '');
    const name = { CN: 'lab', O: 'Socket Lab', OU: ['a', 'b'], L: undefined } as unknown as tls.Certificate;
    assert.strictEqual(formatCertificateName(name), 'CN=lab, O=Socket Lab, OU=a, OU=b');
  });

  it('describeCertificate: ISO dates (text kept when unreadable), upper-case serial, empty fields when absent', () => {
    const peer = {
      subject: { CN: 'lab' },
      issuer: { CN: 'lab' },
      valid_from: 'Nov 30 10:42:01 2026 GMT',
      valid_to: 'not a date',
      fingerprint256: 'AB:CD',
      serialNumber: '0a1b',
      subjectaltname: 'DNS:lab',
    } as unknown as tls.PeerCertificate;
    assert.deepStrictEqual(describeCertificate(peer), {
      subject: 'CN=lab',
      issuer: 'CN=lab',
      validFrom: '2026-11-30T10:42:01.000Z',
      validTo: 'not a date',
      fingerprint256: 'AB:CD',
      serialNumber: '0A1B',
      selfIssued: true,
      subjectAltName: 'DNS:lab',
    });
    const bare = { subject: { CN: 'leaf' }, issuer: { CN: 'ca' } } as unknown as tls.PeerCertificate;
    assert.deepStrictEqual(describeCertificate(bare), {
      subject: 'CN=leaf',
      issuer: 'CN=ca',
      validFrom: '',
      validTo: '',
      fingerprint256: '',
      serialNumber: '',
      selfIssued: false,
    });
  });
});
