/** A connection of an endpoint: one accepted TCP/Unix client, one UDP peer, or a client's own socket. */
import type * as net from 'net';
import { SocketLabError, errorFields } from '../../shared/errors';
import type { ConnectionInfo, SocketAddressInfo } from '../../shared/model';

/** One accepted connection, one UDP peer, or a client's own socket (not listed then). */
export class Connection {
  state: 'connected' | 'closed' = 'connected';
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  /** The peer sent FIN (TCP/Unix half-close). */
  peerEnded = false;
  /** We sent FIN. */
  localEnded = false;
  /** We sent FIN because the peer had (a server's connection, a client not connected with halfOpen). */
  endedAfterPeer = false;
  error?: SocketLabError;
  /** The stream socket, for TCP/Unix. */
  socket?: net.Socket;
  /** Stream paused because the capture file fell behind. */
  pausedForCapture = false;
  /** Stream paused because the peer does not read our auto-replies. */
  pausedForReply = false;

  constructor(
    readonly id: string,
    readonly remote: SocketAddressInfo,
    /** The `peer` of its records. */
    readonly label: string,
    /** The connectionId put on its records (undefined for a client's own socket). */
    readonly recordId: string | undefined,
  ) {}

  /** A snapshot for list(). */
  info(): ConnectionInfo {
    const info: ConnectionInfo = {
      id: this.id,
      remote: this.remote,
      state: this.state,
      bytesIn: this.bytesIn,
      bytesOut: this.bytesOut,
      messagesIn: this.messagesIn,
      messagesOut: this.messagesOut,
    };
    if (this.peerEnded) info.peerEnded = true;
    if (this.localEnded) info.localEnded = true;
    if (this.error) Object.assign(info, errorFields(this.error));
    return info;
  }
}
