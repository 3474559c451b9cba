/**
 * The measured process: Socket Lab's core plus the host's own subscribers (the Sockets tree provider and
 * the public API, run on bench/vscodeShim.ts), driven over IPC by scripts/bench.mjs. It never generates
 * load itself except where Socket Lab is the sender under test (TCP send, UDP burst), so it behaves like
 * an extension host: all peers live in other processes.
 */
import * as fs from 'fs';
import { Session } from 'inspector';
import { monitorEventLoopDelay, performance } from 'perf_hooks';
import { SocketLab } from '../src/core/socketLab';
import { PublicApi } from '../src/host/api';
import { SocketsTreeProvider, type SocketNode } from '../src/host/socketsTree';

type Msg = { seq: number; cmd: string; args?: Record<string, unknown> };

const lab = new SocketLab({});
// The subscribers the extension host always has (the status bar and the lifecycle log only listen to
// onDidChangeEndpoints, so they are left out; the send panel is measured separately).
// BENCH_SUBSCRIBERS=none|tree|api|all (default all) attributes costs to the host's subscribers.
const subscribers = process.env.BENCH_SUBSCRIBERS ?? 'all';
const tree = new SocketsTreeProvider(subscribers === 'all' || subscribers === 'tree' ? lab : new SocketLab({}));
const api = new PublicApi(subscribers === 'all' || subscribers === 'api' ? lab : new SocketLab({}));
let receivedBatches = 0;
api.onDidReceive(() => receivedBatches++);

const repeatEnds = new Map<string, (e: { sent: number; error?: string }) => void>();
lab.onDidEndRepeat((e) => {
  const done = repeatEnds.get(e.repeatId);
  if (done) {
    repeatEnds.delete(e.repeatId);
    done(e);
  }
});

let eld: ReturnType<typeof monitorEventLoopDelay> | undefined;
let rssTimer: NodeJS.Timeout | undefined;
let rssPeak = 0;
let rssStart = 0;
let treeRefreshStart = 0;
let batchesStart = 0;
let windowStart = 0;
let cpuStart: NodeJS.CpuUsage | undefined;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Builds what the Sockets view asks for when an endpoint with N children is expanded: getChildren + getTreeItem of every child. */
function buildTreeChildren(endpointId: string): number {
  const roots = tree.getChildren();
  const root = roots.find((n) => n.id === endpointId) as SocketNode;
  tree.getTreeItem(root);
  const children = tree.getChildren(root);
  let n = 0;
  for (const c of children) if (tree.getTreeItem(c).label) n++;
  return n;
}

