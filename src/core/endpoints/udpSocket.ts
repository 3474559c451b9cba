/** UDP sockets: a bound socket that talks to any host:port (peers tracked), or a connected UDP client. */
import * as dgram from 'dgram';
import * as net from 'net';
import { SocketLabError } from '../../shared/errors';
import { isMulticastAddress } from '../../shared/ipAddress';
import { MULTICAST_TTL_DEFAULT, UDP_MAX_PAYLOAD_IPV4, UDP_MAX_PAYLOAD_IPV6 } from '../../shared/limits';
import type { EndpointInfo } from '../../shared/model';
import { formatAddress } from '../../shared/naming';
import { toSocketLabError } from '../systemErrors';
import type { Connection } from './connection';
import { Endpoint, type BurstResult, type EndpointCommonOptions, type SendMode, type SendTarget } from './endpoint';

/** Receive buffer asked for on every UDP socket (the OS may grant less). */
export const UDP_RECV_BUFFER_BYTES = 4 * 1024 * 1024;

/** Peers tracked per UDP socket; beyond this the oldest is forgotten (its records stay in the log). */
export const MAX_UDP_PEERS = 10000;

/** The broadcast and multicast settings of a UDP socket, as its options and EndpointInfo hold them. */
export interface UdpSettings {
  broadcast?: boolean;
  multicastGroups?: string[];
  multicastTtl?: number;
  multicastLoopback?: boolean;
  /** The interface each group was joined on, when one was given (a restart joins it there again). */
  multicastInterfaces?: Record<string, string>;
}

/** Options of a UDP socket; addresses already resolved. */
export interface UdpOptions extends EndpointCommonOptions, UdpSettings {
  /** 'bound': bind address:port, send anywhere. 'connected': socket.connect(address, port), ICMP errors reported. */
  mode: 'bound' | 'connected';
  address: string;
  port: number;
  family: 4 | 6;
  /** Connected mode: local port to bind (0 = any). */
  localPort?: number;
  host?: string;
}

/** The largest payload for a datagram to `address`. */
export function udpMaxPayload(address: string): number {
  return net.isIPv6(address) ? UDP_MAX_PAYLOAD_IPV6 : UDP_MAX_PAYLOAD_IPV4;
}

/** A UDP socket; every remote seen (or sent to) is a peer '<id>.pN' with its own counters. */
export class UdpSocket extends Endpoint {
  readonly kind = 'udp' as const;
  private _socket?: dgram.Socket;
  /** Peers by 'address|port': one Map lookup per datagram. */
  private readonly _peers = new Map<string, Connection>();
  /** The peer of the last datagram; forgotten whenever a peer is removed. */
  private _recentPeer: { address: string; port: number; peer: Connection } | undefined;
  private _broadcast = false;
  /** Groups joined, each with the interface it was joined on (undefined: the system's choice). */
  private readonly _groups = new Map<string, string | undefined>();
  // Every system starts a UDP socket with TTL 1 and loopback on; these change only through setMulticast*.
  private _multicastTtl = MULTICAST_TTL_DEFAULT;
  private _multicastLoopback = true;
  private _connectedPeer?: Connection;

  constructor(private _options: UdpOptions) {
    super(_options);
    this.host = _options.host;
  }

  /** Starts with `settings` in place of those of its options (a restart keeps what was changed live). */
  useSettings(settings: UdpSettings): void {
    this._options = { ...this._options, ...settings };
  }

