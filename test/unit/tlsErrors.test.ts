import * as assert from 'assert';
import * as crypto from 'crypto';
import * as net from 'net';
import * as tls from 'tls';
import '../helpers/noLeaks';
import { SocketLabError } from '../../src/shared/errors';
import { toSocketLabError } from '../../src/core/systemErrors';
import {
  TlsErrorContext,
  certificateError,
  errorTarget,
  handshakeClosedError,
  toTlsSocketLabError,
} from '../../src/core/tls/tlsErrors';
import { Pem, makeCa, makeLeaf } from '../helpers/certs';

/** Asserts the exact code, English sentence and system code of `err`. */
function assertError(err: SocketLabError, code: string, message: string, systemCode: string | undefined): void {
  assert.ok(err instanceof SocketLabError);
  assert.deepStrictEqual(
    { code: err.code, message: err.message, systemCode: err.systemCode },
    { code, message, systemCode },
  );
}

/** 'Nov 30 10:42:01 2026 GMT' (OpenSSL's dates) as the ISO 8601 text the sentences name. */
function iso(openSslDate: string): string {
  return new Date(Date.parse(openSslDate)).toISOString();
}

/** A TLS server on loopback with `server` credentials, and both ends of one connection to it (not verified). */
async function loopbackPair(
  server: Pem,
): Promise<{ client: tls.TLSSocket; accepted: tls.TLSSocket; close: () => Promise<void> }> {
  const srv = tls.createServer({ cert: server.cert, key: server.key });
  const acceptedP = new Promise<tls.TLSSocket>((resolve) => srv.once('secureConnection', resolve));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  const client = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' });
  await new Promise<void>((resolve, reject) => {
    client.once('secureConnect', resolve);
    client.once('error', reject);
  });
  const accepted = await acceptedP;
  return {
    client,
    accepted,
    close: async () => {
      const closed = new Promise<void>((resolve) => srv.close(() => resolve()));
      client.destroy();
      accepted.destroy();
      await closed;
    },
  };
}

describe('TLS errors: errorTarget names the place', () => {
  const cases: [string, TlsErrorContext, string][] = [
    [
      'a path wins over an address',
      { operation: 'connect', path: '/tmp/s.sock', address: '127.0.0.1', port: 1 },
      '/tmp/s.sock',
    ],
    [
      'address and port',
      { operation: 'connect', address: '127.0.0.1', port: 8443, host: 'lab', servername: 'x' },
      '127.0.0.1:8443',
    ],
    ['an IPv6 address in brackets', { operation: 'connect', address: '::1', port: 8443 }, '[::1]:8443'],
    ['an address without a port', { operation: 'connect', address: '127.0.0.1', host: 'lab.example' }, '127.0.0.1'],
    ['host and port when no address', { operation: 'connect', host: 'lab.example', port: 443 }, 'lab.example:443'],
    ['a host without a port', { operation: 'connect', host: 'lab.example' }, 'lab.example'],
    ['a port alone', { operation: 'connect', port: 443 }, '?'],
    ['nothing at all', { operation: 'connect' }, '?'],
  ];
  for (const [title, ctx, expected] of cases) {
    it(`${title}: '${expected}'`, () => assert.strictEqual(errorTarget(ctx), expected));
  }
});

