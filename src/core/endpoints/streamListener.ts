/** TCP, TLS and Unix-domain listeners: bind, listen(backlog), accept many clients (TLS: after a handshake), send to one or all. */
import * as fs from 'fs';
import * as net from 'net';
import { SocketLabError, isSocketLabError } from '../../shared/errors';
import type { EndpointInfo, EndpointKind, SocketAddressInfo } from '../../shared/model';
import type { TlsInfo } from '../../shared/tls';
import { ENDPOINT_KIND_WORDS } from '../../shared/valueWords';
import { toSocketLabError } from '../systemErrors';
import { acceptTls } from '../tls/accept';
import { type PreparedServerTls, type ServerTlsSpec, prepareServerTls } from '../tls/tlsSetup';
import type { EndpointCommonOptions, SendMode, SendTarget } from './endpoint';
import { StreamEndpoint } from './streamEndpoint';
import { checkParentFolder, prepareUnixPath } from './unixSocketFile';

/** Options of a TCP listener (address already resolved) or a Unix listener (path). */
export interface StreamListenerOptions extends EndpointCommonOptions {
  address?: string;
  port?: number;
  path?: string;
  backlog?: number;
  /** At most this many connections open at once; later ones are closed at once and counted. */
  maxConnections?: number;
  host?: string;
  /** TLS: every accepted client goes through a handshake (within handshakeTimeoutMs) before it is a connection. */
  tls?: ServerTlsSpec & { handshakeTimeoutMs: number };
}

/** Listens on host:port (TCP) or a path (Unix); each accepted client is a connection '<id>.cN'. */
export class StreamListener extends StreamEndpoint {
  readonly kind: EndpointKind;
  private _server?: net.Server;
  /** Inode of the socket file we created, so stop never deletes somebody else's file. */
  private _socketFileIno?: number;
  /** TLS: the listener's settings (caPath, keylogPath); each connection has its own session. */
  tls?: TlsInfo;
  private _tls?: PreparedServerTls;
  /** Raw sockets whose TLS handshake is running (destroyed when the listener stops). */
  private readonly _handshaking = new Set<net.Socket>();
  /** Connections closed at accept because maxConnections were open. */
  private _refused = 0;

  constructor(private readonly _options: StreamListenerOptions) {
    super(_options);
    this.kind = _options.path !== undefined ? 'unix-listener' : 'tcp-listener';
    this.host = _options.host;
  }

  protected override addInfo(info: EndpointInfo): void {
    if (this._options.backlog !== undefined) info.backlog = this._options.backlog;
    if (this._options.maxConnections !== undefined) info.maxConnections = this._options.maxConnections;
    if (this._refused) info.refusedConnections = this._refused;
    if (this.autoReply) info.autoReply = true;
    if (this.tls) info.tls = this.tls;
  }

