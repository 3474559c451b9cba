/**
 * What each opening command builds: from its parsed argument and the registry's defaults, a function that
 * builds the endpoint (once to start it, again on every restart, resolving its host name each time).
 */
import * as net from 'net';
import type { ParsedArgs } from '../shared/commandArgs';
import { SocketLabError } from '../shared/errors';
import { isExternalBind } from '../shared/ipAddress';
import type { Endpoint, EndpointCommonOptions } from './endpoints/endpoint';
import { RelayEndpoint } from './endpoints/relayEndpoint';
import { StreamClient, type StreamClientOptions } from './endpoints/streamClient';
import { StreamListener, type StreamListenerOptions } from './endpoints/streamListener';
import { UdpSocket } from './endpoints/udpSocket';
import { resolveHost, type LookupFunction } from './resolveHost';

/** The commands that open an endpoint. */
export type OpenCommand =
  | 'startTcpListener'
  | 'startUdpListener'
  | 'connectTcp'
  | 'openUdpClient'
  | 'startUnixListener'
  | 'connectUnix'
  | 'startTlsListener'
  | 'connectTls'
  | 'startRelay';

/** What the registry lends an endpoint when the argument leaves it out. */
export interface OpenDefaults {
  defaultHost: string;
  connectTimeoutMs: number;
  /** Where the generated TLS CA and certificate are kept. */
  tlsFolder: string;
  /** Connections a TCP/Unix listener keeps at once when the argument gives no maxConnections. */
  maxConnections: number;
  lookup?: LookupFunction;
}

/** Builds an endpoint from the settings every endpoint shares. */
export type EndpointBuilder = (common: EndpointCommonOptions) => Promise<Endpoint>;

/** The builder of the endpoint `command` opens with the argument `a`. */
export function endpointBuilder<C extends OpenCommand>(
  command: C,
  a: ParsedArgs<C>,
  defaults: OpenDefaults,
): EndpointBuilder {
  return BUILDERS[command](a, defaults);
}

/** What a TCP or TLS listener's argument says about where and how it listens. */
type StreamListenerArgs = Pick<
  ParsedArgs<'startTcpListener'>,
  'host' | 'port' | 'backlog' | 'maxConnections' | 'allowExternal'
>;

/** A TCP listener, or a TLS one when `tls` is given (built from the host the user gave). */
function streamListener(
  a: StreamListenerArgs,
  defaults: OpenDefaults,
  tls?: (host: string) => StreamListenerOptions['tls'],
): EndpointBuilder {
  const host = a.host ?? defaults.defaultHost;
  return async (common) => {
    const { address } = await resolveHost(host, defaults.lookup);
    checkExternal(address, host, a.allowExternal);
    return new StreamListener({
      ...common,
      address,
      port: a.port,
      backlog: a.backlog,
      maxConnections: a.maxConnections ?? defaults.maxConnections,
      host: hostName(host),
      tls: tls?.(host),
    });
  };
}

function tcpListener(a: ParsedArgs<'startTcpListener'>, defaults: OpenDefaults): EndpointBuilder {
  return streamListener(a, defaults);
}

function udpListener(a: ParsedArgs<'startUdpListener'>, defaults: OpenDefaults): EndpointBuilder {
  const host = a.host ?? defaults.defaultHost;
  return async (common) => {
    const { address, family } = await resolveHost(host, defaults.lookup);
    checkExternal(address, host, a.allowExternal);
    return new UdpSocket({
      ...common,
      mode: 'bound',
      address,
      port: a.port,
      family,
      broadcast: a.broadcast,
      multicastGroups: a.multicastGroups,
      multicastTtl: a.multicastTtl,
      multicastLoopback: a.multicastLoopback,
      host: hostName(host),
    });
  };
}

/** What a TCP or TLS client's argument says about where and how it connects (TLS has no local address). */
type StreamClientArgs = Pick<ParsedArgs<'connectTcp'>, 'host' | 'port' | 'timeoutMs'> &
  Partial<Pick<ParsedArgs<'connectTcp'>, 'localAddress' | 'localPort' | 'noDelay' | 'keepAlive' | 'halfOpen'>>;

/** A TCP client, or a TLS one when `tls` is given. */
function streamClient(a: StreamClientArgs, defaults: OpenDefaults, tls?: StreamClientOptions['tls']): EndpointBuilder {
  const host = a.host ?? defaults.defaultHost;
  const timeoutMs = a.timeoutMs ?? defaults.connectTimeoutMs;
  return async (common) => {
    const { address } = await resolveHost(host, defaults.lookup);
    const localAddress =
      a.localAddress === undefined ? undefined : (await resolveHost(a.localAddress, defaults.lookup)).address;
    return new StreamClient({
      ...common,
      address,
      port: a.port,
      host: hostName(host),
      timeoutMs,
      localAddress,
      localPort: a.localPort,
      noDelay: a.noDelay,
      keepAlive: a.keepAlive,
      halfOpen: a.halfOpen,
      tls,
    });
  };
}

function tcpClient(a: ParsedArgs<'connectTcp'>, defaults: OpenDefaults): EndpointBuilder {
  return streamClient(a, defaults);
}

