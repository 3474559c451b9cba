/**
 * A UDP relay: one listening socket; each client address gets a session with its own upstream socket
 * (connected to the upstream server, so replies come back to the right client and ICMP "port unreachable"
 * is reported), closed after an idle time.
 */
import * as dgram from 'dgram';
import * as net from 'net';
import { SocketLabError, errorFields } from '../../shared/errors';
import { RELAY_UDP_IDLE_MS, RELAY_UDP_PENDING_MAX, RELAY_UDP_SESSIONS_MAX } from '../../shared/limits';
import { formatAddress } from '../../shared/naming';
import { resolveHost } from '../resolveHost';
import { toSocketLabError } from '../systemErrors';
import { RelayBase } from './relayBase';
import { RelayDirection, RelayPairInfo, UdpRelayOptions } from './relayTypes';

class UdpSession {
  state: RelayPairInfo['state'] = 'connecting';
  bytesToUpstream = 0;
  bytesToClient = 0;
  messagesToUpstream = 0;
  messagesToClient = 0;
  error?: SocketLabError;
  pending: Buffer[] = [];
  timer?: NodeJS.Timeout;
  upstreamLocal?: { address: string; port: number };

  constructor(
    readonly id: string,
    readonly key: string,
    readonly client: { address: string; port: number },
    readonly label: string,
    readonly socket: dgram.Socket,
  ) {}

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
    if (this.upstreamLocal) info.upstreamLocal = this.upstreamLocal;
    if (this.error) Object.assign(info, errorFields(this.error), { errorCode: this.error.code });
    return info;
  }
}

/** A listening UDP relay; dispose() stops it and closes every session. */
export class UdpRelay extends RelayBase<UdpSession> {
  private _socket?: dgram.Socket;
  private _local?: { address: string; port: number };
  private _upstream?: { address: string; port: number; family: 4 | 6 };
  /** Live sessions by client 'address|port'. */
  private readonly _live = new Map<string, UdpSession>();
  private _nextSession = 1;
  private _refusedSinceFull = 0;
  private readonly _idleMs: number;
  private readonly _maxSessions: number;

  constructor(private readonly _options: UdpRelayOptions) {
    super(_options.id, _options.logCapBytes);
    this._idleMs = _options.idleTimeoutMs ?? RELAY_UDP_IDLE_MS;
    this._maxSessions = _options.maxSessions ?? RELAY_UDP_SESSIONS_MAX;
  }

  /** Where it listens, once started. */
  get local(): { address: string; port: number } | undefined {
    return this._local;
  }

