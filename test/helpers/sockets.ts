/** Plain Node sockets for tests (the "other program" a Socket Lab endpoint talks to) and the ports they use. */
import * as assert from 'assert';
import * as net from 'net';
import type { SocketAddressInfo } from '../../src/shared/model';
import { sleep } from './wait';

/** The bound port of an endpoint (its `local` address must have one). */
export function portOf(info: { local?: SocketAddressInfo }): number {
  assert.ok(info.local && 'port' in info.local, `no local port in ${JSON.stringify(info)}`);
  return info.local.port;
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

/** True when something accepts a TCP connection on 127.0.0.1:port now. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** A port of `host` nothing listens on (bound, then closed): free to bind, refused when connected to. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, host, r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Fills the accept queue of a server that never accepts (test/peers/no_accept.py), so that further
 * SYNs are dropped and connects hang. Pushes the filler sockets into `fillers` (the caller destroys
 * them) and fails when the queue could not be filled within 16 connects.
 */
export async function fillAcceptQueue(port: number, fillers: net.Socket[]): Promise<void> {
  let hanging = false;
  for (let i = 0; i < 16 && !hanging; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    fillers.push(s);
    hanging = !(await Promise.race([
      new Promise<boolean>((r) => s.once('connect', () => r(true))),
      sleep(300).then(() => false),
    ]));
  }
  assert.ok(hanging, 'could not fill the accept queue');
}
