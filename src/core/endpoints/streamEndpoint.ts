/**
 * What TCP and Unix-domain endpoints share: attaching a stream socket, framing what it reads (one deframer
 * per connection when a framing is set) and writing with backpressure.
 */
import type * as net from 'net';
import { SocketLabError } from '../../shared/errors';
import { NO_FRAMING, type FramingSpec } from '../../shared/framing';
import { createDeframer, type FrameInfo } from '../framing/deframer';
import { SMALL_DATA_MAX_BYTES } from '../trafficLog';
import type { Connection } from './connection';
import { Endpoint, isFraming, type EndpointCommonOptions, type SendMode } from './endpoint';

const WHOLE_READ: Readonly<FrameInfo> = Object.freeze({});

/** Base of TCP/Unix listeners and clients. */
export abstract class StreamEndpoint extends Endpoint {
  private _framing: FramingSpec;
  /** Frame callbacks running now: a framing change made from inside one waits until they return. */
  private _inFrameSink = 0;

  constructor(options: EndpointCommonOptions) {
    super(options);
    this._framing = options.framing ?? NO_FRAMING;
  }

  protected override framingSpec(): FramingSpec {
    return this._framing;
  }

  /**
   * Changes how what arrives from now on is cut (a spec the registry checked with resolveFraming): new
   * connections use it, and each live one swaps its deframer, keeping the bytes of a frame in progress.
   */
  setFraming(spec: FramingSpec): void {
    this._framing = spec;
    if (this._inFrameSink > 0) {
      // Called from a listener of this endpoint's records, inside a deframer: swap once it has returned.
      queueMicrotask(() => this._swapAll());
    } else {
      this._swapAll();
    }
    this.sink.changed(this.id);
  }

  private _swapAll(): void {
    if (this.isDisposed) return;
    for (const c of this.connections.values()) {
      if (c.socket && c.state === 'connected') this._swapFraming(c);
    }
  }

  /** Gives `c` a deframer for the endpoint's framing now; the bytes of the old one's frame in progress go to it. */
  private _swapFraming(c: Connection): void {
    const old = c.deframer;
    const rest = old ? old.takePending() : undefined;
    old?.dispose();
    c.deframer = isFraming(this._framing)
      ? createDeframer(this._framing, (f, info) => this._frame(c, f, info))
      : undefined;
    if (!rest?.byteLength) return;
    if (c.deframer) c.deframer.push(rest);
    else this._frame(c, rest, WHOLE_READ);
  }

  /** Wires a connected socket to `c`: receive path, auto-reply, half-close, errors and close. */
  protected attach(c: Connection, socket: net.Socket, endOnPeerEnd: boolean): void {
    c.socket = socket;
    // Each send in flight watches 'close' for a moment; many parallel sends are legitimate, not a leak.
    socket.setMaxListeners(0);
    if (isFraming(this._framing)) this._swapFraming(c);
    socket.on('data', (chunk: Buffer) => {
      if (c.deframer) {
        this.readFramed(c, chunk);
        c.deframer.push(chunk);
        return;
      }
      // No framing: each read is a record (the path the 2 GiB benchmark measures, kept as lean as it was).
      this.received(c, chunk);
      if (this.autoReply) this._reply(c, socket, chunk);
    });
    socket.on('end', () => {
      c.peerEnded = true;
      // Nothing more will arrive: the frame in progress is the last record (marked partial), before the FIN.
      c.deframer?.flush();
      this.captureClose(c, 'remote', 'fin');
      this.peerFinished(c);
      if (endOnPeerEnd && !c.localEnded) {
        // Behave like a plain server: the peer is done, so finish after what is queued (auto-replies included).
        c.localEnded = true;
        c.endedAfterPeer = true;
        socket.end();
        this.captureClose(c, 'local', 'fin');
      }
      this.sink.changed(this.id);
    });
    socket.on('error', (err) => {
      c.error = this.mapError(err, 'receive', c.remote);
    });
    socket.on('close', () => {
      const deframer = c.deframer;
      if (deframer) {
        c.deframer = undefined;
        // A reset ends a frame in progress too (a FIN flushed it already); a stopped endpoint logs nothing more.
        if (!this.isDisposed) deframer.flush();
        deframer.dispose();
      }
      // A reset ends both sides at once; any other close without our FIN (a stop, a destroy) sent one.
      if (c.error?.systemCode === 'ECONNRESET') this.captureClose(c, 'remote', 'rst');
      else this.captureClose(c, 'local', 'fin');
      this.streamClosed(c);
    });
  }

