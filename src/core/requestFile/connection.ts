/**
 * The one connection of a running block: TCP, TLS, Unix or UDP straight on Node's sockets (no endpoint
 * registry: a request file's connection is not shown in the Sockets view). What arrives goes to the
 * transcript and to the block's Inbox (framed into messages when the connect line asks for framing).
 */
import * as dgram from 'dgram';
import * as net from 'net';
import { SocketLabError, isSocketLabError } from '../../shared/errors';
import { formatAddress } from '../../shared/naming';
import type { Transport } from '../../shared/requestFile/ast';
import type { FramingSpec } from '../../shared/framing';
import { resolveHost } from '../resolveHost';
import { toSocketLabError, type ErrorContext } from '../systemErrors';
import { udpMaxPayload } from '../endpoints/udpSocket';
import { connectStream, serverNameFor } from '../tls/connect';
import { createFrameReader, type FrameReader } from './frames';
import { Inbox } from './inbox';

/** Where and how a block connects (the target already expanded and checked). */
export interface ConnectTarget {
  transport: Transport;
  host?: string;
  port?: number;
  path?: string;
  timeoutMs: number;
  framing?: FramingSpec;
  servername?: string;
  /** PEM text of the trusted certificates (TLS `ca=`). */
  ca?: string;
  insecure?: boolean;
}

/** Told of every chunk or datagram that crosses the connection. */
export type TrafficTap = (direction: 'in' | 'out', data: Uint8Array) => void;

function cancelled(): SocketLabError {
  return SocketLabError.create('cancelled', 'The run was cancelled.');
}

/** An open connection of a block. close() is idempotent and releases everything. */
export class BlockConnection {
  readonly inbox: Inbox;
  private frames: FrameReader | undefined;
  private closed = false;

  private constructor(
    private readonly stream: net.Socket | undefined,
    private readonly udp: dgram.Socket | undefined,
    framing: FramingSpec | undefined,
    private readonly tap: TrafficTap,
    private readonly ctx: ErrorContext,
  ) {
    const framed = udp !== undefined || (framing !== undefined && framing.mode !== 'none');
    this.inbox = new Inbox(framed ? 'messages' : 'stream', (full) => {
      if (full) stream?.pause();
      else stream?.resume();
    });
    if (stream && framed) {
      this.frames = createFrameReader(framing!, (frame) => this.inbox.pushMessage(frame, false));
    }
  }

  /** Connects as `target` says; rejects with a SocketLabError (refused, timed out, cancelled...). */
  static async open(target: ConnectTarget, tap: TrafficTap, signal: AbortSignal): Promise<BlockConnection> {
    if (signal.aborted) throw cancelled();
    if (target.transport === 'unix') {
      const ctx: ErrorContext = { operation: 'connect', path: target.path };
      const socket = net.connect({ path: target.path!, allowHalfOpen: true });
      await settle(socket, 'connect', target, ctx, signal);
      return new BlockConnection(socket, undefined, target.framing, tap, ctx).attachStream(socket);
    }
    const { address, family } = await resolveHost(target.host!);
    const ctx: ErrorContext = { operation: 'connect', address, port: target.port, host: target.host };
    if (target.transport === 'udp') {
      const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
      socket.connect(target.port!, address);
      await settle(socket, 'connect', target, { ...ctx, datagram: true }, signal);
      return new BlockConnection(undefined, socket, undefined, tap, { ...ctx, datagram: true }).attachUdp(socket);
    }
    if (target.transport === 'tls') {
      // The TLS endpoints' connect, so a certificate failure gets their sentence (self-signed, unknown CA...).
      const { socket } = await connectStream({
        target: { host: address, port: target.port! },
        timeoutMs: target.timeoutMs,
        noDelay: true,
        signal,
        tls: { servername: serverNameFor(target.host, target.servername), ca: target.ca, insecure: target.insecure },
      }).catch((err: unknown) => {
        throw isSocketLabError(err) && err.code === 'stopped' ? cancelled() : err;
      });
      return new BlockConnection(socket, undefined, target.framing, tap, ctx).attachStream(socket);
    }
    const socket = net.connect({ host: address, port: target.port!, allowHalfOpen: true, noDelay: true });
    await settle(socket, 'connect', target, ctx, signal);
    return new BlockConnection(socket, undefined, target.framing, tap, ctx).attachStream(socket);
  }

