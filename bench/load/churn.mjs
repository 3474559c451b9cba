// Load generator: `total` connect/FIN/close cycles against 127.0.0.1:port with `concurrency` in flight.
// A cycle ends when the server has accepted, read our FIN and closed its side, so it measures the server
// application, not just the kernel's backlog. Prints {cycles, errors, ms}.
import net from 'node:net';

const [port, total, concurrency, limitMs = 120000] = process.argv.slice(2).map(Number);
let started = 0;
let done = 0;
let errors = 0;
const t0 = performance.now();
const deadline = t0 + limitMs;
function one() {
  if (started >= total || performance.now() > deadline) return;
  started++;
  const s = net.connect({ host: '127.0.0.1', port });
  s.on('connect', () => s.end());
  s.on('data', () => {});
  s.on('error', () => errors++);
  s.on('close', () => {
    done++;
    if (done === total || (started === done && performance.now() > deadline)) {
      console.log(JSON.stringify({ cycles: done, errors, ms: performance.now() - t0 }));
      process.exit(0);
    }
    one();
  });
}
for (let i = 0; i < concurrency; i++) one();
