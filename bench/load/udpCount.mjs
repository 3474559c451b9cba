// The raw Node dgram contender / counting receiver (optional 2nd argument: SO_RCVBUF to ask for). Prints {port}; then, for every line on stdin, prints
// {count, bytes} received so far and its p99 event-loop delay. Ends when stdin closes or after the time limit.
import dgram from 'node:dgram';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import readline from 'node:readline';

const limitMs = Number(process.argv[2] ?? 600000);
const recvBufferSize = Number(process.argv[3] ?? 0);
const s = dgram.createSocket('udp4');
let count = 0;
let bytes = 0;
const eld = monitorEventLoopDelay({ resolution: 2 });
eld.enable();
s.on('message', (m) => {
  count++;
  bytes += m.length;
});
s.bind(0, '127.0.0.1', () => {
  if (recvBufferSize) s.setRecvBufferSize(recvBufferSize);
  console.log(JSON.stringify({ port: s.address().port, recvBufferSize: s.getRecvBufferSize() }));
});
const rl = readline.createInterface({ input: process.stdin });
rl.on('line', () => console.log(JSON.stringify({ count, bytes, eldP99Ms: eld.percentile(99) / 1e6 })));
rl.on('close', () => process.exit(0));
setTimeout(() => process.exit(0), limitMs).unref();
