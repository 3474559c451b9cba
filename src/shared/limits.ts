/**
 * Every limit Socket Lab enforces, in one place: the core refuses past them, the host's prompts and the
 * send panel check against the same numbers, and the README quotes them.
 */

/** Max UDP payload over IPv4: 65,535 - 20 (IP header) - 8 (UDP header). */
export const UDP_MAX_PAYLOAD_IPV4 = 65507;
/** Max UDP payload over IPv6: 65,535 - 8 (UDP header); the IPv6 header is not counted in its length field. */
export const UDP_MAX_PAYLOAD_IPV6 = 65527;

/** Longest repeat interval: one day. */
export const REPEAT_MAX_INTERVAL_MS = 86_400_000;
/** Most sends one repeat may ask for. */
export const REPEAT_MAX_COUNT = 10_000_000;

/** Most auto-reply rules one endpoint may have. */
export const AUTO_REPLY_RULES_MAX = 100;

/** Default byte cap of each endpoint's traffic log. */
export const DEFAULT_LOG_CAP_BYTES = 8 * 1024 * 1024;

/** Longest payload text the composer may send or validate (characters). */
export const PAYLOAD_MAX_CHARS = 8 * 1024 * 1024;
/** Recent payloads kept in the composer's history. */
export const HISTORY_MAX = 20;

// ---- the send panel's transport (see shared/protocol.ts) -------------------------------------------

/** At most this many posts of traffic a second to one panel. */
export const POSTS_PER_SECOND = 20;
/**
 * A traffic batch carries at most this many records; older ones of the same interval are counted as
 * skipped and fetched a page at a time when the user scrolls back. Every record of a post is parsed on the
 * workbench's own thread before the panel sees it, so a post stays small (BENCHMARKS.md has the figures).
 */
export const BATCH_MAX_RECORDS = 200;
/** Each record carries at most this many bytes of preview; the rest is fetched on demand. */
export const PREVIEW_MAX_BYTES = 512;
/** fetchOlder returns at most this many records per page. */
export const FETCH_PAGE_MAX = 1000;
/** fetchRecord returns at most this many bytes of one record (its hex dump is shown in the panel). */
export const FETCH_RECORD_MAX_BYTES = 64 * 1024;
/** Error and state sentences posted to the panel are cut to this many characters. */
export const PANEL_TEXT_MAX_CHARS = 4096;
/** Labels, peers and rule matches posted to or from the panel are at most this many characters. */
export const PANEL_NAME_MAX_CHARS = 1024;
/** The panel's Target list is given at most this many connections of a listener. */
export const PANEL_CONNECTIONS_MAX = 10_000;
/** A panel that opens on a UDP socket looks for the last peer heard from among this many newest log records. */
export const LAST_PEER_SCAN_MAX = 10_000;
/** Rows a send panel saves in its webview state, so that they survive a window reload (the newest ones). */
export const SAVED_ROWS_MAX = 200;
/** Regex flags of an auto-reply rule: at most this many characters (the core takes i, m, s, u and v). */
export const RULE_FLAGS_MAX_CHARS = 8;

// ---- framing of TCP/Unix streams (see shared/framing.ts) --------------------------------------------

/** A frame longer than this is cut, unless the framing spec sets its own maxFrameBytes. */
export const FRAMING_DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
/** The largest maxFrameBytes a framing spec may set: what one connection may buffer for a frame. */
export const FRAMING_MAX_FRAME_BYTES = 64 * 1024 * 1024;
/** Longest delimiter, in bytes: it is searched for across read boundaries, so it stays short. */
export const FRAMING_DELIMITER_MAX_BYTES = 256;
/** Largest offset of a length field from the start of its frame. */
export const FRAMING_LENGTH_OFFSET_MAX = 65535;
/** Largest correction (either sign) added to a length field's value. */
export const FRAMING_LENGTH_ADJUST_MAX = 65535;
/** Longest silence that ends a frame in idle framing. */
export const FRAMING_IDLE_GAP_MAX_MS = 60_000;
// ---- pcapng export and capture ---------------------------------------------------------------------

/** Flows (TCP connections, UDP peers) a pcapng writer keeps state for; beyond this the oldest is forgotten. */
export const PCAP_MAX_FLOWS = 65_536;
