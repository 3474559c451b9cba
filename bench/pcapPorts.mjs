// Items 10 and 11 (issue 16), called by scripts/bench.mjs: exporting 100,000 logged records to pcapng, and
// listing the system ports while another process holds 1,000 listening sockets. Both run in a child process
// (bench/pcapPortsProc.ts, bundled here) like the extension host would; the holder is another child.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import * as esbuild from 'esbuild';

/** A child in its own process group whose JSON lines are read in turn; killed as a group. */
function child(cmd, args) {
  const p = spawn(cmd, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  const waiters = [];
  let stderr = '';
  p.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  readline.createInterface({ input: p.stdout }).on('line', (line) => {
    let v;
    try {
      v = JSON.parse(line);
    } catch {
      return;
    }
    const w = waiters.shift();
    if (w) w(v);
    else lines.push(v);
  });
  return {
    next: (timeoutMs = 300000) =>
      lines.length
        ? Promise.resolve(lines.shift())
        : new Promise((resolve, reject) => {
            const t = setTimeout(() => reject(new Error(`${args.at(-3) ?? cmd}: no output; ${stderr}`)), timeoutMs);
            waiters.push((v) => (clearTimeout(t), resolve(v)));
          }),
    end: () => p.stdin.end(),
    kill: () => {
      try {
        process.kill(-p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

async function bundle(root, artifacts) {
  const outfile = path.join(artifacts, 'pcapPortsProc.cjs');
  await esbuild.build({
    entryPoints: [path.join(root, 'bench', 'pcapPortsProc.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  return outfile;
}

/** A throw-away network namespace (root and `ip` needed), or why there is none; remove() deletes it. */
function freshNamespace() {
  if (process.platform !== 'linux' || process.getuid?.() !== 0)
    return { name: null, why: 'not root on Linux', remove() {} };
  const name = `sl-bench-${process.pid}`;
  const add = spawnSync('ip', ['netns', 'add', name], { encoding: 'utf8' });
  if (add.status !== 0) return { name: null, why: `ip netns add failed: ${add.stderr || add.error}`, remove() {} };
  spawnSync('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  return { name, remove: () => spawnSync('ip', ['netns', 'del', name]) };
}

/** Starts the 1,000-listener holder and the measuring child (in namespace `ns` when given); returns the child's figures. */
async function portsRefresh({ proc, root, runs, ns, kids }) {
  const inNs = (args) => (ns ? ['ip', ['netns', 'exec', ns, ...args]] : [args[0], args.slice(1)]);
  const holder = child(
    ...inNs([
      'sh',
      '-c',
      'ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"',
      process.execPath,
      path.join(root, 'bench', 'load', 'holdListeners.mjs'),
      1000,
      300000,
    ]),
  );
  kids.push(holder);
  const h = await holder.next(60000);
  if (h.listening !== 1000) throw new Error(`holder: ${JSON.stringify(h)}`);
  const k = child(...inNs([process.execPath, proc, 'ports', Math.max(runs * 4, 20), h.pid]));
  kids.push(k);
  const r = await k.next();
  holder.end();
  if (r.error) throw new Error(r.error);
  if (r.held !== 1000) throw new Error(`the listing showed ${r.held} of the holder's 1,000 sockets with its pid`);
  return r;
}

export async function pcapPortsBenchmarks({ runs, root, artifacts, section, cell, stats, fmt, verdict, wanted }) {
  const proc = await bundle(root, artifacts);
  const kids = [];
  try {
    if (wanted('pcap')) {
      const k = child(process.execPath, [proc, 'export', runs, artifacts]);
      kids.push(k);
      const r = await k.next();
      if (r.error) throw new Error(r.error);
      const rows = Object.entries(r).map(([kind, x]) => {
        const recPerS = x.ms.map((ms) => 100_000 / (ms / 1000));
        const payloadMBs = x.ms.map((ms) => x.payload / 1e6 / (ms / 1000));
        const fileMBs = x.ms.map((ms) => x.fileBytes / 1e6 / (ms / 1000));
        return [
          kind === 'udp' ? 'UDP socket, 10 peers' : 'TCP listener, 10 connections',
          cell(x.ms, 0),
          fmt(stats(recPerS).median / 1000, 0),
          `${fmt(stats(payloadMBs).median, 0)} / ${fmt(stats(fileMBs).median, 0)}`,
          `${x.packets.toLocaleString('en')} packets, ${fmt(x.fileBytes / 1e6, 1)} MB`,
        ];
      });
      section(
        '11. Export of 100,000 logged records (512 B each, requests and replies in turn) to pcapng on the local disk',
        ['log', 'ms median (min–max)', 'k records/s', 'MB/s payload / file', 'file'],
        rows,
        [
          'TCP writes a handshake per connection and an ACK whenever a side sends again before the other answered; UDP one packet per datagram.',
        ],
      );
    }
    if (wanted('ports')) {
      const namespace = freshNamespace();
      const rows = [];
      let ok;
      // The host namespace holds whatever else runs here (other suites' TIME-WAIT sockets are lines the
      // kernel writes and the reader scans); a fresh namespace holds only the 1,000 listeners.
      for (const ns of [undefined, namespace.name].filter((n) => n !== null)) {
        const r = await portsRefresh({ proc, root, runs, ns, kids });
        const median = stats(r.ms).median;
        if (ns) ok = median <= 20;
        rows.push([
          `${ns ? 'a fresh network namespace' : "this machine's namespace"} (${r.lines.toLocaleString('en')} sockets in /proc/net, ${r.total.toLocaleString('en')} listed, the holder's 1,000 with its pid; ${r.processes} processes in /proc)`,
          `${cell(r.ms, 1)}; the first: ${fmt(r.coldMs, 1)}`,
          cell(r.cpuMs, 1),
          ns && process.platform === 'linux' ? `≤ 20 ms: ${verdict(ok)}` : '',
        ]);
      }
      namespace.remove();
      section(
        `12. System ports refresh (readSystemPorts()) while another process holds 1,000 listening TCP sockets, ${Math.max(runs * 4, 20)} refreshes`,
        [
          'namespace',
          'ms per refresh, median (min–max); the first refresh',
          'CPU ms per refresh (user + system)',
          'target',
        ],
        rows,
        [
          "The first refresh looks through every process's descriptors; later ones check each socket where it was found, and look through all processes again only for new sockets, or at most every 10 s for sockets whose owner this user cannot see.",
          ...(namespace.name
            ? []
            : [`no fresh network namespace (${namespace.why}): only this machine's namespace was measured`]),
        ],
      );
    }
  } finally {
    for (const k of kids) k.kill();
  }
}
