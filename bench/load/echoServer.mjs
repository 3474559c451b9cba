// A TCP echo server on 127.0.0.1: writes back every read as it is. Prints {port}; ends when stdin closes or at
// LIMIT_MS. Used by the request-file benchmark (bench/requestFiles.mjs).
// Usage: node echoServer.mjs [LIMIT_MS]
import net from 'node:net';

const limitMs = Number(process.argv[2] ?? 600000);
const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('data', (chunk) => socket.write(chunk));
  socket.on('error', () => socket.destroy());
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })));
const stop = () => process.exit(0);
process.stdin.on('end', stop).resume();
setTimeout(stop, limitMs).unref();
