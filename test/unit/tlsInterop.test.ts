import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { TlsServerOptions, acceptTls, createServerContext } from '../../src/core/tls/accept';
import { ensureGeneratedCredentials } from '../../src/core/tls/certificates';
import { ConnectedStream, TlsClientOptions, connectStream, serverNameFor } from '../../src/core/tls/connect';
import { KeylogWriter } from '../../src/core/tls/keylog';
import { TlsInfo } from '../../src/shared/tls';
import { makeCa, makeLeaf, Pem, writeFile } from '../helpers/certs';
import { rejectsWith } from '../helpers/errors';
import { Peer, startPeer, waitForOutput } from '../helpers/peers';
import { requirePeer } from '../helpers/require';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

const GREETING = 'hello over TLS from Socket Lab';

/** A TLS server made of Socket Lab's own parts (net server + acceptTls): greets each client and closes. */
interface GreetingServer {
  port: number;
  sessions: TlsInfo[];
  failures: Error[];
  close: () => Promise<void>;
}

async function greetingServer(options: TlsServerOptions, host = '127.0.0.1'): Promise<GreetingServer> {
  const context = createServerContext(options);
  const sessions: TlsInfo[] = [];
  const failures: Error[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    acceptTls(raw, context, 5000, { operation: 'accept', address: raw.remoteAddress, port: raw.remotePort }).then(
      ({ socket, tls }) => {
        sessions.push(tls);
        socket.on('error', () => undefined);
        socket.resume();
        socket.end(GREETING + '\n');
      },
      (err: Error) => failures.push(err),
    );
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    port: (server.address() as net.AddressInfo).port,
    sessions,
    failures,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Reads a stream to its end (for the greeting a client receives). */
function readAll(s: ConnectedStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    s.socket.setEncoding('utf8');
    s.socket.on('data', (d: string) => (text += d));
    s.socket.on('end', () => {
      s.socket.end();
      resolve(text);
    });
    s.socket.on('error', reject);
  });
}

/** `openssl s_server` on an ephemeral loopback port, its stdin kept open (it drops the connection otherwise). */
async function sServer(args: string[]): Promise<{ peer: Peer; port: number }> {
  const peer = startPeer('openssl', ['s_server', '-accept', '127.0.0.1:0', '-naccept', '1', ...args]);
  const m = await waitForOutput(peer, /ACCEPT 127\.0\.0\.1:(\d+)/);
  return { peer, port: Number(m[1]) };
}

