/**
 * The receiver of the framing benchmark (bench/framing.mjs), bundled by it with esbuild: a loopback TCP
 * server that cuts every connection into frames, either with Socket Lab's deframer or with a splitter
 * written the obvious way (append each read to a buffer with Buffer.concat, then indexOf / read the length
 * and slice), and hands each frame to the same counting sink. Prints {port}, then one
 * {bytes, frames, ms, cpuMs} line per connection (first byte to FIN). Ends when stdin closes or at the limit.
 * Usage: node framingProc.cjs line|length socketlab|naive [limitMs]
 */
import * as net from 'net';
import { performance } from 'perf_hooks';
import { createDeframer } from '../src/core/framing/deframer';
import { parseFramingSpec } from '../src/shared/framing';

const [kind, contender, limit] = process.argv.slice(2);
const limitMs = Number(limit ?? 600_000);

/** The framing of each scenario: 100-byte lines, and 1 KiB frames behind a 2-byte big-endian length. */
const SPECS: Record<string, unknown> = { line: { mode: 'line', eol: 'lf' }, length: { mode: 'length', bytes: 2 } };

/** Feeds one connection's reads to a frame sink; returns what to call at the peer's FIN. */
type Splitter = (socket: net.Socket, onFrame: (frame: Uint8Array) => void) => () => void;

const socketLab: Splitter = (socket, onFrame) => {
  const deframer = createDeframer(parseFramingSpec(SPECS[kind]), onFrame);
  socket.on('data', (chunk) => deframer.push(chunk));
  return () => {
    deframer.flush();
    deframer.dispose();
  };
};

const naiveLine: Splitter = (socket, onFrame) => {
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    let at: number;
    while ((at = buffer.indexOf(10)) >= 0) {
      onFrame(buffer.subarray(0, at + 1));
      buffer = buffer.subarray(at + 1);
    }
  });
  return () => undefined;
};

const naiveLength: Splitter = (socket, onFrame) => {
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 2) {
      const size = 2 + buffer.readUInt16BE(0);
      if (buffer.length < size) break;
      onFrame(buffer.subarray(0, size));
      buffer = buffer.subarray(size);
    }
  });
  return () => undefined;
};

const splitter = contender === 'socketlab' ? socketLab : kind === 'line' ? naiveLine : naiveLength;

const server = net.createServer((socket) => {
  let bytes = 0;
  let frames = 0;
  let t0 = 0;
  let cpu0: NodeJS.CpuUsage | undefined;
  socket.once('data', () => {
    t0 = performance.now();
    cpu0 = process.cpuUsage();
  });
  const end = splitter(socket, (frame) => {
    frames++;
    bytes += frame.length;
  });
  socket.on('end', () => {
    end();
    if (!t0) return;
    const cpu = process.cpuUsage(cpu0);
    console.log(JSON.stringify({ bytes, frames, ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 }));
    socket.end();
  });
  socket.on('error', () => undefined);
});
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as net.AddressInfo).port })));
const stop = () => process.exit(0);
process.stdin.on('end', stop).resume();
setTimeout(stop, limitMs).unref();