function udpClient(a: ParsedArgs<'openUdpClient'>, defaults: OpenDefaults): EndpointBuilder {
  const host = a.host ?? defaults.defaultHost;
  return async (common) => {
    const { address, family } = await resolveHost(host, defaults.lookup);
    return new UdpSocket({
      ...common,
      mode: 'connected',
      address,
      port: a.port,
      family,
      localPort: a.localPort,
      host: hostName(host),
    });
  };
}

function unixListener(a: ParsedArgs<'startUnixListener'>, defaults: OpenDefaults): EndpointBuilder {
  const maxConnections = a.maxConnections ?? defaults.maxConnections;
  return async (common) => new StreamListener({ ...common, path: a.path, backlog: a.backlog, maxConnections });
}

function unixClient(a: ParsedArgs<'connectUnix'>, defaults: OpenDefaults): EndpointBuilder {
  const timeoutMs = a.timeoutMs ?? defaults.connectTimeoutMs;
  return async (common) => new StreamClient({ ...common, path: a.path, timeoutMs, halfOpen: a.halfOpen });
}

function tlsListener(a: ParsedArgs<'startTlsListener'>, defaults: OpenDefaults): EndpointBuilder {
  return streamListener(a, defaults, (host) => ({
    cert: a.cert,
    key: a.key,
    ca: a.ca,
    alpn: a.alpn,
    requestClientCert: a.requestClientCert,
    keylogPath: a.keylogPath,
    credentialsFolder: defaults.tlsFolder,
    host,
    handshakeTimeoutMs: defaults.connectTimeoutMs,
  }));
}

function tlsClient(a: ParsedArgs<'connectTls'>, defaults: OpenDefaults): EndpointBuilder {
  const { servername, ca, cert, key, alpn, insecure, keylogPath } = a;
  return streamClient(a, defaults, { servername, ca, cert, key, alpn, insecure, keylogPath });
}

function relay(a: ParsedArgs<'startRelay'>, defaults: OpenDefaults): EndpointBuilder {
  const protocol = a.protocol ?? 'tcp';
  if (protocol === 'udp') checkUdpRelay(a);
  const upstreamTls = a.tls?.upstream;
  return async (common) => {
    let listen: { address: string; port: number } | { path: string };
    let listenHost: string | undefined;
    if ('path' in a.listen) {
      listen = { path: a.listen.path };
    } else {
      listenHost = a.listen.host ?? defaults.defaultHost;
      const { address } = await resolveHost(listenHost, defaults.lookup);
      checkExternal(address, listenHost, a.allowExternal);
      listen = { address, port: a.listen.port };
    }
    const up = a.upstream;
    const upstream = 'path' in up ? up : { host: (await resolveHost(up.host, defaults.lookup)).address, port: up.port };
    return new RelayEndpoint({
      ...common,
      protocol,
      listen,
      upstream,
      upstreamHost: 'path' in up ? undefined : hostName(up.host),
      tlsListen: a.tls?.listen ? { credentialsFolder: defaults.tlsFolder, host: listenHost } : undefined,
      tlsUpstream: upstreamTls ? (upstreamTls === true ? {} : upstreamTls) : undefined,
      connectTimeoutMs: defaults.connectTimeoutMs,
    });
  };
}

/** A UDP relay listens and forwards on addresses (no Unix path) and without TLS (Node has no DTLS). */
function checkUdpRelay(a: ParsedArgs<'startRelay'>): void {
  for (const side of ['listen', 'upstream'] as const) {
    if ('path' in a[side]) {
      throw SocketLabError.create(
        'invalidArgument',
        "{field} must be { host, port } for a UDP relay: a Unix path is only for protocol 'tcp'.",
        { field: side },
      );
    }
  }
  if (a.tls?.listen || a.tls?.upstream) {
    throw SocketLabError.create(
      'invalidArgument',
      "{field} is only for protocol 'tcp': there is no TLS over UDP here (DTLS is not supported).",
      { field: 'tls' },
    );
  }
}

const BUILDERS: { [C in OpenCommand]: (a: ParsedArgs<C>, defaults: OpenDefaults) => EndpointBuilder } = {
  startTcpListener: tcpListener,
  startUdpListener: udpListener,
  connectTcp: tcpClient,
  openUdpClient: udpClient,
  startUnixListener: unixListener,
  connectUnix: unixClient,
  startTlsListener: tlsListener,
  connectTls: tlsClient,
  startRelay: relay,
};

/** The host name the user gave, kept beside the address it resolved to; undefined for an address. */
function hostName(host: string): string | undefined {
  return net.isIP(host) ? undefined : host;
}

/** Refuses a bind other machines could reach unless the caller said allowExternal: true. */
function checkExternal(address: string, host: string, allowExternal: boolean | undefined): void {
  if (!allowExternal && isExternalBind(address)) {
    throw host === address
      ? SocketLabError.create(
          'externalBindNotAllowed',
          'Binding {address} makes the port reachable from the network; pass allowExternal: true to do it.',
          { address, field: 'allowExternal' },
        )
      : SocketLabError.create(
          'externalBindNotAllowed',
          'Binding {host} ({address}) makes the port reachable from the network; pass allowExternal: true to do it.',
          { address, host, field: 'allowExternal' },
        );
  }
}
