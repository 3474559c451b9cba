/** Shapes shared by the core, the host and the public API. Keep them stable: they are documented in the README. */
import type { ErrorValues } from './errors';

/** The kinds of endpoint Socket Lab can open. */
export const ENDPOINT_KINDS = ['tcp-listener', 'tcp-client', 'udp', 'unix-listener', 'unix-client'] as const;
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

/** An IP address and port, or a Unix-domain path. */
export type SocketAddressInfo = { address: string; port: number } | { path: string };

/** One accepted connection (TCP/Unix) or one UDP peer seen. */
export interface ConnectionInfo {
  id: string;
  remote: SocketAddressInfo;
  /** The local address of an accepted connection, when known (a listener bound to 0.0.0.0 or :: answers on one address). */
  local?: SocketAddressInfo;
  state: (typeof CONNECTION_STATES)[number];
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  /** The peer half-closed (sent FIN); we may still send. */
  peerEnded?: boolean;
  /** We half-closed (sent FIN); we may still receive. */
  localEnded?: boolean;
  /** The clear sentence of the failure that closed it. */
  error?: string;
  /** That sentence as a template with `{name}` placeholders, and their values: what a host translates. */
  errorTemplate?: string;
  errorValues?: ErrorValues;
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
  /** TCP/Unix listeners: the backlog asked for. */
  backlog?: number;
  /** Capture file, when capturing. */
  capturePath?: string;
  /** Records the capture could not write because the disk fell behind. */
  captureLost?: number;
  /** True when an auto-reply is set. */
  autoReply?: boolean;
  /** Auto-reply rules switched off (regex CPU budget), until the auto-reply is set again. */
  autoReplyRulesOff?: AutoReplyRuleOff[];
  /** TCP/Unix listeners: at most this many connections at once. */
  maxConnections?: number;
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
