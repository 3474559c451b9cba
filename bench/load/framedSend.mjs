// Load generator of the framing benchmark: connects to 127.0.0.1:port and writes `bytes` (rounded down to
// whole 256 KiB blocks of frames) with backpressure, then FIN, and waits until the receiver closes.
// kind line: 100-byte lines (99 × 'x' + LF); kind length: 1 KiB frames (2-byte big-endian length 1022 +
// 1022 body bytes). Prints {bytes, frames, ms}.
import net from 'node:net';

const [port, bytes, kind, limitMs = 120000] = process.argv.slice(2).map((a, i) => (i === 2 ? a : Number(a)));
const frame =
  kind === 'line'
    ? Buffer.concat([Buffer.alloc(99, 0x78), Buffer.from('\n')])
    : Buffer.concat([Buffer.from([0x03, 0xfe]), Buffer.alloc(1022, 0x78)]);
const perBlock = Math.floor(262144 / frame.length);
const block = Buffer.concat(Array.from({ length: perBlock }, () => frame));
const blocks = Math.floor(bytes / block.length);
const timer = setTimeout(() => {
  console.log(JSON.stringify({ error: 'time limit' }));
  process.exit(2);
}, limitMs);
const t0 = performance.now();
const s = net.connect({ host: '127.0.0.1', port });
let left = blocks;
s.on('connect', pump);
s.on('drain', pump);
function pump() {
  while (left > 0) {
    left--;
    if (!s.write(block)) return;
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
  const sent = blocks - left;
  console.log(JSON.stringify({ bytes: sent * block.length, frames: sent * perBlock, ms: performance.now() - t0 }));
});
