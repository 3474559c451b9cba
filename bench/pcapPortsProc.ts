/**
 * The measured process of the pcapng and system-ports items (bundled and started by bench/pcapPorts.mjs):
 * one JSON line per command read from argv. `export RUNS DIR`: exports 100,000 logged records to pcapng
 * `RUNS` times; `ports RUNS HOLDER_PID`: lists the system ports `RUNS` times and counts the holder's.
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { exportPcapng } from '../src/core/pcap';
import { readSystemPorts } from '../src/core/ports';
import type { EndpointInfo, TrafficRecord } from '../src/shared/model';

const RECORDS = 100_000;
const RECORD_BYTES = 512;
const CONNECTIONS = 10;

/** A TCP listener's (or UDP socket's) log: 10 peers, requests and replies in turn, 512 bytes each. */
function log(kind: 'tcp-listener' | 'udp'): { endpoint: EndpointInfo; records: TrafficRecord[]; payload: number } {
  const prefix = kind === 'udp' ? 'p' : 'c';
  const connections = Array.from({ length: CONNECTIONS }, (_, i) => ({
    id: `e1.${prefix}${i + 1}`,
    remote: { address: '127.0.0.1', port: 61000 + i },
    state: 'connected' as const,
    bytesIn: 0,
    bytesOut: 0,
    messagesIn: 0,
    messagesOut: 0,
  }));
  const endpoint: EndpointInfo = {
    id: 'e1',
    kind,
    state: 'listening',
    local: { address: '127.0.0.1', port: 47001 },
    bytesIn: 0,
    bytesOut: 0,
    messagesIn: 0,
    messagesOut: 0,
    dropped: 0,
    connections,
  };
  const pool = Buffer.alloc(RECORD_BYTES * 64);
  for (let i = 0; i < pool.length; i++) pool[i] = (i * 131) & 0xff;
  const start = Date.now();
  const records: TrafficRecord[] = [];
  for (let i = 0; i < RECORDS; i++) {
    const c = connections[i % CONNECTIONS];
    const at = (i % 64) * RECORD_BYTES;
    records.push({
      time: start + i * 0.05,
      direction: Math.floor(i / CONNECTIONS) % 2 ? 'out' : 'in',
      peer: `127.0.0.1:${(c.remote as { port: number }).port}`,
      data: pool.subarray(at, at + RECORD_BYTES),
      connectionId: c.id,
    });
  }
  return { endpoint, records, payload: RECORDS * RECORD_BYTES };
}

async function exportRuns(runs: number, dir: string) {
  const out: Record<string, { ms: number[]; fileBytes: number; packets: number; payload: number }> = {};
  for (const kind of ['tcp-listener', 'udp'] as const) {
    const { endpoint, records, payload } = log(kind);
    const file = path.join(dir, `bench-${kind}.pcapng`);
    await exportPcapng(endpoint, records.slice(0, 1000), file); // warm-up
    const ms: number[] = [];
    let result = { bytes: 0, packets: 0 };
    for (let run = 0; run < runs; run++) {
      const t0 = performance.now();
      result = await exportPcapng(endpoint, records, file);
      ms.push(performance.now() - t0);
    }
    fs.rmSync(file, { force: true });
    out[kind] = { ms, fileBytes: result.bytes, packets: result.packets, payload };
  }
  return out;
}

async function portsRuns(runs: number, holderPid: number) {
  // The first listing finds every owner by looking through all processes; later ones check where they were.
  const cold0 = performance.now();
  await readSystemPorts();
  const coldMs = performance.now() - cold0;
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let total = 0;
  let held = 0;
  for (let run = 0; run < runs; run++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const ports = await readSystemPorts();
    ms.push(performance.now() - t0);
    const cpu = process.cpuUsage(cpu0);
    cpuMs.push((cpu.user + cpu.system) / 1000);
    total = ports.length;
    held = ports.filter((p) => p.pid === holderPid).length;
  }
  const processes = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e)).length;
  // Every socket of the namespace (connected and TIME-WAIT ones too) is a line the kernel writes and the reader scans.
  const lines = ['tcp', 'tcp6', 'udp', 'udp6']
    .map((f) => fs.readFileSync(`/proc/net/${f}`, 'latin1').split('\n').length - 2)
    .reduce((a, b) => a + b, 0);
  return { ms, cpuMs, coldMs, total, held, processes, lines };
}

async function main() {
  const [command, runs, arg] = process.argv.slice(2);
  const result =
    command === 'export' ? await exportRuns(Number(runs), arg) : await portsRuns(Number(runs), Number(arg));
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((err) => {
  process.stdout.write(JSON.stringify({ error: String(err?.stack ?? err) }) + '\n');
  process.exitCode = 1;
});
