/**
 * A relay (man in the middle) as an endpoint of kind 'relay': it listens, gives each client its own
 * upstream connection (src/core/relay/), and shows each pair as one connection whose log holds both
 * directions: 'in' = client → upstream (bytesIn), 'out' = upstream → client (bytesOut). A send injects a
 * payload toward one side of a pair, as if the other peer had sent it.
 */
import { SocketLabError } from '../../shared/errors';
import type { EndpointInfo, RelayInfo, SocketAddressInfo } from '../../shared/model';
import { formatAddress } from '../../shared/naming';
import type { TlsInfo } from '../../shared/tls';
import type { RelayListen, RelayPairInfo, RelayTap } from '../relay/relayTypes';
import { StreamRelay } from '../relay/streamRelay';
import { UdpRelay } from '../relay/udpRelay';
import type { StreamTarget, TlsClientOptions } from '../tls/connect';
import { prepareClientTls, prepareServerTls } from '../tls/tlsSetup';
import { Connection } from './connection';
import type { EndpointCommonOptions, SendMode, SendTarget } from './endpoint';
import { Endpoint } from './endpoint';

/** Options of a relay endpoint (addresses already resolved). */
export interface RelayEndpointOptions extends EndpointCommonOptions {
  protocol: 'tcp' | 'udp';
  listen: RelayListen;
  /** The upstream server: an address and port, or a Unix path. */
  upstream: StreamTarget;
  /** The upstream's host name as given (the SNI toward it), when it was a name. */
  upstreamHost?: string;
  /** TLS toward clients, with the generated certificate kept in `credentialsFolder`. */
  tlsListen?: { credentialsFolder: string; host?: string };
  /** TLS toward the upstream, verified unless insecure (`ca`: a CA file to trust instead of the system's). */
  tlsUpstream?: { servername?: string; ca?: string; insecure?: boolean };
  /** Upstream connect timeout, and the clients' TLS handshake timeout (ms). */
  connectTimeoutMs: number;
}

/** A TCP, Unix or UDP relay, plain or TLS on either stream side. */
export class RelayEndpoint extends Endpoint {
  readonly kind = 'relay' as const;
  /** What is relayed (protocol, TLS sides). */
  readonly relay: RelayInfo;
  /** TLS toward clients: the generated certificate's caPath (each pair has its own sessions). */
  tls?: TlsInfo;
  private _relay?: StreamRelay | UdpRelay;

  constructor(private readonly _options: RelayEndpointOptions) {
    super(_options);
    this.relay = {
      protocol: _options.protocol,
      tlsListen: _options.tlsListen !== undefined,
      tlsUpstream: _options.tlsUpstream !== undefined,
    };
    this.host = _options.upstreamHost;
    const up = _options.upstream;
    this.remote = 'path' in up ? { path: up.path } : { address: up.host, port: up.port };
  }

  protected override addInfo(info: EndpointInfo): void {
    info.relay = this.relay;
    if (this.tls) info.tls = this.tls;
  }

  async start(): Promise<void> {
    const o = this._options;
    const common = { id: this.id, logCapBytes: 0, connectTimeoutMs: o.connectTimeoutMs };
    let relay: StreamRelay | UdpRelay;
    if (o.protocol === 'udp') {
      const up = o.upstream as { host: string; port: number };
      relay = new UdpRelay({ ...common, listen: o.listen as { address: string; port: number }, upstream: up });
    } else {
      const tlsListen = o.tlsListen
        ? await prepareServerTls({ credentialsFolder: o.tlsListen.credentialsFolder, host: o.tlsListen.host })
        : undefined;
      if (tlsListen) this.tls = tlsListen.info;
      let tlsUpstream: TlsClientOptions | undefined;
      if (o.tlsUpstream) {
        tlsUpstream = await prepareClientTls({
          servername: o.tlsUpstream.servername ?? o.upstreamHost,
          ca: o.tlsUpstream.ca,
          insecure: o.tlsUpstream.insecure,
        });
      }
      relay = new StreamRelay({
        ...common,
        listen: o.listen,
        upstream: o.upstream,
        tlsListen: tlsListen?.context.options,
        tlsUpstream,
        upstreamServernameFixed: o.tlsUpstream?.servername !== undefined,
      });
    }
    this._relay = relay;
    this._register(relay);
    this._register(relay.onDidOpenPair((p) => this._opened(p)));
    this._register(relay.onDidChangePair((p) => this._update(p)));
    this._register(relay.onDidClosePair((p) => this._pairClosed(p)));
    this._register(relay.onDidTap((t) => this._tap(t)));
    this._register(
      relay.onDidFail(({ pairId, error }) => {
        const c = pairId === undefined ? undefined : this.connections.get(pairId);
        if (c) c.error ??= error;
        else this.error = error;
        this.sink.changed(this.id);
      }),
    );
    if (this.isDisposed)
      throw SocketLabError.create('stopped', 'Endpoint {id} was stopped while starting.', { id: this.id });
    await relay.start();
    this.local = relay.local;
    this.state = 'listening';
  }

