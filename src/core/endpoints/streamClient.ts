/** TCP, TLS and Unix-domain clients: connect (with timeout, local bind, options), send, half-close, report peer FIN/reset. */
import * as net from 'net';
import { SocketLabError } from '../../shared/errors';
import type { EndpointInfo, EndpointKind } from '../../shared/model';
import { formatAddress } from '../../shared/naming';
import { ENDPOINT_KIND_WORDS } from '../../shared/valueWords';
import type { TlsInfo } from '../../shared/tls';
import { toSocketLabError } from '../systemErrors';
import { connectStream } from '../tls/connect';
import type { KeylogWriter } from '../tls/keylog';
import { type ClientTlsSpec, prepareClientTls } from '../tls/tlsSetup';
import { Connection } from './connection';
import type { EndpointCommonOptions, SendMode, SendTarget } from './endpoint';
import { StreamEndpoint } from './streamEndpoint';

/** Options of a TCP client (address already resolved) or a Unix client (path). */
export interface StreamClientOptions extends EndpointCommonOptions {
  address?: string;
  port?: number;
  path?: string;
  host?: string;
  timeoutMs: number;
  localAddress?: string;
  localPort?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  /** TLS over the TCP connection (the servername defaults to `host` when that is a name). */
  tls?: ClientTlsSpec;
  /** Keep the connection open after the peer's FIN (it may still be sent to); default: close once queued data is written. */
  halfOpen?: boolean;
}

/**
 * A connected stream. When the server sends FIN the client finishes what is queued and becomes `closed`
 * ("... closed the connection"), as ncat and the usual socket tools show it; with `halfOpen` the peer's FIN
 * is only reported (`peerEnded`) and the user may still send, then end() or stop.
 */
export class StreamClient extends StreamEndpoint {
  readonly kind: EndpointKind;
  /** TLS: the session (protocol, cipher, ALPN, SNI, the server's chain). */
  tls?: TlsInfo;
  private _own?: Connection;
  private _keylog?: KeylogWriter;

  constructor(private readonly _options: StreamClientOptions) {
    super(_options);
    this.kind = _options.path !== undefined ? 'unix-client' : 'tcp-client';
    this.host = _options.host;
    this.remote =
      _options.path !== undefined ? { path: _options.path } : { address: _options.address!, port: _options.port! };
  }

  protected override ownConnection(): Connection | undefined {
    return this._own;
  }

  protected override addInfo(info: EndpointInfo): void {
    if (this._own?.peerEnded) info.peerEnded = true;
    if (this._own?.localEnded) info.localEnded = true;
    if (this.autoReply) info.autoReply = true;
    if (this.tls) info.tls = this.tls;
    if (this._options.halfOpen) info.halfOpen = true;
  }

  async start(): Promise<void> {
    const socket = this._options.tls ? await this._connectTls(this._options.tls) : await this._connect();
    if (this.isDisposed) {
      socket.destroy();
      throw SocketLabError.create('stopped', 'Endpoint {id} was stopped while connecting.', { id: this.id });
    }
    if (this._options.path === undefined) {
      this.local = { address: socket.localAddress ?? '?', port: socket.localPort ?? 0 };
    }
    this.state = 'connected';
    // The client's own socket is a connection too (same hot path), but it is not listed as a child.
    this._own = new Connection(this.id, this.remote!, formatAddress(this.remote), undefined);
    this._own.tls = this.tls;
    this.connections.set(this.id, this._own);
    // Unless halfOpen, a client closes once the server closed and what is queued was written (as ncat does).
    this.attach(this._own, socket, !this._options.halfOpen);
  }

  /** Connects over TLS (the handshake within the same timeout); a certificate failure is a sentence naming it. */
  private async _connectTls(spec: ClientTlsSpec): Promise<net.Socket> {
    const o = this._options;
    const options = await prepareClientTls({ ...spec, servername: spec.servername ?? o.host });
    this._keylog = options.keylog;
    this._keylog?.onDidFail((err) => {
      this.error = err;
      this.sink.changed(this.id);
    });
    if (this.isDisposed) this._keylog?.dispose();
    const up = await connectStream({
      target: { host: o.address!, port: o.port! },
      timeoutMs: o.timeoutMs,
      tls: options,
      noDelay: o.noDelay,
      localAddress: o.localAddress,
      localPort: o.localPort,
      keepAlive: o.keepAlive,
    });
    this.tls = up.tls;
    return up.socket;
  }

  private async _connect(): Promise<net.Socket> {
    const o = this._options;
    const remote = this.remote!;
    const ctx =
      'path' in remote
        ? { operation: 'connect', path: remote.path }
        : { operation: 'connect', address: remote.address, port: remote.port };
    const socket =
      o.path !== undefined
        ? net.connect({ path: o.path, allowHalfOpen: true })
        : net.connect({
            host: o.address,
            port: o.port!,
            localAddress: o.localAddress,
            localPort: o.localPort,
            allowHalfOpen: true,
            noDelay: o.noDelay ?? false,
            keepAlive: o.keepAlive ?? false,
          });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          SocketLabError.create(
            'timedOut',
            'Connecting to {target} timed out after {timeoutMs} ms; check the address, the port and any firewall.',
            { ...valuesOf(ctx), target: formatAddress(remote), timeoutMs: o.timeoutMs },
            'ETIMEDOUT',
          ),
        );
      }, o.timeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        socket.destroy();
        reject(toSocketLabError(err, ctx));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve();
      });
    });
    return socket;
  }

  protected override streamClosed(c: Connection): void {
    const err = c.error;
    const byPeer = c.peerEnded && !c.localEnded;
    this.connectionClosed(c);
    if (err) {
      this.endpointEnded('error', err);
    } else {
      this.endpointEnded(
        'closed',
        byPeer || c.peerEnded
          ? SocketLabError.create('closedByPeer', '{peer} closed the connection.', {
              peer: formatAddress(this.remote),
            })
          : undefined,
      );
    }
  }

  async send(target: SendTarget, data: Uint8Array, mode: SendMode = 'flushed'): Promise<number> {
    if (target.to) {
      throw SocketLabError.create(
        'toNotAllowed',
        "'to' is only for UDP sockets; {id} is a {kind} connected to {peer}.",
        { id: this.id, kind: ENDPOINT_KIND_WORDS[this.kind], peer: formatAddress(this.remote) },
      );
    }
    if (!this._own) {
      throw SocketLabError.create('connectionClosed', '{endpoint} is not connected; nothing was sent.', {
        id: this.id,
        endpoint: this.displayName,
      });
    }
    return this.write(this._own, data, mode);
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this._own?.socket?.destroy();
    this._keylog?.dispose();
    super.dispose();
  }
}

function valuesOf(ctx: {
  operation: string;
  path?: string;
  address?: string;
  port?: number;
}): Record<string, string | number> {
  const v: Record<string, string | number> = {};
  for (const [k, val] of Object.entries(ctx)) if (val !== undefined) v[k] = val;
  return v;
}
