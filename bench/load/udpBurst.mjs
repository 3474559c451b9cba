// The raw Node floor for item 4: `count` datagrams of `size` bytes to 127.0.0.1:port from an unconnected
// dgram socket, one at a time with a send callback, yielding every 256 (what Socket Lab's repeat does,
// without the log and events). Prints {ms}.
import dgram from 'node:dgram';

const [port, count, size] = process.argv.slice(2).map(Number);
const s = dgram.createSocket('udp4');
const payload = Buffer.alloc(size, 0x63);
s.bind(0, '127.0.0.1', async () => {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    await new Promise((resolve, reject) =>
      s.send(payload, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
    if (i % 256 === 255) await new Promise((r) => setImmediate(r));
  }
  console.log(JSON.stringify({ ms: performance.now() - t0 }));
  s.close();
});
