// The raw Node contender / counting sink: a net server that only counts bytes. On the peer's FIN it
// finishes too (like Socket Lab's listener). Prints {port} once, then one {bytes, ms} line per connection
// that carried data (ms, CPU ms and p99 event-loop delay of this process from its first byte to its FIN). Ends when stdin closes or after the time limit.
// With a second argument `rss`, it also samples its RSS every 20 ms (like the Socket Lab core process in item 7)
// and adds rssStartMB (when listening) and rssPeakMB to each line: the reference for what Node itself grows.
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const limitMs = Number(process.argv[2] ?? 600000);
const sampleRss = process.argv[3] === 'rss';
const MB = 1024 * 1024;
let rssStartMB = 0;
let rssPeakMB = 0;
if (sampleRss) {
  rssStartMB = rssPeakMB = process.memoryUsage.rss() / MB;
  setInterval(() => (rssPeakMB = Math.max(rssPeakMB, process.memoryUsage.rss() / MB)), 20).unref();
}
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
    const rss = sampleRss ? { rssStartMB, rssPeakMB: Math.max(rssPeakMB, process.memoryUsage.rss() / MB) } : {};
    console.log(
      JSON.stringify({
        bytes,
        ms: performance.now() - t0,
        cpuMs: (c.user + c.system) / 1000,
        eldP99Ms: eld.percentile(99) / 1e6,
        ...rss,
      }),
    );
  });
  s.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
const stop = () => process.exit(0);
process.stdin.on('end', stop).resume();
setTimeout(stop, limitMs).unref();
