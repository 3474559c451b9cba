// Framing benchmark (issue 14), run by scripts/bench.mjs as item 10 (`--only=framing`): line framing of
// 100-byte lines and length framing of 1 KiB frames over a real loopback TCP connection, Socket Lab's
// deframer (src/core/framing, bundled into bench/framingProc.ts) against a raw Node splitter written the
// obvious way (Buffer.concat of every read, then indexOf / the length field, and subarray) in the same
// receiver program, interleaved per run. Both hand every frame to the same counting sink and must count
// exactly the frames the sender wrote. The sender is another process (bench/load/framedSend.mjs).
import path from 'node:path';
import * as esbuild from 'esbuild';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Runs item 10 and adds its section; `h` holds scripts/bench.mjs's helpers and settings. */
export async function framingBenchmarks(h) {
  const { runs, quick, root, artifacts, section, cell, fmt, verdict, ratio, rotate, node, Proc } = h;
  const receiver = path.join(artifacts, 'framingProc.cjs');
  await esbuild.build({
    entryPoints: [path.join(root, 'bench', 'framingProc.ts')],
    outfile: receiver,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  const bytes = quick ? 256 * MiB : GiB;
  const contenders = ['Socket Lab deframer', 'raw Node splitter (concat + indexOf / length)'];
  const rows = [];
  const results = {};
  for (const kind of ['line', 'length']) {
    const procs = {};
    const ports = {};
    for (const c of contenders) {
      procs[c] = new Proc(
        process.execPath,
        [receiver, kind, c.startsWith('Socket') ? 'socketlab' : 'naive', 3_600_000],
        {
          label: `framingProc ${kind} ${c}`,
        },
      );
      ports[c] = (await procs[c].next(20000)).port;
    }
    const mbps = Object.fromEntries(contenders.map((c) => [c, []]));
    const fps = Object.fromEntries(contenders.map((c) => [c, []]));
    const cpu = Object.fromEntries(contenders.map((c) => [c, []]));
    try {
      for (let run = 0; run < runs; run++) {
        for (const c of rotate(contenders, run)) {
          const sent = await node('framedSend.mjs', [ports[c], bytes, kind, 180000]).next(190000);
          if (sent.error) throw new Error(`${kind} ${c}: sender: ${sent.error}`);
          const got = await procs[c].next(30000);
          if (got.bytes !== sent.bytes || got.frames !== sent.frames)
            throw new Error(
              `${kind} ${c}: got ${got.frames} frames / ${got.bytes} B of ${sent.frames} / ${sent.bytes}`,
            );
          mbps[c].push(got.bytes / got.ms / 1e3);
          fps[c].push(got.frames / (got.ms / 1000));
          cpu[c].push(got.cpuMs / (got.bytes / GiB));
        }
        process.stdout.write(`  framing ${kind} run ${run + 1}/${runs} done\n`);
      }
    } finally {
      for (const c of contenders) procs[c].child.stdin.end();
    }
    const r = ratio(mbps[contenders[0]], mbps[contenders[1]]);
    const label = kind === 'line' ? 'line (lf), 100-byte lines' : 'length (2 bytes BE), 1 KiB frames';
    for (const [i, c] of contenders.entries()) {
      rows.push([
        `${label}: ${c}`,
        cell(mbps[c], 0),
        cell(
          fps[c].map((x) => x / 1000),
          0,
        ),
        i === 0 ? fmt(r, 2) : '1.00',
        cell(cpu[c], 0),
        i === 0 ? `≥ 0.9x: ${verdict(r >= 0.9)}` : '',
      ]);
    }
    results[kind] = { mbps, fps, cpu };
  }
  section(
    `10. Framing over loopback TCP, ${bytes / MiB} MiB per run (receiver: bench/framingProc.ts, first byte to FIN; sender: bench/load/framedSend.mjs, 256 KiB writes)`,
    [
      'framing: receiver',
      'MB/s median (min–max)',
      'k frames/s median (min–max)',
      'Socket Lab ÷ raw',
      'receiver CPU ms per GiB median (min–max)',
      'target',
    ],
    rows,
    [
      'Both receivers run in the same program and hand each frame to the same counting sink; each run checks that both counted exactly the frames and bytes the sender wrote.',
    ],
  );
  return results;
}
