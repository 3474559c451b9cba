/**
 * The ClientHello reader a TLS relay uses to learn the client's SNI and ALPN before answering it: real hellos
 * from Node's TLS client, hand-cut truncated and malformed ones, and peekClientHello on real loopback sockets
 * (the bytes read are put back, whatever the client sent).
 */
import * as assert from 'assert';
import * as net from 'net';
import * as tls from 'tls';
import '../helpers/noLeaks';
import { parseClientHello, peekClientHello } from '../../src/core/tls/clientHello';
import { acceptTls, createServerContext } from '../../src/core/tls/accept';
import { makeLeaf } from '../helpers/certs';

/** A big-endian u16. */
function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
}

/** One extension: type, length, body. */
function extension(type: number, body: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(body.length), body]);
}

/** A server_name extension holding `entries` ([name type, name bytes]); `listDelta` skews the list length. */
function sniExtension(entries: [number, Buffer, number?][], listDelta = 0): Buffer {
  const list = Buffer.concat(
    entries.map(([type, name, lengthDelta = 0]) =>
      Buffer.concat([Buffer.from([type]), u16(name.length + lengthDelta), name]),
    ),
  );
  return extension(0x0000, Buffer.concat([u16(list.length + listDelta), list]));
}

/** An ALPN extension holding `protocols` ([name, length delta]); `listDelta` skews the list length. */
function alpnExtension(protocols: [string, number?][], listDelta = 0): Buffer {
  const list = Buffer.concat(
    protocols.map(([p, lengthDelta = 0]) =>
      Buffer.concat([Buffer.from([p.length + lengthDelta]), Buffer.from(p, 'latin1')]),
    ),
  );
  return extension(0x0010, Buffer.concat([u16(list.length + listDelta), list]));
}

/** A ClientHello body: version, random, empty session id, one suite, null compression, then `tail`. */
function helloBody(tail: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from([3, 3]),
    Buffer.alloc(32, 7),
    Buffer.from([0]),
    u16(2),
    u16(0x1301),
    Buffer.from([1, 0]),
    tail,
  ]);
}

/** The extensions block of `extensions`, its length skewed by `delta`. */
function extensionsBlock(extensions: Buffer[], delta = 0): Buffer {
  const all = Buffer.concat(extensions);
  return Buffer.concat([u16(all.length + delta), all]);
}

/** A handshake record holding one message of `type` whose length field is skewed by `delta`. */
function handshakeRecord(body: Buffer, type = 0x01, delta = 0): Buffer {
  const length = body.length + delta;
  const message = Buffer.concat([Buffer.from([type, length >> 16, (length >> 8) & 0xff, length & 0xff]), body]);
  return Buffer.concat([Buffer.from([0x16, 3, 1]), u16(message.length), message]);
}

const LAB = Buffer.from('lab.example');
const helloWith = (extensions: Buffer[], delta = 0) => handshakeRecord(helloBody(extensionsBlock(extensions, delta)));

/** The first TLS record Node's client sends with `options` (to a plain TCP server that reads it and hangs up). */
async function captureClientHello(options: tls.ConnectionOptions): Promise<Buffer> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const captured = new Promise<Buffer>((resolve) =>
    server.once('connection', (s) => {
      let all = Buffer.alloc(0);
      s.on('data', (chunk: Buffer) => {
        all = Buffer.concat([all, chunk]);
        if (all.length >= 5 && all.length >= 5 + all.readUInt16BE(3)) {
          resolve(all.subarray(0, 5 + all.readUInt16BE(3)));
          s.destroy();
        }
      });
    }),
  );
  const client = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options });
  const clientClosed = new Promise((resolve) => client.once('close', resolve));
  client.on('error', () => undefined); // the server hangs up mid-handshake on purpose
  const hello = await captured;
  await clientClosed;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return hello;
}