describe('TLS with real peers', function () {
  this.timeout(30000);
  let dir: string;
  let remove: () => void;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  describe('our listener, generated certificates, verified by openssl s_client and ncat', () => {
    for (const [connect, check] of [
      ['127.0.0.1', ['-verify_ip', '127.0.0.1']],
      ['127.0.0.1', ['-servername', 'localhost', '-verify_hostname', 'localhost']],
      ['[::1]', ['-verify_ip', '::1']],
    ] as const) {
      it(`openssl s_client -CAfile <caPath> -verify_return_error ${check.join(' ')} accepts it (${connect})`, async function () {
        requirePeer(this, 'openssl');
        const creds = await ensureGeneratedCredentials(dir);
        const server = await greetingServer(
          { cert: creds.cert, key: creds.key, caPath: creds.caPath },
          connect === '[::1]' ? '::1' : '127.0.0.1',
        );
        const client = startPeer('openssl', [
          's_client',
          '-connect',
          `${connect}:${server.port}`,
          '-CAfile',
          creds.caPath,
          '-verify_return_error',
          ...check,
        ]);
        try {
          assert.strictEqual(await client.exited(15000), 0, client.stderr());
          const out = client.stdout().toString();
          assert.match(out, /Verify return code: 0 \(ok\)/);
          assert.ok(out.includes(GREETING), out);
          await waitFor('the server saw the session', () => server.sessions.length === 1);
          assert.strictEqual(server.sessions[0].caPath, creds.caPath);
          assert.strictEqual(server.sessions[0].servername, check[0] === '-servername' ? 'localhost' : undefined);
        } finally {
          await client.kill();
          await server.close();
        }
      });
    }

    it('openssl s_client refuses it for a name the certificate does not carry (the check above is real)', async function () {
      requirePeer(this, 'openssl');
      const creds = await ensureGeneratedCredentials(dir);
      const server = await greetingServer({ cert: creds.cert, key: creds.key });
      const client = startPeer('openssl', [
        's_client',
        '-connect',
        `127.0.0.1:${server.port}`,
        '-CAfile',
        creds.caPath,
        '-verify_return_error',
        '-verify_hostname',
        'elsewhere.example',
      ]);
      try {
        assert.notStrictEqual(await client.exited(15000), 0);
        assert.match(client.stdout().toString() + client.stderr(), /hostname mismatch/);
      } finally {
        await client.kill();
        await server.close();
      }
    });

    // ncat 7.93 checks DNS names only (not IP address SANs): by address it is told the name to check.
    for (const [host, extra] of [
      ['localhost', []],
      ['127.0.0.1', ['--ssl-servername', 'localhost']],
    ] as const) {
      it(`ncat --ssl --ssl-verify --ssl-trustfile <caPath> ${[...extra, host].join(' ')} accepts it`, async function () {
        requirePeer(this, 'ncat');
        const creds = await ensureGeneratedCredentials(dir);
        const server = await greetingServer({ cert: creds.cert, key: creds.key });
        const args = ['--ssl', '--ssl-verify', '--ssl-trustfile', creds.caPath, '--recv-only', ...extra];
        const client = startPeer('ncat', [...args, host, String(server.port)]);
        try {
          assert.strictEqual(await client.exited(15000), 0, client.stderr());
          assert.strictEqual(client.stdout().toString(), GREETING + '\n');
          await waitFor('the server saw the session', () => server.sessions.length === 1);
          assert.strictEqual(server.sessions[0].servername, 'localhost');
        } finally {
          await client.kill();
          await server.close();
        }
      });
    }

    it('ncat --ssl-verify refuses a certificate made for another host', async function () {
      requirePeer(this, 'ncat');
      const root = await makeCa('Other Root');
      const leaf = await makeLeaf(['elsewhere.example'], { issuer: root });
      const server = await greetingServer({ cert: leaf.cert, key: leaf.key });
      const caPath = writeFile(dir, 'root.pem', root.cert);
      const client = startPeer('ncat', [
        '--ssl',
        '--ssl-verify',
        '--ssl-trustfile',
        caPath,
        '127.0.0.1',
        String(server.port),
      ]);
      try {
        assert.notStrictEqual(await client.exited(15000), 0);
        assert.match(client.stderr(), /Certificate verification error/);
        assert.strictEqual(client.stdout().toString(), '');
      } finally {
        await client.kill();
        await server.close();
      }
    });
  });

  describe('our client against openssl s_server', () => {
    let root: Pem;
    let inter: Pem;
    let leaf: Pem;
    before(async () => {
      root = await makeCa('Interop Root');
      inter = await makeCa('Interop Intermediate', root);
      leaf = await makeLeaf(['localhost'], { issuer: inter });
    });

    it('a chain (leaf ← intermediate ← root) with ALPN: protocol, cipher, ALPN, SNI and each certificate described', async function () {
      requirePeer(this, 'openssl');
      const files = {
        cert: writeFile(dir, 'leaf.pem', leaf.cert),
        key: writeFile(dir, 'leaf.key', leaf.key),
        chain: writeFile(dir, 'inter.pem', inter.cert),
      };
      const { peer, port } = await sServer([
        '-cert',
        files.cert,
        '-key',
        files.key,
        '-cert_chain',
        files.chain,
        '-alpn',
        'h2,myproto/1',
      ]);
      const keylogPath = path.join(dir, 'keys.log');
      const keylog = await KeylogWriter.open(keylogPath);
      let s: ConnectedStream | undefined;
      try {
        s = await connectStream({
          target: { host: '127.0.0.1', port },
          timeoutMs: 10000,
          tls: { servername: 'localhost', ca: root.cert, alpn: ['myproto/1'], keylog },
        });
        const info = s.tls!;
        assert.strictEqual(info.protocol, 'TLSv1.3');
        assert.match(info.cipher ?? '', /^TLS_(AES|CHACHA20)_/);
        assert.strictEqual(info.alpn, 'myproto/1');
        assert.strictEqual(info.servername, 'localhost');
        assert.strictEqual(info.authorized, true);
        assert.strictEqual(info.keylogPath, keylogPath);
        const expected = [leaf, inter, root].map((p) => new crypto.X509Certificate(p.cert));
        assert.deepStrictEqual(
          info.peerCertificates.map((c) => c.fingerprint256),
          expected.map((x) => x.fingerprint256),
        );
        assert.deepStrictEqual(
          info.peerCertificates.map((c) => [c.subject, c.issuer, c.selfIssued]),
          [
            ['CN=localhost', 'CN=Interop Intermediate', false],
            ['CN=Interop Intermediate', 'CN=Interop Root', false],
            ['CN=Interop Root', 'CN=Interop Root', true],
          ],
        );
        assert.strictEqual(info.peerCertificates[0].subjectAltName, 'DNS:localhost');
        assert.strictEqual(info.peerCertificates[0].validTo, new Date(expected[0].validTo).toISOString());
        assert.strictEqual(info.peerCertificates[0].serialNumber, expected[0].serialNumber.toUpperCase());
        // What s_server prints is its own view of the same session.
        const [, cipher] = await waitForOutput(peer, /CIPHER is (\S+)/);
        assert.strictEqual(info.cipher, cipher);
        s.socket.write('ping from Node\n');
        await waitForOutput(peer, /ping from Node/);
        await keylog.flush();
        assert.match(fs.readFileSync(keylogPath, 'utf8'), /^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]+$/m);
      } finally {
        s?.socket.destroy();
        await keylog.close();
        await peer.kill();
      }
    });

    it('a self-signed certificate is refused with a sentence naming it, and accepted when insecure', async function () {
      requirePeer(this, 'openssl');
      const lone = await makeLeaf(['localhost'], { cn: 'lone.test' });
      const cert = writeFile(dir, 'lone.pem', lone.cert);
      const key = writeFile(dir, 'lone.key', lone.key);
      for (const insecure of [false, true]) {
        const { peer, port } = await sServer(['-cert', cert, '-key', key]);
        try {
          const options = { target: { host: 'localhost', port }, timeoutMs: 10000, tls: { insecure } };
          if (!insecure) {
            await rejectsWith(
              connectStream({ ...options, target: { host: '127.0.0.1', port }, tls: { servername: 'localhost' } }),
              'tlsSelfSigned',
              new RegExp(
                `^127\\.0\\.0\\.1:${port} presented a self-signed certificate \\(lone\\.test\\) that is not trusted; give that certificate as 'ca'`,
              ),
            );
          } else {
            const s = await connectStream({
              ...options,
              target: { host: '127.0.0.1', port },
              tls: { insecure, servername: 'localhost' },
            });
            assert.strictEqual(s.tls!.authorized, false);
            assert.match(s.tls!.authorizationError ?? '', /presented a self-signed certificate \(lone\.test\)/);
            assert.strictEqual(s.tls!.peerCertificates[0].selfIssued, true);
            s.socket.destroy();
          }
        } finally {
          await peer.kill();
        }
      }
    });

    it('a certificate for another host is refused with a sentence naming its names and ours', async function () {
      requirePeer(this, 'openssl');
      const cert = writeFile(dir, 'leaf.pem', leaf.cert);
      const chain = writeFile(dir, 'inter.pem', inter.cert);
      const key = writeFile(dir, 'leaf.key', leaf.key);
      const { peer, port } = await sServer(['-cert', cert, '-key', key, '-cert_chain', chain]);
      try {
        await rejectsWith(
          connectStream({ target: { host: '127.0.0.1', port }, timeoutMs: 10000, tls: { ca: root.cert } }),
          'tlsWrongHost',
          new RegExp(
            `^The certificate of 127\\.0\\.0\\.1:${port} is for DNS:localhost, not for 127\\.0\\.0\\.1; connect by one of those names`,
          ),
        );
      } finally {
        await peer.kill();
      }
    });
  });

  describe('failure sentences against our own listener', () => {
    async function refusedWith(
      server: { cert: string; key: string; alpn?: string[] },
      client: TlsClientOptions,
      code: string,
      message: RegExp,
    ): Promise<void> {
      const s = await greetingServer(server);
      try {
        await rejectsWith(
          connectStream({ target: { host: '127.0.0.1', port: s.port }, timeoutMs: 10000, tls: client }),
          code,
          message,
        );
      } finally {
        await s.close();
      }
    }

    it('expired, unknown CA, no common ALPN protocol', async () => {
      const root = await makeCa('Failure Root');
      const expired = await makeLeaf(['127.0.0.1'], { issuer: root, expired: true });
      await refusedWith(
        expired,
        { ca: root.cert },
        'tlsExpired',
        /^The certificate of 127\.0\.0\.1:\d+ \(127\.0\.0\.1\) expired on \d{4}-\d\d-\d\dT/,
      );
      const fine = await makeLeaf(['127.0.0.1'], { issuer: root });
      await refusedWith(fine, {}, 'tlsUnknownCa', /\(127\.0\.0\.1\) was issued by an unknown CA \(Failure Root\)/);
      await refusedWith(
        { ...fine, alpn: ['mqtt'] },
        { ca: root.cert, alpn: ['h2'] },
        'tlsNoAlpn',
        /accepts none of the ALPN protocols offered \(h2\)/,
      );
    });

    it('a plain TCP server is not TLS', async () => {
      const plain = net.createServer((s) => {
        s.on('error', () => undefined);
        s.resume(); // reads the ClientHello away, so the socket closes when the client does
        s.end('HTTP/1.0 400 Bad Request\r\n\r\n');
      });
      await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
      try {
        const port = (plain.address() as net.AddressInfo).port;
        await rejectsWith(
          connectStream({ target: { host: '127.0.0.1', port }, timeoutMs: 10000, tls: {} }),
          'tlsNotTls',
          /does not speak TLS here \(ERR_SSL_WRONG_VERSION_NUMBER\)/,
        );
      } finally {
        await new Promise((r) => plain.close(r));
      }
    });

    it('no SNI is sent for an IP address (and Node warns of nothing); a name is sent', async () => {
      assert.strictEqual(serverNameFor('127.0.0.1'), undefined);
      assert.strictEqual(serverNameFor('::1', '10.0.0.1'), undefined);
      assert.strictEqual(serverNameFor('127.0.0.1', 'localhost'), 'localhost');
      const creds = await ensureGeneratedCredentials(dir);
      const server = await greetingServer({ cert: creds.cert, key: creds.key });
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      process.on('warning', onWarning);
      try {
        for (const host of ['127.0.0.1', 'localhost']) {
          const s = await connectStream({
            target: { host, port: server.port },
            timeoutMs: 10000,
            tls: { ca: creds.ca },
          });
          assert.strictEqual(s.tls!.authorized, true);
          assert.strictEqual(await readAll(s), GREETING + '\n');
        }
        await waitFor('both sessions', () => server.sessions.length === 2);
        assert.deepStrictEqual(
          server.sessions.map((x) => x.servername),
          [undefined, 'localhost'],
        );
        assert.deepStrictEqual(warnings, []);
      } finally {
        process.off('warning', onWarning);
        await server.close();
      }
    });

    it('the listener’s key log holds the same lines as openssl s_client’s -keylogfile', async function () {
      requirePeer(this, 'openssl');
      const creds = await ensureGeneratedCredentials(dir);
      const ours = path.join(dir, 'ours.log');
      const theirs = path.join(dir, 'theirs.log');
      const keylog = await KeylogWriter.open(ours);
      const server = await greetingServer({ cert: creds.cert, key: creds.key, keylog });
      const client = startPeer('openssl', [
        's_client',
        '-connect',
        `127.0.0.1:${server.port}`,
        '-CAfile',
        creds.caPath,
        '-keylogfile',
        theirs,
      ]);
      try {
        assert.strictEqual(await client.exited(15000), 0, client.stderr());
        await keylog.flush();
        const lines = (p: string) =>
          fs
            .readFileSync(p, 'utf8')
            .split('\n')
            .filter((l) => l && !l.startsWith('#'))
            .sort();
        assert.ok(lines(ours).length >= 5, fs.readFileSync(ours, 'utf8'));
        assert.deepStrictEqual(lines(ours), lines(theirs));
        assert.strictEqual(keylog.lines, lines(ours).length);
      } finally {
        await keylog.close();
        await client.kill();
        await server.close();
      }
    });

    it('a key-log path that cannot be written is a clear sentence', async () => {
      await rejectsWith(
        KeylogWriter.open(path.join(dir, 'no', 'such', 'keys.log')),
        'fileNotFound',
        /^Key log file \(keylogPath\) .* its folder does not exist/,
      );
      await rejectsWith(KeylogWriter.open(dir), 'isDirectory', /^Key log file \(keylogPath\) .* is a folder/);
    });
  });
});
