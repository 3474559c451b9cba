/**
 * The measured process of the relay and TLS benchmarks (bench/relay.mjs bundles it with esbuild). Modes:
 *   relay UPSTREAM_PORT     Socket Lab's StreamRelay (log on, a tap listener like a host's) on 127.0.0.1:0
 *   rawpipe UPSTREAM_PORT   the floor: a plain Node relay, `c.pipe(u); u.pipe(c)`, both sides half-open
 *   tlsSink CERT_DIR        a TLS server of Socket Lab's parts (net server + acceptTls, generated certificate)
 *                           that counts what it receives and ends on the client's end
 *   tlsRaw CERT_DIR         the floor: the same with a plain Node tls.Server
 * Prints {port} (and, for tlsSink, the certificate paths) once, then one JSON line per connection closed:
 * bytes each way, ms and this process's CPU ms over that connection. Ends when stdin closes.
 */
import * as net from 'net';
import * as tls from 'tls';
import { StreamRelay } from '../src/core/relay/streamRelay';
import { acceptTls, createServerContext } from '../src/core/tls/accept';
import { ensureGeneratedCredentials } from '../src/core/tls/certificates';

const [mode, arg] = process.argv.slice(2);
const print = (v: unknown) => process.stdout.write(JSON.stringify(v) + '\n');
process.stdin.on('end', () => process.exit(0)).resume();

/** Times one connection: from its first byte to its close, with this process's CPU time. */
function meter(): { start: () => void; done: (extra: Record<string, unknown>) => void } {
  let t0 = 0;
  let c0: NodeJS.CpuUsage | undefined;
  return {
    start: () => {
      if (t0) return;
      t0 = performance.now();
      c0 = process.cpuUsage();
    },
    done: (extra) => {
      const c = process.cpuUsage(c0);
      print({ ...extra, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 });
    },
  };
}

async function relay(upstreamPort: number): Promise<void> {
  const r = new StreamRelay({
    id: 'bench',
    listen: { address: '127.0.0.1', port: 0 },
    upstream: { host: '127.0.0.1', port: upstreamPort },
    connectTimeoutMs: 10000,
  });
  const meters = new Map<string, ReturnType<typeof meter>>();
  let taps = 0;
  // A host subscribes to the taps (to feed the panel): the bench pays for that listener too.
  r.onDidTap((t) => {
    taps++;
    meters.get(t.pairId)?.start();
  });
  r.onDidOpenPair((p) => meters.set(p.id, meter()));
  r.onDidClosePair((p) => {
    meters.get(p.id)?.done({ bytesToUpstream: p.bytesToUpstream, bytesToClient: p.bytesToClient, taps });
    meters.delete(p.id);
  });
  await r.start();
  print({ port: (r.local as { port: number }).port });
}

function rawPipe(upstreamPort: number): void {
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => {
    const m = meter();
    let up = 0;
    let down = 0;
    const u = net.connect({ host: '127.0.0.1', port: upstreamPort, allowHalfOpen: true }, () => {
      c.pipe(u);
      u.pipe(c);
    });
    c.on('data', (d: Buffer) => {
      m.start();
      up += d.length;
    });
    u.on('data', (d: Buffer) => (down += d.length));
    let closed = 0;
    const onClose = () => {
      if (++closed === 2) m.done({ bytesToUpstream: up, bytesToClient: down });
    };
    for (const [a, b] of [
      [c, u],
      [u, c],
    ]) {
      a.on('error', () => b.destroy());
      a.on('close', onClose);
    }
  });
  server.listen(0, '127.0.0.1', () => print({ port: (server.address() as net.AddressInfo).port }));
}

async function tlsSink(certDir: string): Promise<void> {
  const creds = await ensureGeneratedCredentials(certDir);
  const context = createServerContext({ cert: creds.cert, key: creds.key });
  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (raw) => {
    raw.on('error', () => undefined);
    acceptTls(raw, context, 10000, { operation: 'accept', address: raw.remoteAddress, port: raw.remotePort }).then(
      ({ socket, tls }) => {
        const m = meter();
        let bytes = 0;
        socket.on('data', (d: Buffer) => {
          m.start();
          bytes += d.length;
        });
        socket.on('end', () => {
          m.done({ bytes, cipher: tls.cipher, protocol: tls.protocol });
          socket.end();
        });
        socket.on('error', () => undefined);
      },
      () => undefined,
    );
  });
  server.listen(0, '127.0.0.1', () =>
    print({
      port: (server.address() as net.AddressInfo).port,
      caPath: creds.caPath,
      certPath: creds.certPath,
      keyPath: creds.keyPath,
    }),
  );
}

async function tlsRaw(certDir: string): Promise<void> {
  const creds = await ensureGeneratedCredentials(certDir);
  const server = tls.createServer({ cert: creds.cert, key: creds.key, allowHalfOpen: true }, (socket) => {
    const m = meter();
    let bytes = 0;
    socket.on('data', (d: Buffer) => {
      m.start();
      bytes += d.length;
    });
    socket.on('end', () => {
      m.done({ bytes });
      socket.end();
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1', () => print({ port: (server.address() as net.AddressInfo).port }));
}

if (mode === 'relay') void relay(Number(arg));
else if (mode === 'rawpipe') rawPipe(Number(arg));
else if (mode === 'tlsSink') void tlsSink(arg);
else if (mode === 'tlsRaw') void tlsRaw(arg);
else {
  process.stderr.write(`unknown mode ${mode}\n`);
  process.exit(2);
}
