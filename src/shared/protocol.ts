/**
 * The message protocol between the send panel's host side and its webview: one discriminated union per
 * direction, with valibot schemas so that both sides validate every message they receive before acting
 * on it. No vscode, no DOM, no Node built-ins: this file is bundled into both.
 *
 * Flow: the webview posts `ready`; only then does the host post `init`, followed by `endpoint`,
 * `traffic`, `reset` and `repeat` updates. Webview requests carry a numeric `id`; the host answers each
 * with exactly one `response` (ok with the result ResultSchemas gives for the request's type, or an error
 * sentence). Every shape is built from the shared vocabulary (model, payload, limits).
 */
import * as v from 'valibot';
import {
  AUTO_REPLY_RULES_MAX,
  BATCH_MAX_RECORDS,
  FETCH_PAGE_MAX,
  FETCH_RECORD_MAX_BYTES,
  PANEL_CONNECTIONS_MAX,
  PANEL_GROUPS_MAX,
  PANEL_NAME_MAX_CHARS,
  PANEL_TEXT_MAX_CHARS,
  PAYLOAD_MAX_CHARS,
  PREVIEW_MAX_BYTES,
  REPEAT_MAX_COUNT,
  REPEAT_MAX_INTERVAL_MS,
  RULE_FLAGS_MAX_CHARS,
} from './limits';
import { CONNECTION_STATES, ENDPOINT_KINDS, ENDPOINT_STATES, RELAY_DIRECTIONS, TRAFFIC_DIRECTIONS } from './model';
import { CHECKSUM_ENDIANS, CHECKSUM_NAMES } from './checksum';
import { LINE_ENDINGS, PAYLOAD_FORMATS } from './payload';

/** How the panel exports the log: JSON Lines (data in base64), readable text, the raw bytes, or pcapng for Wireshark. */
export const EXPORT_FORMATS = ['jsonl', 'text', 'raw', 'pcapng'] as const;
/** One of EXPORT_FORMATS. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** How the panel copies a record: its bytes as hex, or its text decoded with the panel's encoding. */
export const COPY_FORMATS = ['hex', 'text'] as const;

// Bounds of what the protocol itself carries (no other layer checks them).
const ID_MAX_CHARS = 256;
const ENCODING_NAME_MAX_CHARS = 32;
const ENCODINGS_MAX = 64;
const REPLY_DATA_MAX_CHARS = 1024 * 1024;
const STRING_KEY_MAX_CHARS = 64;
const STRINGS_MAX = 500;
/** A kept row's preview as hex (3 characters a byte) is the longest text the panel copies itself. */
const COPY_TEXT_MAX_CHARS = PREVIEW_MAX_BYTES * 3;

// ---- shared shapes --------------------------------------------------------------------------------

const id = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const shortString = v.pipe(v.string(), v.maxLength(PANEL_NAME_MAX_CHARS));
const sentence = v.pipe(v.string(), v.maxLength(PANEL_TEXT_MAX_CHARS));
const endpointRef = v.pipe(v.string(), v.minLength(1), v.maxLength(ID_MAX_CHARS));
const format = v.picklist(PAYLOAD_FORMATS);
const lineEnding = v.picklist(LINE_ENDINGS);
// Any name: the core normalizes aliases ('UTF-8') and refuses an unknown one with a sentence naming the choices.
const encoding = v.pipe(v.string(), v.minLength(1), v.maxLength(ENCODING_NAME_MAX_CHARS));
const payloadData = v.pipe(v.string(), v.maxLength(PAYLOAD_MAX_CHARS));
const destination = v.strictObject({
  host: v.pipe(v.string(), v.minLength(1), v.maxLength(255)),
  port: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(65535)),
});

const replyPayload = {
  data: v.pipe(v.string(), v.maxLength(REPLY_DATA_MAX_CHARS)),
  format: v.optional(format),
  encoding: v.optional(encoding),
  escapes: v.optional(v.boolean()),
  lineEnding: v.optional(lineEnding),
};
const ruleSchema = v.strictObject({
  contains: v.optional(shortString),
  hex: v.optional(shortString),
  regex: v.optional(shortString),
  flags: v.optional(v.pipe(v.string(), v.maxLength(RULE_FLAGS_MAX_CHARS))),
  reply: v.strictObject(replyPayload),
});

