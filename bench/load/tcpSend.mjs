// Load generator: connects to 127.0.0.1:port, writes `bytes` in `chunk`-sized writes with backpressure,
// sends FIN and waits until the receiver closes too. Prints {bytes, ms} (connect to close): the time the
// receiver needed to take everything, measured the same way for every receiver.
import net from 'node:net';

const [port, bytes, chunk = 262144, limitMs = 120000] = process.argv.slice(2).map(Number);
const buf = Buffer.alloc(chunk, 0x61);
const timer = setTimeout(() => {
  console.log(JSON.stringify({ error: 'time limit' }));
  process.exit(2);
}, limitMs);
const t0 = performance.now();
const c0 = process.cpuUsage();
const s = net.connect({ host: '127.0.0.1', port });
let left = bytes;
s.on('connect', pump);
s.on('drain', pump);
function pump() {
  while (left > 0) {
    const n = Math.min(left, chunk);
    left -= n;
    if (!s.write(n === chunk ? buf : buf.subarray(0, n))) return;
  }
  s.end();
}
s.on('data', () => {});
s.on('error', (e) => {
  console.log(JSON.stringify({ error: e.message }));
  process.exit(2);
});
s.on('close', () => {
  clearTimeout(timer);
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ bytes: bytes - left, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 }));
});
