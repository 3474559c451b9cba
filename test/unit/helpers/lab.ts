/** Helpers to run a SocketLab and plain Node peers in a test, always cleaned up. */
import * as net from 'net';
import { SocketLab, SocketLabOptions } from '../../../src/core/socketLab';
import { waitFor } from './util';

/** Runs `fn` with a fresh SocketLab and disposes it afterwards, whatever happens. */
export async function withLab<T>(fn: (lab: SocketLab) => Promise<T>, options?: SocketLabOptions): Promise<T> {
  const lab = new SocketLab(options);
  try {
    return await fn(lab);
  } finally {
    lab.dispose();
  }
}

/** A plain Node TCP client that collects what it receives. */
export interface RawClient {
  socket: net.Socket;
  received: () => Buffer;
  closed: () => boolean;
}

/** Connects a plain Node socket (the "other program") to host:port or a path. */
export async function rawConnect(target: { host: string; port: number } | { path: string }): Promise<RawClient> {
  const socket = net.connect(target as net.NetConnectOpts);
  const chunks: Buffer[] = [];
  let closed = false;
  socket.on('data', (d) => chunks.push(d));
  socket.on('error', () => undefined);
  socket.on('close', () => (closed = true));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, received: () => Buffer.concat(chunks), closed: () => closed };
}

/** A plain Node TCP server (the "other program") that records its connections. */
export interface RawServer {
  server: net.Server;
  port: number;
  sockets: net.Socket[];
  received: () => Buffer;
  close: () => Promise<void>;
}

/** Starts a plain Node server on host (port 0); `onConnection` may script it. */
export async function rawServer(
  host = '127.0.0.1',
  onConnection?: (s: net.Socket) => void,
  options: net.ServerOpts = {},
): Promise<RawServer> {
  const sockets: net.Socket[] = [];
  const chunks: Buffer[] = [];
  const server = net.createServer(options, (s) => {
    sockets.push(s);
    s.on('data', (d) => chunks.push(d));
    s.on('error', () => undefined);
    onConnection?.(s);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    server,
    port: (server.address() as net.AddressInfo).port,
    sockets,
    received: () => Buffer.concat(chunks),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Waits until `lab`'s endpoint `id` satisfies `cond`. */
export async function waitForEndpoint(
  lab: SocketLab,
  id: string,
  cond: (info: ReturnType<SocketLab['get']>) => boolean,
  what: string,
): Promise<void> {
  await waitFor(() => cond(lab.get(id)), what);
}

/** The bound port of an endpoint info. */
export function portOf(info: { local?: unknown }): number {
  return (info.local as { port: number }).port;
}
