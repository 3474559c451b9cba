/**
 * One client of a stream relay and its own upstream connection, joined as a faithful pipe: both sides
 * half-open, `pipe` both ways (so a stalled side stops the other from being read, and nothing piles up in
 * the relay), a `'data'` tap beside each pipe for the log, half-close passed on, a reset mirrored as a reset,
 * and any other end of one side ending the other.
 */
import * as net from 'net';
import { SocketLabError, errorFields } from '../../shared/errors';
import { SocketAddressInfo } from '../../shared/model';
import { TlsInfo } from '../../shared/tls';
import { ErrorContext, toSocketLabError } from '../systemErrors';
import { TlsServerContext, acceptTls } from '../tls/accept';
import { ClientHelloRequest, peekClientHello } from '../tls/clientHello';
import {
  ConnectedStream,
  StreamTarget,
  TlsClientOptions,
  connectStream,
  formatTarget,
  targetContext,
} from '../tls/connect';
import { RelayDirection, RelayPairInfo } from './relayTypes';

/** What a pair reports to its relay. */
export interface PairOwner {
  /** A chunk went (or was injected) through the pair. */
  tapped(pair: RelayPair, direction: RelayDirection, data: Buffer, injected: boolean): void;
  /** State, half-close or TLS details changed. */
  changed(pair: RelayPair): void;
  /** Both sides are closed. */
  closed(pair: RelayPair): void;
  /** Something failed (a handshake, the upstream connection, a reset...). */
  failed(pair: RelayPair, error: SocketLabError): void;
}

/** How a pair reaches its upstream. */
export interface PairSettings {
  upstream: StreamTarget;
  tlsListen?: TlsServerContext;
  tlsUpstream?: TlsClientOptions;
  /** The upstream's SNI name was set by the user: the client's is not passed on. */
  upstreamServernameFixed?: boolean;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
}

/** Errors that mean the peer reset the connection (or it died the same way): mirrored as a reset. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED']);

interface Side {
  /** What is read and written: the TLS socket for TLS, else the raw one. */
  socket: net.Socket;
  /** The TCP or Unix socket under it. */
  raw: net.Socket;
  error?: NodeJS.ErrnoException;
  closed: boolean;
}

/** Sends a TCP reset when the socket can (TCP), else just closes it (a Unix socket has no reset). */
export function resetSocket(raw: net.Socket): void {
  if (raw.destroyed) return;
  try {
    raw.resetAndDestroy();
  } catch {
    raw.destroy();
  }
}

/** One accepted client and its upstream connection. */
export class RelayPair {
  state: RelayPairInfo['state'] = 'connecting';
  bytesToUpstream = 0;
  bytesToClient = 0;
  messagesToUpstream = 0;
  messagesToClient = 0;
  private _client: Side;
  private _upstream?: Side;
  private _clientEnded = false;
  private _upstreamEnded = false;
  private _resetBy?: 'client' | 'upstream';
  private _error?: SocketLabError;
  private _tls: { client?: TlsInfo; upstream?: TlsInfo } = {};
  private _upstreamLocal?: SocketAddressInfo;
  private readonly _abort = new AbortController();
  private _upstreamCtx?: ErrorContext;

  constructor(
    /** '<relay id>.cN'. */
    readonly id: string,
    /** The client's address. */
    readonly client: SocketAddressInfo,
    /** How the client is named in the log and in sentences. */
    readonly label: string,
    clientRaw: net.Socket,
    private readonly _owner: PairOwner,
  ) {
    this._client = { socket: clientRaw, raw: clientRaw, closed: false };
    clientRaw.on('error', (err: NodeJS.ErrnoException) => (this._client.error ??= err));
    // Until both sides are joined, a client that goes away ends the pair (and any upstream attempt).
    clientRaw.once('close', () => {
      if (this.state === 'connecting') {
        this._client.closed = true;
        this._abort.abort();
        this._finish();
      }
    });
  }

  /**
   * Runs the client's handshake (TLS listen), connects the upstream, then joins the two. With TLS on both
   * sides the upstream is connected first, asking for what the client's ClientHello asks for (SNI, ALPN), so
   * that the client can be answered with the protocol the upstream chose.
   */
  async start(settings: PairSettings): Promise<void> {
    this._upstreamCtx = targetContext(settings.upstream, 'receive');
    let up: ConnectedStream | undefined;
    if (settings.tlsListen) {
      let alpn: readonly string[] | undefined;
      if (settings.tlsUpstream) {
        const hello = await peekClientHello(this._client.raw, settings.handshakeTimeoutMs);
        if (this.state !== 'connecting') return;
        if (hello) {
          up = await this._connectUpstream(settings, hello);
          if (!up) return;
          alpn = up.tls?.alpn ? [up.tls.alpn] : undefined;
        }
      }
      if (!(await this._acceptClient(settings, alpn))) {
        up?.socket.destroy();
        return;
      }
    }
    if (this.state !== 'connecting') {
      up?.socket.destroy();
      return;
    }
    up ??= await this._connectUpstream(settings);
    if (!up) return;
    if (up.tls) this._tls.upstream = up.tls;
    if (!('path' in settings.upstream)) {
      this._upstreamLocal = { address: up.raw.localAddress ?? '?', port: up.raw.localPort ?? 0 };
    }
    this._upstream = { socket: up.socket, raw: up.raw, closed: false };
    this._join();
  }