  /** Resolves the upstream once and binds the listening socket; rejects with a clear sentence. */
  async start(): Promise<void> {
    const up = this._options.upstream;
    const resolved = await resolveHost(up.host);
    this._upstream = { address: resolved.address, port: up.port, family: resolved.family };
    const { address, port } = this._options.listen;
    const socket = dgram.createSocket({ type: net.isIPv6(address) ? 'udp6' : 'udp4' });
    const ctx = { operation: 'bind', address, port, datagram: true };
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => {
        socket.close();
        reject(toSocketLabError(err, ctx));
      });
      socket.bind(port, address, () => {
        socket.removeAllListeners('error');
        resolve();
      });
    });
    if (this.isDisposed) {
      socket.close();
      throw SocketLabError.create('stopped', 'Endpoint {id} was stopped while starting.', { id: this.id });
    }
    this._socket = socket;
    const a = socket.address();
    this._local = { address: a.address, port: a.port };
    socket.on('message', (msg, rinfo) => this._fromClient(msg, rinfo));
    socket.on('error', (err) =>
      this._onDidFail.fire({ error: toSocketLabError(err, { ...ctx, operation: 'receive' }) }),
    );
  }

  private _fromClient(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const key = `${rinfo.address}|${rinfo.port}`;
    let s = this._live.get(key);
    if (!s) {
      if (this._live.size >= this._maxSessions) {
        // Said once per filling up, not once per datagram of a flood.
        if (this._refusedSinceFull++ === 0) {
          this._onDidFail.fire({
            error: SocketLabError.create(
              'relaySessionsFull',
              'The UDP relay {id} already has {max} sessions; datagrams of new clients such as {client} are dropped until one goes idle.',
              {
                id: this.id,
                max: this._maxSessions,
                client: formatAddress({ address: rinfo.address, port: rinfo.port }),
              },
            ),
          });
        }
        return;
      }
      s = this._open(key, rinfo);
    }
    s.timer?.refresh();
    this._tap(s, 'toUpstream', msg);
    if (s.state === 'open') this._sendUpstream(s, msg);
    else if (s.pending.length < RELAY_UDP_PENDING_MAX) s.pending.push(msg);
  }

  private _open(key: string, rinfo: dgram.RemoteInfo): UdpSession {
    const up = this._upstream!;
    const id = `${this.id}.c${this._nextSession++}`;
    const client = { address: rinfo.address, port: rinfo.port };
    const socket = dgram.createSocket({ type: up.family === 6 ? 'udp6' : 'udp4' });
    const s = new UdpSession(id, key, client, formatAddress({ address: client.address, port: client.port }), socket);
    this._live.set(key, s);
    this._entries.set(id, s);
    s.timer = setTimeout(() => this._close(s), this._idleMs);
    socket.on('message', (msg) => {
      s.timer?.refresh();
      this._tap(s, 'toClient', msg);
      this._socket?.send(msg, client.port, client.address, (err) => {
        if (err) this._failed(s, toSocketLabError(err, { operation: 'send', ...client, datagram: true }));
      });
    });
    // On a connected UDP socket, an ICMP "port unreachable" from the upstream arrives as ECONNREFUSED.
    socket.on('error', (err) =>
      this._failed(s, toSocketLabError(err, { operation: 'send', address: up.address, port: up.port, datagram: true })),
    );
    socket.connect(up.port, up.address, () => {
      if (s.state !== 'connecting') return;
      s.state = 'open';
      const a = socket.address();
      s.upstreamLocal = { address: a.address, port: a.port };
      for (const msg of s.pending) this._sendUpstream(s, msg);
      s.pending = [];
      this._onDidChangePair.fire(s.info());
    });
    this._onDidOpenPair.fire(s.info());
    return s;
  }

  private _sendUpstream(s: UdpSession, msg: Buffer): void {
    const up = this._upstream!;
    s.socket.send(msg, (err) => {
      if (err)
        this._failed(
          s,
          toSocketLabError(err, { operation: 'send', address: up.address, port: up.port, datagram: true }),
        );
    });
  }

  private _tap(s: UdpSession, direction: RelayDirection, data: Buffer, injected = false): void {
    if (direction === 'toUpstream') {
      s.bytesToUpstream += data.length;
      s.messagesToUpstream++;
    } else {
      s.bytesToClient += data.length;
      s.messagesToClient++;
    }
    this._logTap(s, direction, data, injected);
  }

  private _failed(s: UdpSession, error: SocketLabError): void {
    s.error = error;
    if (!this.isDisposed) this._onDidFail.fire({ pairId: s.id, error });
  }

  private _close(s: UdpSession): void {
    if (s.state === 'closed') return;
    s.state = 'closed';
    clearTimeout(s.timer);
    s.pending = [];
    s.socket.close();
    this._live.delete(s.key);
    this._refusedSinceFull = 0;
    if (!this.isDisposed) this._keepClosed(s);
  }

  /** Closes session `id` at once (an unknown or closed one is left alone); its client's next datagram opens a new one. */
  closePair(id: string): void {
    const s = this._entries.get(id);
    if (s) this._close(s);
  }

  /** Sends one datagram of session `id` to the upstream or the client, as if the other peer had sent it. */
  inject(id: string, direction: RelayDirection, data: Uint8Array): Promise<number> {
    const s = this._entries.get(id);
    if (!s || s.state !== 'open' || !this._socket) {
      return Promise.reject(
        SocketLabError.create('relayPairClosed', 'Relay connection {id} ({client}) is not open; nothing was sent.', {
          id,
          client: s?.label ?? '?',
        }),
      );
    }
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    s.timer?.refresh();
    return new Promise<number>((resolve, reject) => {
      const done = (err: Error | null) =>
        err ? reject(toSocketLabError(err, { operation: 'send', datagram: true })) : resolve(buf.length);
      if (direction === 'toUpstream') s.socket.send(buf, done);
      else this._socket!.send(buf, s.client.port, s.client.address, done);
      this._tap(s, direction, buf, true);
    });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    const sessions = [...this._live.values()];
    super.dispose();
    for (const s of sessions) this._close(s);
    this._socket?.close();
    this._socket = undefined;
  }
}