  private attachStream(socket: net.Socket): this {
    socket.on('data', (chunk: Buffer) => {
      this.tap('in', chunk);
      if (this.frames) this.frames.push(chunk);
      else this.inbox.pushBytes(chunk);
    });
    socket.on('end', () => {
      // A frame the peer left unfinished is matched like a frame (the request-files issue says so).
      this.frames?.flush();
      this.inbox.ended({ kind: 'closed' });
    });
    socket.on('error', (err) => {
      this.frames?.flush();
      this.inbox.ended({ kind: 'error', error: toSocketLabError(err, this.ctx) });
    });
    socket.on('close', () => this.inbox.ended({ kind: 'closed' }));
    return this;
  }

  private attachUdp(socket: dgram.Socket): this {
    socket.on('message', (message: Buffer) => {
      this.tap('in', message);
      this.inbox.pushMessage(message, true);
    });
    // A connected UDP socket hears ICMP port unreachable as ECONNREFUSED: the peer is not there.
    socket.on('error', (err) => this.inbox.ended({ kind: 'error', error: toSocketLabError(err, this.ctx) }));
    return this;
  }

  /**
   * Sends `data`. A stream write the socket takes at once returns nothing (no promise on the hot path);
   * otherwise the promise settles once the socket took it ('drain') or failed. Throws SocketLabError.
   */
  send(data: Uint8Array, signal: AbortSignal): Promise<void> | void {
    const end = this.inbox.end;
    if (this.closed || end?.kind === 'error') {
      throw end?.kind === 'error'
        ? end.error
        : SocketLabError.create('connectionClosed', 'The connection is closed; nothing was sent.');
    }
    if (this.udp) {
      const max = udpMaxPayload(this.ctx.address ?? '');
      if (data.length > max) {
        throw SocketLabError.create(
          'datagramTooLarge',
          'A UDP datagram holds at most {max} bytes here (got {length}).',
          { max, length: data.length },
        );
      }
      this.tap('out', data);
      return new Promise<void>((resolve, reject) =>
        this.udp!.send(data, (err) =>
          err ? reject(toSocketLabError(err, { ...this.ctx, operation: 'send' })) : resolve(),
        ),
      );
    }
    this.tap('out', data);
    const stream = this.stream!;
    if (stream.write(data)) return;
    return new Promise<void>((resolve, reject) => {
      const done = (err?: unknown) => {
        stream.off('drain', onDrain);
        stream.off('close', onDrain);
        signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else if (stream.destroyed)
          reject(SocketLabError.create('connectionClosed', 'The connection is closed; nothing was sent.'));
        else resolve();
      };
      const onDrain = () => done();
      const onAbort = () => done(cancelled());
      stream.on('drain', onDrain);
      stream.on('close', onDrain);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Half-closes our side (FIN); the peer may still send. */
  end(): void {
    this.stream?.end();
  }

  /** Closes the connection now and stops any framing timer; safe to call more than once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.frames?.dispose();
    this.stream?.destroy();
    if (this.udp) {
      try {
        this.udp.close();
      } catch {
        // already closed by an error
      }
    }
    this.inbox.ended({ kind: 'closed' });
    this.inbox.dispose();
  }
}

/** Waits for `event` (connected), or fails on error, timeout or cancel; the socket is destroyed on failure. */
function settle(
  socket: net.Socket | dgram.Socket,
  event: string,
  target: ConnectTarget,
  ctx: ErrorContext,
  signal: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (error: SocketLabError) => {
      cleanup();
      if (socket instanceof net.Socket) socket.destroy();
      else {
        try {
          socket.close();
        } catch {
          // not bound yet
        }
      }
      reject(error);
    };
    const onError = (err: Error) => fail(toSocketLabError(err, ctx));
    const onAbort = () => fail(cancelled());
    const onEvent = () => {
      cleanup();
      resolve();
    };
    const timer = setTimeout(
      () =>
        fail(
          SocketLabError.create(
            'timedOut',
            'Connecting to {target} timed out after {timeoutMs} ms; check the address, the port and any firewall.',
            {
              target: target.path ?? formatAddress({ address: ctx.address ?? target.host!, port: target.port! }),
              timeoutMs: target.timeoutMs,
            },
            'ETIMEDOUT',
          ),
        ),
      target.timeoutMs,
    );
    const cleanup = () => {
      clearTimeout(timer);
      socket.off('error', onError);
      socket.off(event, onEvent);
      signal.removeEventListener('abort', onAbort);
    };
    socket.once('error', onError);
    socket.once(event, onEvent);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
