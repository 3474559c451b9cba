import * as assert from 'assert';
import * as net from 'net';
import * as tls from 'tls';
import '../helpers/noLeaks';
import { SocketLabError } from '../../src/shared/errors';
import { TLS_CHAIN_MAX } from '../../src/shared/limits';
import { describeTlsSession, peerCertificateChain } from '../../src/core/tls/describe';
import { Pem, makeCa, makeLeaf } from '../helpers/certs';

interface Pair {
  client: tls.TLSSocket;
  accepted: tls.TLSSocket;
  close: () => Promise<void>;
}

/** A TLS server on 127.0.0.1 sending `chain` (leaf first) with `key`, and both ends of one connection to it. */
async function loopbackPair(
  chain: string[],
  key: string,
  client: Omit<tls.ConnectionOptions, 'host' | 'port'>,
  server: tls.TlsOptions = {},
): Promise<Pair> {
  const srv = tls.createServer({ cert: chain.map((c) => c.trim()).join('\n') + '\n', key, ...server });
  const acceptedP = new Promise<tls.TLSSocket>((resolve) => srv.once('secureConnection', resolve));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  const socket = tls.connect({ host: '127.0.0.1', port, ...client });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const accepted = await acceptedP;
  return {
    client: socket,
    accepted,
    close: async () => {
      const closed = new Promise<void>((resolve) => srv.close(() => resolve()));
      socket.destroy();
      accepted.destroy();
      await closed;
    },
  };
}

describe('TLS sessions described as plain data (describeTlsSession, peerCertificateChain)', function () {
  this.timeout(20000);
  let root: Pem;
  let inter: Pem;
  let leaf: Pem;
  before(async () => {
    root = await makeCa('Session Root');
    inter = await makeCa('Session Intermediate', root);
    leaf = await makeLeaf(['localhost'], { issuer: inter });
  });

  it('a trusted client session: protocol, cipher, ALPN, SNI, authorized and the chain up to the root, nothing more', async () => {
    const pair = await loopbackPair(
      [leaf.cert, inter.cert],
      leaf.key,
      { ca: root.cert, servername: 'localhost', ALPNProtocols: ['lab/1'] },
      { ALPNProtocols: ['lab/1'] },
    );
    try {
      const info = describeTlsSession(pair.client);
      assert.deepStrictEqual(
        { ...info, peerCertificates: info.peerCertificates.map((c) => [c.subject, c.issuer, c.selfIssued]) },
        {
          peerCertificates: [
            ['CN=localhost', 'CN=Session Intermediate', false],
            ['CN=Session Intermediate', 'CN=Session Root', false],
            ['CN=Session Root', 'CN=Session Root', true],
          ],
          protocol: 'TLSv1.3',
          cipher: pair.client.getCipher().name,
          alpn: 'lab/1',
          servername: 'localhost',
          authorized: true,
        },
      );
      // The listener's side: the client sent no certificate, so there is no chain and no `authorized`.
      const served = describeTlsSession(pair.accepted);
      assert.deepStrictEqual(served, {
        peerCertificates: [],
        protocol: 'TLSv1.3',
        cipher: pair.client.getCipher().name,
        alpn: 'lab/1',
        servername: 'localhost',
      });
      assert.deepStrictEqual(peerCertificateChain(pair.accepted), []);
    } finally {
      await pair.close();
    }
  });

  it('an untrusted session carries the reason with its template and values, and the CA and key log paths', async () => {
    const pair = await loopbackPair([leaf.cert], leaf.key, { rejectUnauthorized: false, servername: 'localhost' });
    try {
      const reason = SocketLabError.create('tlsUnknownCa', 'Issued by {issuer}, not trusted.', { issuer: 'x' });
      const info = describeTlsSession(pair.client, {
        authorizationError: reason,
        caPath: '/lab/ca.pem',
        keylogPath: '/lab/keys.log',
      });
      assert.deepStrictEqual(
        { ...info, peerCertificates: info.peerCertificates.map((c) => c.subject) },
        {
          peerCertificates: ['CN=localhost'],
          protocol: 'TLSv1.3',
          cipher: pair.client.getCipher().name,
          servername: 'localhost',
          authorized: false,
          authorizationError: 'Issued by x, not trusted.',
          authorizationErrorTemplate: 'Issued by {issuer}, not trusted.',
          authorizationErrorValues: { issuer: 'x' },
          caPath: '/lab/ca.pem',
          keylogPath: '/lab/keys.log',
        },
      );
      assert.notStrictEqual(info.authorizationErrorValues, reason.values);
      // A reason built without a template has only its sentence.
      const plain = describeTlsSession(pair.client, { authorizationError: new SocketLabError('tlsUntrusted', 'No.') });
      assert.deepStrictEqual(
        { ...plain, peerCertificates: plain.peerCertificates.length },
        {
          peerCertificates: 1,
          protocol: 'TLSv1.3',
          cipher: pair.client.getCipher().name,
          servername: 'localhost',
          authorized: false,
          authorizationError: 'No.',
        },
      );
      // Without a reason given, an unverified peer is still not authorized (the socket says so).
      assert.strictEqual(describeTlsSession(pair.client).authorized, false);
    } finally {
      await pair.close();
    }
  });

  it(`a chain longer than ${TLS_CHAIN_MAX} certificates is cut at ${TLS_CHAIN_MAX}, leaf first`, async () => {
    const cas = [await makeCa('Deep 0')];
    for (let i = 1; i <= TLS_CHAIN_MAX; i++) cas.push(await makeCa(`Deep ${i}`, cas[i - 1]));
    const deepLeaf = await makeLeaf(['localhost'], { issuer: cas[cas.length - 1] });
    const sent = [
      deepLeaf.cert,
      ...cas
        .slice(1)
        .reverse()
        .map((c) => c.cert),
    ];
    const pair = await loopbackPair(sent, deepLeaf.key, { rejectUnauthorized: false, servername: 'localhost' });
    try {
      const chain = peerCertificateChain(pair.client);
      assert.deepStrictEqual(
        chain.map((c) => c.subject),
        ['CN=localhost', ...Array.from({ length: TLS_CHAIN_MAX - 1 }, (_, i) => `CN=Deep ${TLS_CHAIN_MAX - i}`)],
      );
    } finally {
      await pair.close();
    }
  });
});