  /** The client's side of the handshake; false (the pair failed, the client was reset) when it fails. */
  private async _acceptClient(settings: PairSettings, alpn: readonly string[] | undefined): Promise<boolean> {
    try {
      const clientCtx = this._clientContext('accept');
      const accepted = await acceptTls(
        this._client.raw,
        settings.tlsListen!,
        settings.handshakeTimeoutMs,
        clientCtx,
        alpn,
      );
      this._client.socket = accepted.socket;
      this._tls.client = accepted.tls;
      return true;
    } catch (err) {
      this._fail(
        SocketLabError.create(
          'relayClientHandshakeFailed',
          'Client {client} failed the TLS handshake: {problem}',
          { client: this.label, problem: (err as SocketLabError).message },
          (err as SocketLabError).systemCode,
          err as SocketLabError,
        ),
      );
      resetSocket(this._client.raw);
      return false;
    }
  }

  /**
   * Connects the upstream (with the SNI name and ALPN list of the client's `hello`, when there is one);
   * undefined when it failed (the client was reset) or the pair ended meanwhile.
   */
  private async _connectUpstream(
    settings: PairSettings,
    hello?: ClientHelloRequest,
  ): Promise<ConnectedStream | undefined> {
    let tls = settings.tlsUpstream;
    if (tls && hello) {
      const servername = settings.upstreamServernameFixed ? tls.servername : (hello.servername ?? tls.servername);
      tls = { ...tls, servername, alpn: hello.alpn ?? tls.alpn };
    }
    let up: ConnectedStream;
    try {
      up = await connectStream({
        target: settings.upstream,
        timeoutMs: settings.connectTimeoutMs,
        tls,
        signal: this._abort.signal,
      });
    } catch (err) {
      if (this.state !== 'connecting' || this._abort.signal.aborted) return undefined;
      this._fail(this._upstreamError(err as SocketLabError, settings));
      // The client connected to "the server" and the server is not there: it learns so by a reset.
      resetSocket(this._client.raw);
      return undefined;
    }
    if (this.state !== 'connecting') {
      up.socket.destroy();
      return undefined;
    }
    return up;
  }

  private _upstreamError(err: SocketLabError, settings: PairSettings): SocketLabError {
    const values = { client: this.label, target: formatTarget(settings.upstream) };
    if (err.systemCode === 'ECONNREFUSED') {
      return SocketLabError.create(
        'upstreamRefused',
        'The upstream {target} refused the connection (nothing listens there), so client {client} was reset; start the server or check the upstream address.',
        values,
        'ECONNREFUSED',
      );
    }
    if (err.code === 'timedOut') {
      return SocketLabError.create(
        'upstreamTimedOut',
        'The upstream {target} did not accept the connection within {timeoutMs} ms, so client {client} was reset.',
        { ...values, timeoutMs: settings.connectTimeoutMs },
        'ETIMEDOUT',
      );
    }
    return SocketLabError.create(
      'upstreamFailed',
      'The upstream connection for client {client} failed, so the client was reset: {problem}',
      { ...values, problem: err.message },
      err.systemCode,
      err,
    );
  }