describe('parseClientHello: real ClientHellos from Node', () => {
  it("reads the SNI name and the ALPN list of Node's ClientHello", async () => {
    const hello = await captureClientHello({ servername: 'lab.example', ALPNProtocols: ['h2', 'http/1.1'] });
    assert.deepStrictEqual(parseClientHello(hello), { servername: 'lab.example', alpn: ['h2', 'http/1.1'] });
  });

  it('a hello without SNI and ALPN (connecting by IP address) asks for nothing', async () => {
    const hello = await captureClientHello({});
    assert.deepStrictEqual(parseClientHello(hello), {});
  });

  it("every prefix of a real hello is 'incomplete'; the bytes after the record are not read", async () => {
    const hello = await captureClientHello({ servername: 'lab.example', ALPNProtocols: ['x/1'] });
    for (let n = 0; n < hello.length; n++) {
      assert.strictEqual(parseClientHello(hello.subarray(0, n)), 'incomplete', `${n} of ${hello.length} bytes`);
    }
    const followed = Buffer.concat([hello, Buffer.from('junk after the record')]);
    assert.deepStrictEqual(parseClientHello(followed), { servername: 'lab.example', alpn: ['x/1'] });
  });

  it('a handshake record holding another message (a ServerHello) is not a ClientHello', async () => {
    const hello = await captureClientHello({ servername: 'lab.example' });
    const other = Buffer.from(hello);
    other[5] = 0x02;
    assert.strictEqual(parseClientHello(other), undefined);
  });

  it('a record of another content type (application data) is not read, however it looks', async () => {
    const hello = await captureClientHello({ servername: 'lab.example' });
    const appData = Buffer.from(hello);
    appData[0] = 0x17;
    assert.strictEqual(parseClientHello(appData), undefined);
  });
});

describe('parseClientHello: the record header', () => {
  it("no bytes yet is 'incomplete'; one byte that is not a handshake ('G' of an HTTP request) is not TLS", () => {
    assert.strictEqual(parseClientHello(Buffer.alloc(0)), 'incomplete');
    assert.strictEqual(parseClientHello(Buffer.from('G')), undefined);
    assert.strictEqual(parseClientHello(Buffer.from([0x16])), 'incomplete');
    assert.strictEqual(parseClientHello(Buffer.from('GET / HTTP/1.1\r\n\r\n')), undefined);
  });

  it('an empty handshake record (length 0) holds no ClientHello', () => {
    assert.strictEqual(parseClientHello(Buffer.from([0x16, 3, 1, 0, 0])), undefined);
  });

  it("a record of exactly 2^14 bytes is awaited; one byte more is beyond TLS's limit and not read", () => {
    assert.strictEqual(parseClientHello(Buffer.from([0x16, 3, 1, 0x40, 0x00])), 'incomplete');
    assert.strictEqual(parseClientHello(Buffer.from([0x16, 3, 1, 0x40, 0x01])), undefined);
  });

  it('reads a hello inside a larger buffer at a byte offset (a slice of a read chunk)', () => {
    const hello = helloWith([sniExtension([[0, LAB]])]);
    const chunk = Buffer.concat([Buffer.from('xyz'), hello]);
    assert.deepStrictEqual(parseClientHello(chunk.subarray(3)), { servername: 'lab.example' });
  });
});

