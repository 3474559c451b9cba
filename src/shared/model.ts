/** Shapes shared by the core, the host and the public API. Keep them stable: they are documented in the README. */
import type { ErrorValues } from './errors';
import type { TlsInfo } from './tls';
import type { FramingSpec } from './framing';

/**
 * The kinds of endpoint Socket Lab can open. A TLS listener or client is a 'tcp-listener' or 'tcp-client'
 * with `tls` set: TLS is a layer on a TCP stream, and everything a TCP endpoint does it does too.
 */
export const ENDPOINT_KINDS = ['tcp-listener', 'tcp-client', 'udp', 'unix-listener', 'unix-client', 'relay'] as const;
/** One of ENDPOINT_KINDS. */
export type EndpointKind = (typeof ENDPOINT_KINDS)[number];

/** Life-cycle states of an endpoint. */
export const ENDPOINT_STATES = ['listening', 'connecting', 'connected', 'closed', 'error'] as const;
/** One of ENDPOINT_STATES. */
export type EndpointState = (typeof ENDPOINT_STATES)[number];

/** States of an accepted connection or a UDP peer. */
export const CONNECTION_STATES = ['connected', 'closed'] as const;

/** Which way a traffic record crossed the socket: received ('in') or sent ('out'). */
export const TRAFFIC_DIRECTIONS = ['in', 'out'] as const;

/** How a capture file is written: one JSON object per record, the data bytes back to back, or pcapng for Wireshark. */
export const CAPTURE_FORMATS = ['jsonl', 'raw', 'pcapng'] as const;
/** One of CAPTURE_FORMATS. */
export type CaptureFormat = (typeof CAPTURE_FORMATS)[number];

/** Which way a relay passes (or injects) data: from the client to the upstream server, or back. */
export const RELAY_DIRECTIONS = ['toUpstream', 'toClient'] as const;
/** One of RELAY_DIRECTIONS. */
export type RelayDirection = (typeof RELAY_DIRECTIONS)[number];

/** An IP address and port, or a Unix-domain path. */
export type SocketAddressInfo = { address: string; port: number } | { path: string };

/** One accepted connection (TCP/Unix) or one UDP peer seen. */
export interface ConnectionInfo {
  id: string;
  remote: SocketAddressInfo;
  /** The local address of an accepted connection (a listener bound to 0.0.0.0 or :: answers on one of its addresses). */
  local?: SocketAddressInfo;
  state: (typeof CONNECTION_STATES)[number];
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  /** Epoch milliseconds: when it was accepted (TCP/Unix) or first heard from (a UDP peer). */
  openedAt?: number;
  /** Epoch milliseconds of the last chunk or datagram received from it, when any. */
  lastInAt?: number;
  /** Epoch milliseconds of the last chunk or datagram sent to it, when any. */
  lastOutAt?: number;
  /** Epoch milliseconds: when it closed. */
  closedAt?: number;
  /** The peer half-closed (sent FIN); we may still send. */
  peerEnded?: boolean;
  /** We half-closed (sent FIN); we may still receive. */
  localEnded?: boolean;
  /** The clear sentence of the failure that closed it. */
  error?: string;
  /** That sentence as a template with `{name}` placeholders, and their values: what a host translates. */
  errorTemplate?: string;
  errorValues?: ErrorValues;
  /** TLS: the session with this peer (for a relay, the session with its client). */
  tls?: TlsInfo;
  /** Relay: the relay's own end of the upstream connection (its port tells it apart in the server's logs). */
  upstreamLocal?: SocketAddressInfo;
  /** Relay: the upstream half-closed, and its FIN was passed on to the client (`peerEnded` is the client's). */
  upstreamEnded?: boolean;
  /** Relay: which side reset the connection (the relay reset the other side too). */
  resetBy?: 'client' | 'upstream';
  /** Relay with TLS toward the upstream: that session. */
  upstreamTls?: TlsInfo;
}

/** What a relay endpoint (kind 'relay') relays: its protocol and which sides speak TLS. */
export interface RelayInfo {
  protocol: 'tcp' | 'udp';
  /** The relay is the TLS server its clients see. */
  tlsListen: boolean;
  /** The relay talks TLS to the upstream. */
  tlsUpstream: boolean;
}

/** An auto-reply rule switched off because matching it cost too much CPU: which rule, and why. */
export interface AutoReplyRuleOff {
  /** Index of the rule in the auto-reply's rules (0 = the first). */
  rule: number;
  /** 'autoReplyRuleOff'. */
  errorCode: string;
  /** Why, as a clear sentence (English). */
  error: string;
  /** That sentence as a template with `{name}` placeholders, and their values: what a host translates. */
  errorTemplate?: string;
  errorValues?: ErrorValues;
}

