/**
 * A TCP or Unix relay (man in the middle), plain or TLS on either side: it listens, and gives each client
 * its own upstream connection (relayPair.ts), logging both directions like `socat -v`.
 */
import * as fs from 'fs';
import * as net from 'net';
import { SocketLabError } from '../../shared/errors';
import { SocketAddressInfo } from '../../shared/model';
import { formatAddress } from '../../shared/naming';
import { toSocketLabError } from '../systemErrors';
import { prepareUnixPath } from '../endpoints/unixSocketFile';
import { TlsServerContext, createServerContext } from '../tls/accept';
import { RelayBase } from './relayBase';
import { PairOwner, RelayPair } from './relayPair';
import { RelayDirection, StreamRelayOptions } from './relayTypes';

/** A listening stream relay; dispose() stops it and closes every pair. */
export class StreamRelay extends RelayBase<RelayPair> implements PairOwner {
  private _server?: net.Server;
  private _tlsListen?: TlsServerContext;
  private _local?: SocketAddressInfo;
  private _socketFileIno?: number;
  private _nextPair = 1;

  constructor(private readonly _options: StreamRelayOptions) {
    super(_options.id, _options.logCapBytes);
  }

  /** Where it listens, once started. */
  get local(): SocketAddressInfo | undefined {
    return this._local;
  }

  /** Binds and listens; rejects with a clear sentence (address in use, stale socket path...). */
  async start(): Promise<void> {
    const listen = this._options.listen;
    if (this._options.tlsListen) this._tlsListen = createServerContext(this._options.tlsListen);
    if ('path' in listen) await prepareUnixPath(listen.path);
    // Paused on connect: nothing is read from a client before its upstream is there to take it.
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    const ctx =
      'path' in listen
        ? { operation: 'listen', path: listen.path }
        : { operation: 'listen', address: listen.address, port: listen.port };
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        server.close();
        reject(toSocketLabError(err, ctx));
      };
      server.once('error', onError);
      const spec =
        'path' in listen
          ? { path: listen.path, backlog: this._options.backlog }
          : { host: listen.address, port: listen.port, backlog: this._options.backlog, ipv6Only: false };
      server.listen(spec, () => {
        server.off('error', onError);
        resolve();
      });
    });
    if (this.isDisposed) {
      server.close();
      throw SocketLabError.create('stopped', 'Endpoint {id} was stopped while starting.', { id: this.id });
    }
    this._server = server;
    if ('path' in listen) {
      this._local = { path: listen.path };
      this._socketFileIno = fs.statSync(listen.path, { throwIfNoEntry: false })?.ino;
    } else {
      const a = server.address() as net.AddressInfo;
      this._local = { address: a.address, port: a.port };
    }
    server.on('connection', (socket) => this._accept(socket));
    server.on('error', (err) => this._onDidFail.fire({ error: toSocketLabError(err, ctx) }));
  }

  private _accept(raw: net.Socket): void {
    if (this.isDisposed) {
      raw.destroy();
      return;
    }
    const id = `${this.id}.c${this._nextPair++}`;
    const listen = this._options.listen;
    // Node gives no peer path for accepted Unix connections: they are told apart by id.
    const client: SocketAddressInfo =
      'path' in listen ? { path: listen.path } : { address: raw.remoteAddress ?? '?', port: raw.remotePort ?? 0 };
    const label =
      'path' in client
        ? `${client.path}#${id.slice(this.id.length + 1)}`
        : formatAddress({ address: client.address, port: client.port });
    const pair = new RelayPair(id, client, label, raw, this);
    this._entries.set(id, pair);
    this._onDidOpenPair.fire(pair.info());
    void pair.start({
      upstream: this._options.upstream,
      tlsListen: this._tlsListen,
      tlsUpstream: this._options.tlsUpstream,
      upstreamServernameFixed: this._options.upstreamServernameFixed,
      connectTimeoutMs: this._options.connectTimeoutMs,
      handshakeTimeoutMs: this._options.handshakeTimeoutMs ?? this._options.connectTimeoutMs,
    });
  }

  /** Sends `data` into pair `id` toward the upstream or the client, as if the other peer had sent it. */
  inject(id: string, direction: RelayDirection, data: Uint8Array): Promise<number> {
    const pair = this._entries.get(id);
    if (!pair) return Promise.reject(SocketLabError.create('unknownId', 'There is no connection {id}.', { id }));
    return pair.inject(direction, data);
  }

  /** Bytes held in the relay's memory for all its pairs (read but not written yet, or queued to write). */
  bufferedBytes(): number {
    let n = 0;
    for (const p of this._entries.values()) if (p.state !== 'closed') n += p.bufferedBytes();
    return n;
  }

  // ---- PairOwner ----

  /** Closes pair `id` at once, both sides (an unknown or closed pair is left alone). */
  closePair(id: string): void {
    const pair = this._entries.get(id);
    if (pair && pair.state !== 'closed') pair.destroy();
  }

  tapped(pair: RelayPair, direction: RelayDirection, data: Buffer, injected: boolean): void {
    this._logTap(pair, direction, data, injected);
  }

  changed(pair: RelayPair): void {
    if (!this.isDisposed) this._onDidChangePair.fire(pair.info());
  }

  closed(pair: RelayPair): void {
    if (!this.isDisposed) this._keepClosed(pair);
  }

  failed(pair: RelayPair, error: SocketLabError): void {
    if (!this.isDisposed) this._onDidFail.fire({ pairId: pair.id, error });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    const server = this._server;
    this._server = undefined;
    server?.close();
    for (const p of this._entries.values()) p.destroy();
    this._removeSocketFile();
    super.dispose();
  }

  private _removeSocketFile(): void {
    const listen = this._options.listen;
    if (!('path' in listen) || this._socketFileIno === undefined) return;
    try {
      const st = fs.lstatSync(listen.path);
      if (st.isSocket() && st.ino === this._socketFileIno) fs.unlinkSync(listen.path);
    } catch {
      // Already removed (Node unlinks it itself on close).
    }
  }
}
