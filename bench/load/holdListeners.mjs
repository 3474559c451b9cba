// Load generator: opens `count` listening TCP sockets on 127.0.0.1 (port 0 each), prints {listening, pid},
// then holds them until stdin closes or the time limit passes. Needs `ulimit -n` above `count` (the bench
// starts it through a shell that raises the soft limit).
import net from 'node:net';

const [count, limitMs = 300000] = process.argv.slice(2).map(Number);
const servers = [];
let listening = 0;
let errors = 0;
for (let i = 0; i < count; i++) {
  const s = net.createServer();
  servers.push(s);
  s.on('error', () => {
    errors++;
    done();
  });
  s.listen(0, '127.0.0.1', () => {
    listening++;
    done();
  });
}
function done() {
  if (listening + errors === count) console.log(JSON.stringify({ listening, errors, pid: process.pid }));
}
const stop = () => {
  for (const s of servers) s.close();
  process.exit(0);
};
process.stdin.on('end', stop).resume();
setTimeout(stop, limitMs).unref();