describe('parseClientHello: hand-cut hellos', () => {
  it('reads SNI and ALPN in either order', () => {
    const sni = sniExtension([[0, LAB]]);
    const alpn = alpnExtension([['h2'], ['http/1.1']]);
    const expected = { servername: 'lab.example', alpn: ['h2', 'http/1.1'] };
    assert.deepStrictEqual(parseClientHello(helloWith([sni, alpn])), expected);
    assert.deepStrictEqual(parseClientHello(helloWith([alpn, sni])), expected);
    assert.deepStrictEqual(parseClientHello(helloWith([extension(0x0017, Buffer.alloc(0)), alpn])), {
      alpn: ['h2', 'http/1.1'],
    });
  });

  it('a hello with no extensions block at all asks for nothing', () => {
    assert.deepStrictEqual(parseClientHello(handshakeRecord(helloBody(Buffer.alloc(0)))), {});
    assert.deepStrictEqual(parseClientHello(handshakeRecord(helloBody(u16(0)))), {});
  });

  it('a hello whose length runs past its record (a hello split over records) is not read', () => {
    const body = helloBody(extensionsBlock([sniExtension([[0, LAB]])]));
    assert.strictEqual(parseClientHello(handshakeRecord(body, 0x01, 1)), undefined);
    assert.deepStrictEqual(parseClientHello(handshakeRecord(body, 0x01, 0)), { servername: 'lab.example' });
  });

  it('an extensions length past the end of the hello is cut to the hello', () => {
    const exts = [sniExtension([[0, LAB]]), alpnExtension([['h2']])];
    assert.deepStrictEqual(parseClientHello(helloWith(exts, 10)), { servername: 'lab.example', alpn: ['h2'] });
  });

  it('an extension running past the extensions block makes the hello unreadable', () => {
    const sni = sniExtension([[0, LAB]]);
    const alpn = alpnExtension([['h2']]);
    // The block length stops 5 bytes into the ALPN extension (past its header); the hello still holds all of it.
    assert.strictEqual(parseClientHello(helloWith([sni, alpn], -(alpn.length - 5))), undefined);
    // An empty SNI extension (no list length) as the last one: malformed, and nothing after it to read instead.
    assert.strictEqual(parseClientHello(helloWith([alpn, extension(0x0000, Buffer.alloc(0))])), undefined);
  });

  it('an SNI entry of an unknown name type is skipped, a host_name after it is read', () => {
    const alpn = alpnExtension([['h2']]);
    const unknownOnly = sniExtension([[1, Buffer.from('ab')]]);
    assert.deepStrictEqual(parseClientHello(helloWith([alpn, unknownOnly])), { servername: undefined, alpn: ['h2'] });
    const unknownThenName = sniExtension([
      [1, Buffer.from('ab')],
      [0, LAB],
    ]);
    assert.deepStrictEqual(parseClientHello(helloWith([alpn, unknownThenName])), {
      servername: 'lab.example',
      alpn: ['h2'],
    });
  });

  it('an SNI name whose length runs past its extension is not read (the next extension is not taken as the name)', () => {
    const alpn = alpnExtension([['h2'], ['http/1.1']]);
    const overrun = sniExtension([[0, Buffer.from('lab'), 20]], 20);
    assert.deepStrictEqual(parseClientHello(helloWith([overrun, alpn])), {
      servername: undefined,
      alpn: ['h2', 'http/1.1'],
    });
    // A name a few bytes too long for its list, the list itself as long as the extension.
    const slightlyLong = sniExtension([[0, Buffer.from('lab'), 4]]);
    assert.deepStrictEqual(parseClientHello(helloWith([slightlyLong, alpn])), {
      servername: undefined,
      alpn: ['h2', 'http/1.1'],
    });
  });

  it('an ALPN list length past its extension is cut to the extension', () => {
    const overrun = alpnExtension([['h2']], 10);
    const sni = sniExtension([[0, LAB]]);
    assert.deepStrictEqual(parseClientHello(helloWith([overrun, sni])), { servername: 'lab.example', alpn: ['h2'] });
  });

  it('an ALPN protocol one byte longer than its list is dropped, the ones before it kept', () => {
    const sni = sniExtension([[0, LAB]]);
    const overrun = alpnExtension([['h2'], ['http/1.1', 1]]);
    assert.deepStrictEqual(parseClientHello(helloWith([overrun, sni])), { servername: 'lab.example', alpn: ['h2'] });
    assert.deepStrictEqual(parseClientHello(helloWith([alpnExtension([])])), { alpn: [] });
  });
});

