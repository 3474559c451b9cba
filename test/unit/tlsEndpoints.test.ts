/**
 * TLS listeners and clients as endpoints (SocketLab.startTlsListener / connectTls) against real peers:
 * openssl s_client and ncat --ssl verifying our listener with its generated CA, our client against
 * openssl s_server (a chain, ALPN), the failure sentences, and what works on TCP working on TLS too
 * (auto-reply, send and repeat, capture, restart, key log).
 */
import * as assert from 'assert';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { SocketLab } from '../../src/core/socketLab';
import type { EndpointInfo } from '../../src/shared/model';
import { makeCa, makeLeaf, writeFile } from '../helpers/certs';
import { rejectsWith } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { hasCommand, startPeer, waitForOutput, type Peer } from '../helpers/peers';
import { portOf, rawConnect } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

function need(cmd: string, ctx: Mocha.Context): void {
  if (!hasCommand(cmd)) {
    console.log(`      (skipped: ${cmd} is not installed)`);
    ctx.skip();
  }
}

/** `openssl s_server` on an ephemeral loopback port, its stdin kept open (it drops the connection otherwise). */
async function sServer(args: string[]): Promise<{ peer: Peer; port: number }> {
  const peer = startPeer('openssl', ['s_server', '-accept', '127.0.0.1:0', '-naccept', '1', ...args]);
  const m = await waitForOutput(peer, /ACCEPT 127\.0\.0\.1:(\d+)/);
  return { peer, port: Number(m[1]) };
}

/** The bytes an endpoint logged one way (all its connections), in order. */
function logged(lab: SocketLab, id: string, direction: 'in' | 'out'): string {
  return Buffer.concat(
    lab
      .traffic(id)
      .filter((r) => r.direction === direction)
      .map((r) => r.data),
  ).toString();
}