describe('TLS errors: certificateError names the certificate a real peer presented', function () {
  this.timeout(20000);
  const ctx: TlsErrorContext = { operation: 'connect', address: '127.0.0.1', port: 8443, servername: 'lab.example' };
  let pair: Awaited<ReturnType<typeof loopbackPair>>;
  let leaf: crypto.X509Certificate;

  before(async () => {
    const ca = await makeCa('Lab Test CA');
    const pem = await makeLeaf(['localhost', '127.0.0.1'], { issuer: ca, cn: 'lab leaf' });
    leaf = new crypto.X509Certificate(pem.cert);
    pair = await loopbackPair(pem);
  });
  after(() => pair.close());

  it('the client saw the verification failure it is meant to describe', () => {
    assert.strictEqual(pair.client.authorized, false);
    assert.strictEqual(String(pair.client.authorizationError), 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
  });

  const table: [string, string, (leaf: crypto.X509Certificate) => string][] = [
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'tlsSelfSigned',
      () =>
        "127.0.0.1:8443 presented a self-signed certificate (lab leaf) that is not trusted; give that certificate as 'ca' to trust it, or connect anyway (insecure).",
    ],
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'tlsUntrustedRoot',
      () =>
        "The certificate chain of 127.0.0.1:8443 ends in a self-signed root that is not trusted; give that root as 'ca' to trust it, or connect anyway (insecure).",
    ],
    ...['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'].map(
      (code): [string, string, () => string] => [
        code,
        'tlsUnknownCa',
        () =>
          "The certificate of 127.0.0.1:8443 (lab leaf) was issued by an unknown CA (Lab Test CA); give that CA's certificate as 'ca' to trust it, or connect anyway (insecure).",
      ],
    ),
    [
      'CERT_HAS_EXPIRED',
      'tlsExpired',
      (l) =>
        `The certificate of 127.0.0.1:8443 (lab leaf) expired on ${iso(l.validTo)}; renew it on the server, or connect anyway (insecure).`,
    ],
    [
      'CERT_NOT_YET_VALID',
      'tlsNotYetValid',
      (l) =>
        `The certificate of 127.0.0.1:8443 (lab leaf) is not valid before ${iso(l.validFrom)}; check the clocks of both machines, or connect anyway (insecure).`,
    ],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      'tlsWrongHost',
      () =>
        "The certificate of 127.0.0.1:8443 is for DNS:localhost, IP Address:127.0.0.1, not for lab.example; connect by one of those names (or set 'servername'), or connect anyway (insecure).",
    ],
    [
      'CERT_REVOKED',
      'tlsUntrusted',
      () =>
        'The certificate of 127.0.0.1:8443 (lab leaf) could not be verified (CERT_REVOKED); connect anyway (insecure) only if you trust it.',
    ],
  ];
  for (const [systemCode, code, message] of table) {
    it(`${systemCode} → ${code}, naming the leaf and its issuer`, () => {
      assertError(certificateError(systemCode, pair.client, ctx), code, message(leaf), systemCode);
    });
  }

  it('the wrong-host sentence names the host, then the address, when no servername was given', () => {
    const byHost = certificateError('ERR_TLS_CERT_ALTNAME_INVALID', pair.client, {
      operation: 'connect',
      host: 'lab.example',
      address: '127.0.0.1',
      port: 8443,
    });
    assert.strictEqual(byHost.values.name, 'lab.example');
    const byAddress = certificateError('ERR_TLS_CERT_ALTNAME_INVALID', pair.client, {
      operation: 'connect',
      address: '::1',
      port: 8443,
    });
    assert.strictEqual(
      byAddress.message,
      "The certificate of [::1]:8443 is for DNS:localhost, IP Address:127.0.0.1, not for ::1; connect by one of those names (or set 'servername'), or connect anyway (insecure).",
    );
    assert.strictEqual(
      certificateError('ERR_TLS_CERT_ALTNAME_INVALID', pair.client, { operation: 'connect' }).values.name,
      '?',
    );
  });

  it('with no socket, or a peer that sent no certificate, every name is "?"', () => {
    // The server side of the pair: the client presented no certificate, so getPeerCertificate() is {}.
    for (const peer of [undefined, pair.accepted]) {
      const label = peer ? 'a peer without a certificate' : 'no socket';
      assert.strictEqual(
        certificateError('CERT_HAS_EXPIRED', peer, ctx).message,
        'The certificate of 127.0.0.1:8443 (?) expired on ?; renew it on the server, or connect anyway (insecure).',
        label,
      );
      assert.strictEqual(
        certificateError('CERT_NOT_YET_VALID', peer, ctx).message,
        'The certificate of 127.0.0.1:8443 (?) is not valid before ?; check the clocks of both machines, or connect anyway (insecure).',
        label,
      );
      assert.strictEqual(
        certificateError('ERR_TLS_CERT_ALTNAME_INVALID', peer, ctx).message,
        "The certificate of 127.0.0.1:8443 is for CN=?, not for lab.example; connect by one of those names (or set 'servername'), or connect anyway (insecure).",
        label,
      );
      assert.deepStrictEqual(
        certificateError('UNABLE_TO_GET_ISSUER_CERT', peer, ctx).values,
        { target: '127.0.0.1:8443', systemCode: 'UNABLE_TO_GET_ISSUER_CERT', subject: '?', issuer: '?' },
        label,
      );
    }
  });
});