  async start(): Promise<void> {
    const { path, address, port, backlog } = this._options;
    if (path !== undefined) {
      await prepareUnixPath(path);
      await checkParentFolder(path);
    }
    if (this._options.tls) {
      this._tls = await prepareServerTls(this._options.tls);
      this.tls = this._tls.info;
      this._tls.keylog?.onDidFail((err) => {
        this.error = err;
        this.sink.changed(this.id);
      });
      if (this.isDisposed) this._tls.keylog?.dispose();
    }
    // TLS: nothing is read from a client before its TLS socket takes over the connection.
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: this._tls !== undefined });
    // Each connection holds a file descriptor of the whole extension host: past the limit Node closes new
    // ones at once ('drop'), so a flood of clients cannot make every other open() fail with EMFILE.
    if (this._options.maxConnections !== undefined) server.maxConnections = this._options.maxConnections;
    server.on('drop', () => {
      this._refused++;
      this.sink.changed(this.id);
    });
    const ctx = path !== undefined ? { operation: 'listen', path } : { operation: 'listen', address, port };
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => {
        server.close();
        reject(toSocketLabError(err, ctx));
      };
      server.once('error', onError);
      server.listen(path !== undefined ? { path, backlog } : { host: address, port, backlog, ipv6Only: false }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    if (this.isDisposed) {
      server.close();
      throw SocketLabError.create('stopped', 'Endpoint {id} was stopped while starting.', { id: this.id });
    }
    this._server = server;
    if (path !== undefined) {
      this.local = { path };
      try {
        this._socketFileIno = fs.lstatSync(path).ino;
      } catch {
        // Already gone: nothing to remove later.
      }
    } else {
      const a = server.address() as net.AddressInfo;
      this.local = { address: a.address, port: a.port };
    }
    this.state = 'listening';
    server.on('connection', (socket) => this._accept(socket));
    server.on('error', (err) => {
      this.endpointEnded('error', toSocketLabError(err, ctx));
      this._closeAll();
    });
  }

  private _accept(socket: net.Socket): void {
    if (this.isDisposed) {
      socket.destroy();
      return;
    }
    if (this._tls) {
      void this._acceptTls(socket, this._tls);
      return;
    }
    const path = this._options.path;
    let c;
    if (path !== undefined) {
      // Node gives no peer path for accepted Unix connections: they are told apart by id.
      c = this.addConnection('c', { path }, (id) => `${path}#${id.slice(this.id.length + 1)}`);
    } else {
      c = this.addConnection('c', { address: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 });
      if (socket.localAddress !== undefined && socket.localPort !== undefined) {
        c.local = { address: socket.localAddress, port: socket.localPort };
      }
    }
    this.attach(c, socket, true);
    this.sink.changed(this.id);
  }

  /** Runs the TLS handshake; the client becomes a connection once it is done, or a closed one saying why it failed. */
  private async _acceptTls(raw: net.Socket, prepared: PreparedServerTls): Promise<void> {
    const remote: SocketAddressInfo = { address: raw.remoteAddress ?? '?', port: raw.remotePort ?? 0 };
    const ctx = { operation: 'accept', ...remote };
    this._handshaking.add(raw);
    try {
      const accepted = await acceptTls(raw, prepared.context, this._options.tls!.handshakeTimeoutMs, ctx);
      if (this.isDisposed) {
        accepted.socket.destroy();
        return;
      }
      const c = this.addConnection('c', remote);
      c.tls = accepted.tls;
      this.attach(c, accepted.socket, true);
      this.sink.changed(this.id);
    } catch (err) {
      if (this.isDisposed) return;
      // The client is shown, closed, with the reason: a handshake that fails is what a TLS user debugs.
      const c = this.addConnection('c', remote);
      c.error = isSocketLabError(err) ? err : toSocketLabError(err, ctx);
      this.connectionClosed(c);
    } finally {
      this._handshaking.delete(raw);
    }
  }

  override checkTarget(target: SendTarget): void {
    if (
      target.connectionId === undefined &&
      ![...this.connections.values()].some((c) => c.state === 'connected' && !c.localEnded)
    ) {
      throw SocketLabError.create('noConnections', '{endpoint} has no connected clients to send to.', {
        id: this.id,
        endpoint: this.displayName,
      });
    }
  }

  async send(target: SendTarget, data: Uint8Array, mode: SendMode = 'flushed'): Promise<number> {
    if (target.to) {
      throw SocketLabError.create(
        'toNotAllowed',
        "'to' is only for UDP sockets; {id} is a {kind}: pick one of its connections or the listener.",
        { id: this.id, kind: ENDPOINT_KIND_WORDS[this.kind] },
      );
    }
    if (target.connectionId !== undefined) {
      const c = this.connection(target.connectionId);
      if (!c) throw SocketLabError.create('unknownId', 'There is no connection {id}.', { id: target.connectionId });
      return this.write(c, data, mode);
    }
    const open = [...this.connections.values()].filter((c) => c.state === 'connected' && !c.localEnded);
    if (!open.length) {
      throw SocketLabError.create('noConnections', '{endpoint} has no connected clients to send to.', {
        id: this.id,
        endpoint: this.displayName,
      });
    }
    const sizes = await Promise.all(open.map((c) => this.write(c, data, mode)));
    return sizes.reduce((a, b) => a + b, 0);
  }

  private _closeAll(): void {
    this._closeServer();
    for (const raw of this._handshaking) raw.destroy();
    for (const c of this.connections.values()) c.socket?.destroy();
    this._removeSocketFile();
    this._tls?.keylog?.dispose();
  }

  /**
   * Closes the server. libuv unlinks a pipe server's path when it closes, whatever is there by then; if
   * somebody replaced our socket file, park their file under another name meanwhile so it survives.
   */
  private _closeServer(): void {
    const server = this._server;
    if (!server) return;
    this._server = undefined;
    const path = this._options.path;
    let parked: string | undefined;
    if (path !== undefined && process.platform !== 'win32') {
      try {
        const st = fs.lstatSync(path);
        if (!(st.isSocket() && st.ino === this._socketFileIno)) {
          parked = `${path}.socket-lab-${process.pid}-${Date.now()}`;
          fs.renameSync(path, parked);
        }
      } catch {
        parked = undefined; // Nothing there (or not ours to move): nothing to protect.
      }
    }
    server.close();
    if (parked) {
      try {
        fs.renameSync(parked, path!);
      } catch {
        // Could not put it back; it is still safe under the parked name.
      }
    }
  }

  private _removeSocketFile(): void {
    const path = this._options.path;
    if (path === undefined || this._socketFileIno === undefined) return;
    try {
      const st = fs.lstatSync(path);
      if (st.isSocket() && st.ino === this._socketFileIno) fs.unlinkSync(path);
    } catch {
      // Already removed (Node may unlink it itself on close).
    }
    this._socketFileIno = undefined;
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this._closeAll();
    super.dispose();
  }
}