  /** Pipes both ways with a tap beside each pipe, and ties the two sides' ends together. */
  private _join(): void {
    const client = this._client;
    const upstream = this._upstream!;
    this.state = 'open';
    for (const [side, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      const direction: RelayDirection = side === client ? 'toUpstream' : 'toClient';
      side.socket.on('error', (err: NodeJS.ErrnoException) => (side.error ??= err));
      if (side.raw !== side.socket) side.raw.on('error', (err: NodeJS.ErrnoException) => (side.error ??= err));
      // `pipe` ends `other` when `side` ends: the half-close goes through, and the other way stays open.
      side.socket.pipe(other.socket);
      side.socket.on('data', (chunk: Buffer) => this._tap(direction, chunk));
      side.socket.on('end', () => {
        if (side === client) this._clientEnded = true;
        else this._upstreamEnded = true;
        this._owner.changed(this);
      });
      side.socket.on('close', () => this._sideClosed(side, other));
    }
    this._owner.changed(this);
  }

  private _tap(direction: RelayDirection, chunk: Buffer): void {
    if (direction === 'toUpstream') {
      this.bytesToUpstream += chunk.length;
      this.messagesToUpstream++;
    } else {
      this.bytesToClient += chunk.length;
      this.messagesToClient++;
    }
    this._owner.tapped(this, direction, chunk, false);
  }

  /**
   * One side is closed. A reset is passed on as a reset; any other error ends the other side at once; a
   * clean close leaves the other side to send what it still has (its peer has finished sending, or this
   * side could not have closed cleanly), unless it is still being sent to, with nobody left to hear it.
   */
  private _sideClosed(side: Side, other: Side): void {
    side.closed = true;
    if (side.error && !this._error) {
      const err = toSocketLabError(
        side.error,
        side === this._client ? this._clientContext('receive') : this._upstreamContext(),
      );
      this._error = err;
      this._owner.failed(this, err);
    }
    if (!other.closed && !other.socket.destroyed) {
      const code = side.error?.code;
      if (code !== undefined && RESET_CODES.has(code)) {
        this._resetBy ??= side === this._client ? 'client' : 'upstream';
        resetSocket(other.raw);
        other.socket.destroy();
      } else if (side.error || !other.socket.readableEnded) {
        other.socket.destroy();
      }
    }
    if (this._client.closed && this._upstream?.closed) this._finish();
  }

  private _clientContext(operation: string): ErrorContext {
    return 'path' in this.client
      ? { operation, path: this.label }
      : { operation, address: this.client.address, port: this.client.port };
  }

  private _upstreamContext(): ErrorContext {
    return this._upstreamCtx ?? { operation: 'receive' };
  }

  private _fail(err: SocketLabError): void {
    this._error = err;
    this._owner.failed(this, err);
    if (this._client.closed) this._finish();
  }

  private _finish(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this._owner.closed(this);
  }

  /**
   * Sends `data` to the client ('toClient') or the upstream ('toUpstream') as if the other peer had sent it;
   * resolves when the OS took it. Only while the pair is open and that side can still be written.
   */
  inject(direction: RelayDirection, data: Uint8Array): Promise<number> {
    const side = direction === 'toUpstream' ? this._upstream : this._client;
    const values = { id: this.id, client: this.label };
    if (this.state !== 'open' || !side || side.socket.destroyed) {
      return Promise.reject(
        SocketLabError.create(
          'relayPairClosed',
          'Relay connection {id} ({client}) is not open; nothing was sent.',
          values,
        ),
      );
    }
    if (side.socket.writableEnded) {
      return Promise.reject(
        direction === 'toUpstream'
          ? SocketLabError.create(
              'relaySideEnded',
              'Relay connection {id} ({client}) has already passed on the client’s FIN to the upstream; nothing more can be sent that way.',
              values,
            )
          : SocketLabError.create(
              'relaySideEnded',
              'Relay connection {id} ({client}) has already passed on the upstream’s FIN to the client; nothing more can be sent that way.',
              values,
            ),
      );
    }
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    return new Promise<number>((resolve, reject) => {
      side.socket.write(buf, (err) =>
        err
          ? reject(toSocketLabError(err, side === this._client ? this._clientContext('send') : this._upstreamContext()))
          : resolve(buf.length),
      );
      this._owner.tapped(this, direction, buf, true);
    });
  }

  /** Bytes the relay holds in memory for this pair right now (read but not yet written, queued to write). */
  bufferedBytes(): number {
    let n = 0;
    for (const side of [this._client, this._upstream]) {
      if (!side) continue;
      n += side.socket.readableLength + side.socket.writableLength;
      if (side.raw !== side.socket) n += side.raw.readableLength + side.raw.writableLength;
    }
    return n;
  }

  /** Closes both sides at once (the relay is stopping). */
  destroy(): void {
    this._abort.abort();
    this._client.socket.destroy();
    this._client.raw.destroy();
    this._upstream?.socket.destroy();
    this._upstream?.raw.destroy();
  }

  /** A snapshot as plain data. */
  info(): RelayPairInfo {
    const info: RelayPairInfo = {
      id: this.id,
      client: this.client,
      state: this.state,
      bytesToUpstream: this.bytesToUpstream,
      bytesToClient: this.bytesToClient,
      messagesToUpstream: this.messagesToUpstream,
      messagesToClient: this.messagesToClient,
    };
    if (this._upstreamLocal) info.upstreamLocal = this._upstreamLocal;
    if (this._clientEnded) info.clientEnded = true;
    if (this._upstreamEnded) info.upstreamEnded = true;
    if (this._resetBy) info.resetBy = this._resetBy;
    if (this._error) Object.assign(info, errorFields(this._error), { errorCode: this._error.code });
    if (this._tls.client || this._tls.upstream) info.tls = { ...this._tls };
    return info;
  }
}
