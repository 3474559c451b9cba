/**
 * The two handshake runners on real loopback sockets: acceptTls (the server side on a socket a plain
 * net.Server accepted) and connectStream (plain or TLS, TCP or Unix): timeouts, a peer that hangs up or does
 * not speak TLS, client certificates, abort signals, half-open streams, and the listeners they leave behind.
 */
import * as assert from 'assert';
import { getEventListeners } from 'events';
import * as net from 'net';
import * as path from 'path';
import * as tls from 'tls';
import '../helpers/noLeaks';
import { SocketLabError } from '../../src/shared/errors';
import { acceptTls, createServerContext, TlsServerOptions } from '../../src/core/tls/accept';
import { connectStream, formatTarget, targetContext } from '../../src/core/tls/connect';
import { Pem, makeCa, makeLeaf } from '../helpers/certs';
import { freePort } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';

/** The code, English sentence and system code of a rejection. */
async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string; systemCode?: string }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SocketLabError, String(err));
    return { code: err.code, message: err.message, systemCode: err.systemCode };
  }
  throw new Error('expected a rejection');
}

/** A plain TCP server (pausing accepted sockets, as Socket Lab's listeners do); `accepted()` gives the next one. */
async function tcpServer(): Promise<{ port: number; accepted: () => Promise<net.Socket>; close: () => Promise<void> }> {
  const server = net.createServer({ pauseOnConnect: true });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => new Promise((resolve) => server.once('connection', resolve)),
    // Also ends what a test did not wait for (a connect stopped before it was accepted, or just after).
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Where an accepted socket's peer is, for the sentences. */
const acceptCtx = (raw: net.Socket) => ({ operation: 'accept', address: raw.remoteAddress!, port: raw.remotePort! });

/** Resolves when `socket` has closed. */
const closed = (socket: net.Socket) =>
  new Promise<void>((resolve) =>
    socket.destroyed && !socket.readable ? resolve() : socket.once('close', () => resolve()),
  );

describe('acceptTls and createServerContext', function () {
  this.timeout(20000);
  let ca: Pem;
  let server: Pem;
  let trustedClient: Pem;
  let selfSignedClient: Pem;
  before(async () => {
    ca = await makeCa('Handshake Test CA');
    server = await makeLeaf(['localhost', '127.0.0.1'], { issuer: ca });
    trustedClient = await makeLeaf(['client.example'], { issuer: ca });
    selfSignedClient = await makeLeaf(['stranger.example']);
  });

  it('a certificate and key that are not PEM: a sentence naming the OpenSSL code', () => {
    assert.throws(
      () => createServerContext({ cert: 'not a certificate', key: 'not a key' }),
      (err: unknown) => {
        assert.ok(err instanceof SocketLabError);
        assert.deepStrictEqual(
          { code: err.code, message: err.message },
          {
            code: 'tlsContextFailed',
            message:
              'The certificate and key cannot be used for TLS (ERR_OSSL_PEM_NO_START_LINE); check that they are a PEM certificate and its key.',
          },
        );
        return true;
      },
    );
  });

  /** Accepts one connection of a TLS client with `clientOptions`; `close()` closes both ends and the server. */
  async function acceptOne(
    options: Partial<TlsServerOptions>,
    clientOptions: tls.ConnectionOptions,
  ): Promise<{
    accepted: Awaited<ReturnType<typeof acceptTls>>;
    client: tls.TLSSocket;
    rawErrorListeners: number[];
    close: () => Promise<void>;
  }> {
    const tcp = await tcpServer();
    const rawP = tcp.accepted();
    const client = tls.connect({
      host: '127.0.0.1',
      port: tcp.port,
      servername: 'localhost',
      ca: ca.cert,
      ...clientOptions,
    });
    const clientSecure = new Promise<void>((resolve, reject) => {
      client.once('secureConnect', resolve);
      client.once('error', reject);
    });
    const raw = await rawP;
    const before = raw.listenerCount('error');
    const accepted = await acceptTls(raw, createServerContext({ ...server, ...options }), 10_000, acceptCtx(raw));
    await clientSecure;
    const close = async () => {
      const done = Promise.all([closed(accepted.socket), closed(client), tcp.close()]);
      accepted.socket.destroy();
      client.destroy();
      await done;
    };
    return { accepted, client, rawErrorListeners: [before, raw.listenerCount('error')], close };
  }

  it('a listener that does not ask for client certificates gets none, even from a client that has one', async () => {
    const { accepted, rawErrorListeners, close } = await acceptOne({ ca: ca.cert }, trustedClient);
    assert.deepStrictEqual(accepted.tls.peerCertificates, []);
    assert.strictEqual(accepted.tls.authorized, undefined);
    assert.strictEqual(accepted.tls.authorizationError, undefined);
    assert.strictEqual(accepted.tls.servername, 'localhost');
    // Nothing was verified, so the socket gives no verdict either way.
    assert.deepStrictEqual([accepted.socket.authorized, accepted.socket.authorizationError], [false, null]);
    // The handshake's own error listeners are gone once it is done (the endpoint adds its own); the one left on
    // the TCP socket is Node's, passing its errors on to the TLS socket,
    assert.deepStrictEqual(rawErrorListeners, [0, 1]);
    // and the one on the TLS socket is Node's own (it turns TLS errors into '_tlsError').
    assert.strictEqual(accepted.socket.listenerCount('error'), 1);
    await close();
  });

  it('asking for a client certificate: one from the trusted CA is authorized', async () => {
    const { accepted, close } = await acceptOne({ ca: ca.cert, requestClientCert: true }, trustedClient);
    assert.strictEqual(accepted.tls.authorized, true);
    assert.strictEqual(accepted.tls.authorizationError, undefined);
    assert.strictEqual(accepted.tls.peerCertificates[0].subject, 'CN=client.example');
    await close();
  });

  it('asking for a client certificate: a self-signed one is not trusted, and the session goes on', async () => {
    const { accepted, client, close } = await acceptOne({ ca: ca.cert, requestClientCert: true }, selfSignedClient);
    assert.strictEqual(accepted.tls.authorized, false);
    assert.strictEqual(accepted.tls.authorizationErrorTemplate !== undefined, true);
    assert.strictEqual(
      accepted.tls.authorizationError,
      `${client.localAddress}:${client.localPort} presented a self-signed certificate (stranger.example) that is not trusted; give that certificate as 'ca' to trust it, or connect anyway (insecure).`,
    );
    const echoed = new Promise<Buffer>((resolve) => client.once('data', resolve));
    accepted.socket.write('still talking');
    assert.strictEqual((await echoed).toString(), 'still talking');
    await close();
  });

  it('asking for a client certificate: a client without one goes on, with nothing to judge', async () => {
    const { accepted, close } = await acceptOne({ ca: ca.cert, requestClientCert: true }, {});
    assert.deepStrictEqual(accepted.tls.peerCertificates, []);
    assert.strictEqual(accepted.tls.authorized, undefined);
    assert.strictEqual(accepted.tls.authorizationError, undefined);
    await close();
  });

  it('a client that sends nothing: the handshake times out with a sentence, and the socket is closed', async () => {
    const tcp = await tcpServer();
    const rawP = tcp.accepted();
    const client = net.connect(tcp.port, '127.0.0.1');
    const raw = await rawP;
    const ctx = acceptCtx(raw);
    assert.deepStrictEqual(await rejection(acceptTls(raw, createServerContext(server), 200, ctx)), {
      code: 'tlsHandshakeTimedOut',
      message: `127.0.0.1:${ctx.port} did not finish the TLS handshake within 200 ms.`,
      systemCode: 'ETIMEDOUT',
    });
    assert.strictEqual(raw.destroyed, true);
    await closed(client);
    await tcp.close();
  });

  it('a client that hangs up (FIN) before its hello: rejected at once as a closed handshake, not at the timeout', async () => {
    const tcp = await tcpServer();
    const rawP = tcp.accepted();
    const client = net.connect(tcp.port, '127.0.0.1');
    const raw = await rawP;
    const ctx = acceptCtx(raw);
    client.end();
    assert.deepStrictEqual(await rejection(acceptTls(raw, createServerContext(server), 600_000, ctx)), {
      code: 'tlsHandshakeClosed',
      message: `127.0.0.1:${ctx.port} closed the connection during the TLS handshake; it may not speak TLS, or refused what was offered.`,
      systemCode: undefined,
    });
    await closed(client);
    await tcp.close();
  });

  it('a client speaking plain HTTP: rejected at once with the not-TLS sentence', async () => {
    const tcp = await tcpServer();
    const rawP = tcp.accepted();
    const client = net.connect(tcp.port, '127.0.0.1');
    client.on('error', () => undefined); // the server's alert and close may come as a reset
    const raw = await rawP;
    const ctx = acceptCtx(raw);
    client.write('GET / HTTP/1.1\r\nHost: lab\r\n\r\n');
    assert.deepStrictEqual(await rejection(acceptTls(raw, createServerContext(server), 600_000, ctx)), {
      code: 'tlsNotTls',
      message: `127.0.0.1:${ctx.port} does not speak TLS here (ERR_SSL_HTTP_REQUEST); it may be a plain TCP service: connect with TCP instead.`,
      systemCode: 'ERR_SSL_HTTP_REQUEST',
    });
    client.destroy();
    await closed(client);
    await tcp.close();
  });
});

describe('connectStream: targets', () => {
  it('targetContext: a path or an address and port, operation connect unless told', () => {
    assert.deepStrictEqual(targetContext({ path: '/tmp/lab.sock' }), { operation: 'connect', path: '/tmp/lab.sock' });
    assert.deepStrictEqual(targetContext({ host: '::1', port: 7 }, 'receive'), {
      operation: 'receive',
      address: '::1',
      host: '::1',
      port: 7,
    });
  });

  it('formatTarget: the path itself, host:port, an IPv6 address in brackets', () => {
    assert.strictEqual(formatTarget({ path: '/tmp/lab.sock' }), '/tmp/lab.sock');
    assert.strictEqual(formatTarget({ host: '127.0.0.1', port: 80 }), '127.0.0.1:80');
    assert.strictEqual(formatTarget({ host: '::1', port: 80 }), '[::1]:80');
  });
});

/** The option Node keeps for a socket and applies on connect ('kSetNoDelay', 'kSetKeepAlive'). */
function socketOption(socket: net.Socket, name: string): unknown {
  const key = Object.getOwnPropertySymbols(socket).find((s) => s.description === name);
  assert.ok(key, `${name} on the socket`);
  return (socket as unknown as Record<symbol, unknown>)[key];
}

describe('connectStream on real loopback sockets', function () {
  this.timeout(20000);
  let dir: string;
  let remove: () => void;
  let ca: Pem;
  let localhost: Pem;
  let otherHost: Pem;
  before(async () => {
    ca = await makeCa('Connect Test CA');
    localhost = await makeLeaf(['localhost'], { issuer: ca });
    otherHost = await makeLeaf(['other.example'], { issuer: ca });
  });
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  it('plain TCP: no delay and keep-alive off unless asked, on when asked', async () => {
    const tcp = await tcpServer();
    for (const asked of [{}, { noDelay: true, keepAlive: true }]) {
      const rawP = tcp.accepted();
      const up = await connectStream({ target: { host: '127.0.0.1', port: tcp.port }, timeoutMs: 10_000, ...asked });
      const on = 'noDelay' in asked;
      assert.strictEqual(up.socket, up.raw);
      assert.strictEqual(up.tls, undefined);
      assert.deepStrictEqual([socketOption(up.raw, 'kSetNoDelay'), socketOption(up.raw, 'kSetKeepAlive')], [on, on]);
      assert.strictEqual(up.raw.listenerCount('error'), 0);
      const raw = await rawP;
      const done = Promise.all([closed(raw), closed(up.raw)]);
      raw.destroy();
      up.raw.destroy();
      await done;
    }
    await tcp.close();
  });

  /** Checks that `up` is half-open: after the server's end it still gets the client's reply. */
  async function assertHalfOpen(up: net.Socket, accepted: net.Socket): Promise<void> {
    const ended = new Promise<void>((resolve) => up.once('end', resolve));
    up.resume();
    accepted.resume();
    accepted.end();
    await ended;
    const reply = new Promise<Buffer>((resolve) => accepted.once('data', resolve));
    up.write('reply after the end');
    assert.strictEqual((await reply).toString(), 'reply after the end');
    const done = Promise.all([closed(up), closed(accepted)]);
    up.end();
    await done;
  }

  it('TCP and Unix streams stay half-open: the client still writes after the server ended', async () => {
    const server = net.createServer({ allowHalfOpen: true });
    const sock = path.join(dir, 'half.sock');
    for (const target of [{ host: '127.0.0.1', port: 0 }, { path: sock }]) {
      await new Promise<void>((resolve) =>
        'path' in target ? server.listen(target.path, resolve) : server.listen(0, '127.0.0.1', resolve),
      );
      const at = 'path' in target ? target : { host: '127.0.0.1', port: (server.address() as net.AddressInfo).port };
      const acceptedP = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
      const up = await connectStream({ target: at, timeoutMs: 10_000 });
      await assertHalfOpen(up.socket, await acceptedP);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a port nobody listens on: refused at once, not at the timeout', async () => {
    const port = await freePort();
    assert.deepStrictEqual(
      await rejection(connectStream({ target: { host: '127.0.0.1', port }, timeoutMs: 600_000 })),
      {
        code: 'connectionRefused',
        message: `Nothing is listening at 127.0.0.1:${port} (connection refused); start the server first or check the port.`,
        systemCode: 'ECONNREFUSED',
      },
    );
  });

  it('a TLS server that never answers: timed out with a sentence naming the target', async () => {
    const tcp = await tcpServer();
    const rawP = tcp.accepted();
    const p = connectStream({ target: { host: '127.0.0.1', port: tcp.port }, timeoutMs: 200, tls: {} });
    const raw = await rawP;
    assert.deepStrictEqual(await rejection(p), {
      code: 'timedOut',
      message: `Connecting to 127.0.0.1:${tcp.port} timed out after 200 ms; check the address, the port and any firewall.`,
      systemCode: 'ETIMEDOUT',
    });
    raw.destroy();
    await tcp.close();
  });

  it('an abort during the handshake stops it; a signal aborted before the call stops it at once', async () => {
    const tcp = await tcpServer();
    const target = { host: '127.0.0.1', port: tcp.port };
    const stopped = {
      code: 'stopped',
      message: `Connecting to 127.0.0.1:${tcp.port} was stopped.`,
      systemCode: undefined,
    };
    const rawP = tcp.accepted();
    const abort = new AbortController();
    const p = connectStream({ target, timeoutMs: 600_000, tls: {}, signal: abort.signal });
    const raw = await rawP;
    abort.abort();
    assert.deepStrictEqual(await rejection(p), stopped);
    assert.strictEqual(getEventListeners(abort.signal, 'abort').length, 0);
    raw.destroy();
    const already = new AbortController();
    already.abort();
    assert.deepStrictEqual(
      await rejection(connectStream({ target, timeoutMs: 600_000, tls: {}, signal: already.signal })),
      stopped,
    );
    await tcp.close();
  });

  it('a TLS server that hangs up during the handshake: rejected at once as a closed handshake', async () => {
    const tcp = await tcpServer();
    const rawP = tcp.accepted();
    const p = connectStream({ target: { host: '127.0.0.1', port: tcp.port }, timeoutMs: 600_000, tls: {} });
    const raw = await rawP;
    raw.end();
    assert.deepStrictEqual(await rejection(p), {
      code: 'tlsHandshakeClosed',
      message: `127.0.0.1:${tcp.port} closed the connection during the TLS handshake; it may not speak TLS, or refused what was offered.`,
      systemCode: 'ECONNRESET',
    });
    raw.destroy();
    await tcp.close();
  });

  /** A TLS server on the Unix socket `sock` with `pem`; `close()` also ends the connections it accepted. */
  async function unixTlsServer(
    sock: string,
    pem: Pem,
  ): Promise<{ server: tls.Server; accepted: tls.TLSSocket[]; close: () => Promise<void> }> {
    const accepted: tls.TLSSocket[] = [];
    const raws: net.Socket[] = [];
    const server = tls.createServer({ ...pem, allowHalfOpen: true }, (s) => accepted.push(s));
    server.on('connection', (raw: net.Socket) => raws.push(raw));
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    const close = () => {
      for (const raw of raws) raw.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    };
    return { server, accepted, close };
  }

  it('TLS over a Unix socket checks the certificate against localhost, and the stream stays half-open', async () => {
    const sock = path.join(dir, 'tls.sock');
    const { server, accepted, close } = await unixTlsServer(sock, localhost);
    const up = await connectStream({ target: { path: sock }, timeoutMs: 10_000, tls: { ca: ca.cert } });
    assert.strictEqual(up.tls?.authorized, true);
    assert.strictEqual(up.tls?.peerCertificates[0].subject, 'CN=localhost');
    assert.notStrictEqual(up.socket, up.raw);
    // The connect's own error listeners are gone; the one left on the Unix socket is Node's, passing its errors on.
    assert.deepStrictEqual([up.raw.listenerCount('error'), up.socket.listenerCount('error')], [1, 0]);
    await new Promise<void>((resolve) =>
      accepted.length ? resolve() : server.once('secureConnection', () => resolve()),
    );
    await assertHalfOpen(up.socket, accepted[0]);
    await close();
  });

  it('TLS over a Unix socket to a certificate for another name: the sentence says it is not for localhost', async () => {
    const sock = path.join(dir, 'other.sock');
    const { close } = await unixTlsServer(sock, otherHost);
    assert.deepStrictEqual(
      await rejection(connectStream({ target: { path: sock }, timeoutMs: 10_000, tls: { ca: ca.cert } })),
      {
        code: 'tlsWrongHost',
        message: `The certificate of ${sock} is for DNS:other.example, not for localhost; connect by one of those names (or set 'servername'), or connect anyway (insecure).`,
        systemCode: 'ERR_TLS_CERT_ALTNAME_INVALID',
      },
    );
    await close();
  });
});