describe('TLS errors: certificateError with a self-signed certificate whose subject has no common name', function () {
  this.timeout(20000);
  it('names the whole subject when there is no CN', async () => {
    // A self-signed leaf whose subject is only an organization: nameOf falls back to the whole subject.
    const { generate } = await import('selfsigned');
    const r = await generate([{ name: 'organizationName', value: 'Lab Org' }], { keyType: 'ec', algorithm: 'sha256' });
    const pair = await loopbackPair({ cert: r.cert, key: r.private });
    try {
      assert.strictEqual(String(pair.client.authorizationError), 'DEPTH_ZERO_SELF_SIGNED_CERT');
      const err = certificateError('UNABLE_TO_GET_ISSUER_CERT', pair.client, {
        operation: 'connect',
        host: 'lab',
        port: 1,
      });
      assert.deepStrictEqual([err.values.subject, err.values.issuer], ['O=Lab Org', 'O=Lab Org']);
    } finally {
      await pair.close();
    }
  });

  it("names '?' when the subject and issuer are empty", async () => {
    const { generate } = await import('selfsigned');
    const r = await generate([], { keyType: 'ec', algorithm: 'sha256' });
    const pair = await loopbackPair({ cert: r.cert, key: r.private });
    try {
      const err = certificateError('DEPTH_ZERO_SELF_SIGNED_CERT', pair.client, { operation: 'connect', path: '/s' });
      assert.deepStrictEqual([err.values.subject, err.values.issuer], ['?', '?']);
      assert.strictEqual(
        err.message,
        "/s presented a self-signed certificate (?) that is not trusted; give that certificate as 'ca' to trust it, or connect anyway (insecure).",
      );
    } finally {
      await pair.close();
    }
  });
});

describe('TLS errors: toTlsSocketLabError maps each handshake failure to one sentence', () => {
  const ctx: TlsErrorContext = { operation: 'connect', address: '127.0.0.1', port: 8443, alpn: ['h2', 'http/1.1'] };
  const withCode = (code: unknown, message = 'boom'): Error => Object.assign(new Error(message), { code });

  const table: [string[], string, (c: string) => string][] = [
    [
      [
        'ERR_SSL_WRONG_VERSION_NUMBER',
        'ERR_SSL_PACKET_LENGTH_TOO_LONG',
        'ERR_SSL_HTTP_REQUEST',
        'ERR_SSL_RECORD_LAYER_FAILURE',
        'ERR_SSL_UNEXPECTED_EOF_WHILE_READING',
      ],
      'tlsNotTls',
      (c) => `127.0.0.1:8443 does not speak TLS here (${c}); it may be a plain TCP service: connect with TCP instead.`,
    ],
    [
      ['ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL', 'ERR_SSL_NO_APPLICATION_PROTOCOL'],
      'tlsNoAlpn',
      () => '127.0.0.1:8443 accepts none of the ALPN protocols offered (h2, http/1.1); offer one it knows, or none.',
    ],
    [
      ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE'],
      'tlsCertificateRequired',
      () => "127.0.0.1:8443 requires a client certificate; give one with 'cert' and 'key'.",
    ],
    [
      [
        'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
        'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
        'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
        'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
        'ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR',
      ],
      'tlsPeerRejected',
      (c) =>
        `127.0.0.1:8443 rejected our certificate during the TLS handshake (${c}); it does not trust it: give it our CA ('caPath').`,
    ],
    [
      [
        'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
        'ERR_SSL_NO_SHARED_CIPHER',
        'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
        'ERR_SSL_UNSUPPORTED_PROTOCOL',
      ],
      'tlsNoCommonGround',
      (c) =>
        `127.0.0.1:8443 and Socket Lab share no TLS version or cipher (${c}); the peer may only speak an old or unusual TLS.`,
    ],
    [
      ['ERR_SSL_SOMETHING_NEW', 'ERR_TLS_INVALID_STATE'],
      'tlsHandshakeFailed',
      (c) => `TLS with 127.0.0.1:8443 failed (${c}).`,
    ],
  ];
  for (const [codes, code, message] of table) {
    for (const systemCode of codes) {
      it(`${systemCode} → ${code}`, () => {
        assertError(toTlsSocketLabError(withCode(systemCode), ctx), code, message(systemCode), systemCode);
      });
    }
  }

  it("names '-' for the ALPN protocols when none (or an empty list) were offered", () => {
    for (const alpn of [undefined, []]) {
      assert.strictEqual(
        toTlsSocketLabError(withCode('ERR_SSL_NO_APPLICATION_PROTOCOL'), { ...ctx, alpn }).message,
        '127.0.0.1:8443 accepts none of the ALPN protocols offered (-); offer one it knows, or none.',
      );
    }
  });

  const verifyCodes: [string, string][] = [
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tlsSelfSigned'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'tlsUntrustedRoot'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tlsUnknownCa'],
    ['UNABLE_TO_GET_ISSUER_CERT', 'tlsUnknownCa'],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tlsUnknownCa'],
    ['CERT_HAS_EXPIRED', 'tlsExpired'],
    ['CERT_NOT_YET_VALID', 'tlsNotYetValid'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tlsWrongHost'],
    ...['CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_REVOKED', 'INVALID_CA', 'INVALID_PURPOSE']
      .concat(['PATH_LENGTH_EXCEEDED', 'HOSTNAME_MISMATCH'])
      .map((c): [string, string] => [c, 'tlsUntrusted']),
  ];
  for (const [systemCode, code] of verifyCodes) {
    it(`the verification code ${systemCode} gets certificateError's sentence (${code})`, () => {
      const err = toTlsSocketLabError(withCode(systemCode), ctx);
      assertError(err, code, certificateError(systemCode, undefined, ctx).message, systemCode);
    });
  }

  it('a reset before the handshake finished is a closed handshake; any other reset is a plain reset', () => {
    const early = withCode(
      'ECONNRESET',
      'Client network socket disconnected before secure TLS connection was established',
    );
    assertError(
      toTlsSocketLabError(early, ctx),
      'tlsHandshakeClosed',
      '127.0.0.1:8443 closed the connection during the TLS handshake; it may not speak TLS, or refused what was offered.',
      'ECONNRESET',
    );
    const later = withCode('ECONNRESET', 'read ECONNRESET');
    assertError(
      toTlsSocketLabError(later, ctx),
      'connectionReset',
      'The connection to 127.0.0.1:8443 was reset by the peer (ECONNRESET).',
      'ECONNRESET',
    );
    const bare = { code: 'ECONNRESET' };
    assert.strictEqual(toTlsSocketLabError(bare, ctx).code, 'connectionReset');
  });

  it('anything not TLS-specific gets the socket sentence of toSocketLabError', () => {
    for (const err of [withCode('ECONNREFUSED'), withCode(42), new Error('odd'), undefined, null, 'text']) {
      assert.deepStrictEqual(toTlsSocketLabError(err, ctx), toSocketLabError(err, ctx), String(err));
    }
    assert.strictEqual(
      toTlsSocketLabError(withCode(42, 'numeric'), ctx).message,
      'Connecting to 127.0.0.1:8443 failed (numeric).',
    );
  });

  it('returns a SocketLabError unchanged', () => {
    const own = SocketLabError.create('tlsSelfSigned', 'Mine.', {});
    assert.strictEqual(toTlsSocketLabError(own, ctx), own);
  });
});