const handlers: Record<string, (a: Record<string, unknown>) => unknown> = {
  async tcpListen() {
    const info = await lab.startTcpListener({ host: '127.0.0.1', port: 0 });
    return { id: info.id, port: (info.local as { port: number }).port };
  },
  async udpListen() {
    const info = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
    return { id: info.id, port: (info.local as { port: number }).port };
  },
  async udpClient(a) {
    const info = await lab.openUdpClient({ host: '127.0.0.1', port: Number(a.port) });
    return { id: info.id };
  },
  async connectTcp(a) {
    const info = await lab.connectTcp({ host: '127.0.0.1', port: Number(a.port) });
    return { id: info.id };
  },
  stop(a) {
    lab.stop({ id: String(a.id) });
    return {};
  },
  halfClose(a) {
    lab.halfClose({ id: String(a.id) });
    return {};
  },
  info(a) {
    const i = lab.get(String(a.id));
    if (!i) return undefined;
    return {
      state: i.state,
      bytesIn: i.bytesIn,
      bytesOut: i.bytesOut,
      messagesIn: i.messagesIn,
      messagesOut: i.messagesOut,
      dropped: i.dropped,
      connected: i.connections.filter((c) => c.state === 'connected').length,
      connections: i.connections.length,
    };
  },
  /** Repeat send; resolves when the repeat has ended (every datagram / write handed to the OS or accepted). */
  async repeat(a) {
    const t0 = performance.now();
    const r = await lab.send({
      target: String(a.target),
      data: String(a.data),
      format: 'base64',
      repeat: { intervalMs: 0, count: Number(a.count) },
      ...(a.to ? { to: a.to as { host: string; port: number } } : {}),
    });
    const end = await new Promise<{ sent: number; error?: string }>((resolve) => repeatEnds.set(r.repeatId!, resolve));
    return { ms: performance.now() - t0, sent: end.sent, error: end.error };
  },
  /** Starts a measuring window: event-loop delay histogram, RSS peak sampling, UI update counters. */
  windowStart(a) {
    eld?.disable();
    eld = monitorEventLoopDelay({ resolution: Number(a.resolutionMs ?? 2) });
    eld.enable();
    global.gc?.();
    rssStart = process.memoryUsage().rss;
    rssPeak = rssStart;
    clearInterval(rssTimer);
    rssTimer = setInterval(() => {
      const r = process.memoryUsage().rss;
      if (r > rssPeak) rssPeak = r;
    }, 20);
    treeRefreshStart = tree.refreshCount;
    batchesStart = receivedBatches;
    windowStart = performance.now();
    cpuStart = process.cpuUsage();
    return {};
  },
  windowStop() {
    const seconds = (performance.now() - windowStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    eld?.disable();
    clearInterval(rssTimer);
    const r = process.memoryUsage().rss;
    if (r > rssPeak) rssPeak = r;
    const h = eld!;
    return {
      seconds,
      cpuMs: (cpu.user + cpu.system) / 1000,
      eldP50Ms: h.percentile(50) / 1e6,
      eldP99Ms: h.percentile(99) / 1e6,
      eldMaxMs: h.max / 1e6,
      rssStartMB: rssStart / 2 ** 20,
      rssPeakMB: rssPeak / 2 ** 20,
      treeRefreshesPerSec: (tree.refreshCount - treeRefreshStart) / seconds,
      apiBatchesPerSec: (receivedBatches - batchesStart) / seconds,
    };
  },
  /** Times list() and the tree's children at the current size, `reps` times each; medians and maxima in ms. */
  timeViews(a) {
    const reps = Number(a.reps ?? 7);
    const listMs: number[] = [];
    const treeMs: number[] = [];
    let children = 0;
    for (let i = 0; i < reps; i++) {
      let t = performance.now();
      const l = lab.list();
      listMs.push(performance.now() - t);
      if (!l.length) throw new Error('nothing listed');
      t = performance.now();
      children = buildTreeChildren(String(a.id));
      treeMs.push(performance.now() - t);
    }
    const profileFile = process.env.BENCH_PROFILE_TREE;
    if (profileFile) {
      // A CPU profile of just the tree build (10 repetitions), for BENCHMARKS.md.
      const session = new Session();
      session.connect();
      session.post('Profiler.enable');
      session.post('Profiler.setSamplingInterval', { interval: 100 });
      session.post('Profiler.start');
      for (let i = 0; i < 10; i++) buildTreeChildren(String(a.id));
      session.post('Profiler.stop', (err, res) => {
        if (!err) fs.writeFileSync(profileFile, JSON.stringify(res.profile));
        session.disconnect();
      });
    }
    global.gc?.();
    return {
      listMs: median(listMs),
      listMaxMs: Math.max(...listMs),
      treeMs: median(treeMs),
      treeMaxMs: Math.max(...treeMs),
      children,
      rssMB: process.memoryUsage().rss / 2 ** 20,
    };
  },
  rss() {
    global.gc?.();
    return { rssMB: process.memoryUsage().rss / 2 ** 20 };
  },
  exit() {
    lab.dispose();
    tree.dispose();
    api.dispose();
    setImmediate(() => process.exit(0));
    return {};
  },
};

process.on('message', async (m: Msg) => {
  try {
    const h = handlers[m.cmd];
    if (!h) throw new Error(`unknown command ${m.cmd}`);
    const result = await h(m.args ?? {});
    process.send!({ seq: m.seq, ok: true, result });
  } catch (err) {
    process.send!({ seq: m.seq, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ ready: true });