  private _label(id: string, client: SocketAddressInfo): string {
    // As the relay labels its log lines: Unix clients have no address of their own and are told apart by id.
    return 'path' in client ? `${client.path}#${id.slice(this.id.length + 1)}` : formatAddress(client);
  }

  private _opened(p: RelayPairInfo): void {
    const c = new Connection(p.id, p.client, this._label(p.id, p.client), p.id);
    this.connections.set(p.id, c);
    this._update(p);
  }

  /** Copies what the relay knows of a pair (ends, reset, TLS, failure) onto its connection. */
  private _update(p: RelayPairInfo, silent = false): void {
    const c = this.connections.get(p.id);
    if (!c) return;
    c.peerEnded = p.clientEnded === true;
    c.localEnded = p.upstreamEnded === true;
    c.tls = p.tls?.client;
    const relay: NonNullable<Connection['relay']> = {};
    if (p.upstreamLocal) relay.upstreamLocal = p.upstreamLocal;
    if (p.upstreamEnded) relay.upstreamEnded = true;
    if (p.resetBy) relay.resetBy = p.resetBy;
    if (p.tls?.upstream) relay.upstreamTls = p.tls.upstream;
    c.relay = relay;
    if (!silent) this.sink.changed(this.id);
  }

  private _pairClosed(p: RelayPairInfo): void {
    const c = this.connections.get(p.id);
    if (!c) return;
    this._update(p, true);
    this.connectionClosed(c);
  }

  /** Every chunk of every pair, both ways: through the hot path of received (to upstream) and sent (to client). */
  private _tap(t: RelayTap): void {
    const c = this.connections.get(t.pairId);
    if (!c) return;
    if (t.direction === 'toUpstream') this.received(c, t.data);
    else this.sent(c, t.data);
  }

  override checkTarget(target: SendTarget): void {
    if (!target.direction) {
      throw SocketLabError.create(
        'relayDirectionMissing',
        "Sending through {endpoint} needs a direction: 'toUpstream' (to the server) or 'toClient'.",
        { id: this.id, endpoint: this.displayName, field: 'direction' },
      );
    }
    if (target.connectionId === undefined && !this._openPairs().length) {
      throw SocketLabError.create('noConnections', '{endpoint} has no connected clients to send to.', {
        id: this.id,
        endpoint: this.displayName,
      });
    }
  }

  /** Injects `data` toward `target.direction` into one pair, or every open one; resolves when the OS took it. */
  async send(target: SendTarget, data: Uint8Array, _mode?: SendMode): Promise<number> {
    if (target.to) {
      throw SocketLabError.create(
        'toNotAllowed',
        "'to' is only for UDP sockets; {id} is a {kind}: pick one of its connections or the listener.",
        { id: this.id, kind: this.kind },
      );
    }
    this.checkTarget(target);
    const relay = this._relay!;
    const direction = target.direction!;
    if (target.connectionId !== undefined) return relay.inject(target.connectionId, direction, data);
    const sizes = await Promise.all(this._openPairs().map((c) => relay.inject(c.id, direction, data)));
    return sizes.reduce((a, b) => a + b, 0);
  }

  private _openPairs(): Connection[] {
    return [...this.connections.values()].filter((c) => c.state === 'connected');
  }

  override closeConnection(connectionId: string): void {
    if (!this.connections.has(connectionId)) {
      throw SocketLabError.create('unknownId', 'There is no connection {id}.', { id: connectionId });
    }
    this._relay?.closePair(connectionId);
  }

  override halfClose(connectionId?: string): void {
    throw SocketLabError.create(
      'notAStream',
      '{id} is a relay connection; the relay passes on each side’s FIN by itself, so it cannot be half-closed here.',
      { id: connectionId ?? this.id },
    );
  }

  override dispose(): void {
    if (this.isDisposed) return;
    for (const c of this.connections.values()) c.state = 'closed';
    super.dispose();
  }
}
