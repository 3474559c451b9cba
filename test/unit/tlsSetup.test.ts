import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { GENERATED_FILES, ensureGeneratedCredentials } from '../../src/core/tls/certificates';
import { loadCredentialFiles } from '../../src/core/tls/pemFiles';
import { prepareServerTls } from '../../src/core/tls/tlsSetup';
import { makeCa, makeLeaf, writeFile } from '../helpers/certs';
import { rejectsWith } from '../helpers/errors';
import { requirePeer, requireRoot, skipOrFail } from '../helpers/require';
import { tempDir } from '../helpers/tempDir';

describe('TLS setup and PEM files: the rarer failures', function () {
  this.timeout(20000);
  let dir: string;
  let remove: () => void;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  /** The descriptors this process holds open on `file`. */
  const openOn = (file: string) =>
    fs.readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`) === file;
      } catch {
        return false;
      }
    });

  it('a Unix socket given as a PEM file cannot be read, and the sentence says why (ENXIO)', async () => {
    const sock = path.join(dir, 'ca.sock');
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    try {
      await rejectsWith(
        loadCredentialFiles({ ca: sock }),
        'fileUnreadable',
        /^CA file \(ca\) .*ca\.sock cannot be read \(ENXIO\)\.$/,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('a private key block whose content is not a key is damaged, with OpenSSL’s code', async () => {
    const leaf = await makeLeaf(['localhost']);
    const cert = writeFile(dir, 'cert.pem', leaf.cert);
    const key = writeFile(dir, 'bad.key', '-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----\n');
    await rejectsWith(
      loadCredentialFiles({ cert, key }),
      'pemInvalid',
      /^Private key file \(key\) .*bad\.key holds a private key that cannot be read \(ERR_OSSL_[A-Z0-9_]+\)\.$/,
    );
  });

  it('a listener given only a CA file uses the generated certificate, and says where its CA is', async () => {
    const root = await makeCa('Client Root');
    const caFile = writeFile(dir, 'clients.pem', root.cert);
    const folder = path.join(dir, 'generated');
    const prepared = await prepareServerTls({ ca: caFile, credentialsFolder: folder, requestClientCert: true });
    const generated = await ensureGeneratedCredentials(folder);
    assert.strictEqual(generated.made, 'none');
    assert.strictEqual(prepared.context.options.cert, generated.cert);
    assert.strictEqual(prepared.context.options.key, generated.key);
    assert.strictEqual(prepared.context.options.ca, root.cert + '\n');
    assert.strictEqual(prepared.keylog, undefined);
    assert.deepStrictEqual(prepared.info, { peerCertificates: [], caPath: generated.caPath });
  });

  it('a listener given its own files reports no CA path, and its key log path', async () => {
    const leaf = await makeLeaf(['localhost']);
    const keylogPath = path.join(dir, 'keys.log');
    const prepared = await prepareServerTls({
      cert: writeFile(dir, 'cert.pem', leaf.cert),
      key: writeFile(dir, 'key.pem', leaf.key),
      keylogPath,
      credentialsFolder: path.join(dir, 'unused'),
    });
    try {
      assert.deepStrictEqual(prepared.info, { peerCertificates: [], keylogPath });
      assert.strictEqual(prepared.context.options.cert, leaf.cert + '\n');
      assert.ok(!fs.existsSync(path.join(dir, 'unused')), 'nothing was generated');
    } finally {
      await prepared.keylog?.close();
    }
  });

  it('a key OpenSSL refuses for TLS (RSA 512) is a clear sentence, and the key log opened for it is closed', async function () {
    requirePeer(this, 'openssl');
    const keyFile = path.join(dir, 'small.key');
    const certFile = path.join(dir, 'small.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:512',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-subj',
        '/CN=localhost',
        '-days',
        '2',
      ],
      {
        stdio: 'ignore',
      },
    );
    const keylogPath = path.join(dir, 'keys.log');
    await rejectsWith(
      prepareServerTls({ cert: certFile, key: keyFile, keylogPath, credentialsFolder: dir }),
      'tlsContextFailed',
      /^The certificate and key cannot be used for TLS \(ERR_SSL_EE_KEY_TOO_SMALL\)/,
    );
    // Without a key log there is nothing to close, and the same sentence comes out.
    await rejectsWith(
      prepareServerTls({ cert: certFile, key: keyFile, credentialsFolder: dir }),
      'tlsContextFailed',
      /^The certificate and key cannot be used for TLS \(ERR_SSL_EE_KEY_TOO_SMALL\)/,
    );
    assert.ok(fs.existsSync(keylogPath), 'the key log was opened');
    assert.deepStrictEqual(openOn(keylogPath), [], 'and closed again');
  });

  it('a listener without files gets a generated certificate valid for the host it binds', async () => {
    const prepared = await prepareServerTls({ credentialsFolder: dir, host: 'lab.example' });
    const leaf = new crypto.X509Certificate(fs.readFileSync(path.join(dir, GENERATED_FILES.cert)));
    assert.strictEqual(leaf.checkHost('lab.example'), 'lab.example');
    assert.deepStrictEqual(prepared.info, { peerCertificates: [], caPath: path.join(dir, GENERATED_FILES.caCert) });
  });

  it('a key log file marked immutable (chattr +i) cannot be written, not even by root (EPERM)', async function () {
    requireRoot(this, 'to mark a file immutable');
    requirePeer(this, 'chattr');
    const keylogPath = writeFile(dir, 'keys.log', '');
    try {
      execFileSync('chattr', ['+i', keylogPath], { stdio: 'ignore' });
    } catch {
      // The folder's file system keeps no such attribute (tmpfs, overlay).
      skipOrFail(this, "the temp folder's file system has no immutable attribute (chattr +i)");
    }
    try {
      const leaf = await makeLeaf(['localhost']);
      const spec = {
        cert: writeFile(dir, 'cert.pem', leaf.cert),
        key: writeFile(dir, 'key.pem', leaf.key),
        keylogPath,
        credentialsFolder: dir,
      };
      await rejectsWith(
        prepareServerTls(spec),
        'permissionDenied',
        /^Key log file \(keylogPath\) .*keys\.log cannot be written \(permission denied\); choose a file in a folder you may write to\.$/,
      );
    } finally {
      execFileSync('chattr', ['-i', keylogPath], { stdio: 'ignore' });
    }
  });
});