/** The auto-reply spec the panel edits (the core validates the rest: one matcher per rule, regex syntax). */
export const AutoReplySpecSchema = v.variant('mode', [
  v.strictObject({ mode: v.literal('off') }),
  v.strictObject({ mode: v.literal('echo') }),
  v.strictObject({ mode: v.literal('fixed'), ...replyPayload }),
  v.strictObject({
    mode: v.literal('rules'),
    rules: v.pipe(v.array(ruleSchema), v.maxLength(AUTO_REPLY_RULES_MAX)),
    encoding: v.optional(encoding),
  }),
]);
export type AutoReplySpecMessage = v.InferOutput<typeof AutoReplySpecSchema>;

// ---- webview -> host ------------------------------------------------------------------------------

/** What the panel's Multicast / Broadcast controls ask of a UDP socket. */
const MulticastChangeSchema = v.variant('op', [
  v.strictObject({ op: v.literal('join'), group: shortString, interface: v.optional(shortString) }),
  v.strictObject({ op: v.literal('leave'), group: shortString }),
  v.strictObject({ op: v.literal('broadcast'), on: v.boolean() }),
]);
/** One change of the Multicast / Broadcast controls. */
export type MulticastChange = v.InferOutput<typeof MulticastChangeSchema>;

/**
 * encoding, escapes and lineEnding only mean something for text: the panel leaves them out for hex and base64.
 * A checksum is appended to any format; `variables` expands built-ins such as {{$counter}} on every send.
 */
const payloadFields = {
  data: payloadData,
  format,
  encoding: v.optional(encoding),
  escapes: v.optional(v.boolean()),
  lineEnding: v.optional(lineEnding),
  checksum: v.optional(v.picklist(CHECKSUM_NAMES)),
  checksumEndian: v.optional(v.picklist(CHECKSUM_ENDIANS)),
  variables: v.optional(v.boolean()),
};

export const WebviewMessageSchema = v.variant('type', [
  v.strictObject({ type: v.literal('ready') }),
  v.strictObject({
    type: v.literal('send'),
    id,
    /** Endpoint, connection or UDP peer id. */
    target: endpointRef,
    ...payloadFields,
    to: v.optional(destination),
    /** Relays: the side the payload is injected toward. */
    direction: v.optional(v.picklist(RELAY_DIRECTIONS)),
    repeat: v.optional(
      v.strictObject({
        intervalMs: v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(REPEAT_MAX_INTERVAL_MS)),
        count: v.optional(v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(REPEAT_MAX_COUNT))),
      }),
    ),
  }),
  v.strictObject({
    type: v.literal('sendFile'),
    id,
    target: endpointRef,
    to: v.optional(destination),
    direction: v.optional(v.picklist(RELAY_DIRECTIONS)),
  }),
  v.strictObject({ type: v.literal('stopRepeat'), id, repeatId: endpointRef }),
  v.strictObject({ type: v.literal('setAutoReply'), id, spec: AutoReplySpecSchema }),
  v.strictObject({ type: v.literal('clear'), id }),
  /** Starts a capture of this endpoint through the Start Capture prompts (format, then file). */
  v.strictObject({ type: v.literal('startCapture'), id }),
  /** Stops this endpoint's capture (its file is closed). */
  v.strictObject({ type: v.literal('stopCapture'), id }),
  /** Asks the user for this endpoint's framing (the Set Framing prompt) and applies it. */
  v.strictObject({ type: v.literal('setFraming'), id }),
  /** `encoding` decodes the text export (the panel's Encoding); the other formats are bytes. */
  v.strictObject({ type: v.literal('export'), id, format: v.picklist(EXPORT_FORMATS), encoding: v.optional(encoding) }),
  v.strictObject({
    type: v.literal('fetchOlder'),
    id,
    epoch: count,
    after: count,
    before: count,
    limit: v.pipe(v.number(), v.safeInteger(), v.minValue(1), v.maxValue(FETCH_PAGE_MAX)),
  }),
  v.strictObject({ type: v.literal('fetchRecord'), id, epoch: count, seq: count }),
  v.strictObject({ type: v.literal('copy'), id, epoch: count, seq: count, as: v.picklist(COPY_FORMATS), encoding }),
  /** Text the panel made itself (a row kept after its endpoint went away) to put on the clipboard. */
  v.strictObject({ type: v.literal('copyText'), id, text: v.pipe(v.string(), v.maxLength(COPY_TEXT_MAX_CHARS)) }),
  v.strictObject({ type: v.literal('validate'), id, ...payloadFields }),
  /** Appends the payload as a block to a request file the user picks (connect for a client, then the send). */
  v.strictObject({
    type: v.literal('saveToRequestFile'),
    id,
    ...payloadFields,
    /** A bound UDP socket's destination: the block connects there. */
    to: v.optional(destination),
  }),
  /** The payload written in `format` rewritten in `into` (the same bytes), when it can be. */
  v.strictObject({ type: v.literal('convert'), id, ...payloadFields, into: format }),
  /** A UDP socket joins or leaves a multicast group, or turns broadcast on or off (the core checks the values). */
  v.strictObject({ type: v.literal('multicast'), id, change: MulticastChangeSchema }),
]);

