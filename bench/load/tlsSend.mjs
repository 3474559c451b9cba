// Load generator: a Node TLS client that connects to 127.0.0.1:port (trusting CA_PATH, checking the name
// 'localhost'), writes `bytes` in `chunk`-sized writes with backpressure, ends (close_notify + FIN) and waits
// until the receiver closes too. Prints {bytes, ms, protocol, cipher} (handshake done to close), so every
// TLS receiver is timed the same way.
import fs from 'node:fs';
import tls from 'node:tls';

const [port, bytes, chunk, limitMs] = process.argv.slice(2, 6).map(Number);
const caPath = process.argv[6];
const buf = Buffer.alloc(chunk, 0x61);
const timer = setTimeout(() => {
  console.log(JSON.stringify({ error: 'time limit' }));
  process.exit(2);
}, limitMs);
let t0 = 0;
let info = {};
const s = tls.connect({ host: '127.0.0.1', port, ca: fs.readFileSync(caPath), servername: 'localhost' });
let left = bytes;
s.on('secureConnect', () => {
  t0 = performance.now();
  info = { protocol: s.getProtocol(), cipher: s.getCipher().name };
  pump();
});
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
  console.log(JSON.stringify({ bytes: bytes - left, ms: performance.now() - t0, ...info }));
});