  /**
   * One frame of `c`: a record, the waiting send-and-waits, and the auto-reply (once per frame, never to a
   * partial one). It must not throw: idle framing calls it from a timer.
   */
  private _frame(c: Connection, frame: Uint8Array, info: Readonly<FrameInfo>): void {
    this._inFrameSink++;
    try {
      const data = detached(frame);
      this.frameReceived(c, data, info);
      const socket = c.socket;
      if (this.autoReply && socket && !info.partial) this._reply(c, socket, data);
    } catch {
      // A record that could not be delivered is lost; the stream goes on.
    } finally {
      this._inFrameSink--;
    }
  }

  /** Answers `data` with the auto-reply on `c`, pausing the stream while the peer does not read its replies. */
  private _reply(c: Connection, socket: net.Socket, data: Uint8Array): void {
    const reply = this.replyFor(data);
    if (reply && reply.byteLength && c.state === 'connected' && !c.localEnded) {
      const flushed = socket.write(reply);
      this.sent(c, reply, true);
      if (!flushed && !c.pausedForReply) {
        // The peer does not read its replies: stop reading from it until it does, as a real echo
        // server would, so a peer that only sends cannot grow our memory without bound.
        c.pausedForReply = true;
        socket.pause();
        socket.once('drain', () => {
          c.pausedForReply = false;
          if (!c.pausedForCapture) socket.resume();
        });
      }
    }
  }

  /** Called once the socket of `c` is fully closed. */
  protected streamClosed(c: Connection): void {
    this.connectionClosed(c);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    // Idle framing holds a timer per connection: none may outlive the endpoint.
    for (const c of this.connections.values()) {
      c.deframer?.dispose();
      c.deframer = undefined;
    }
    super.dispose();
  }

  private _stoppedError(): SocketLabError {
    return SocketLabError.create('stopped', '{endpoint} was stopped; the data was not sent.', {
      id: this.id,
      endpoint: this.displayName,
    });
  }

  /** Writes to one stream; in 'flushed' mode resolves when the OS took it, in 'accepted' mode only waits on backpressure. */
  protected write(c: Connection, data: Uint8Array, mode: SendMode): Promise<number> {
    const socket = c.socket;
    if (this.isDisposed) return Promise.reject(this._stoppedError());
    if (!socket || c.state !== 'connected' || socket.destroyed) {
      // A connection that failed (reset, broken pipe) says why, rather than only that it is closed.
      return Promise.reject(
        c.error ??
          SocketLabError.create('connectionClosed', 'Connection {id} to {peer} is closed; nothing was sent.', {
            id: c.id,
            peer: c.label,
          }),
      );
    }
    if (c.endedAfterPeer) {
      return Promise.reject(
        SocketLabError.create('connectionClosed', '{peer} closed the connection {id}; nothing was sent.', {
          id: c.id,
          peer: c.label,
        }),
      );
    }
    if (c.localEnded || socket.writableEnded) {
      return Promise.reject(
        SocketLabError.create(
          'connectionEnded',
          'Connection {id} to {peer} was half-closed by this side; it can only receive now.',
          { id: c.id, peer: c.label },
        ),
      );
    }
    return new Promise<number>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown) => {
        if (!settled) {
          settled = true;
          socket.off('close', onClose);
          reject(this.mapError(err, 'send', c.remote));
        }
      };
      const done = () => {
        if (!settled) {
          settled = true;
          socket.off('close', onClose);
          resolve(data.byteLength);
        }
      };
      // Closed by our own stop/dispose: say so, rather than blame the peer (EPIPE).
      const notSent = () =>
        this.isDisposed
          ? this._stoppedError()
          : Object.assign(new Error('closed'), { code: c.error?.systemCode ?? 'EPIPE' });
      const onClose = () => fail(notSent());
      socket.once('close', onClose);
      // Node calls back a write that a destroy cancelled (our stop, the peer's reset) without an error: it was
      // not sent all the same.
      const accepted = socket.write(data, (err) =>
        err
          ? fail(this.isDisposed ? this._stoppedError() : err)
          : socket.destroyed
            ? fail(notSent())
            : mode === 'flushed'
              ? done()
              : undefined,
      );
      this.sent(c, data);
      if (mode === 'accepted') {
        if (accepted) done();
        else socket.once('drain', done);
      }
    });
  }
}

/**
 * A frame that is a small view of a much larger read is copied, so that the log (which keeps data over
 * 1 KiB by reference) never holds a whole 64 KiB read alive for a 2 KiB frame; smaller frames the log
 * copies itself, and frames that are most of their buffer are kept as they are.
 */
function detached(frame: Uint8Array): Uint8Array {
  return frame.byteLength > SMALL_DATA_MAX_BYTES && frame.byteLength * 2 < frame.buffer.byteLength
    ? Buffer.from(frame)
    : frame;
}
