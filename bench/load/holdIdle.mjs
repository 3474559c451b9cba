// Load generator: opens `count` idle TCP connections to 127.0.0.1:port (200 connects in flight at a
// time), prints {connected, errors, ms}, then holds them until stdin closes or the time limit passes.
// Needs `ulimit -n` above `count` (the bench starts it through a shell that raises the soft limit).
import net from 'node:net';

const [port, count, limitMs = 300000] = process.argv.slice(2).map(Number);
const sockets = [];
let started = 0;
let connected = 0;
let errors = 0;
const t0 = performance.now();
function one() {
  if (started >= count) return;
  started++;
  const s = net.connect({ host: '127.0.0.1', port });
  sockets.push(s);
  s.on('connect', () => {
    connected++;
    report();
    one();
  });
  s.on('error', () => {
    errors++;
    report();
    one();
  });
}
function report() {
  if (connected + errors === count) console.log(JSON.stringify({ connected, errors, ms: performance.now() - t0 }));
}
for (let i = 0; i < 200; i++) one();
const stop = () => {
  for (const s of sockets) s.destroy();
  process.exit(0);
};
process.stdin.on('end', stop).resume();
setTimeout(stop, limitMs).unref();
