/** What TCP and Unix-domain endpoints share: attaching a stream socket and writing with backpressure. */
import type * as net from 'net';
import { SocketLabError } from '../../shared/errors';
import type { Connection } from './connection';
import { Endpoint, type SendMode } from './endpoint';

/** Base of TCP/Unix listeners and clients. */
export abstract class StreamEndpoint extends Endpoint {
  /** Wires a connected socket to `c`: receive path, auto-reply, half-close, errors and close. */
  protected attach(c: Connection, socket: net.Socket, endOnPeerEnd: boolean): void {
    c.socket = socket;
    // Each send in flight watches 'close' for a moment; many parallel sends are legitimate, not a leak.
    socket.setMaxListeners(0);
    socket.on('data', (chunk: Buffer) => {
      this.received(c, chunk);
      if (this.autoReply) {
        const reply = this.replyFor(chunk);
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
    });
    socket.on('end', () => {
      c.peerEnded = true;
      this.peerFinished(c);
      if (endOnPeerEnd && !c.localEnded) {
        // Behave like a plain server: the peer is done, so finish after what is queued (auto-replies included).
        c.localEnded = true;
        c.endedAfterPeer = true;
        socket.end();
      }
      this.sink.changed(this.id);
    });
    socket.on('error', (err) => {
      c.error = this.mapError(err, 'receive', c.remote);
    });
    socket.on('close', () => this.streamClosed(c));
  }

  /** Called once the socket of `c` is fully closed. */
  protected streamClosed(c: Connection): void {
    this.connectionClosed(c);
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
      const onClose = () =>
        fail(
          this.isDisposed
            ? this._stoppedError()
            : Object.assign(new Error('closed'), { code: c.error?.systemCode ?? 'EPIPE' }),
        );
      socket.once('close', onClose);
      const accepted = socket.write(data, (err) =>
        err ? fail(this.isDisposed ? this._stoppedError() : err) : mode === 'flushed' ? done() : undefined,
      );
      this.sent(c, data);
      if (mode === 'accepted') {
        if (accepted) done();
        else socket.once('drain', done);
      }
    });
  }
}
