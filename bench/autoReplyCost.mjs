// Auto-reply rule cost (issue 12, finding 1), run by scripts/bench.mjs as item `--only=autoReply`: the
// microseconds per message of a regex rule (linear-time engine, src/core/linearRegex.ts) against a contains
// rule on the same 64-byte messages, half matching; target: regex at most 3x contains.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as esbuild from 'esbuild';

/** Runs the item and adds its section; `h` holds scripts/bench.mjs's helpers and settings. */
export async function autoReplyCostBenchmarks(h) {
  const { runs, quick, root, artifacts, section, cell, fmt, verdict, ratio } = h;
  const driver = path.join(artifacts, 'autoReplyCostProc.cjs');
  await esbuild.build({
    entryPoints: [path.join(root, 'bench', 'autoReplyCostProc.ts')],
    outfile: driver,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  const count = quick ? 50_000 : 200_000;
  const us = { contains: [], regex: [] };
  for (let run = 0; run < runs; run++) {
    const r = spawnSync(process.execPath, [driver, String(count)], { encoding: 'utf8', timeout: 120000 });
    const line = JSON.parse(r.stdout.trim().split('\n').at(-1));
    us.contains.push(line.contains);
    us.regex.push(line.regex);
  }
  const r = ratio(us.regex, us.contains);
  section(
    `16. Auto-reply rule cost: µs per 64-byte message (half match), ${count.toLocaleString('en')} messages per run (driver bench/autoReplyCostProc.ts)`,
    ['rule', 'µs per message', 'regex ÷ contains', 'target'],
    [
      ['contains "seq="', cell(us.contains, 2), '1.00', ''],
      ['regex seq=(\\d+) (re2js)', cell(us.regex, 2), fmt(r, 2), `≤ 3x ${verdict(r !== undefined && r <= 3)}`],
    ],
  );
}
