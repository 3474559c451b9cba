/* global window, requestAnimationFrame */
// Host-side benchmarks (items 6 posts/s, 8 and 9 of issue 6), called by scripts/bench.mjs:
// - activation time in the real extension host (code-server 4.100.3 = VS Code 1.100.3), one fresh host per run;
// - bundle sizes (dist/extension.js, dist/webview/main.js, socket-lab.vsix);
// - the send panel in real Chromium inside the real workbench: 100,000 records, scroll top to bottom,
//   long tasks (PerformanceObserver 'longtask') while the records arrive, while scrolling and during an
//   incoming TCP flood, and the host->webview posts per second during that flood (counted in the webview).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Categories that give the renderer's tasks with their thread CPU time (RunTask, with `tdur`) and what they did. */
const TRACE_CATEGORIES = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline'];

/**
 * The tasks of Chromium's renderer main thread (CrRendererMain) that took more than 50 ms of wall time in a
 * trace, each with the thread's CPU time during it (`tdur`): a task that waited for a CPU has far less CPU
 * time than wall time, one that was the panel's own work has about as much.
 */
function longTasksInTrace(buffer) {
  const parsed = JSON.parse(buffer.toString('utf8'));
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const main = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}:${e.tid}`),
  );
  return events
    .filter(
      (e) =>
        e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && e.dur > 50_000 && main.has(`${e.pid}:${e.tid}`),
    )
    .map((e) => ({ wallMs: e.dur / 1000, cpuMs: typeof e.tdur === 'number' ? e.tdur / 1000 : NaN }));
}

/** Starts a load child in its own process group; resolves its JSON lines through next(). */
function child(args, root) {
  const p = spawn(process.execPath, args.map(String), { cwd: root, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  const waiters = [];
  let buf = '';
  p.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const v = JSON.parse(line);
        const w = waiters.shift();
        if (w) w(v);
        else lines.push(v);
      } catch {
        // not JSON
      }
    }
  });
  return {
    proc: p,
    next: (timeoutMs = 120000) =>
      lines.length
        ? Promise.resolve(lines.shift())
        : new Promise((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`no output from ${args[0]}`)), timeoutMs);
            waiters.push((v) => (clearTimeout(t), resolve(v)));
          }),
    kill: () => {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        // gone
      }
    },
  };
}

async function activation({ runs, root, artifacts, cell }) {
  const { runInCodeServer } = await import(path.join(root, 'scripts', 'lib', 'runInHost.mjs'));
  const ms = [];
  let host = '';
  for (let i = 0; i < runs; i++) {
    const out = path.join(artifacts, 'activation.json');
    fs.rmSync(out, { force: true });
    const { code } = await runInCodeServer({
      testsPath: path.join(root, 'bench', 'host', 'activationIndex.js'),
      env: { SOCKET_LAB_BENCH_RESULT: out },
      timeoutMs: 180000,
    });
    if (code !== 0 || !fs.existsSync(out)) throw new Error('activation run failed');
    const r = JSON.parse(fs.readFileSync(out, 'utf8'));
    if (r.wasActive) throw new Error('Socket Lab was already active: the measurement would be empty');
    ms.push(r.activateMs);
    host = `${r.host} ${r.version}`;
    process.stdout.write(`  activation run ${i + 1}/${runs}: ${r.activateMs.toFixed(0)} ms\n`);
  }
  return { host, cell: cell(ms, 0), ms };
}

function sizes(root) {
  const kib = (f) =>
    fs.existsSync(f)
      ? `${(fs.statSync(f).size / 1024).toFixed(0)} KiB (${new Date(fs.statSync(f).mtimeMs).toISOString().slice(0, 16).replace('T', ' ')})`
      : 'missing';
  return [
    ['dist/extension.js', kib(path.join(root, 'dist', 'extension.js'))],
    ['dist/webview/main.js', kib(path.join(root, 'dist', 'webview', 'main.js'))],
    ['dist/webview/main.css', kib(path.join(root, 'dist', 'webview', 'main.css'))],
    ['socket-lab.vsix', kib(path.join(root, 'socket-lab.vsix'))],
  ];
}

/** CPU-profiles the webview's own renderer frame (an out-of-process iframe) or, failing that, the page. */
async function startWebviewProfiler(page) {
  const frame = page
    .frames()
    .find((f) => f.name() === 'active-frame' || (/[?&]id=/.test(f.url()) && f.parentFrame()?.parentFrame()));
  let cdp;
  try {
    cdp = await page.context().newCDPSession(frame);
  } catch {
    cdp = await page.context().newCDPSession(page);
  }
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await cdp.send('Profiler.stop');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(profile));
    },
  };
}

async function webview(ctx) {
  const { runs, quick, root, cell, stats, fmt } = ctx;
  const require = createRequire(import.meta.url);
  const helper = path.join(root, 'out', 'test', 'helpers', 'workbench.js');
  if (!fs.existsSync(helper)) spawnSync('npx', ['tsc', '-p', 'tsconfig.test.json'], { cwd: root, stdio: 'inherit' });
  const { Workbench } = require(helper);
  const wb = await Workbench.start();
  const kids = [];
  try {
    const { item, port } = await wb.startTcpListenerFromPalette('bench-listener-missing');
    const panel = await wb.openPanelFromTree(item, 'bench-panel-missing');
    const list = panel.locator('#list');

    // A client that reads everything the panel's repeat sends.
    const sinkClient = child([path.join(root, 'bench', 'load', 'sinkClient.mjs'), port, 300000], root);
    kids.push(sinkClient);
    await panel
      .locator('#target vscode-option', { hasText: '127.0.0.1:' })
      .waitFor({ state: 'attached', timeout: 20000 });

    await list.evaluate(() => {
      const b = (window.__bench = { phases: [{ phase: 'idle', t: 0 }], long: [], msgs: 0 });
      new PerformanceObserver((l) => {
        // name says whose task it was: 'self' = this panel's frame; the workbench shares the renderer here.
        // Entries arrive after the task: the phase is the one the task started in, not the one at delivery.
        for (const e of l.getEntries()) b.long.push({ start: e.startTime, ms: e.duration, self: e.name === 'self' });
      }).observe({ type: 'longtask' });
      window.addEventListener('message', () => b.msgs++);
    });
    const setPhase = (phase) =>
      list.evaluate(
        (_, p) => (window.__bench.phases.push({ phase: p, t: performance.now() }), (window.__bench.msgs = 0)),
        phase,
      );
    const longTasks = (phase, selfOnly = true) =>
      list.evaluate(
        (_, [p, own]) => {
          const { phases, long } = window.__bench;
          const i = phases.findIndex((x) => x.phase === p);
          const from = phases[i].t;
          const to = phases[i + 1]?.t ?? Infinity;
          return long.filter((e) => e.start >= from && e.start < to && (!own || e.self)).map((e) => e.ms);
        },
        [phase, selfOnly],
      );

    // 1) 100,000 records through the panel's own repeat (1 byte each, back to back).
    const pick = (sel, v) =>
      panel
        .locator(sel)
        .evaluate((el, value) => ((el.value = value), el.dispatchEvent(new Event('change', { bubbles: true }))), v);
    await pick('#format', 'hex');
    await pick('#line-ending', 'none');
    await panel.locator('#payload textarea').fill('2e');
    await panel.locator('#repeat-interval input').fill('0');
    await panel.locator('#repeat-count input').fill('100000');
    await panel.locator('#byte-count', { hasText: /^1 byte$/ }).waitFor({ timeout: 10000 });
    await setPhase('records');
    // --profile: a CPU profile of the webview's renderer while the 100,000 records arrive.
    const profiler = ctx.argv.includes('--profile') ? await startWebviewProfiler(wb.page) : undefined;
    const t0 = Date.now();
    await panel.locator('#repeat').click();
    await panel.locator('#counters', { hasText: '100,000 msgs' }).waitFor({ timeout: 180000 });
    const arrivedMs = Date.now() - t0;
    if (profiler) await profiler.stop(path.join(ctx.artifacts, 'profiles', 'webview-records.cpuprofile'));
    const postsDuringRecords = await list.evaluate(() => window.__bench.msgs);
    const recordsLong = await longTasks('records');
    const recordsLongAll = await longTasks('records', false);
    await setPhase('reach');
    // All reachable: live batches skip what a 20/s post cannot carry, leaving gap rows that load when on
    // screen. Scroll from the bottom to the top a screen at a time, waiting while a gap on screen loads
    // (a loaded page lands above the view, so going up meets the rest of a gap again).
    const reach = await list.evaluate(async (l) => {
      const yieldNow = () =>
        new Promise((r) => {
          const c = new MessageChannel();
          c.port1.onmessage = () => r();
          c.port2.postMessage(0);
        });
      const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
      const gapOnScreen = () => {
        for (const g of l.querySelectorAll('.row.gap')) {
          const y = Number(/translateY\(([-\d.]+)px\)/.exec(g.style.transform)?.[1] ?? NaN);
          if (y + 22 > l.scrollTop && y < l.scrollTop + l.clientHeight) return true;
        }
        return false;
      };
      const t = performance.now();
      let waits = 0;
      let steps = 0;
      l.scrollTop = l.scrollHeight;
      for (; steps < 100000 && performance.now() - t < 170000; steps++) {
        l.dispatchEvent(new Event('scroll'));
        await yieldNow();
        await frame();
        for (let w = 0; gapOnScreen() && w < 600; w++, waits++) await frame();
        if (l.scrollTop <= 0 && !gapOnScreen()) break;
        l.scrollTop = Math.max(0, l.scrollTop - l.clientHeight);
      }
      return {
        ms: performance.now() - t,
        rows: l.scrollHeight / 22,
        gapsLeft: l.querySelectorAll('.row.gap').length,
        steps,
        waits,
      };
    });
    if (reach.rows < 100000)
      throw new Error(`only ${reach.rows} rows reachable after scrolling up: ${JSON.stringify(reach)}`);
    const reachableMs = Date.now() - t0;
    const reachLong = await longTasks('reach');

    // Attribution passes run under a Chromium trace, apart from the measured ones (which tracing would
    // slow). Each long task of the renderer's main thread comes with its CPU time: the panel's own work,
    // or waiting for one of the 2 CPUs that the extension host, the sender, the kernel's loopback and
    // Chromium's other processes were using.
    const browser = wb.page.context().browser();
    const traced = async (name, work) => {
      await browser.startTracing(wb.page, { categories: TRACE_CATEGORIES });
      let trace;
      try {
        await work();
      } finally {
        trace = await browser.stopTracing();
      }
      fs.mkdirSync(path.join(ctx.artifacts, 'profiles'), { recursive: true });
      fs.writeFileSync(path.join(ctx.artifacts, 'profiles', `${name}.trace.json`), trace);
      return longTasksInTrace(trace);
    };

    // 2) Scroll top to bottom, `runs` passes of 400 steps, one frame per step.
    const scrollPass = () =>
      list.evaluate(async (l) => {
        const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
        l.scrollTop = 0;
        await frame();
        const step = Math.max(l.clientHeight, (l.scrollHeight - l.clientHeight) / 400);
        const t = performance.now();
        let worst = 0;
        let steps = 0;
        while (l.scrollTop + l.clientHeight < l.scrollHeight - 1 && steps < 2000) {
          const f = performance.now();
          l.scrollTop += step;
          await frame();
          worst = Math.max(worst, performance.now() - f);
          steps++;
        }
        return { ms: performance.now() - t, steps, worstFrameMs: worst, domRows: l.querySelectorAll('.row').length };
      });
    await setPhase('scroll');
    const passes = [];
    for (let i = 0; i < runs; i++) {
      // --profile: a CPU profile of the webview's renderer during the first pass.
      const scrollProfiler =
        i === 0 && ctx.argv.includes('--profile') ? await startWebviewProfiler(wb.page) : undefined;
      passes.push(await scrollPass());
      if (scrollProfiler) await scrollProfiler.stop(path.join(ctx.artifacts, 'profiles', 'webview-scroll.cpuprofile'));
    }
    const scrollLong = await longTasks('scroll');
    const scrollLongAll = await longTasks('scroll', false);
    // The same number of passes again, traced (here, while the 100,000 rows are still there: the floods
    // below replace them with what the log cap keeps of 1 GiB).
    await setPhase('scroll-traced');
    const tracedScroll = await traced('webview-scroll', async () => {
      for (let i = 0; i < runs; i++) await scrollPass();
    });

    // 3) An incoming TCP flood from another process while the panel is open and following.
    const floodBytes = quick ? 256 * 2 ** 20 : 1024 * 2 ** 20;
    const floodOnce = async () => {
      const ts = Date.now();
      const sender = child([path.join(root, 'bench', 'load', 'tcpSend.mjs'), port, floodBytes, 262144, 120000], root);
      kids.push(sender);
      const r = await sender.next(130000);
      const seconds = (Date.now() - ts) / 1000;
      await sleep(300); // the last coalesced post
      return { seconds, gbps: floodBytes / r.ms / 1e6 };
    };
    const flood = { posts: [], long: [], longAll: [], gbps: [] };
    for (let i = 0; i < runs; i++) {
      const phase = `flood${i}`;
      await setPhase(phase);
      // --profile: a CPU profile of the webview's renderer during the first flood.
      const floodProfiler = i === 0 && ctx.argv.includes('--profile') ? await startWebviewProfiler(wb.page) : undefined;
      const { seconds, gbps } = await floodOnce();
      if (floodProfiler) await floodProfiler.stop(path.join(ctx.artifacts, 'profiles', 'webview-flood.cpuprofile'));
      const msgs = await list.evaluate(() => window.__bench.msgs);
      flood.posts.push(msgs / (seconds + 0.3));
      flood.long.push(...(await longTasks(phase)));
      flood.longAll.push(...(await longTasks(phase, false)));
      flood.gbps.push(gbps);
    }

    // 4) Attribution: as many floods again, under a Chromium trace (see `traced`).
    await setPhase('floods-traced');
    const tracedFloods = await traced('webview-floods', async () => {
      for (let i = 0; i < runs; i++) await floodOnce();
    });
    sinkClient.kill();
    const over50 = (xs) => xs.filter((x) => x > 50);
    return {
      rows: [
        [
          '100,000 records (panel repeat of 1 byte): until the counters show all',
          `${arrivedMs} ms`,
          `${postsDuringRecords} posts`,
        ],
        [
          '… until all 100,000 rows are reachable by scrolling',
          `${reachableMs} ms`,
          `bottom-to-top pass: ${reach.steps} screens, ${fmt(reach.ms / 1000, 1)} s, waited ${reach.waits} frames for gaps to load`,
        ],
        [
          "long tasks > 50 ms while the 100,000 arrive: in the panel's frame",
          `${over50(recordsLong).length} (longest ${fmt(Math.max(0, ...recordsLong), 0)} ms)`,
          `none: ${over50(recordsLong).length ? '**missed**' : 'met'}`,
        ],
        [
          '… all long tasks of the renderer (workbench included)',
          `${over50(recordsLongAll).length} (longest ${fmt(Math.max(0, ...recordsLongAll), 0)} ms)`,
          '',
        ],
        [
          "long tasks > 50 ms in the panel's frame during the bottom-to-top pass (gaps loading)",
          `${over50(reachLong).length} (longest ${fmt(Math.max(0, ...reachLong), 0)} ms)`,
          '',
        ],
        [
          `scroll top to bottom (${passes[0]?.steps} steps, 1 frame each), ms per pass`,
          cell(
            passes.map((p) => p.ms),
            0,
          ),
          '',
        ],
        [
          '… slowest frame ms per pass',
          cell(
            passes.map((p) => p.worstFrameMs),
            0,
          ),
          '',
        ],
        ['… rows in the DOM', String(Math.max(...passes.map((p) => p.domRows))), ''],
        [
          "long tasks > 50 ms while scrolling: in the panel's frame",
          `${over50(scrollLong).length} (longest ${fmt(Math.max(0, ...scrollLong), 0)} ms)`,
          `none: ${over50(scrollLong).length ? '**missed**' : 'met'}`,
        ],
        [
          '… all long tasks of the renderer (workbench included)',
          `${over50(scrollLongAll).length} (longest ${fmt(Math.max(0, ...scrollLongAll), 0)} ms)`,
          '',
        ],
        [`incoming TCP flood, ${floodBytes / 2 ** 20} MiB × ${runs}, GB/s`, cell(flood.gbps, 2), ''],
        [
          "long tasks > 50 ms during the floods: in the panel's frame",
          `${over50(flood.long).length} (longest ${fmt(Math.max(0, ...flood.long), 0)} ms)`,
          `none: ${over50(flood.long).length ? '**missed**' : 'met'}`,
        ],
        [
          '… all long tasks of the renderer (workbench included)',
          `${over50(flood.longAll).length} (longest ${fmt(Math.max(0, ...flood.longAll), 0)} ms)`,
          '',
        ],
        ...[
          [`${runs} scroll passes`, tracedScroll],
          [`${runs} floods`, tracedFloods],
        ].map(([what, tasks]) => [
          `attribution, traced ${what} (bench-artifacts/profiles/): renderer main-thread tasks > 50 ms of wall time, and their CPU time`,
          `${tasks.length} (longest ${fmt(Math.max(0, ...tasks.map((x) => x.wallMs)), 0)} ms); CPU ${tasks.length ? tasks.map((x) => fmt(x.cpuMs, 0)).join(', ') + ' ms' : '–'}`,
          `over 50 ms of CPU: ${tasks.filter((x) => x.cpuMs > 50).length}`,
        ]),
      ],
      postsRow: [
        'host→webview posts/s during an incoming TCP flood (counted in the webview)',
        cell(flood.posts, 1),
        '',
        '',
        `≤ 20: ${stats(flood.posts).median <= 20 ? 'met' : '**missed**'}`,
      ],
    };
  } finally {
    for (const k of kids) k.kill();
    await wb.stop();
  }
}

export async function hostBenchmarks(ctx) {
  const { section, wanted, runs, root } = ctx;
  const out = {};
  if (wanted('host')) {
    const a = await activation(ctx);
    section(
      '9. Activation in the real extension host and bundle sizes',
      ['measure', 'value', 'note'],
      [
        [`activate() in ${a.host} (fresh host per run; loads dist/extension.js)`, `${a.cell} ms`, `${runs} runs`],
        ...sizes(root).map(([f, s]) => [
          f,
          s,
          f.endsWith('.vsix')
            ? 'from the last `npm run package` (date shown); `npm run bench -- --package` rebuilds it first'
            : '',
        ]),
      ],
    );
  }
  if (wanted('webview')) {
    const w = await webview(ctx);
    section(
      '8. Send panel in Chromium (real workbench, code-server): 100,000 records, scrolling, floods',
      ['measure', 'value', 'target'],
      w.rows,
    );
    out.responsivenessRows = [w.postsRow];
  }
  return out;
}
