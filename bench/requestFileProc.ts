/**
 * The driver of the request-file round-trip benchmark (bench/requestFiles.mjs), bundled by it with esbuild:
 * COUNT send/expect round trips on one TCP connection to an echo server, either as one block of a request
 * file run by Socket Lab's runner, or by a hand-written Node client doing the same steps (write a message,
 * wait until as many bytes came back, compare them, next). Prints {ms, roundTrips, cpuMs}; the timing covers
 * connect to the last comparison (the request file is parsed before the clock starts).
 * Usage: node requestFileProc.cjs PORT COUNT socketlab|raw
 */
import * as net from 'net';
import { performance } from 'perf_hooks';
import { runRequestFile } from '../src/core/requestFile/runner';
import { parseRequestFile } from '../src/shared/requestFile/parser';

const [portText, countText, contender] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
/** The n-th message: the same text both contenders send. */
const message = (n: number) => `round trip ${String(n).padStart(6, '0')}`;

async function socketLab(): Promise<number> {
  const lines = [`connect tcp 127.0.0.1:${port}`];
  for (let i = 0; i < count; i++) lines.push(`send text ${message(i)}`, `expect text ${message(i)}`);
  const { file, problems } = parseRequestFile(lines.join('\n'));
  if (problems.length) throw new Error(problems[0].error.message);
  cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await runRequestFile(file);
  const ms = performance.now() - started;
  if (result.failed) throw new Error(result.blocks[0].failure!.message);
  return ms;
}

async function raw(): Promise<number> {
  cpuBefore = process.cpuUsage();
  const started = performance.now();
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let held: Buffer = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    held = held.length ? Buffer.concat([held, chunk]) : chunk;
    waiting?.();
  });
  for (let i = 0; i < count; i++) {
    const bytes = Buffer.from(message(i));
    socket.write(bytes);
    while (held.length < bytes.length) await new Promise<void>((resolve) => (waiting = resolve));
    if (!held.subarray(0, bytes.length).equals(bytes)) throw new Error(`round trip ${i}: wrong echo`);
    held = held.subarray(bytes.length);
  }
  const ms = performance.now() - started;
  socket.destroy();
  return ms;
}

/** CPU use counted from the clock's start (parsing the request file is not part of the round trips). */
let cpuBefore = process.cpuUsage();
(contender === 'socketlab' ? socketLab() : raw()).then(
  (ms) => {
    const cpu = process.cpuUsage(cpuBefore);
    console.log(JSON.stringify({ ms, roundTrips: count, cpuMs: (cpu.user + cpu.system) / 1000 }));
  },
  (err) => {
    console.log(JSON.stringify({ error: String(err instanceof Error ? err.message : err) }));
    process.exitCode = 1;
  },
);
