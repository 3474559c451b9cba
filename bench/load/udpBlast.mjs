// Load generator: sends `size`-byte datagrams to 127.0.0.1:port as fast as it can for `durationMs`.
// Prints {sent, ms}. Sends in bursts of 64 and yields to the loop between bursts so its own queue stays bounded.
import dgram from 'node:dgram';

const [port, size, durationMs] = process.argv.slice(2).map(Number);
const s = dgram.createSocket('udp4');
const payload = Buffer.alloc(size, 0x62);
let sent = 0;
let errors = 0;
let inFlight = 0;
s.on('error', () => errors++);
s.connect(port, '127.0.0.1', () => {
  const t0 = performance.now();
  const end = t0 + durationMs;
  const cb = (err) => {
    inFlight--;
    if (err) errors++;
  };
  const burst = () => {
    if (performance.now() >= end) {
      const wait = () => (inFlight > 0 ? setImmediate(wait) : finish());
      return wait();
    }
    for (let i = 0; i < 64; i++) {
      inFlight++;
      s.send(payload, cb);
      sent++;
    }
    setImmediate(burst);
  };
  const finish = () => {
    console.log(JSON.stringify({ sent: sent - errors, errors, ms: performance.now() - t0 }));
    s.close();
  };
  burst();
});