describe('TLS errors: real handshake failures over loopback', function () {
  this.timeout(20000);

  /** Connects a TLS client to a plain TCP server that does `serve` with each connection; resolves the client's error. */
  async function clientErrorAgainst(serve: (s: net.Socket) => void): Promise<unknown> {
    const sockets = new Set<net.Socket>();
    const srv = net.createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
      serve(s);
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = (srv.address() as net.AddressInfo).port;
    const client = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    try {
      return await new Promise<unknown>((resolve) => {
        client.once('error', resolve);
        client.once('secureConnect', () => resolve(new Error('the handshake succeeded')));
      });
    } finally {
      client.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  }

  it('a plain-text answer is "does not speak TLS"', async () => {
    const err = await clientErrorAgainst((s) => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
    const mapped = toTlsSocketLabError(err, { operation: 'connect', address: '127.0.0.1', port: 8443 });
    assert.strictEqual(mapped.code, 'tlsNotTls', mapped.message);
    assert.match(
      mapped.message,
      /^127\.0\.0\.1:8443 does not speak TLS here \(ERR_SSL_[A-Z_]+\); it may be a plain TCP service/,
    );
  });

  it('a peer that hangs up without a word is a closed handshake', async () => {
    const err = await clientErrorAgainst((s) => s.once('data', () => s.destroy()));
    assertError(
      toTlsSocketLabError(err, { operation: 'connect', host: 'lab.example', port: 8443 }),
      'tlsHandshakeClosed',
      'lab.example:8443 closed the connection during the TLS handshake; it may not speak TLS, or refused what was offered.',
      'ECONNRESET',
    );
  });
});

describe('TLS errors: handshakeClosedError', () => {
  it('names the target, with or without a system code', () => {
    assertError(
      handshakeClosedError({ operation: 'connect', path: '/tmp/x.sock' }),
      'tlsHandshakeClosed',
      '/tmp/x.sock closed the connection during the TLS handshake; it may not speak TLS, or refused what was offered.',
      undefined,
    );
    const e = handshakeClosedError({ operation: 'accept', address: '::1', port: 1 }, 'EPIPE');
    assert.deepStrictEqual([e.systemCode, e.values], ['EPIPE', { target: '[::1]:1' }]);
  });
});
