// Load helper: connects to 127.0.0.1:port and reads (discards) whatever arrives, until killed or the time limit.
import net from 'node:net';

const [port, limitMs = 300000] = process.argv.slice(2).map(Number);
const s = net.connect({ host: '127.0.0.1', port });
let bytes = 0;
s.on('data', (d) => (bytes += d.length));
s.on('connect', () => console.log(JSON.stringify({ connected: true })));
s.on('error', () => process.exit(1));
s.on('close', () => process.exit(0));
setTimeout(() => {
  console.log(JSON.stringify({ bytes }));
  process.exit(0);
}, limitMs).unref();