/** A snapshot of one endpoint, as `list()` returns it. */
export interface EndpointInfo {
  id: string;
  kind: EndpointKind;
  state: EndpointState;
  local?: SocketAddressInfo;
  remote?: SocketAddressInfo;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  /** Log records evicted by the cap (counters are never changed by eviction). */
  dropped: number;
  /** The clear sentence of the last failure, when state is 'error' or 'closed' by a fault. */
  error?: string;
  /** Stable code of that failure. */
  errorCode?: string;
  /** That sentence as a template with `{name}` placeholders, and their values: what a host translates. */
  errorTemplate?: string;
  errorValues?: ErrorValues;
  connections: ConnectionInfo[];
  /** The host name as given, when it was resolved to `local`/`remote`. */
  host?: string;
  /** Client streams: the peer half-closed (sent FIN); we may still send. */
  peerEnded?: boolean;
  /** Client streams: we half-closed (sent FIN). */
  localEnded?: boolean;
  /** UDP: broadcast enabled. */
  broadcast?: boolean;
  /** UDP: multicast groups joined. */
  multicastGroups?: string[];
  /** UDP: TTL (IPv6: hop limit) of the multicast datagrams it sends (1 unless changed: the local network only). */
  multicastTtl?: number;
  /** UDP: whether its multicast datagrams are also delivered to this host's own members of the group. */
  multicastLoopback?: boolean;
  /** TCP/Unix listeners: the backlog asked for. */
  backlog?: number;
  /** Capture file, while a capture is set (also once it stopped writing: see captureStopped). */
  capturePath?: string;
  /** The capture's format. */
  captureFormat?: CaptureFormat;
  /** Bytes of the capture file so far (what it held before, when appending, included). */
  captureBytes?: number;
  /** The size the capture file stops growing at. */
  captureMaxBytes?: number;
  /** Records the capture could not write because the disk fell behind. */
  captureLost?: number;
  /** Why the capture stopped writing (its maxBytes reached, or writing failed); the endpoint itself keeps working. */
  captureStopped?: string;
  /** That sentence as a template with `{name}` placeholders, and their values: what a host translates. */
  captureStoppedTemplate?: string;
  captureStoppedValues?: ErrorValues;
  /** True when an auto-reply is set. */
  autoReply?: boolean;
  /**
   * TLS endpoints: a client's session (protocol, cipher, ALPN, SNI, the server's chain); a listener's
   * settings (`caPath` of a generated certificate, `keylogPath`), its sessions being on its connections.
   */
  tls?: TlsInfo;
  /** Relays: what is relayed (`local` is where it listens, `remote` the upstream). */
  relay?: RelayInfo;
  /** TCP, TLS and Unix listeners: at most this many connections at once (further ones are closed at accept). */
  maxConnections?: number;
  /** TCP/Unix: how received bytes are cut into records (every default filled in; `{ mode: 'none' }` = one record per read). */
  framing?: FramingSpec;
  /** Auto-reply rules switched off (regex CPU budget), until the auto-reply is set again. */
  autoReplyRulesOff?: AutoReplyRuleOff[];
  /** TCP/Unix listeners: connections closed at once because maxConnections were open. */
  refusedConnections?: number;
  /** TCP/Unix clients: connected with halfOpen (the peer's FIN leaves the client open). */
  halfOpen?: boolean;
}

/** One chunk (TCP/Unix), one frame (TCP/Unix with framing) or one datagram (UDP) that crossed a socket. */
export interface TrafficRecord {
  /** Epoch milliseconds, a sub-millisecond fraction allowed. */
  time: number;
  direction: (typeof TRAFFIC_DIRECTIONS)[number];
  /** 'address:port' ('[v6]:port' for IPv6) or the Unix path / connection label. */
  peer: string;
  data: Uint8Array;
  /** The connection or UDP peer id this record belongs to, when there is one. */
  connectionId?: string;
  /** Framing: the frame was longer than its maxFrameBytes; `data` holds its first maxFrameBytes bytes. */
  truncated?: boolean;
  /** Framing: the connection closed in the middle of this frame; `data` is what had arrived. */
  partial?: boolean;
  /** Line and delimiter framing: the last this-many bytes of `data` are the delimiter. */
  delimiterBytes?: number;
  /** Length framing: the first this-many bytes of `data` are the header (up to and with the length field). */
  headerBytes?: number;
  /** Sent by the endpoint's auto-reply (not by a send). */
  autoReply?: boolean;
}
