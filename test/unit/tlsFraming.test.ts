/**
 * Framing on TLS endpoints, as on TCP: a TLS listener cuts the decrypted stream of a real Node TLS client
 * into lines (one auto-reply per line), connectTls cuts a Node TLS server's length-prefixed messages, and
 * setFraming, openSpec and the relay's refusal behave.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tls from 'tls';
import '../helpers/noLeaks';
import { SocketLab } from '../../src/core/socketLab';
import type { TrafficRecord } from '../../src/shared/model';
import { makeCa, makeLeaf, writeFile } from '../helpers/certs';
import { withLab } from '../helpers/lab';
import { portOf } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

/** The records of `id` that went one way, as text and frame fields. */
function records(lab: SocketLab, id: string, direction: 'in' | 'out') {
  return lab
    .traffic(id)
    .filter((r) => r.direction === direction)
    .map((r: TrafficRecord) => {
      const fields: Record<string, unknown> = { data: Buffer.from(r.data).toString('latin1') };
      for (const key of ['partial', 'delimiterBytes', 'headerBytes'] as const) {
        if (r[key] !== undefined) fields[key] = r[key];
      }
      return fields;
    });
}

/** A 2-byte big-endian length prefix and its payload. */
function lengthFrame(payload: string): Buffer {
  const body = Buffer.from(payload, 'latin1');
  const header = Buffer.alloc(2);
  header.writeUInt16BE(body.length);
  return Buffer.concat([header, body]);
}

describe('framing on TLS endpoints', function () {
  this.timeout(30000);
  const withTlsLab = async (fn: (lab: SocketLab, dir: string) => Promise<void>) => {
    const temp = tempDir();
    try {
      await withLab((lab) => fn(lab, temp.dir), { tlsFolder: path.join(temp.dir, 'tls'), connectTimeoutMs: 5000 });
    } finally {
      temp.remove();
    }
  };

  it('a TLS listener with line framing gets two lines sent in one write by a Node TLS client as two records, and replies to each once', () =>
    withTlsLab(async (lab) => {
      const listener = await lab.startTlsListener({
        port: 0,
        framing: { mode: 'line' },
        autoReply: { mode: 'rules', rules: [{ contains: 'PING', reply: { data: 'PONG\\n' } }] },
      });
      assert.deepStrictEqual(listener.framing, { mode: 'line', eol: 'any', maxFrameBytes: 1024 * 1024 });
      const client = tls.connect({
        host: '127.0.0.1',
        port: portOf(listener),
        ca: fs.readFileSync(listener.tls!.caPath!),
      });
      const received: Buffer[] = [];
      try {
        await new Promise<void>((resolve, reject) => {
          client.once('secureConnect', resolve);
          client.once('error', reject);
        });
        client.on('data', (chunk: Buffer) => received.push(chunk));
        client.write('PING 1\nPING 2\n');
        await waitFor('two replies', () => Buffer.concat(received).toString() === 'PONG\nPONG\n');
        const [c] = lab.get(listener.id)!.connections;
        assert.deepStrictEqual(records(lab, c.id, 'in'), [
          { data: 'PING 1\n', delimiterBytes: 1 },
          { data: 'PING 2\n', delimiterBytes: 1 },
        ]);
        assert.deepStrictEqual(
          records(lab, c.id, 'out'),
          [{ data: 'PONG\n' }, { data: 'PONG\n' }],
          'one reply per line',
        );
        assert.strictEqual(lab.get(listener.id)!.messagesIn, 2);
        // A restart after a reload opens it with the same framing.
        assert.deepStrictEqual(lab.openSpec(listener.id)?.args.framing, listener.framing);
      } finally {
        client.destroy();
      }
      await waitFor('the client gone', () => lab.get(listener.id)!.connections.every((c) => c.state === 'closed'));
    }));

  it('connectTls with length framing cuts the messages of a Node TLS server; setFraming changes it live', () =>
    withTlsLab(async (lab, dir) => {
      const root = await makeCa('Framing Root');
      const leaf = await makeLeaf(['localhost'], { issuer: root });
      const sockets: tls.TLSSocket[] = [];
      const server = tls.createServer({ cert: leaf.cert, key: leaf.key }, (s) => {
        sockets.push(s);
        s.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const port = (server.address() as { port: number }).port;
        const info = await lab.connectTls({
          host: 'localhost',
          port,
          ca: writeFile(dir, 'root.pem', root.cert),
          framing: { mode: 'length', bytes: 2 },
        });
        assert.strictEqual(info.tls?.authorized, true);
        assert.deepStrictEqual(info.framing?.mode, 'length');
        const peer = await waitFor('the server accepted', () => sockets[0]);
        // Two whole messages and the start of a third in one write; the third's rest later.
        const third = lengthFrame('third one');
        peer.write(Buffer.concat([lengthFrame('hello'), lengthFrame('world!'), third.subarray(0, 4)]));
        await waitFor('two frames', () => records(lab, info.id, 'in').length === 2);
        peer.write(third.subarray(4));
        await waitFor('three frames', () => records(lab, info.id, 'in').length === 3);
        assert.deepStrictEqual(records(lab, info.id, 'in'), [
          { data: '\x00\x05hello', headerBytes: 2 },
          { data: '\x00\x06world!', headerBytes: 2 },
          { data: '\x00\x09third one', headerBytes: 2 },
        ]);
        const changed = lab.setFraming({ id: info.id, framing: { mode: 'delimiter', delimiter: ';' } });
        assert.strictEqual(changed.framing?.mode, 'delimiter');
        peer.write('a;b;');
        await waitFor('two more frames', () => records(lab, info.id, 'in').length === 5);
        assert.deepStrictEqual(records(lab, info.id, 'in').slice(3), [
          { data: 'a;', delimiterBytes: 1 },
          { data: 'b;', delimiterBytes: 1 },
        ]);
        assert.deepStrictEqual(lab.openSpec(info.id)?.args.framing, changed.framing);
      } finally {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }));

  it('a relay refuses setFraming with a sentence saying it is a relay', () =>
    withTlsLab(async (lab) => {
      const upstream = await lab.startTcpListener({ port: 0 });
      const relay = await lab.startRelay({
        listen: { port: 0 },
        upstream: { host: '127.0.0.1', port: portOf(upstream) },
      });
      assert.throws(
        () => lab.setFraming({ id: relay.id, framing: { mode: 'line' } }),
        (e: Error & { code?: string }) =>
          e.code === 'framingNotForRelay' && /is a relay: .*has no framing to set/.test(e.message),
      );
    }));
});