  /** The settings as they are now (what a restart should apply again). */
  get settings(): UdpSettings {
    return {
      broadcast: this._broadcast,
      multicastGroups: [...this._groups.keys()],
      multicastInterfaces: Object.fromEntries(
        [...this._groups].filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
      multicastTtl: this._multicastTtl,
      multicastLoopback: this._multicastLoopback,
    };
  }

  /** True for a connected UDP client. */
  get isConnectedMode(): boolean {
    return this._options.mode === 'connected';
  }

  protected override addInfo(info: EndpointInfo): void {
    info.broadcast = this._broadcast;
    if (this._groups.size) info.multicastGroups = [...this._groups.keys()];
    info.multicastTtl = this._multicastTtl;
    info.multicastLoopback = this._multicastLoopback;
    if (this.autoReply) info.autoReply = true;
  }

  async start(): Promise<void> {
    const o = this._options;
    const socket = dgram.createSocket({ type: o.family === 6 ? 'udp6' : 'udp4' });
    const connected = o.mode === 'connected';
    const bindCtx = connected
      ? { operation: 'bind', address: o.family === 6 ? '::' : '0.0.0.0', port: o.localPort ?? 0, datagram: true }
      : { operation: 'bind', address: o.address, port: o.port, datagram: true };
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', (err) => reject(toSocketLabError(err, bindCtx)));
        socket.bind(connected ? { port: o.localPort ?? 0 } : { address: o.address, port: o.port }, () => {
          socket.removeAllListeners('error');
          resolve();
        });
      });
      if (connected) {
        await new Promise<void>((resolve, reject) => {
          socket.once('error', (err) =>
            reject(toSocketLabError(err, { operation: 'connect', address: o.address, port: o.port, datagram: true })),
          );
          socket.connect(o.port, o.address, () => {
            socket.removeAllListeners('error');
            resolve();
          });
        });
      }
      if (o.broadcast) this._setBroadcastOn(socket, true);
      for (const g of o.multicastGroups ?? []) this._join(socket, g, o.multicastInterfaces?.[g]);
      if (o.multicastTtl !== undefined) this._setTtl(socket, o.multicastTtl);
      if (o.multicastLoopback !== undefined) this._setLoopback(socket, o.multicastLoopback);
    } catch (err) {
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      try {
        socket.close();
      } catch {
        // Never bound: nothing to close.
      }
      throw err;
    }
    if (this.isDisposed) {
      socket.close();
      throw SocketLabError.create('stopped', 'Endpoint {id} was stopped while starting.', { id: this.id });
    }
    this._socket = socket;
    try {
      // A flood of datagrams outruns the default ~200 KiB buffer during any pause of the event loop (a GC,
      // a busy host): ask for more so bursts are absorbed instead of dropped. Linux caps it at rmem_max.
      if (socket.getRecvBufferSize() < UDP_RECV_BUFFER_BYTES) socket.setRecvBufferSize(UDP_RECV_BUFFER_BYTES);
    } catch {
      // The OS refused the size (some platforms fail above their maximum): the default buffer still works.
    }
    const a = socket.address();
    this.local = { address: a.address, port: a.port };
    if (connected) {
      this.remote = { address: o.address, port: o.port };
      this._connectedPeer = this._peer(o.address, o.port);
      this.state = 'connected';
    } else {
      this.state = 'listening';
    }
    socket.on('message', (msg, rinfo) => {
      const peer = this._connectedPeer ?? this._peer(rinfo.address, rinfo.port);
      this.received(peer, msg);
      if (this.autoReply) {
        const reply = this.replyFor(msg);
        if (reply && reply.byteLength) {
          this._sendDatagram(peer, reply, true).catch(() => undefined);
        }
      }
    });
    socket.on('error', (err) => {
      // A connected socket learns of ICMP port-unreachable here: report it, keep the socket usable.
      this.endpointFailed(this.mapError(err, 'receive', this.remote ?? this.local, true));
    });
    socket.on('close', () => this.endpointEnded('closed'));
  }

  private _peer(address: string, port: number): Connection {
    // A flood usually comes from one peer: comparing two short strings beats building a key per datagram.
    const recent = this._recentPeer;
    if (recent && recent.port === port && recent.address === address) return recent.peer;
    const key = address + '|' + port;
    let p = this._peers.get(key);
    if (!p) {
      if (this._peers.size >= MAX_UDP_PEERS) {
        // A flood from many sources (or spoofed ones) must not grow memory without bound: forget the oldest peer.
        const [oldestKey, oldest] = this._peers.entries().next().value as [string, Connection];
        this._peers.delete(oldestKey);
        this.connections.delete(oldest.id);
        this._recentPeer = undefined;
      }
      p = this.addConnection('p', { address, port });
      this._peers.set(key, p);
      this.sink.changed(this.id);
    }
    this._recentPeer = { address, port, peer: p };
    return p;
  }

  override closeConnection(connectionId: string): void {
    const p = this.connection(connectionId);
    if (p && 'address' in p.remote) this._peers.delete(p.remote.address + '|' + p.remote.port);
    this._recentPeer = undefined;
    super.closeConnection(connectionId);
  }

  private _sendDatagram(peer: Connection, data: Uint8Array, byAutoReply = false): Promise<number> {
    return this._sendDatagrams(peer, data, 1, byAutoReply).then((r) => {
      if (r.error) throw r.error;
      return r.bytes;
    });
  }

  /**
   * Hands `count` copies of `data` to the OS back to back, each logged as it goes, and settles when every
   * send has reported: how many succeeded and the first error. One promise for the lot instead of one per
   * datagram is what lets a repeat with interval 0 send faster than a loop awaiting each send.
   */
  private _sendDatagrams(peer: Connection, data: Uint8Array, count: number, byAutoReply = false): Promise<BurstResult> {
    const socket = this._socket;
    const remote = peer.remote as { address: string; port: number };
    if (!socket || this.isDisposed || this.state === 'closed') {
      return Promise.reject(
        SocketLabError.create('socketClosed', '{endpoint} is closed; restart it first.', {
          id: this.id,
          endpoint: this.displayName,
        }),
      );
    }
    const tooLarge = sizeError(remote, data);
    if (tooLarge) return Promise.reject(tooLarge);
    const connected = this.isConnectedMode;
    return new Promise<BurstResult>((resolve) => {
      let pending = count;
      let sent = 0;
      let error: SocketLabError | undefined;
      const settle = (n: number) => {
        pending -= n;
        if (pending === 0)
          resolve(error ? { sent, bytes: sent * data.byteLength, error } : { sent, bytes: sent * data.byteLength });
      };
      const failed = (err: unknown) => {
        if (error) return;
        error = this.mapError(err, 'send', remote, true);
        if (connected) this.endpointFailed(error);
      };
      const cb = (err: Error | null) => {
        if (err) {
          failed(err);
        } else {
          sent++;
          if (this.state === 'error' && this._socket) {
            // The last error was transient (e.g. nothing listened yet): sending works again.
            this.state = connected ? 'connected' : 'listening';
            this.error = undefined;
            this.sink.changed(this.id);
          }
        }
        settle(1);
      };
      for (let i = 0; i < count; i++) {
        try {
          if (connected) socket.send(data, cb);
          else socket.send(data, remote.port, remote.address, cb);
        } catch (err) {
          // Thrown before it was handed over (a usage error, not the network's answer): reported, the
          // endpoint's state untouched; neither it nor the rest will call back.
          error ??= this.mapError(err, 'send', remote, true);
          settle(count - i);
          return;
        }
        this.sent(peer, data, byAutoReply);
      }
    });
  }

  /** The peer a send to `target` goes to (registering a 'to' destination); throws when there is none. */
  private _peerFor(target: SendTarget, data: Uint8Array): Connection {
    if (this.isConnectedMode) {
      if (target.to) {
        throw SocketLabError.create(
          'toNotAllowed',
          "{endpoint} is a connected UDP client; it cannot send elsewhere ('to' is refused).",
          { id: this.id, endpoint: this.displayName, remote: formatAddress(this.remote) },
        );
      }
      return this._connectedPeer!;
    }
    if (target.to) {
      // Refused before the destination is registered as a peer: a refused send leaves no trace in list().
      const tooLarge = sizeError(target.to, data);
      if (tooLarge) throw tooLarge;
      return this._peer(target.to.address, target.to.port);
    }
    if (target.connectionId !== undefined) {
      const p = this.connection(target.connectionId);
      if (!p) throw SocketLabError.create('unknownId', 'There is no peer {id}.', { id: target.connectionId });
      return p;
    }
    throw SocketLabError.create(
      'missingTo',
      "{endpoint} is a UDP socket: give 'to' { host, port } or a peer id as target.",
      { id: this.id, endpoint: this.displayName },
    );
  }

  async send(target: SendTarget, data: Uint8Array, _mode: SendMode = 'flushed'): Promise<number> {
    return this._sendDatagram(this._peerFor(target, data), data);
  }

  override async sendBurst(target: SendTarget, data: Uint8Array, count: number): Promise<BurstResult> {
    return this._sendDatagrams(this._peerFor(target, data), data, count);
  }

  /** Turns broadcast sending on or off. */
  setBroadcast(on: boolean): void {
    this._setBroadcastOn(this._liveSocket(), on);
    this.sink.changed(this.id);
  }

  /** Joins a multicast group (IPv4 or IPv6), on an interface address when given. */
  joinGroup(group: string, iface?: string): void {
    this._join(this._liveSocket(), group, iface);
    this.sink.changed(this.id);
  }

  /** Sets the TTL (IPv6: hop limit) and/or loopback of the multicast datagrams this socket sends. */
  setMulticastOptions(options: { ttl?: number; loopback?: boolean }): void {
    const socket = this._liveSocket();
    try {
      if (options.ttl !== undefined) this._setTtl(socket, options.ttl);
      if (options.loopback !== undefined) this._setLoopback(socket, options.loopback);
    } finally {
      this.sink.changed(this.id);
    }
  }

  /** Leaves a multicast group (on the interface it was joined on unless `iface` says otherwise). */
  leaveGroup(group: string, iface?: string): void {
    const socket = this._liveSocket();
    if (!this._groups.has(group)) {
      throw SocketLabError.create('notMember', '{endpoint} has not joined the multicast group {address}.', {
        id: this.id,
        endpoint: this.displayName,
        address: group,
      });
    }
    // The kernel finds a membership by group and interface: leaving on another one than the join's fails.
    const on = iface ?? this._groups.get(group);
    try {
      socket.dropMembership(group, on);
    } catch (err) {
      throw this._multicastError(err, 'leave multicast group', group, on);
    }
    this._groups.delete(group);
    this.sink.changed(this.id);
  }

  /** The open socket, or the 'socketClosed' refusal. */
  private _liveSocket(): dgram.Socket {
    if (this._socket) return this._socket;
    throw SocketLabError.create('socketClosed', '{endpoint} is closed; restart it first.', {
      id: this.id,
      endpoint: this.displayName,
    });
  }

  private _setTtl(socket: dgram.Socket, ttl: number): void {
    try {
      socket.setMulticastTTL(ttl);
    } catch (err) {
      throw toSocketLabError(err, {
        operation: 'set multicast options',
        address: this._options.address,
        port: this._options.port,
      });
    }
    this._multicastTtl = ttl;
  }

  private _setLoopback(socket: dgram.Socket, on: boolean): void {
    try {
      socket.setMulticastLoopback(on);
    } catch (err) {
      throw toSocketLabError(err, {
        operation: 'set multicast options',
        address: this._options.address,
        port: this._options.port,
      });
    }
    this._multicastLoopback = on;
  }

  private _setBroadcastOn(socket: dgram.Socket, on: boolean): void {
    try {
      socket.setBroadcast(on);
    } catch (err) {
      throw toSocketLabError(err, {
        operation: 'set broadcast',
        address: this._options.address,
        port: this._options.port,
      });
    }
    this._broadcast = on;
  }

  private _join(socket: dgram.Socket, group: string, iface?: string): void {
    if (!isMulticastAddress(group)) {
      throw SocketLabError.create(
        'notMulticast',
        '{address} is not a multicast group address (224.0.0.0/4 or ff00::/8).',
        { address: group },
      );
    }
    if ((net.isIPv6(group) ? 6 : 4) !== this._options.family) {
      throw SocketLabError.create(
        'multicastFamily',
        '{address} is an IPv{groupFamily} group but {endpoint} is an IPv{family} socket; bind an address of the same family.',
        {
          endpoint: this.displayName,
          address: group,
          groupFamily: net.isIPv6(group) ? 6 : 4,
          id: this.id,
          family: this._options.family,
        },
      );
    }
    try {
      socket.addMembership(group, iface);
    } catch (err) {
      throw this._multicastError(err, 'join multicast group', group, iface);
    }
    this._groups.set(group, iface);
  }

  /** The sentence of a failed join or leave; with an interface given, EADDRNOTAVAIL and ENODEV are about it. */
  private _multicastError(err: unknown, operation: string, group: string, iface: string | undefined): SocketLabError {
    const code = (err as NodeJS.ErrnoException).code;
    if ((code === 'EADDRNOTAVAIL' || code === 'ENODEV') && iface !== undefined) {
      return SocketLabError.create(
        'multicastInterfaceNotAvailable',
        'The multicast group {address} cannot be used on {interface}: it is not the address of an interface of this machine, or the group is not joined there ({systemCode}).',
        { id: this.id, address: group, interface: iface, systemCode: code },
        code,
      );
    }
    return toSocketLabError(err, { operation, address: group });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    const socket = this._socket;
    this._socket = undefined;
    super.dispose();
    if (socket) {
      socket.removeAllListeners('message');
      socket.on('error', () => undefined);
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    }
  }
}

/** The 'payloadTooLarge' error when `data` does not fit one datagram to `remote`, else undefined. */
function sizeError(remote: { address: string; port: number }, data: Uint8Array): SocketLabError | undefined {
  const max = udpMaxPayload(remote.address);
  if (data.byteLength <= max) return undefined;
  return SocketLabError.create(
    'payloadTooLarge',
    'A UDP datagram to {target} can carry at most {limit} bytes over IPv{family}; this payload has {size}.',
    {
      target: formatAddress(remote),
      address: remote.address,
      port: remote.port,
      limit: max,
      family: max === UDP_MAX_PAYLOAD_IPV6 ? 6 : 4,
      size: data.byteLength,
    },
  );
}
