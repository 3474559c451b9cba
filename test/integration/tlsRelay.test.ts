/**
 * The TLS and relay commands in the real extension host: startTlsListener (the generated CA kept in the
 * workspace storage, Copy CA Path), connectTls (verified against it; an untrusted certificate refused with
 * its sentence, insecure on request), startRelay (a pair as one connection, both directions in its log,
 * injection toward either side), and the Sockets view's words and menus for them.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as tls from 'tls';
import * as vscode from 'vscode';
import type { EndpointInfo, TrafficRecord } from '../../src/shared/model';
import { makeLeaf } from '../helpers/certs';
import { rejection } from '../helpers/errors';
import { resolvedItem, run, socketLab, type TestApi } from '../helpers/extensionHost';
import { portOf, rawServer, type RawServer } from '../helpers/sockets';
import { waitFor } from '../helpers/wait';

/** The bytes an endpoint logged one way, in order. */
function logged(api: TestApi, id: string, direction: 'in' | 'out'): string {
  return Buffer.concat(
    api
      .traffic(id)
      .filter((r: TrafficRecord) => r.direction === direction)
      .map((r: TrafficRecord) => r.data),
  ).toString();
}

describe('TLS and relay commands (real extension host)', () => {
  let api: TestApi;
  const closers: (() => unknown)[] = [];

  before(async () => {
    api = await socketLab();
  });

  afterEach(async () => {
    // Socket Lab's ends first: a server's close() waits for the connections our endpoints still hold.
    await run('stopAll', {});
    for (const close of closers.splice(0)) await close();
    assert.deepStrictEqual(api.list(), [], 'stopAll left endpoints');
  });

  it('startTlsListener with no certificate: a generated CA in the workspace storage, Copy CA Path, a verified connectTls both ways', async () => {
    const listener = await run<EndpointInfo>('startTlsListener', { port: 0 });
    assert.strictEqual(listener.kind, 'tcp-listener');
    const caPath = listener.tls?.caPath;
    assert.ok(caPath && fs.existsSync(caPath), JSON.stringify(listener.tls));
    assert.match(fs.readFileSync(caPath, 'utf8'), /^-----BEGIN CERTIFICATE-----/);

    const copied = await run<{ caPath: string }>('copyCaPath', { id: listener.id });
    assert.strictEqual(copied.caPath, caPath);
    assert.strictEqual(await vscode.env.clipboard.readText(), caPath);

    const client = await run<EndpointInfo>('connectTls', { host: 'localhost', port: portOf(listener), ca: caPath });
    assert.strictEqual(client.state, 'connected');
    assert.strictEqual(client.tls?.authorized, true);
    assert.strictEqual(client.tls?.servername, 'localhost');
    assert.match(client.tls?.protocol ?? '', /^TLSv1\.[23]$/);

    await run('send', { target: client.id, data: 'over TLS' });
    await waitFor('the listener got the decrypted bytes', () => logged(api, listener.id, 'in') === 'over TLS');
    const accepted = api.list().find((e) => e.id === listener.id)!.connections[0];
    await run('send', { target: accepted.id, data: 'and back' });
    await waitFor('the client got the answer', () => logged(api, client.id, 'in') === 'and back');

    const { tree } = api._test;
    const roots = tree.getChildren();
    const listenerItem = resolvedItem(
      tree,
      roots.find((n) => n.id === listener.id)!,
    );
    assert.strictEqual(listenerItem.label, `TLS 127.0.0.1:${portOf(listener)}`);
    // Spoken as TLS, in words (issue 19).
    assert.match(
      String(listenerItem.accessibilityInformation?.label),
      new RegExp(`^TLS listener on 127\\.0\\.0\\.1 port ${portOf(listener)}, listening, 1 client, received `),
    );
    assert.match(String(listenerItem.contextValue), /^endpoint\.tcp-listener\.live\.ca$/, 'Copy CA Path is offered');
    assert.ok((listenerItem.tooltip as vscode.MarkdownString).value.includes(caPath), 'the tooltip names the CA');
    const clientItem = resolvedItem(
      tree,
      roots.find((n) => n.id === client.id)!,
    );
    assert.strictEqual(clientItem.label, `TLS → 127.0.0.1:${portOf(listener)}`);
    assert.match(
      String(clientItem.accessibilityInformation?.label),
      new RegExp(`^TLS client to 127\\.0\\.0\\.1 port ${portOf(listener)}, connected, received `),
    );
    assert.strictEqual(clientItem.contextValue, 'endpoint.tcp-client.live', 'a client can be half-closed');
    const tip = (clientItem.tooltip as vscode.MarkdownString).value;
    assert.match(tip, /TLSv1\\\.[23]/);
    assert.match(tip, /SNI localhost/);
    assert.match(tip, /SHA\\-256 [0-9A-F]{2}:/, 'the chain with fingerprints (Markdown-escaped)');

    const noCa = await rejection(run('copyCaPath', { id: client.id }));
    assert.match(noCa, /has no generated CA/);
  });

  it('connectTls refuses a certificate it does not trust with a sentence; insecure: true connects and says why', async () => {
    const lone = await makeLeaf(['localhost'], { cn: 'Lone Integration' });
    const server = tls.createServer({ cert: lone.cert, key: lone.key }, (s) => {
      s.on('error', () => undefined);
      s.end('hi');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => server.close(r)));
    const port = (server.address() as net.AddressInfo).port;

    const refused = await rejection(run('connectTls', { host: 'localhost', port }));
    assert.match(refused, /self-signed certificate \(Lone Integration\) that is not trusted/);
    assert.deepStrictEqual(api.list(), [], 'nothing stays open after a refusal');

    const info = await run<EndpointInfo>('connectTls', { host: 'localhost', port, insecure: true });
    assert.strictEqual(info.tls?.authorized, false);
    assert.match(info.tls?.authorizationError ?? '', /Lone Integration/);
  });

  describe('startRelay', () => {
    let upstream: RawServer;

    beforeEach(async () => {
      upstream = await rawServer('127.0.0.1', (s) => s.on('data', (d) => s.write(`echo:${d}`)));
      closers.push(() => upstream.close());
    });

    it('a pair is one connection with both directions in its log; send injects toward the side asked', async () => {
      const relay = await run<EndpointInfo>('startRelay', {
        listen: { port: 0 },
        upstream: { host: '127.0.0.1', port: upstream.port },
      });
      assert.strictEqual(relay.kind, 'relay');
      assert.strictEqual(relay.state, 'listening');
      assert.deepStrictEqual(relay.relay, { protocol: 'tcp', tlsListen: false, tlsUpstream: false });

      const client = net.connect(portOf(relay), '127.0.0.1');
      client.on('error', () => undefined);
      closers.push(() => client.destroy());
      const got: Buffer[] = [];
      client.on('data', (d) => got.push(d));
      client.write('ping');
      await waitFor('the echo through the relay', () => Buffer.concat(got).toString() === 'echo:ping');
      await waitFor('both directions logged', () => logged(api, relay.id, 'out') === 'echo:ping');
      assert.strictEqual(logged(api, relay.id, 'in'), 'ping');
      const pair = api.list().find((e) => e.id === relay.id)!.connections[0];
      assert.strictEqual(pair.bytesIn, 4);
      assert.strictEqual(pair.bytesOut, 9);
      assert.ok(pair.upstreamLocal, 'the relay side toward the server is known');

      await run('send', { target: pair.id, data: 'to-server', direction: 'toUpstream' });
      await waitFor('the server got the injection', () => upstream.received().toString() === 'pingto-server');
      await run('send', { target: pair.id, data: '|to-client', direction: 'toClient' });
      await waitFor('the client got it', () => Buffer.concat(got).toString().includes('|to-client'));

      const missing = await rejection(run('send', { target: pair.id, data: 'x' }));
      assert.match(missing, /needs a direction: 'toUpstream' \(to the server\) or 'toClient'/);
      const notRelay = await rejection(run('startRelay', { listen: { port: 0 } }));
      assert.match(notRelay, /upstream/);

      const { tree } = api._test;
      const root = tree.getChildren().find((n) => n.id === relay.id)!;
      const item = resolvedItem(tree, root);
      assert.strictEqual(item.label, `Relay 127.0.0.1:${portOf(relay)} → 127.0.0.1:${upstream.port}`);
      // Spoken in words, without the arrow (issue 19).
      assert.match(
        String(item.accessibilityInformation?.label),
        new RegExp(
          `^TCP relay from 127\\.0\\.0\\.1 port ${portOf(relay)} to 127\\.0\\.0\\.1 port ${upstream.port}, listening, 1 client, received \\d+ B, sent \\d+ B$`,
        ),
      );
      const [child] = tree.getChildren(root);
      const childItem = resolvedItem(tree, child);
      assert.strictEqual(childItem.contextValue, 'connection.relay.live', 'no half-close menu on a pair');
      assert.match((childItem.tooltip as vscode.MarkdownString).value, /Relay side toward the server/);
    });

    it('tls.listen: clients trust the generated CA through Copy CA Path; the bytes reach the plain server', async () => {
      const relay = await run<EndpointInfo>('startRelay', {
        listen: { port: 0 },
        upstream: { host: '127.0.0.1', port: upstream.port },
        tls: { listen: true },
      });
      const { caPath } = await run<{ caPath: string }>('copyCaPath', { id: relay.id });
      const client = tls.connect({
        host: '127.0.0.1',
        port: portOf(relay),
        servername: 'localhost',
        ca: fs.readFileSync(caPath),
      });
      client.on('error', () => undefined);
      closers.push(() => client.destroy());
      await new Promise<void>((r) => client.once('secureConnect', () => r()));
      assert.strictEqual(client.authorized, true);
      const got: Buffer[] = [];
      client.on('data', (d) => got.push(d));
      client.write('secret');
      await waitFor('the echo through the TLS relay', () => Buffer.concat(got).toString() === 'echo:secret');
      assert.strictEqual(upstream.received().toString(), 'secret', 'the server sees plain bytes');
      const pair = await waitFor('the pair with its TLS session', () =>
        api
          .list()
          .find((e) => e.id === relay.id)
          ?.connections.find((c) => c.tls),
      );
      assert.strictEqual(pair.tls?.servername, 'localhost');
    });
  });
});
