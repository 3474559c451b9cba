// Request-file benchmarks (issue 15), run by scripts/bench.mjs as item 11 (`--only=reqfiles`):
// a) 10,000 send/expect round trips in one block against a Node echo server (bench/load/echoServer.mjs),
//    Socket Lab's runner against a hand-written Node client doing the same steps, both in the same driver
//    program (bench/requestFileProc.ts), interleaved per run;
// b) the wall time of one-shot commands (start, connect, send, expect the echo, exit): the socket-lab CLI
//    (dist/cli.js) beside ncat and Packet Sender's command line.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as esbuild from 'esbuild';

/** Wall time of one process from spawn to exit, in ms, with its output and exit code; it is killed after timeoutMs. */
function timed(cmd, args, { input, env, timeoutMs = 20000 } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    child.on('error', reject);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ms: performance.now() - started, out, code });
    });
    child.stdin.end(input ?? '');
  });
}

/** Runs item 11 and adds its sections; `h` holds scripts/bench.mjs's helpers and settings. */
export async function requestFileBenchmarks(h) {
  const { runs, quick, root, artifacts, section, cell, fmt, verdict, ratio, rotate, node, which } = h;
  const driver = path.join(artifacts, 'requestFileProc.cjs');
  await esbuild.build({
    entryPoints: [path.join(root, 'bench', 'requestFileProc.ts')],
    outfile: driver,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  const echo = node('echoServer.mjs', [3_600_000]);
  const port = (await echo.next()).port;
  const results = {};
  try {
    // a) round trips
    const count = 10_000;
    const contenders = ['Socket Lab runner (one block)', 'hand-written Node client'];
    const rate = Object.fromEntries(contenders.map((c) => [c, []]));
    const cpu = Object.fromEntries(contenders.map((c) => [c, []]));
    for (let run = 0; run < runs; run++) {
      for (const c of rotate(contenders, run)) {
        const { ms, roundTrips, cpuMs, error } = await new Promise((resolve, reject) => {
          const child = spawn(process.execPath, [driver, port, count, c.startsWith('Socket') ? 'socketlab' : 'raw']);
          let out = '';
          child.stdout.on('data', (d) => (out += d));
          child.stderr.on('data', (d) => (out += d));
          const timer = setTimeout(() => child.kill('SIGKILL'), 120000);
          child.on('close', () => {
            clearTimeout(timer);
            try {
              resolve(JSON.parse(out.trim().split('\n').at(-1)));
            } catch {
              reject(new Error(`requestFileProc ${c}: ${out.slice(-500)}`));
            }
          });
        });
        if (error) throw new Error(`${c}: ${error}`);
        if (roundTrips !== count) throw new Error(`${c}: ${roundTrips} of ${count} round trips`);
        rate[c].push(count / (ms / 1000));
        cpu[c].push((cpuMs * 1000) / count);
      }
      process.stdout.write(`  request-file round trips run ${run + 1}/${runs} done\n`);
    }
    const r = ratio(rate[contenders[0]], rate[contenders[1]]);
    section(
      `13a. Request files: ${count.toLocaleString('en')} send/expect round trips in one block over loopback TCP (Node echo server bench/load/echoServer.mjs; driver bench/requestFileProc.ts; time = connect to the last comparison)`,
      [
        'client',
        'round trips/s median (min–max)',
        'Socket Lab ÷ hand-written',
        'CPU µs per round trip (whole driver process)',
        'target',
      ],
      contenders.map((c, i) => [
        c,
        cell(rate[c], 0),
        i === 0 ? fmt(r, 2) : '1.00',
        cell(cpu[c], 1),
        i === 0 ? `≥ 0.5x: ${verdict(r >= 0.5)}` : '',
      ]),
      [
        'Both send the same 19-byte messages and wait for their echo before the next; the hand-written client compares with Buffer.equals, the runner runs the parsed block (expanding variables, encoding, a timeout and a cancel hook per expect, a bounded transcript).',
      ],
    );
    results.roundTrips = { rate, cpu };

    // b) one-shot wall time
    const cli = path.join(root, 'dist', 'cli.js');
    if (!fs.existsSync(cli)) throw new Error('dist/cli.js is missing: run npm run build first');
    const file = path.join(artifacts, 'oneshot.socklab');
    fs.writeFileSync(file, `connect tcp 127.0.0.1:${port}\nsend text hello\nexpect text hello\n`);
    const shots = {
      'socket-lab run (dist/cli.js)': () => timed(process.execPath, [cli, 'run', file]),
      ...(which('ncat')
        ? {
            'ncat (stdin "hello", prints the echo)': () =>
              timed('ncat', ['127.0.0.1', String(port)], { input: 'hello' }),
          }
        : {}),
      ...(which('packetsender')
        ? {
            'packetsender -t -A -w 100': () =>
              timed('packetsender', ['-t', '-A', '-w', '100', '127.0.0.1', String(port), 'hello'], {
                env: { QT_QPA_PLATFORM: 'offscreen' },
              }),
          }
        : {}),
    };
    const names = Object.keys(shots);
    const wall = Object.fromEntries(names.map((n) => [n, []]));
    const repeats = quick ? 10 : 30;
    for (let i = 0; i < repeats; i++) {
      for (const n of rotate(names, i)) {
        const { ms, out, code } = await shots[n]();
        // Packet Sender's exit status is not 0 on success (it exits 5 here): its output is what shows the echo.
        const ok = n.startsWith('socket-lab') ? code === 0 && out.includes('ok 1') : out.includes('hello');
        if (!ok) throw new Error(`${n}: no echo (exit ${code}): ${out.slice(-500)}`);
        wall[n].push(ms);
      }
    }
    section(
      `13b. Request files: one-shot wall time (process start, connect, send "hello", receive its echo, exit), ${repeats} runs each, interleaved`,
      ['command', 'wall ms median (min–max)', 'this ÷ socket-lab'],
      names.map((n) => [n, cell(wall[n], 0), fmt(ratio(wall[n], wall[names[0]]), 2)]),
      [
        "Node starting and loading the CLI bundle is most of socket-lab's time. Packet Sender needs -w to receive the echo and stays for the whole wait even after the reply came (-w 100 is plenty on loopback), and starts a Qt application.",
      ],
    );
    results.oneShot = wall;
  } finally {
    echo.child.stdin.end();
  }
  return results;
}
