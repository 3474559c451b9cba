import * as assert from 'assert';
import * as net from 'net';
import * as path from 'path';
import * as tls from 'tls';
import '../helpers/noLeaks';
import { startStreamRelay as startRelay } from '../helpers/streamRelays';
import { ensureGeneratedCredentials } from '../../src/core/tls/certificates';
import { makeCa, makeLeaf, writeFile } from '../helpers/certs';
import { PEERS_DIR, startPeer, waitForOutput } from '../helpers/peers';
import { requirePeer } from '../helpers/require';
import { freePort } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

const SEED_REPLY = '我是返回的数据';

describe('stream relay with TLS', function () {
  this.timeout(30000);
  let dir: string;
  let remove: () => void;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  it("TLS toward the client: openssl s_client (verifying our CA) through the relay to the seed's PHP server", async function () {
    requirePeer(this, 'openssl');
    requirePeer(this, 'php');
    const creds = await ensureGeneratedCredentials(dir);
    const phpPort = await freePort();
    const php = startPeer('php', [path.join(PEERS_DIR, 'seed_server.php'), String(phpPort)]);
    const run = await startRelay({
      upstream: { host: '127.0.0.1', port: phpPort },
      tlsListen: { cert: creds.cert, key: creds.key, caPath: creds.caPath },
    });
    try {
      await waitForOutput(php, /listening/);
      const client = startPeer(
        'openssl',
        [
          's_client',
          '-connect',
          `127.0.0.1:${run.port}`,
          '-servername',
          'localhost',
          '-CAfile',
          creds.caPath,
          '-verify_return_error',
          '-verify_hostname',
          'localhost',
          '-ign_eof',
          '-quiet',
        ],
        'hello through a TLS relay\n',
      );
      assert.strictEqual(await client.exited(15000), 0, client.stderr());
      assert.strictEqual(client.stdout().toString('utf8'), SEED_REPLY);
      assert.match(php.stdout().toString(), /received: hello through a TLS relay/);
      await waitFor('the pair closed', () => run.closed.length === 1);
      const pair = run.closed[0];
      // The relay sees the plaintext: that is what it is for.
      assert.strictEqual(run.relay.log.records()[0].data.toString(), 'hello through a TLS relay\n');
      assert.strictEqual(pair.tls?.client?.protocol, 'TLSv1.3');
      assert.strictEqual(pair.tls?.client?.servername, 'localhost');
      assert.strictEqual(pair.tls?.client?.caPath, creds.caPath);
      assert.deepStrictEqual(Object.keys(pair.tls!), ['client'], 'no upstream TLS entry for a plain upstream');
      assert.strictEqual(pair.error, undefined);
    } finally {
      run.relay.dispose();
      await php.kill();
    }
  });

  it('TLS toward the upstream: a plain client through the relay to openssl s_server, its chain described', async function () {
    requirePeer(this, 'openssl');
    const root = await makeCa('Relay Root');
    const leaf = await makeLeaf(['localhost'], { issuer: root });
    const server = startPeer('openssl', [
      's_server',
      '-accept',
      '127.0.0.1:0',
      '-naccept',
      '1',
      '-cert',
      writeFile(dir, 'leaf.pem', leaf.cert),
      '-key',
      writeFile(dir, 'leaf.key', leaf.key),
    ]);
    const [, port] = await waitForOutput(server, /ACCEPT 127\.0\.0\.1:(\d+)/);
    const run = await startRelay({
      upstream: { host: '127.0.0.1', port: Number(port) },
      tlsUpstream: { ca: root.cert, servername: 'localhost' },
    });
    const c = net.connect({ host: '127.0.0.1', port: run.port, allowHalfOpen: true });
    const got: Buffer[] = [];
    let ended = false;
    c.on('data', (d) => got.push(d));
    c.on('end', () => (ended = true));
    c.on('error', () => undefined);
    try {
      c.write('ping from a plain client\n');
      await waitForOutput(server, /ping from a plain client/);
      server.child.stdin!.write('pong from s_server\n');
      await waitFor('the answer through the relay', () => Buffer.concat(got).toString() === 'pong from s_server\n');
      c.end();
      // The client's FIN reaches s_server as close_notify + FIN; it finishes, and so does the client.
      await waitFor("s_server's end reaching the client", () => ended, 10000);
      await waitFor('the pair closed', () => run.closed.length === 1);
      const up = run.closed[0].tls?.upstream;
      assert.strictEqual(up?.authorized, true);
      assert.strictEqual(up?.servername, 'localhost');
      assert.deepStrictEqual(
        up?.peerCertificates.map((x) => x.subject),
        ['CN=localhost', 'CN=Relay Root'],
      );
    } finally {
      c.destroy();
      run.relay.dispose();
      await server.kill();
    }
  });

  it('an upstream certificate that is not trusted ends the pair with its sentence, and the client is reset', async function () {
    requirePeer(this, 'openssl');
    const lone = await makeLeaf(['localhost'], { cn: 'untrusted.test' });
    const server = startPeer('openssl', [
      's_server',
      '-accept',
      '127.0.0.1:0',
      '-naccept',
      '1',
      '-cert',
      writeFile(dir, 'lone.pem', lone.cert),
      '-key',
      writeFile(dir, 'lone.key', lone.key),
    ]);
    const [, port] = await waitForOutput(server, /ACCEPT 127\.0\.0\.1:(\d+)/);
    const run = await startRelay({
      upstream: { host: '127.0.0.1', port: Number(port) },
      tlsUpstream: { servername: 'localhost' },
    });
    const c = net.connect({ host: '127.0.0.1', port: run.port });
    let error: NodeJS.ErrnoException | undefined;
    c.on('error', (e) => (error = e));
    try {
      await waitFor('the pair closed', () => run.closed.length === 1);
      await waitFor('the client closed', () => c.destroyed);
      assert.strictEqual(error?.code, 'ECONNRESET');
      const f = run.failures[0].error;
      assert.strictEqual(f.code, 'upstreamFailed');
      assert.strictEqual(f.inner?.code, 'tlsSelfSigned');
      assert.match(
        f.message,
        /^The upstream connection for client 127\.0\.0\.1:\d+ failed, so the client was reset: 127\.0\.0\.1:\d+ presented a self-signed certificate \(untrusted\.test\)/,
      );
    } finally {
      c.destroy();
      run.relay.dispose();
      await server.kill();
    }
  });

  it('TLS on both sides; a reset by the upstream reaches the TLS client as a reset', async () => {
    const creds = await ensureGeneratedCredentials(dir);
    const root = await makeCa('Upstream Root');
    const leaf = await makeLeaf(['localhost'], { issuer: root });
    const raws: net.Socket[] = [];
    const context = tls.createSecureContext({ cert: leaf.cert, key: leaf.key });
    // A TLS echo server that keeps each accepted TCP socket, so it can reset it under the TLS session.
    const upstream = net.createServer({ allowHalfOpen: true }, (raw) => {
      raws.push(raw);
      raw.on('error', () => undefined);
      const s = new tls.TLSSocket(raw, { isServer: true, secureContext: context });
      s.on('error', () => undefined);
      s.on('data', (d) => s.write(`tls:${d}`));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const run = await startRelay({
      upstream: { host: 'localhost', port: (upstream.address() as net.AddressInfo).port },
      tlsListen: { cert: creds.cert, key: creds.key },
      tlsUpstream: { ca: root.cert },
    });
    const c = tls.connect({ host: '127.0.0.1', port: run.port, ca: creds.ca, servername: 'localhost' });
    const got: Buffer[] = [];
    let error: NodeJS.ErrnoException | undefined;
    c.on('data', (d) => got.push(d));
    c.on('error', (e) => (error = e));
    try {
      await new Promise<void>((r) => c.once('secureConnect', r));
      assert.strictEqual(c.authorized, true, String(c.authorizationError));
      c.write('hello');
      await waitFor('the echo through both TLS sides', () => Buffer.concat(got).toString() === 'tls:hello');
      const pair = run.relay.pairs()[0];
      assert.strictEqual(pair.tls?.client?.protocol, 'TLSv1.3');
      assert.strictEqual(pair.tls?.upstream?.servername, 'localhost');
      assert.strictEqual(pair.tls?.upstream?.authorized, true);
      // The upstream resets the TCP connection under its TLS session.
      raws[0].resetAndDestroy();
      await waitFor('the client closed', () => c.destroyed);
      assert.strictEqual(error?.code, 'ECONNRESET');
      await waitFor('the pair closed', () => run.closed.length === 1);
      assert.strictEqual(run.closed[0].resetBy, 'upstream');
    } finally {
      c.destroy();
      run.relay.dispose();
      for (const r of raws) r.destroy();
      await new Promise((r) => upstream.close(r));
    }
  });
});
