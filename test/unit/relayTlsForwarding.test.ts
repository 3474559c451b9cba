import * as assert from 'assert';
import * as net from 'net';
import * as tls from 'tls';
import '../helpers/noLeaks';
import { startStreamRelay as startRelay } from '../helpers/streamRelays';
import { ensureGeneratedCredentials } from '../../src/core/tls/certificates';
import { makeCa, makeLeaf } from '../helpers/certs';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

/** What one upstream TLS session was asked for. */
interface Asked {
  servername?: string;
  protocols?: string[];
}

/**
 * A Node TLS echo server that records the SNI name and the ALPN list of each ClientHello it receives and
 * picks http/1.1 when offered (not the client's first choice, so the test can tell whose choice won).
 */
async function startRecordingUpstream(names: string[]) {
  const root = await makeCa('Upstream Root');
  const leaf = await makeLeaf(names, { issuer: root });
  const context = tls.createSecureContext({ cert: leaf.cert, key: leaf.key });
  const asked: Asked[] = [];
  const sockets: net.Socket[] = [];
  const server = net.createServer((raw) => {
    sockets.push(raw);
    raw.on('error', () => undefined);
    const entry: Asked = {};
    asked.push(entry);
    const s = new tls.TLSSocket(raw, {
      isServer: true,
      secureContext: context,
      ALPNCallback: ({ protocols }) => {
        entry.protocols = protocols;
        return protocols.includes('http/1.1') ? 'http/1.1' : protocols[0];
      },
    });
    s.on(
      'secure',
      () => (entry.servername = (s as tls.TLSSocket & { servername?: string | false }).servername || undefined),
    );
    s.on('error', () => undefined);
    s.on('data', (d) => s.write(`up:${d}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const close = async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  };
  return { ca: root.cert, port, asked, close };
}

/** A TLS client that trusts the relay's CA (by chain: the relay's leaf names localhost, not `servername`). */
function connectClient(port: number, ca: string, servername: string | undefined, alpn?: string[]) {
  const c = tls.connect({
    host: '127.0.0.1',
    port,
    ca,
    servername,
    ALPNProtocols: alpn,
    checkServerIdentity: () => undefined,
  });
  const got: Buffer[] = [];
  c.on('data', (d) => got.push(d));
  c.on('error', () => undefined);
  return { c, text: () => Buffer.concat(got).toString() };
}

describe('stream relay with TLS on both sides passes SNI and ALPN upstream', function () {
  this.timeout(30000);
  let dir: string;
  let remove: () => void;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  it("the upstream gets the client's SNI name and ALPN list, and the client gets the upstream's choice", async () => {
    const creds = await ensureGeneratedCredentials(dir);
    // The upstream's certificate names only what the client asked for: verifying it proves the name went up.
    const upstream = await startRecordingUpstream(['app.example.test']);
    const run = await startRelay({
      upstream: { host: 'localhost', port: upstream.port },
      tlsListen: { cert: creds.cert, key: creds.key },
      tlsUpstream: { ca: upstream.ca },
    });
    const client = connectClient(run.port, creds.ca, 'app.example.test', ['h2', 'http/1.1']);
    try {
      await new Promise<void>((r) => client.c.once('secureConnect', r));
      assert.strictEqual(client.c.authorized, true, String(client.c.authorizationError));
      assert.strictEqual(client.c.alpnProtocol, 'http/1.1');
      client.c.write('hello');
      await waitFor('the echo through both TLS sides', () => client.text() === 'up:hello');
      assert.deepStrictEqual(upstream.asked, [{ servername: 'app.example.test', protocols: ['h2', 'http/1.1'] }]);
      const pair = run.relay.pairs()[0];
      assert.strictEqual(pair.tls?.client?.servername, 'app.example.test');
      assert.strictEqual(pair.tls?.client?.alpn, 'http/1.1');
      assert.strictEqual(pair.tls?.upstream?.servername, 'app.example.test');
      assert.strictEqual(pair.tls?.upstream?.alpn, 'http/1.1');
      assert.strictEqual(pair.tls?.upstream?.authorized, true);
      assert.deepStrictEqual(run.failures, []);
    } finally {
      client.c.destroy();
      run.relay.dispose();
      await upstream.close();
    }
  });

  it('a servername set for the upstream wins over the SNI of the client; a client without ALPN offers none', async () => {
    const creds = await ensureGeneratedCredentials(dir);
    const upstream = await startRecordingUpstream(['localhost']);
    const run = await startRelay({
      upstream: { host: '127.0.0.1', port: upstream.port },
      tlsListen: { cert: creds.cert, key: creds.key },
      tlsUpstream: { ca: upstream.ca, servername: 'localhost' },
      upstreamServernameFixed: true,
    });
    const client = connectClient(run.port, creds.ca, 'app.example.test');
    try {
      await new Promise<void>((r) => client.c.once('secureConnect', r));
      assert.strictEqual(client.c.alpnProtocol, false);
      client.c.write('x');
      await waitFor('the echo', () => client.text() === 'up:x');
      assert.deepStrictEqual(upstream.asked, [{ servername: 'localhost' }]);
      assert.strictEqual(run.relay.pairs()[0].tls?.upstream?.alpn, undefined);
    } finally {
      client.c.destroy();
      run.relay.dispose();
      await upstream.close();
    }
  });

  it('a client that does not speak TLS fails its handshake with a sentence, and the upstream is never contacted', async () => {
    const creds = await ensureGeneratedCredentials(dir);
    const upstream = await startRecordingUpstream(['localhost']);
    const run = await startRelay({
      upstream: { host: 'localhost', port: upstream.port },
      tlsListen: { cert: creds.cert, key: creds.key },
      tlsUpstream: { ca: upstream.ca },
    });
    const plain = net.connect({ host: '127.0.0.1', port: run.port });
    plain.on('error', () => undefined);
    try {
      await new Promise<void>((r) => plain.once('connect', r));
      const label = `127.0.0.1:${plain.localPort}`;
      plain.write('GET / HTTP/1.0\r\n\r\n');
      await waitFor('the pair failed', () => run.failures.length === 1);
      assert.strictEqual(run.failures[0].error.code, 'relayClientHandshakeFailed');
      assert.ok(
        run.failures[0].error.message.startsWith(`Client ${label} failed the TLS handshake: `),
        run.failures[0].error.message,
      );
      assert.strictEqual(run.failures[0].error.values.client, label);
      await waitFor('the pair closed', () => run.closed.length === 1);
      assert.deepStrictEqual(upstream.asked, []);
    } finally {
      plain.destroy();
      run.relay.dispose();
      await upstream.close();
    }
  });
});
