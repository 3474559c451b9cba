// The raw Node contender / counting sink: a net server that only counts bytes. On the peer's FIN it
// finishes too (like Socket Lab's listener). Prints {port} once, then one {bytes, ms} line per connection
// that carried data (ms, CPU ms and p99 event-loop delay of this process from its first byte to its FIN). Ends when stdin closes or after the time limit.
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const limitMs = Number(process.argv[2] ?? 600000);
const server = net.createServer((s) => {
  let bytes = 0;
  let t0 = 0;
  let c0;
  let eld;
  s.on('data', (d) => {
    if (!t0) {
      t0 = performance.now();
      c0 = process.cpuUsage();
      eld = monitorEventLoopDelay({ resolution: 2 });
      eld.enable();
    }
    bytes += d.length;
  });
  s.on('end', () => {
    if (!bytes) return;
    const c = process.cpuUsage(c0);
    eld.disable();
    console.log(JSON.stringify({ bytes, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, eldP99Ms: eld.percentile(99) / 1e6 }));
  });
  s.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
const stop = () => process.exit(0);
process.stdin.on('end', stop).resume();
setTimeout(stop, limitMs).unref();
