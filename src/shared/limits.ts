/**
 * Every limit Socket Lab enforces, in one place: the core refuses past them, the host's prompts and the
 * send panel check against the same numbers, and the README quotes them.
 */

/** Max UDP payload over IPv4: 65,535 - 20 (IP header) - 8 (UDP header). */
export const UDP_MAX_PAYLOAD_IPV4 = 65507;
/** Max UDP payload over IPv6: 65,535 - 8 (UDP header); the IPv6 header is not counted in its length field. */
export const UDP_MAX_PAYLOAD_IPV6 = 65527;

/** Smallest multicast TTL (IPv6: hop limit); 0 keeps datagrams on this host. */
export const MULTICAST_TTL_MIN = 0;
/** Multicast groups of one UDP socket the send panel lists (Linux lets a socket join 20 by default). */
export const PANEL_GROUPS_MAX = 100;
/** Largest multicast TTL (IPv6: hop limit). */
export const MULTICAST_TTL_MAX = 255;
/** The multicast TTL every system starts a socket with: datagrams stay on the local network. */
export const MULTICAST_TTL_DEFAULT = 1;

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

// ---- send and wait (send … waitMs) ------------------------------------------------------------------

/**
 * The most a send-and-wait reply holds: past it the wait ends at once with `truncated: true`, so a peer
 * that floods during a long wait cannot grow memory (nor a reply past what one Buffer can hold).
 */
export const SEND_WAIT_REPLY_MAX_BYTES = 16 * 1024 * 1024;

// ---- pcapng export and capture ---------------------------------------------------------------------

/** Flows (TCP connections, UDP peers) a pcapng writer keeps state for; beyond this the oldest is forgotten. */
export const PCAP_MAX_FLOWS = 65_536;
/** Size a capture file stops growing at when its `maxBytes` is not given: 1 GiB. */
export const CAPTURE_DEFAULT_MAX_BYTES = 1024 ** 3;
/** Smallest `maxBytes` of a capture: room for a pcapng header and a few packets. */
export const CAPTURE_MIN_MAX_BYTES = 4096;
/** Largest `maxBytes` of a capture: 1 TiB. */
export const CAPTURE_MAX_MAX_BYTES = 1024 ** 4;

// ---- request files (.socklab) ----------------------------------------------------------------------

/** How long an expect waits and a connect may take when neither the line nor `@timeout` says. */
export const REQUEST_DEFAULT_TIMEOUT_MS = 5000;
/** How long `expect silence` listens when the line gives no `for=`. */
export const REQUEST_SILENCE_DEFAULT_MS = 1000;
/** Longest `timeout=`, `within=`, `for=`, `wait` or `@timeout` a request file may ask for: one hour. */
export const REQUEST_TIMEOUT_MAX_MS = 3_600_000;
/**
 * Received bytes a block holds that no expect has consumed yet; past it a stream connection stops reading
 * (the peer's sends then wait in the kernel) and UDP datagrams are dropped, so a flooding peer cannot
 * grow memory. An expect that finds no match within this much data fails.
 */
export const REQUEST_RECEIVE_MAX_BYTES = 1024 * 1024;
/** Bytes of sent and received data one block's transcript keeps; the rest is counted, not kept. */
export const REQUEST_TRANSCRIPT_MAX_BYTES = 1024 * 1024;
/** Largest request file the CLI and the runner read. */
export const REQUEST_FILE_MAX_BYTES = 4 * 1024 * 1024;
/** Request files the Testing view finds in a workspace (the rest are found when opened). */
export const REQUEST_FILES_DISCOVER_MAX = 1000;
/** Characters of a Testing run's output the extension keeps for its exports (tests read it). */
export const REQUEST_RUN_OUTPUT_MAX_CHARS = 256 * 1024;
/** Characters of one transcript line in the Testing view's output. */
export const REQUEST_TRANSCRIPT_LINE_MAX_CHARS = 2000;
// ---- TLS and the relay ---------------------------------------------------------------------------------

/** Validity of the CA Socket Lab generates (days): long, so a client told to trust it keeps trusting it. */
export const TLS_CA_VALIDITY_DAYS = 3650;
/** Validity of the leaf certificate it signs with that CA (days). */
export const TLS_LEAF_VALIDITY_DAYS = 365;
/** A kept certificate that expires sooner than this is made anew (ms). */
export const TLS_RENEW_BEFORE_MS = 7 * 86_400_000;
/** Generated certificates start this long before now, so a peer whose clock is a little behind accepts them (ms). */
export const TLS_CLOCK_SKEW_MS = 3_600_000;
/** Most names (DNS and IP) the generated leaf certificate carries; past it, a new leaf starts from the request. */
export const TLS_LEAF_NAMES_MAX = 32;
/** Largest certificate, key or CA file read (bytes): a PEM file is a few KiB. */
export const PEM_FILE_MAX_BYTES = 1024 * 1024;
/** Most certificates of a peer's chain described; also ends a chain that loops. */
export const TLS_CHAIN_MAX = 10;
/** Key-log lines waiting for the disk past this many bytes are dropped (and counted) rather than kept. */
export const KEYLOG_BUFFER_MAX_BYTES = 1024 * 1024;

/** Default time a UDP relay session may stay silent both ways before it is closed (ms). */
export const RELAY_UDP_IDLE_MS = 60_000;
/** Most UDP relay sessions (client addresses) at once; datagrams of further clients are dropped. */
export const RELAY_UDP_SESSIONS_MAX = 1024;
/** Datagrams a UDP relay session holds while its upstream socket is still connecting. */
export const RELAY_UDP_PENDING_MAX = 64;

/** After a window reload, how long a restored endpoint whose port is still held (by the old extension host) is retried. */
export const RESTORE_RETRY_MS = 8000;
/** Between two of those tries. */
export const RESTORE_RETRY_INTERVAL_MS = 250;
/** At most this many endpoints are stored for a restore (the oldest beyond are not brought back). */
export const RESTORE_MAX_ENDPOINTS = 100;
/** Most ALPN protocols one TLS endpoint may offer or accept. */
export const TLS_ALPN_MAX_PROTOCOLS = 32;
/** Longest ALPN protocol name, in bytes (its length is one byte on the wire). */
export const TLS_ALPN_NAME_MAX_BYTES = 255;
// ---- auto-reply rules and hostile peers --------------------------------------------------------------

/** Only the first this-many bytes of a message are decoded for contains and regex rules. */
export const AUTO_REPLY_MATCH_MAX_BYTES = 64 * 1024;
/** A regex rule whose match takes longer than this on one message has a strike against it (ms). */
export const REGEX_MESSAGE_BUDGET_MS = 20;
/** Strikes after which a regex rule is switched off until the auto-reply is set again. */
export const REGEX_MAX_STRIKES = 3;
/**
 * CPU the regex rules of one endpoint may use per REGEX_BUDGET_WINDOW_MS, all messages together (ms): past
 * it the rule that used the most is switched off, so no peer can keep the extension host busy.
 */
export const REGEX_ENDPOINT_BUDGET_MS = 250;
/** The window of REGEX_ENDPOINT_BUDGET_MS (ms). */
export const REGEX_BUDGET_WINDOW_MS = 1000;

// ---- connections -------------------------------------------------------------------------------------

/** Connections a TCP/Unix listener keeps at once unless told otherwise (argument or setting). */
export const MAX_CONNECTIONS_DEFAULT = 1000;
/** The largest maxConnections a listener may be given. */
export const MAX_CONNECTIONS_LIMIT = 100_000;