/** A plain TCP server that pauses accepted sockets (as a relay does); `accepted()` gives the next one. */
async function pausedServer(
  allowHalfOpen = false,
): Promise<{ port: number; accepted: () => Promise<net.Socket>; close: () => Promise<void> }> {
  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted: () => new Promise((resolve) => server.once('connection', resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Reads `n` bytes from `socket` (resuming it). */
function readBytes(socket: net.Socket, n: number): Promise<Buffer> {
  return new Promise((resolve) => {
    let all = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      all = Buffer.concat([all, chunk]);
      if (all.length >= n) {
        socket.off('data', onData);
        socket.pause();
        resolve(all);
      }
    };
    socket.on('data', onData);
    socket.resume();
  });
}

/** How many listeners `socket` has for the events peekClientHello listens to. */
function listenerCounts(socket: net.Socket): number[] {
  return ['data', 'end', 'close'].map((e) => socket.listenerCount(e));
}

describe('peekClientHello on real loopback sockets', function () {
  this.timeout(20000);

  it("learns a real client's SNI and ALPN, leaves no listener behind, and the handshake then runs on the same socket", async () => {
    const leaf = await makeLeaf(['lab.example']);
    const server = await pausedServer();
    const rawP = server.accepted();
    const client = tls.connect({
      host: '127.0.0.1',
      port: server.port,
      servername: 'lab.example',
      ALPNProtocols: ['h2', 'http/1.1'],
      rejectUnauthorized: false,
    });
    const clientSecure = new Promise<void>((resolve, reject) => {
      client.once('secureConnect', resolve);
      client.once('error', reject);
    });
    const raw = await rawP;
    const before = listenerCounts(raw);
    const hello = await peekClientHello(raw, 10_000);
    assert.deepStrictEqual(hello, { servername: 'lab.example', alpn: ['h2', 'http/1.1'] });
    assert.deepStrictEqual(listenerCounts(raw), before);
    const accepted = await acceptTls(raw, createServerContext({ ...leaf, alpn: ['http/1.1'] }), 10_000, {
      operation: 'accept',
    });
    await clientSecure;
    assert.strictEqual(accepted.tls.servername, 'lab.example');
    assert.strictEqual(accepted.tls.alpn, 'http/1.1');
    assert.strictEqual(client.alpnProtocol, 'http/1.1');
    const closed = new Promise((resolve) => client.once('close', resolve));
    accepted.socket.destroy();
    client.destroy();
    await closed;
    await server.close();
  });

  it('a hello that arrives in two pieces is put together, and every byte is put back in order', async () => {
    const hello = await captureClientHello({ servername: 'lab.example', ALPNProtocols: ['h2'] });
    const server = await pausedServer();
    const rawP = server.accepted();
    const client = net.connect(server.port, '127.0.0.1');
    const raw = await rawP;
    const peeked = peekClientHello(raw, 10_000);
    const firstPieceSeen = new Promise((resolve) => raw.once('data', resolve));
    client.write(hello.subarray(0, 10));
    await firstPieceSeen;
    client.write(hello.subarray(10));
    assert.deepStrictEqual(await peeked, { servername: 'lab.example', alpn: ['h2'] });
    assert.deepStrictEqual(await readBytes(raw, hello.length), hello);
    client.destroy();
    raw.destroy();
    await server.close();
  });

  it('a client speaking plain HTTP: nothing learned, and its request is put back', async () => {
    const server = await pausedServer();
    const rawP = server.accepted();
    const client = net.connect(server.port, '127.0.0.1');
    const raw = await rawP;
    const request = Buffer.from('GET / HTTP/1.1\r\nHost: lab\r\n\r\n');
    client.write(request);
    assert.strictEqual(await peekClientHello(raw, 10_000), undefined);
    assert.deepStrictEqual(await readBytes(raw, request.length), request);
    client.destroy();
    raw.destroy();
    await server.close();
  });

  it('a client that sends half a hello and stalls: nothing learned at the timeout, and the half is put back', async () => {
    const hello = await captureClientHello({ servername: 'lab.example' });
    const server = await pausedServer();
    const rawP = server.accepted();
    const client = net.connect(server.port, '127.0.0.1');
    const raw = await rawP;
    const half = hello.subarray(0, 20);
    const firstPieceSeen = new Promise((resolve) => raw.once('data', resolve));
    const peeked = peekClientHello(raw, 300);
    client.write(half);
    await firstPieceSeen;
    assert.strictEqual(await peeked, undefined);
    assert.deepStrictEqual(await readBytes(raw, half.length), half);
    client.destroy();
    raw.destroy();
    await server.close();
  });

  it('a client that ends (FIN) before its hello is done: nothing learned at once, not at the timeout', async () => {
    const hello = await captureClientHello({ servername: 'lab.example' });
    for (const sent of [Buffer.alloc(0), hello.subarray(0, 20)]) {
      // Half-open, as a relay's listener is: the end comes alone, the close only once we end too.
      const server = await pausedServer(true);
      const rawP = server.accepted();
      const client = net.connect(server.port, '127.0.0.1');
      const raw = await rawP;
      client.end(sent);
      assert.strictEqual(await peekClientHello(raw, 600_000), undefined);
      assert.strictEqual(raw.destroyed, false);
      raw.destroy();
      client.destroy();
      await server.close();
    }
  });

  it('a client that resets the connection before its hello: nothing learned at once, not at the timeout', async () => {
    const server = await pausedServer(true);
    const rawP = server.accepted();
    const client = net.connect(server.port, '127.0.0.1');
    const raw = await rawP;
    raw.on('error', () => undefined); // ECONNRESET: the reset is the point of the test
    client.resetAndDestroy();
    assert.strictEqual(await peekClientHello(raw, 600_000), undefined);
    await server.close();
  });
});