/** Everything the webview may post to the host. */
export type WebviewMessage = v.InferOutput<typeof WebviewMessageSchema>;
/** The webview messages that expect a `response`. */
export type WebviewRequest = Exclude<WebviewMessage, { type: 'ready' }>;

// ---- host -> webview ------------------------------------------------------------------------------

const previewBytes = v.pipe(
  v.instance(Uint8Array),
  v.check((b) => b.byteLength <= PREVIEW_MAX_BYTES),
);

/** One traffic record as the panel sees it: a preview of its bytes and its full length. */
export const RecordViewSchema = v.strictObject({
  /** Position in the endpoint's log since the last reset (stable while the epoch is the same). */
  seq: count,
  time: v.number(),
  dir: v.picklist(TRAFFIC_DIRECTIONS),
  peer: shortString,
  connectionId: v.optional(endpointRef),
  length: count,
  preview: previewBytes,
  /** Sent by the endpoint's auto-reply. */
  auto: v.optional(v.literal(true)),
  /** Framing: the frame was cut at its maxFrameBytes. */
  truncated: v.optional(v.literal(true)),
  /** Framing: the connection closed in the middle of this frame. */
  partial: v.optional(v.literal(true)),
  /** Line and delimiter framing: the record's last this-many bytes are the delimiter. */
  delimiterBytes: v.optional(count),
  /** Length framing: the record's first this-many bytes are its length header. */
  headerBytes: v.optional(count),
});
export type RecordView = v.InferOutput<typeof RecordViewSchema>;

const connectionView = v.strictObject({
  id: endpointRef,
  label: shortString,
  state: v.picklist(CONNECTION_STATES),
});

const ruleOffView = v.strictObject({
  /** Index of the rule (0 = the first). */
  rule: v.pipe(count, v.maxValue(AUTO_REPLY_RULES_MAX - 1)),
  /** Why it is off, localized by the host. */
  text: sentence,
});

/** The endpoint's capture as the panel's header shows it. */
const captureView = v.strictObject({
  /** The file's name (its last path part); `path` is the whole path. */
  file: shortString,
  path: sentence,
  format: shortString,
  /** Bytes of the file so far, and the size it stops growing at. */
  bytes: count,
  maxBytes: count,
  /** Why it stopped writing (its limit reached, or a failure), localized by the host; the capture is still set. */
  stopped: v.optional(sentence),
});
/** The capture as the panel's header shows it. */
export type CaptureView = v.InferOutput<typeof captureView>;

/** The endpoint as the panel shows it (null when it is gone). */
export const EndpointViewSchema = v.strictObject({
  id: endpointRef,
  kind: v.picklist(ENDPOINT_KINDS),
  /** 'TCP 127.0.0.1:8880' */
  label: shortString,
  state: v.picklist(ENDPOINT_STATES),
  /** The localized state word. */
  stateText: shortString,
  error: v.optional(sentence),
  connections: v.pipe(v.array(connectionView), v.maxLength(PANEL_CONNECTIONS_MAX)),
  /** UDP sockets that are not connected: they need a destination. */
  needsDestination: v.boolean(),
  /** UDP: the last peer heard from, 'host:port', as the default destination. */
  lastPeer: v.optional(shortString),
  autoReply: v.boolean(),
  /** TCP/Unix: the framing, described ('line (any)'). */
  framing: v.optional(shortString),
  /** The capture to a file, while one is set. */
  capture: v.optional(captureView),
  /** Auto-reply rules switched off by their CPU budget (until the auto-reply is applied again): index and why. */
  rulesOff: v.optional(v.pipe(v.array(ruleOffView), v.maxLength(AUTO_REPLY_RULES_MAX))),
  /** UDP: broadcast on or off and the multicast groups joined. */
  multicast: v.optional(
    v.strictObject({
      broadcast: v.boolean(),
      groups: v.pipe(v.array(shortString), v.maxLength(PANEL_GROUPS_MAX)),
    }),
  ),
});
export type EndpointView = v.InferOutput<typeof EndpointViewSchema>;
/** One switched-off rule as the panel shows it. */
export type RuleOffView = v.InferOutput<typeof ruleOffView>;