describe('TLS endpoints (startTlsListener, connectTls) with real peers', function () {
  this.timeout(30000);
  let dir: string;
  /** A lab keeping its generated certificates in a folder of this test (`dir`); both go when `fn` ends. */
  const withTlsLab = async (fn: (lab: SocketLab) => Promise<void>) => {
    const temp = tempDir();
    dir = temp.dir;
    try {
      await withLab(fn, { tlsFolder: path.join(dir, 'tls'), connectTimeoutMs: 5000 });
    } finally {
      temp.remove();
    }
  };

  it('a listener with no certificate uses the generated one: openssl s_client -CAfile <caPath> -verify_return_error trusts it both ways', async function () {
    need('openssl', this);
    await withTlsLab(async (lab) => {
      const listener = await lab.startTlsListener({ port: 0 });
      assert.strictEqual(listener.kind, 'tcp-listener');
      const caPath = listener.tls?.caPath;
      assert.ok(caPath && fs.existsSync(caPath), JSON.stringify(listener.tls));
      assert.strictEqual(path.dirname(caPath), path.join(dir, 'tls'));
      const client = startPeer('openssl', [
        's_client',
        '-connect',
        `127.0.0.1:${portOf(listener)}`,
        '-CAfile',
        caPath,
        '-verify_return_error',
        '-verify_ip',
        '127.0.0.1',
      ]);
      try {
        const info = await waitFor('the handshake done', () => lab.get(listener.id)?.connections[0]);
        const c = info.tls!;
        assert.match(c.protocol ?? '', /^TLSv1\.[23]$/);
        assert.ok(c.cipher, 'a cipher is named');
        assert.strictEqual(c.servername, undefined, 's_client sends no SNI for an address');
        // Both ways: the listener sends, then reads what the client typed (decrypted in its log).
        await lab.send({ target: info.id, data: 'hello from the listener\n' });
        await waitForOutput(client, /hello from the listener/);
        client.child.stdin!.write('ping over TLS\n');
        await waitFor('the line arrived', () => logged(lab, listener.id, 'in') === 'ping over TLS\n');
        // A TLS end: close_notify, then FIN; s_client exits cleanly on it.
        lab.halfClose({ id: info.id });
        assert.strictEqual(await client.exited(10000), 0, client.stderr());
        assert.match(client.stdout().toString(), /Verify return code: 0 \(ok\)/);
      } finally {
        await client.kill();
      }
    });
  });

  // ncat 7.93 checks DNS names only (not IP address SANs): by address it is told the name to check.
  it('ncat --ssl --ssl-verify --ssl-trustfile <caPath> talks to it; the auto-reply answers on the decrypted bytes', async function () {
    need('ncat', this);
    await withTlsLab(async (lab) => {
      const listener = await lab.startTlsListener({ port: 0, autoReply: { mode: 'fixed', data: 'pong\n' } });
      const client = startPeer(
        'ncat',
        [
          '--ssl',
          '--ssl-verify',
          '--ssl-trustfile',
          listener.tls!.caPath!,
          '--ssl-servername',
          'localhost',
          '127.0.0.1',
          String(portOf(listener)),
        ],
        'ping\n',
      );
      try {
        await waitForOutput(client, /pong/);
        await waitFor('the ping logged', () => logged(lab, listener.id, 'in') === 'ping\n');
        const c = lab.get(listener.id)!.connections[0];
        assert.strictEqual(c.tls?.servername, 'localhost');
        assert.strictEqual(logged(lab, listener.id, 'out'), 'pong\n');
        assert.strictEqual(c.bytesIn, 5);
      } finally {
        await client.kill();
      }
    });
  });

  describe('our client against openssl s_server', () => {
    it('a chain (leaf ← intermediate ← root) with ALPN: EndpointInfo.tls has protocol, cipher, ALPN, SNI and the chain', async function () {
      need('openssl', this);
      await withTlsLab(async (lab) => {
        const root = await makeCa('Endpoint Root');
        const inter = await makeCa('Endpoint Intermediate', root);
        const leaf = await makeLeaf(['localhost'], { issuer: inter });
        const { peer, port } = await sServer([
          '-cert',
          writeFile(dir, 'leaf.pem', leaf.cert),
          '-key',
          writeFile(dir, 'leaf.key', leaf.key),
          '-cert_chain',
          writeFile(dir, 'inter.pem', inter.cert),
          '-alpn',
          'h2,myproto/1',
        ]);
        try {
          const info = await lab.connectTls({
            host: 'localhost',
            port,
            ca: writeFile(dir, 'root.pem', root.cert),
            alpn: ['myproto/1', 'http/1.1'],
          });
          assert.strictEqual(info.kind, 'tcp-client');
          assert.strictEqual(info.state, 'connected');
          const tls = info.tls!;
          assert.strictEqual(tls.protocol, 'TLSv1.3');
          assert.strictEqual(tls.alpn, 'myproto/1');
          assert.strictEqual(tls.servername, 'localhost');
          assert.strictEqual(tls.authorized, true);
          assert.deepStrictEqual(
            tls.peerCertificates.map((c) => c.fingerprint256),
            [leaf, inter, root].map((p) => new crypto.X509Certificate(p.cert).fingerprint256),
          );
          assert.deepStrictEqual(
            tls.peerCertificates.map((c) => c.subject),
            ['CN=localhost', 'CN=Endpoint Intermediate', 'CN=Endpoint Root'],
          );
          await lab.send({ target: info.id, data: 'hello s_server\n' });
          await waitForOutput(peer, /hello s_server/);
          assert.match(peer.stdout().toString(), /ALPN protocols selected: myproto\/1/);
        } finally {
          await peer.kill();
        }
      });
    });

    it('a self-signed certificate is refused with a sentence naming it; insecure: true connects and says why it would have failed', async function () {
      need('openssl', this);
      await withTlsLab(async (lab) => {
        const lone = await makeLeaf(['localhost'], { cn: 'Lone Server' });
        const files = ['-cert', writeFile(dir, 'lone.pem', lone.cert), '-key', writeFile(dir, 'lone.key', lone.key)];
        const first = await sServer(files);
        try {
          await rejectsWith(
            lab.connectTls({ host: 'localhost', port: first.port }),
            'tlsSelfSigned',
            new RegExp(
              `^(localhost|127\\.0\\.0\\.1):${first.port} presented a self-signed certificate \\(Lone Server\\) that is not trusted`,
            ),
          );
          assert.deepStrictEqual(lab.list(), [], 'nothing stays open');
        } finally {
          await first.peer.kill();
        }
        const second = await sServer(files);
        try {
          const info = await lab.connectTls({ host: 'localhost', port: second.port, insecure: true });
          assert.strictEqual(info.state, 'connected');
          assert.strictEqual(info.tls?.authorized, false);
          assert.match(info.tls?.authorizationError ?? '', /self-signed certificate \(Lone Server\)/);
          assert.strictEqual(info.tls?.peerCertificates[0].selfIssued, true);
        } finally {
          await second.peer.kill();
        }
      });
    });

    it('a certificate for another host is refused with a sentence naming its names and ours', async function () {
      need('openssl', this);
      await withTlsLab(async (lab) => {
        const root = await makeCa('Names Root');
        const leaf = await makeLeaf(['elsewhere.example'], { issuer: root });
        const { peer, port } = await sServer([
          '-cert',
          writeFile(dir, 'other.pem', leaf.cert),
          '-key',
          writeFile(dir, 'other.key', leaf.key),
        ]);
        try {
          await rejectsWith(
            lab.connectTls({
              host: '127.0.0.1',
              port,
              servername: 'localhost',
              ca: writeFile(dir, 'r.pem', root.cert),
            }),
            'tlsWrongHost',
            /is for DNS:elsewhere\.example, not for localhost/,
          );
        } finally {
          await peer.kill();
        }
      });
    });
  });

  it('a plain TCP client of a TLS listener is shown as a closed connection saying it does not speak TLS', async () => {
    await withTlsLab(async (lab) => {
      const listener = await lab.startTlsListener({ port: 0 });
      const plain = await rawConnect({ host: '127.0.0.1', port: portOf(listener) });
      plain.socket.write('GET / HTTP/1.0\r\n\r\n');
      const c = await waitFor('the failed handshake listed', () => lab.get(listener.id)?.connections[0]);
      assert.strictEqual(c.state, 'closed');
      assert.match(c.error ?? '', /does not speak TLS|closed the connection during the TLS handshake/);
      assert.strictEqual(c.tls, undefined);
      await waitFor('the plain client closed', () => plain.closed());
    });
  });

  it('our client to our listener: echo, a repeat and a capture work on the decrypted bytes; the key log is written', async () => {
    await withTlsLab(async (lab) => {
      const listener = await lab.startTlsListener({
        port: 0,
        autoReply: { mode: 'echo' },
        capture: { path: path.join(dir, 'capture.jsonl') },
        keylogPath: path.join(dir, 'server-keys.log'),
      });
      assert.strictEqual(listener.tls?.keylogPath, path.join(dir, 'server-keys.log'));
      const client = await lab.connectTls({
        host: '127.0.0.1',
        port: portOf(listener),
        ca: listener.tls!.caPath!,
        keylogPath: path.join(dir, 'client-keys.log'),
      });
      assert.strictEqual(client.tls?.servername, undefined, 'no SNI for an address');
      assert.strictEqual(client.tls?.authorized, true, 'the generated certificate carries 127.0.0.1');
      const { repeatId } = await lab.send({ target: client.id, data: 'tick;', repeat: { intervalMs: 0, count: 3 } });
      assert.ok(repeatId);
      await waitFor('three echoes', () => logged(lab, client.id, 'in') === 'tick;tick;tick;');
      assert.strictEqual(logged(lab, listener.id, 'in'), 'tick;tick;tick;');
      const sent = await lab.send({ target: client.id, data: 'and wait', waitMs: 2000 });
      assert.strictEqual(Buffer.from(sent.reply!).toString(), 'and wait');
      await waitFor('the capture written', () => {
        const lines = fs.existsSync(path.join(dir, 'capture.jsonl'))
          ? fs.readFileSync(path.join(dir, 'capture.jsonl'), 'utf8').trim().split('\n')
          : [];
        const text = lines.map((l) => Buffer.from(JSON.parse(l).data, 'base64').toString()).join('');
        return text.includes('and wait') && text.includes('tick;');
      });
      lab.dispose();
      await waitFor('the key logs written', () => {
        const server = fs.existsSync(path.join(dir, 'server-keys.log'))
          ? fs.readFileSync(path.join(dir, 'server-keys.log'), 'utf8')
          : '';
        const own = fs.existsSync(path.join(dir, 'client-keys.log'))
          ? fs.readFileSync(path.join(dir, 'client-keys.log'), 'utf8')
          : '';
        return (
          /^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} /m.test(server) && own.includes('SERVER_TRAFFIC_SECRET_0')
        );
      });
    });
  });

  it('restart keeps the generated CA, so a client told to trust it still does', async () => {
    await withTlsLab(async (lab) => {
      const listener = await lab.startTlsListener({ port: 0 });
      const ca = fs.readFileSync(listener.tls!.caPath!, 'utf8');
      const again = await lab.restart({ id: listener.id });
      assert.strictEqual(again.tls?.caPath, listener.tls!.caPath);
      assert.strictEqual(fs.readFileSync(again.tls!.caPath!, 'utf8'), ca);
      const client = await lab.connectTls({ host: 'localhost', port: portOf(again), ca: again.tls!.caPath! });
      assert.strictEqual(client.tls?.authorized, true);
      assert.strictEqual(client.tls?.servername, 'localhost');
    });
  });

  it('given certificate files: the chain is sent; ALPN is enforced; requestClientCert shows the client certificate', async () => {
    await withTlsLab(async (lab) => {
      const root = await makeCa('Files Root');
      const leaf = await makeLeaf(['localhost'], { issuer: root });
      const clientLeaf = await makeLeaf(['socket-lab-client'], { issuer: root, cn: 'Lab Client' });
      const rootPath = writeFile(dir, 'root.pem', root.cert);
      const listener = await lab.startTlsListener({
        port: 0,
        cert: writeFile(dir, 'leaf.pem', leaf.cert),
        key: writeFile(dir, 'leaf.key', leaf.key),
        ca: rootPath,
        alpn: ['mqtt'],
        requestClientCert: true,
      });
      assert.strictEqual(listener.tls?.caPath, undefined, 'no generated CA when files are given');
      await rejectsWith(
        lab.connectTls({ host: 'localhost', port: portOf(listener), ca: rootPath, alpn: ['h2'] }),
        'tlsNoAlpn',
        /accepts none of the ALPN protocols offered \(h2\)/,
      );
      const client = await lab.connectTls({
        host: 'localhost',
        port: portOf(listener),
        ca: rootPath,
        alpn: ['h2', 'mqtt'],
        cert: writeFile(dir, 'client.pem', clientLeaf.cert),
        key: writeFile(dir, 'client.key', clientLeaf.key),
      });
      assert.strictEqual(client.tls?.alpn, 'mqtt');
      const accepted = await waitFor('the session listed', () =>
        lab.get(listener.id)?.connections.find((c) => c.state === 'connected' && c.tls),
      );
      assert.strictEqual(accepted.tls?.alpn, 'mqtt');
      assert.strictEqual(accepted.tls?.authorized, true);
      assert.strictEqual(accepted.tls?.peerCertificates[0].subject, 'CN=Lab Client');
    });
  });

  it('bad files and arguments are sentences naming the field', async () => {
    await withTlsLab(async (lab) => {
      await rejectsWith(
        lab.startTlsListener({ port: 0, cert: path.join(dir, 'missing.pem'), key: path.join(dir, 'missing.key') }),
        'fileNotFound',
      );
      await rejectsWith(lab.startTlsListener({ port: 0, alpn: [] }), 'invalidArgument', /^alpn must be a list/);
      await rejectsWith(
        lab.connectTls({ port: 443, servername: '127.0.0.1' }),
        'invalidArgument',
        /servername must be a host name, not an IP address/,
      );
      await rejectsWith(lab.connectTls({ port: 443, insecure: 'yes' as never }), 'invalidArgument', /insecure/);
      await rejectsWith(
        lab.startTlsListener({ port: 0, keylogPath: path.join(dir, 'no', 'such', 'keys.log') }),
        'fileNotFound',
        /Key log file \(keylogPath\)/,
      );
      assert.deepStrictEqual(lab.list(), []);
    });
  });

  it('maxConnections is kept and reported; the TLS name shows in sentences', async () => {
    await withTlsLab(async (lab) => {
      const listener: EndpointInfo = await lab.startTlsListener({ port: 0, maxConnections: 1 });
      assert.strictEqual(listener.maxConnections, 1);
      await rejectsWith(
        lab.send({ target: listener.id, data: 'x' }),
        'noConnections',
        new RegExp(`^TLS 127\\.0\\.0\\.1:${portOf(listener)} has no connected clients`),
      );
      const plain = net.connect(portOf(listener), '127.0.0.1');
      plain.on('error', () => undefined);
      plain.destroy();
    });
  });
});
