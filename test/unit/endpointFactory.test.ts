/**
 * What each opening command builds (endpointFactory.ts): the local address of a TCP client, TLS listeners
 * and clients, relays on Unix paths and with TLS, the UDP relay's limits and the refusal of external binds;
 * on real loopback sockets and Unix paths.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import '../helpers/noLeaks';
import { rejectsWith } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { freePort, portOf, rawConnect, rawServer } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

import type { LookupFunction } from '../../src/core/resolveHost';
import { SocketLabError } from '../../src/shared/errors';

/** A resolver that knows 'everywhere.test' (all interfaces) and 'device.test' (loopback) and nothing else. */
const lookup = ((host: string, _options: unknown, cb: (err: Error | null, address: string, family: number) => void) => {
  if (host === 'everywhere.test') cb(null, '0.0.0.0', 4);
  else if (host === 'device.test') cb(null, '127.0.0.1', 4);
  else cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), '', 0);
}) as unknown as LookupFunction;

describe('endpointFactory: what each opening command builds (real sockets)', function () {
  this.timeout(30000);
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => (temp = tempDir()));
  afterEach(() => temp.remove());

  it('a TCP client binds the localAddress it was given', () =>
    withLab(async (lab) => {
      const server = await rawServer('127.0.0.1');
      try {
        const c = await lab.connectTcp({ port: server.port, localAddress: '127.0.0.2' });
        assert.deepStrictEqual(
          c.local && 'address' in c.local ? c.local.address : undefined,
          '127.0.0.2',
          JSON.stringify(c.local),
        );
        await waitFor('the server’s connection', () => server.sockets[0]);
        assert.strictEqual(server.sockets[0].remoteAddress, '127.0.0.2');
      } finally {
        await server.close();
      }
    }));

  it('startTlsListener and connectTls: the client trusts the generated CA, agrees on ALPN and writes its key log', () =>
    withLab(
      async (lab) => {
        const listener = await lab.startTlsListener({ port: 0, alpn: ['x-lab'] });
        assert.strictEqual(listener.kind, 'tcp-listener');
        const caPath = listener.tls?.caPath;
        assert.ok(caPath && fs.existsSync(caPath), JSON.stringify(listener.tls));
        const keylogPath = path.join(temp.dir, 'keys.log');
        const client = await lab.connectTls({ port: portOf(listener), ca: caPath, alpn: ['x-lab'], keylogPath });
        assert.strictEqual(client.kind, 'tcp-client');
        assert.strictEqual(client.tls?.alpn, 'x-lab');
        assert.strictEqual(client.tls?.authorized, true);
        await lab.send({ target: client.id, data: 'over tls' });
        await waitFor('the listener read it', () => lab.get(listener.id)!.bytesIn === 8);
        await waitFor('the key log written', () => fs.existsSync(keylogPath) && fs.statSync(keylogPath).size > 0);
      },
      { tlsFolder: path.join(temp.dir, 'tls'), connectTimeoutMs: 10000 },
    ));

  it('a relay listening on a Unix path forwards to a TCP upstream, as protocol tcp', () =>
    withLab(async (lab) => {
      const upstream = await rawServer('127.0.0.1');
      try {
        const file = path.join(temp.dir, 'relay.sock');
        const r = await lab.startRelay({
          listen: { path: file },
          upstream: { host: '127.0.0.1', port: upstream.port },
        });
        assert.deepStrictEqual(r.local, { path: file });
        assert.deepStrictEqual(r.relay, { protocol: 'tcp', tlsListen: false, tlsUpstream: false });
        const c = await rawConnect({ path: file });
        try {
          c.socket.write('via unix');
          await waitFor('the upstream got it', () => upstream.received().toString() === 'via unix');
        } finally {
          c.socket.destroy();
        }
      } finally {
        await upstream.close();
      }
    }));

  it('a relay listens on the host and port it was given, and forwards to a Unix upstream', () =>
    withLab(async (lab) => {
      const file = path.join(temp.dir, 'up.sock');
      const up = await lab.startUnixListener({ path: file });
      const port = await freePort();
      const r = await lab.startRelay({ listen: { host: '127.0.0.1', port }, upstream: { path: file } });
      assert.deepStrictEqual(r.local, { address: '127.0.0.1', port });
      assert.strictEqual(r.remote && 'path' in r.remote ? r.remote.path : undefined, file, JSON.stringify(r.remote));
      const c = await rawConnect({ host: '127.0.0.1', port });
      try {
        c.socket.write('to unix');
        await waitFor('the Unix listener got it', () => lab.get(up.id)!.bytesIn === 7);
      } finally {
        c.socket.destroy();
      }
    }));

  it('a relay with TLS on both sides: TLS to its clients, and to a TLS upstream it checks with the CA given', () =>
    withLab(
      async (lab) => {
        const upstream = await lab.startTlsListener({ port: 0 });
        const caPath = upstream.tls!.caPath!;
        const r = await lab.startRelay({
          listen: { port: 0 },
          upstream: { host: '127.0.0.1', port: portOf(upstream) },
          tls: { listen: true, upstream: { ca: caPath } },
        });
        assert.deepStrictEqual(r.relay, { protocol: 'tcp', tlsListen: true, tlsUpstream: true });
        const client = await lab.connectTls({ port: portOf(r), ca: caPath });
        assert.strictEqual(client.tls?.authorized, true);
        await lab.send({ target: client.id, data: 'hello' });
        await waitFor('the TLS upstream read it', () => lab.get(upstream.id)!.bytesIn === 5);
      },
      { tlsFolder: path.join(temp.dir, 'tls'), connectTimeoutMs: 10000 },
    ));

  it('a UDP relay refuses Unix paths and TLS on either side, naming the field', () =>
    withLab(async (lab) => {
      const up = { host: '127.0.0.1', port: 9 };
      const cases: [Parameters<typeof lab.startRelay>[0], string, RegExp][] = [
        [{ protocol: 'udp', listen: { path: path.join(temp.dir, 'u.sock') }, upstream: up }, 'listen', /Unix path/],
        [
          { protocol: 'udp', listen: { port: 0 }, upstream: { path: path.join(temp.dir, 'u.sock') } },
          'upstream',
          /Unix path/,
        ],
        [{ protocol: 'udp', listen: { port: 0 }, upstream: up, tls: { listen: true } }, 'tls', /DTLS/],
        [{ protocol: 'udp', listen: { port: 0 }, upstream: up, tls: { upstream: true } }, 'tls', /DTLS/],
      ];
      for (const [args, field, says] of cases) {
        try {
          await lab.startRelay(args);
          assert.fail(`accepted ${JSON.stringify(args)}`);
        } catch (err) {
          assert.ok(err instanceof SocketLabError, String(err));
          assert.strictEqual(err.code, 'invalidArgument');
          assert.strictEqual(err.values.field, field);
          assert.match(err.message, says);
        }
      }
      await rejectsWith(
        lab.startRelay({ protocol: 'udp', listen: { port: 0 }, upstream: up, tls: { upstream: true } }),
        'invalidArgument',
        /^tls is only for protocol 'tcp': there is no TLS over UDP here \(DTLS is not supported\)\.$/,
      );
      assert.deepStrictEqual(lab.list(), []);
    }));

  it('binding all interfaces is refused without allowExternal, by address or by a host name resolving to one', () =>
    withLab(
      async (lab) => {
        try {
          await lab.startTcpListener({ host: '0.0.0.0', port: 0 });
          assert.fail('bound 0.0.0.0');
        } catch (err) {
          assert.ok(err instanceof SocketLabError, String(err));
          assert.strictEqual(err.code, 'externalBindNotAllowed');
          assert.strictEqual(
            err.message,
            'Binding 0.0.0.0 makes the port reachable from the network; pass allowExternal: true to do it.',
          );
          assert.deepStrictEqual(err.values, { address: '0.0.0.0', field: 'allowExternal' });
        }
        try {
          await lab.startUdpListener({ host: 'everywhere.test', port: 0 });
          assert.fail('bound everywhere.test');
        } catch (err) {
          assert.ok(err instanceof SocketLabError, String(err));
          assert.strictEqual(err.code, 'externalBindNotAllowed');
          assert.strictEqual(
            err.message,
            'Binding everywhere.test (0.0.0.0) makes the port reachable from the network; pass allowExternal: true to do it.',
          );
          assert.deepStrictEqual(err.values, { address: '0.0.0.0', host: 'everywhere.test', field: 'allowExternal' });
        }
        // A name resolving to loopback is fine, and kept beside its address.
        const l = await lab.startTcpListener({ host: 'device.test', port: 0 });
        assert.strictEqual(l.host, 'device.test');
      },
      { lookup },
    ));
});