const counters = v.strictObject({
  bytesIn: count,
  bytesOut: count,
  messagesIn: count,
  messagesOut: count,
  /** Per second, over about the last second (see host/panel/rateWindow.ts). */
  bytesInRate: v.number(),
  bytesOutRate: v.number(),
  messagesInRate: v.number(),
  messagesOutRate: v.number(),
  /** Records the core's log evicted (their seqs are below this). */
  dropped: count,
  /** The log's cap in bytes. */
  capBytes: count,
});
export type CountersView = v.InferOutput<typeof counters>;

const stringTable = v.pipe(
  v.record(v.pipe(v.string(), v.maxLength(STRING_KEY_MAX_CHARS)), shortString),
  v.check((r) => Object.keys(r).length <= STRINGS_MAX),
);

export const HostMessageSchema = v.variant('type', [
  v.strictObject({
    type: v.literal('init'),
    endpointId: endpointRef,
    /** The panel's title ('TCP 127.0.0.1:8880'), saved in the webview state for the serializer. */
    label: shortString,
    /** Null when the endpoint is gone (restored after a reload, or stopped). */
    endpoint: v.nullable(EndpointViewSchema),
    /** Localized user-facing strings, by key. */
    strings: stringTable,
    encodings: v.pipe(v.array(encoding), v.maxLength(ENCODINGS_MAX)),
    defaults: v.strictObject({ format, encoding, lineEnding }),
  }),
  v.strictObject({ type: v.literal('endpoint'), endpoint: v.nullable(EndpointViewSchema) }),
  v.strictObject({
    type: v.literal('traffic'),
    epoch: count,
    /** Newest last; seqs ascending. */
    records: v.pipe(v.array(RecordViewSchema), v.maxLength(BATCH_MAX_RECORDS)),
    /** Records that arrived since the previous post but are not in this batch (fetch them with fetchOlder). */
    skipped: count,
    counters,
  }),
  v.strictObject({
    type: v.literal('reset'),
    epoch: count,
    /** The newest records of the log (seqs ascending); older ones via fetchOlder. */
    records: v.pipe(v.array(RecordViewSchema), v.maxLength(BATCH_MAX_RECORDS)),
    counters,
  }),
  v.strictObject({
    type: v.literal('repeat'),
    repeatId: endpointRef,
    running: v.boolean(),
    sent: count,
    error: v.optional(sentence),
  }),
  v.strictObject({ type: v.literal('response'), id, ok: v.literal(true), result: v.unknown() }),
  v.strictObject({
    type: v.literal('response'),
    id,
    ok: v.literal(false),
    error: sentence,
  }),
]);

/** Everything the host may post to the webview. */
export type HostMessage = v.InferOutput<typeof HostMessageSchema>;

// ---- request -> result --------------------------------------------------------------------------

const emptyResult = v.strictObject({});

/**
 * The result of each request, by request type: the host's handler returns it and the webview's `rpc.request`
 * checks the response against it before resolving. Adding a request type without its result does not compile.
 */
export const ResultSchemas = {
  /** The bytes sent in all; a listener's send to all says to how many `connections`, any other whom (`to`). */
  send: v.strictObject({
    bytes: count,
    repeatId: v.optional(endpointRef),
    connections: v.optional(count),
    to: v.optional(shortString),
  }),
  sendFile: v.strictObject({ bytes: count, cancelled: v.optional(v.boolean()), path: v.optional(v.string()) }),
  stopRepeat: emptyResult,
  setAutoReply: emptyResult,
  clear: emptyResult,
  setFraming: emptyResult,
  /** `cancelled` when the user left a prompt. */
  startCapture: v.strictObject({ cancelled: v.optional(v.boolean()) }),
  stopCapture: emptyResult,
  export: v.strictObject({ path: v.optional(v.string()), records: count }),
  fetchOlder: v.strictObject({
    records: v.pipe(v.array(RecordViewSchema), v.maxLength(FETCH_PAGE_MAX)),
    dropped: count,
  }),
  fetchRecord: v.strictObject({
    data: v.pipe(
      v.instance(Uint8Array),
      v.check((b) => b.byteLength <= FETCH_RECORD_MAX_BYTES),
    ),
    length: count,
  }),
  copy: emptyResult,
  copyText: emptyResult,
  /** A payload's byte count, or the sentence saying why it cannot be sent (an answer, not a failure). */
  validate: v.union([v.strictObject({ bytes: count }), v.strictObject({ error: sentence })]),
  saveToRequestFile: v.strictObject({ path: v.optional(v.string()), cancelled: v.optional(v.boolean()) }),
  /** The payload rewritten, or the sentence saying why it cannot be (an answer, not a failure). */
  convert: v.union([v.strictObject({ data: payloadData }), v.strictObject({ error: sentence })]),
  multicast: emptyResult,
} satisfies { [K in WebviewRequest['type']]: v.GenericSchema };

