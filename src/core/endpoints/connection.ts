/** A connection of an endpoint: one accepted TCP/Unix client, one UDP peer, or a client's own socket. */
import type * as net from 'net';
import { SocketLabError, errorFields } from '../../shared/errors';
import type { ConnectionInfo, SocketAddressInfo } from '../../shared/model';
import type { TlsInfo } from '../../shared/tls';
import type { Deframer } from '../framing/deframer';

/** One accepted connection, one UDP peer, or a client's own socket (not listed then). */
export class Connection {
  state: 'connected' | 'closed' = 'connected';
  bytesIn = 0;
  bytesOut = 0;
  messagesIn = 0;
  messagesOut = 0;
  /** Epoch milliseconds: accepted, or first heard from (a UDP peer). */
  readonly openedAt = Date.now();
  /** Epoch milliseconds of the last chunk received / sent (0: none yet). */
  lastInAt = 0;
  lastOutAt = 0;
  /** Epoch milliseconds it closed (0: open). */
  closedAt = 0;
  /** The peer sent FIN (TCP/Unix half-close). */
  peerEnded = false;
  /** We sent FIN. */
  localEnded = false;
  /** We sent FIN because the peer had (a server's connection, a client not connected with halfOpen). */
  endedAfterPeer = false;
  error?: SocketLabError;
  /** The local address of an accepted TCP connection (a listener on 0.0.0.0 or :: answers on one of its addresses). */
  local?: SocketAddressInfo;
  /** The stream socket, for TCP/Unix. */
  socket?: net.Socket;
  /** Stream paused because the capture file fell behind. */
  pausedForCapture = false;
  /** Stream paused because the peer does not read our auto-replies. */
  pausedForReply = false;
  /** TLS: the session with this peer (a relay's: with its client). */
  tls?: TlsInfo;
  /** Relay: what only a relay's connections have (see ConnectionInfo). */
  relay?: Pick<ConnectionInfo, 'upstreamLocal' | 'upstreamEnded' | 'resetBy' | 'upstreamTls'>;
  /** TCP/Unix with framing: cuts this stream's reads into frames (undefined: one record per read). */
  deframer?: Deframer;

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
      openedAt: this.openedAt,
    };
    if (this.lastInAt) info.lastInAt = this.lastInAt;
    if (this.lastOutAt) info.lastOutAt = this.lastOutAt;
    if (this.closedAt) info.closedAt = this.closedAt;
    if (this.local) info.local = this.local;
    if (this.peerEnded) info.peerEnded = true;
    if (this.localEnded) info.localEnded = true;
    if (this.error) Object.assign(info, errorFields(this.error));
    if (this.tls) info.tls = this.tls;
    if (this.relay) Object.assign(info, this.relay);
    return info;
  }
}
