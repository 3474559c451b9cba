// Relay and TLS benchmarks (issue 17), called by scripts/bench.mjs with its helpers:
// 12. relay throughput: bench/load/tcpSend.mjs → relay → a counting sink (bench/load/tcpCount.mjs), Socket
//     Lab's StreamRelay (log on) against `socat TCP-LISTEN:… TCP:…` (default and 128 KiB buffers) and a
//     plain Node `pipe` relay, interleaved in each run;
// 13. TLS receive: bench/load/tlsSend.mjs (a Node TLS client) into Socket Lab's TLS listener parts
//     (acceptTls with the generated certificate), `openssl s_server` and `ncat --ssl`, same certificate.
// Socket Lab runs in its own process (bench/relayProc.ts, bundled here); every peer is another process.
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

async function bundle(root, artifacts) {
  const outfile = path.join(artifacts, 'relayProc.cjs');
  await esbuild.build({
    entryPoints: [path.join(root, 'bench', 'relayProc.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  return outfile;
}

/** CPU ms (user + system) that /usr/bin/time wrote for a peer that has exited. */
function peerCpuMs(timeFile) {
  const [u, s] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
  return (u + s) * 1000;
}

/** Runs items 12 and 13 (as asked by --only=relay,tls) and adds their sections. */
export async function relayBenchmarks(h) {
  const { runs, quick, root, artifacts, wanted, Proc, node, waitListening, freePort, which, GiB } = h;
  const script = await bundle(root, artifacts);
  const timeFile = path.join(artifacts, 'peer-time.txt');
  const timed = (cmd, args, opts) =>
    new Proc('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, cmd, ...args], { label: cmd, ...opts });
  if (wanted('relay')) await relayThroughput(h, script, quick ? GiB / 2 : 2 * GiB, timeFile, timed);
  if (wanted('tls')) await tlsReceive(h, script, quick ? GiB / 4 : GiB, timeFile, timed);

  async function relayThroughput(h, script, bytes, timeFile, timed) {
    const contenders = ['Socket Lab relay (log on)', 'socat TCP-LISTEN TCP (default -b 8192)', 'socat -b 131072'];
    contenders.push('plain Node relay (c.pipe(u); u.pipe(c))');
    const gbps = Object.fromEntries(contenders.map((c) => [c, []]));
    const cpu = Object.fromEntries(contenders.map((c) => [c, []]));
    const sink = node('tcpCount.mjs', [900000]);
    const sinkPort = (await sink.next()).port;
    const lab = new Proc(process.execPath, [script, 'relay', sinkPort], { label: 'relayProc relay' });
    const labPort = (await lab.next()).port;
    const raw = new Proc(process.execPath, [script, 'rawpipe', sinkPort], { label: 'relayProc rawpipe' });
    const rawPort = (await raw.next()).port;
    try {
      for (let run = 0; run < runs; run++) {
        for (const c of h.rotate(contenders, run)) {
          let res;
          if (c.startsWith('Socket Lab') || c.startsWith('plain Node')) {
            const proc = c.startsWith('Socket Lab') ? lab : raw;
            res = await node('tcpSend.mjs', [
              c.startsWith('Socket Lab') ? labPort : rawPort,
              bytes,
              262144,
              180000,
            ]).next(190000);
            const pair = await proc.next(10000);
            if (pair.bytesToUpstream !== bytes) throw new Error(`${c} relayed ${pair.bytesToUpstream} of ${bytes}`);
            cpu[c].push(pair.cpuMs / (bytes / GiB));
          } else {
            const port = await freePort();
            fs.rmSync(timeFile, { force: true });
            const b = c.includes('131072') ? ['-b', '131072'] : [];
            const socat = timed('socat', [
              ...b,
              `TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr`,
              `TCP:127.0.0.1:${sinkPort}`,
            ]);
            await waitListening(port);
            res = await node('tcpSend.mjs', [port, bytes, 262144, 180000]).next(190000);
            await socat.done(15000);
            cpu[c].push(peerCpuMs(timeFile) / (bytes / GiB));
          }
          if (res.error) throw new Error(`${c}: ${res.error}`);
          const counted = await sink.next(10000);
          if (counted.bytes !== bytes) throw new Error(`${c}: the sink counted ${counted.bytes} of ${bytes}`);
          gbps[c].push(bytes / res.ms / 1e6);
        }
        process.stdout.write(`  relay run ${run + 1}/${runs} done\n`);
      }
    } finally {
      for (const p of [lab, raw, sink]) p.child.stdin.end();
    }
    const sl = gbps[contenders[0]];
    const rSocat = h.ratio(sl, gbps[contenders[1]]);
    h.section(
      `14. Relay throughput, ${bytes / GiB} GiB client → relay → counting sink over loopback (GB/s; sender bench/load/tcpSend.mjs, 256 KiB writes, time = connect to close after the FIN went through)`,
      ['relay', 'GB/s median (min–max)', 'Socket Lab ÷ this', 'relay CPU ms per GiB median (min–max)', 'target'],
      contenders.map((c, i) => [
        c,
        h.cell(gbps[c], 2),
        i === 0 ? '1.00' : h.fmt(h.ratio(sl, gbps[c]), 2),
        h.cell(cpu[c], 0),
        i === 1 ? `≥ 0.8x: ${h.verdict(rSocat >= 0.8)}` : '',
      ]),
      [
        "Socket Lab's relay logs both directions (TrafficLog, 8 MiB cap) and has a tap listener subscribed, as a host would.",
      ],
    );
    h.results.relay = { gbps, cpu };
  }

  async function tlsReceive(h, script, bytes, timeFile, timed) {
    const contenders = [
      'Socket Lab TLS listener parts (acceptTls, generated EC certificate)',
      'plain Node tls.createServer',
      'openssl s_server',
    ];
    if (which('ncat')) contenders.push('ncat --ssl -l --recv-only');
    const gbps = Object.fromEntries(contenders.map((c) => [c, []]));
    const cpu = Object.fromEntries(contenders.map((c) => [c, []]));
    const ciphers = new Set();
    const lab = new Proc(process.execPath, [script, 'tlsSink', path.join(artifacts, 'tls-bench')], {
      label: 'relayProc tlsSink',
    });
    const { port: labPort, caPath, certPath, keyPath } = await lab.next(30000);
    const raw = new Proc(process.execPath, [script, 'tlsRaw', path.join(artifacts, 'tls-bench')], {
      label: 'relayProc tlsRaw',
    });
    const { port: rawPort } = await raw.next(30000);
    try {
      for (let run = 0; run < runs; run++) {
        for (const c of h.rotate(contenders, run)) {
          let res;
          if (c.startsWith('Socket Lab') || c.startsWith('plain Node')) {
            const proc = c.startsWith('Socket Lab') ? lab : raw;
            res = await node('tlsSend.mjs', [proc === lab ? labPort : rawPort, bytes, 262144, 180000, caPath]).next(
              190000,
            );
            const r = await proc.next(10000);
            if (r.bytes !== bytes) throw new Error(`${c} received ${r.bytes} of ${bytes}`);
            cpu[c].push(r.cpuMs / (bytes / GiB));
          } else {
            const port = await freePort();
            fs.rmSync(timeFile, { force: true });
            // s_server's stdin stays open (it drops the connection when its stdin ends); its output is discarded.
            const peer = c.startsWith('openssl')
              ? timed(
                  'openssl',
                  [
                    's_server',
                    '-accept',
                    `127.0.0.1:${port}`,
                    '-cert',
                    certPath,
                    '-key',
                    keyPath,
                    '-naccept',
                    '1',
                    '-quiet',
                  ],
                  { stdout: 'ignore' },
                )
              : timed(
                  'ncat',
                  [
                    '-l',
                    '--ssl',
                    '--ssl-cert',
                    certPath,
                    '--ssl-key',
                    keyPath,
                    '--recv-only',
                    '127.0.0.1',
                    String(port),
                  ],
                  {
                    stdout: 'ignore',
                  },
                );
            await waitListening(port);
            res = await node('tlsSend.mjs', [port, bytes, 262144, 180000, caPath]).next(190000);
            peer.child.stdin.end();
            await peer.done(15000);
            cpu[c].push(peerCpuMs(timeFile) / (bytes / GiB));
          }
          if (res.error) throw new Error(`${c}: ${res.error}`);
          ciphers.add(`${res.protocol} ${res.cipher}`);
          gbps[c].push(bytes / res.ms / 1e6);
        }
        process.stdout.write(`  tls receive run ${run + 1}/${runs} done\n`);
      }
    } finally {
      lab.child.stdin.end();
      raw.child.stdin.end();
    }
    const sl = gbps[contenders[0]];
    h.section(
      `15. TLS receive, ${bytes / GiB} GiB from a Node TLS client (bench/load/tlsSend.mjs, 256 KiB writes) into each receiver, same certificate (GB/s, handshake done to close)`,
      ['receiver', 'GB/s median (min–max)', 'Socket Lab ÷ this', 'receiver CPU ms per GiB median (min–max)'],
      contenders.map((c, i) => [
        c,
        h.cell(gbps[c], 2),
        i === 0 ? '1.00' : h.fmt(h.ratio(sl, gbps[c]), 2),
        h.cell(cpu[c], 0),
      ]),
      [
        `Negotiated: ${[...ciphers].join('; ')}. One sender process encrypts for every receiver, so it bounds them all alike.`,
      ],
    );
    h.results.tls = { gbps, cpu };
  }
}