/** The type of a request the webview makes ('send', 'validate'...). */
export type RequestType = WebviewRequest['type'];
/** Each request message by its type. */
export type RequestMap = { [M in WebviewRequest as M['type']]: M };
/** The request message of type K. */
export type RequestOf<K extends RequestType> = RequestMap[K];
/** What the webview gives `rpc.request` for a request of type K: the message without its type and id. */
export type RequestParams<K extends RequestType> = Omit<RequestOf<K>, 'type' | 'id'>;
/** What a request of type K is answered with. */
export type ResultOf<K extends RequestType> = v.InferOutput<(typeof ResultSchemas)[K]>;

// ---- validators ------------------------------------------------------------------------------------

/**
 * What was wrong with a refused message, as data the host can put into a sentence of the display language:
 * the field path ('to.port', '' for the message itself), what was expected (valibot's notation, 'never' for
 * a key that is not allowed) and what was received.
 */
export type MessageIssue = { path: string; expected: string | null; received: string };

/**
 * Either the typed message or a one-line reason in English (and the request id when one could be read, for
 * an error reply, and the issue for a localized reply).
 */
export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string; id?: number; issue?: MessageIssue };

function clip(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): { error: string; issue?: MessageIssue } {
  const first = issues[0];
  const path = first?.path?.map((p) => String(p.key)).join('.') ?? '';
  const error = clip(`${path ? `${path}: ` : ''}${first?.message ?? 'invalid message'}`);
  if (!first) return { error };
  return {
    error,
    issue: { path: clip(path), expected: first.expected && clip(first.expected), received: clip(first.received) },
  };
}

function requestIdOf(raw: unknown): number | undefined {
  try {
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      const value = (raw as { id?: unknown }).id;
      if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
    }
  } catch {
    // A hostile getter: no id to answer.
  }
  return undefined;
}

function parseWith<T>(schema: v.GenericSchema<unknown, T>, raw: unknown): ParseResult<T> {
  try {
    const result = v.safeParse(schema, raw);
    if (result.success) return { ok: true, message: result.output };
    return { ok: false, ...describeIssues(result.issues), id: requestIdOf(raw) };
  } catch (err) {
    // valibot does not throw on data, but a message is untrusted input: never let anything escape.
    return {
      ok: false,
      error: `invalid message (${err instanceof Error ? err.message : String(err)})`,
      id: requestIdOf(raw),
    };
  }
}

/** Validates what the webview posted; never throws. */
export function parseWebviewMessage(raw: unknown): ParseResult<WebviewMessage> {
  return parseWith(WebviewMessageSchema, raw);
}

/** Validates what the host posted; never throws. */
export function parseHostMessage(raw: unknown): ParseResult<HostMessage> {
  return parseWith(HostMessageSchema, raw);
}

/** Validates a response's result against the shape its request type expects; never throws. */
export function parseResult<K extends RequestType>(type: K, raw: unknown): ParseResult<ResultOf<K>> {
  return parseWith(ResultSchemas[type] as v.GenericSchema<unknown, ResultOf<K>>, raw);
}

// ---- state kept by the webview (getState/setState, and the serializer's restore) -------------------

/** What the webview saves with setState; the serializer reads endpointId/label from it after a reload. */
export const PanelStateSchema = v.looseObject({
  endpointId: endpointRef,
  /** Label of the endpoint when the state was saved: a restored panel attaches only to the same endpoint. */
  label: v.optional(shortString),
});
export type PanelStateHeader = v.InferOutput<typeof PanelStateSchema>;

/** Reads the header of a saved panel state; undefined when it is not ours. Never throws. */
export function parsePanelState(raw: unknown): PanelStateHeader | undefined {
  const r = parseWith(PanelStateSchema, raw);
  return r.ok ? r.message : undefined;
}
