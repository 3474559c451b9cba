/**
 * The send panel in the browser: composer, auto-reply editor and the virtualized traffic view. Every
 * message from the host is validated (shared/protocol) before use; received bytes only ever reach the
 * DOM through textContent. State (drafts, history, view options) survives hiding and reloads via
 * getState/setState.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-collapsible/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from '@tanstack/virtual-core';
import { formatBytes, formatTime } from '../shared/format';
import {
  parseHostMessage,
  parseResult,
  type AutoReplySpecMessage,
  type CountersView,
  type EndpointView,
  type HostMessage,
  type RecordView,
  type WebviewMessage,
} from '../shared/protocol';
import { FETCH_PAGE_MAX, HISTORY_MAX } from '../shared/limits';
import { decodeForDisplay, hexDump, hexOf } from './bytes';
import { checkRepeat, fill, historyBadge, payloadOf, pluralKey, repeatName, sameDraft, type Draft } from './composer';
import {
  FORMATS,
  emptyRule,
  restoreAutoReply,
  rowsFromRules,
  ruleOf,
  type AutoReplyDraft,
  type Format,
  type LineEnding,
  type RuleKind,
  type RuleRow,
} from './rules';
import { AUTO_REPLY_RULES_MAX } from '../shared/limits';
import './main.css';

declare function acquireVsCodeApi(): { postMessage(m: unknown): void; getState(): unknown; setState(s: unknown): void };
const vscode = acquireVsCodeApi();

// ---- state ------------------------------------------------------------------------------------------

interface Saved {
  endpointId: string;
  label: string;
  draft: Draft;
  target: string;
  to: string;
  /** The user wrote the destination: it no longer follows the last peer heard from. */
  toEdited: boolean;
  /** What each running repeat sends, by repeat id (for its indicator). */
  repeatNames: Record<string, string>;
  intervalMs: string;
  count: string;
  history: Draft[];
  view: { mode: 'text' | 'hex' | 'both'; filter: string; follow: boolean; showDate: boolean };
  autoReply: AutoReplyDraft;
}

const saved = (vscode.getState() ?? {}) as Partial<Saved>;
const state: Saved = {
  endpointId: '',
  label: '',
  draft: { data: '', format: 'text', encoding: 'utf8', lineEnding: 'none', escapes: true },
  target: '',
  to: '',
  toEdited: false,
  repeatNames: {},
  intervalMs: '1000',
  count: '',
  history: [],
  view: { mode: 'both', filter: '', follow: true, showDate: false },
  ...saved,
  autoReply: restoreAutoReply(saved.autoReply),
};
const hasSavedDraft = saved.draft !== undefined;
function persist(): void {
  vscode.setState(state);
}

let strings: Record<string, string> = {};
/** A localized string with {0}, {1}... filled in. */
function t(key: string, ...args: (string | number)[]): string {
  return fill(strings[key] ?? key, args);
}
/** t() for a sentence about `n` things: its singular string when n is 1. */
function tn(n: number, key: string, ...args: (string | number)[]): string {
  return t(pluralKey(strings, key, n), ...args);
}

let endpoint: EndpointView | null = null;
let encodings: string[] = ['utf8'];
let counters: CountersView | undefined;
let skippedTotal = 0;

// ---- requests -----------------------------------------------------------------------------------------

let nextId = 1;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
type RequestBody = WebviewMessage extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;

function request(body: RequestBody): Promise<unknown> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    vscode.postMessage({ ...body, id });
  });
}

// ---- DOM helpers (never innerHTML) ---------------------------------------------------------------------

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Record<string, unknown>,
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K];
function el(tag: string, props?: Record<string, unknown>, ...children: (Node | string)[]): HTMLElement;
function el(tag: string, props: Record<string, unknown> = {}, ...children: (Node | string)[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else if (k === 'text') e.textContent = String(v);
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v as EventListener);
    // A vscode-textfield's or vscode-textarea's `label` (the inner input's aria-label) is a property only.
    else if (k === 'label' && (tag === 'vscode-textfield' || tag === 'vscode-textarea'))
      (e as unknown as { label: string }).label = String(v);
    else if (k in e && typeof v !== 'string') (e as unknown as Record<string, unknown>)[k] = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children);
  return e;
}

function select(
  id: string,
  options: [string, string][],
  value: string,
  label: string,
  onChange: (v: string) => void,
): HTMLElement {
  const s = el('vscode-single-select', { id, 'aria-label': label, title: label, label });
  for (const [v, text] of options) s.append(el('vscode-option', { value: v, text }));
  (s as unknown as { value: string }).value = value;
  s.addEventListener('change', () => onChange((s as unknown as { value: string }).value));
  return s;
}

const val = (e: Element) => (e as unknown as { value: string }).value;
const setVal = (e: Element, v: string) => ((e as unknown as { value: string }).value = v);
const checked = (e: Element) => (e as unknown as { checked: boolean }).checked;

function icon(name: string): HTMLElement {
  return el('span', { class: `codicon codicon-${name}`, 'aria-hidden': 'true' });
}

// ---- layout -------------------------------------------------------------------------------------------

const app = document.getElementById('app')!;
const banner = el('div', { id: 'banner', role: 'alert', hidden: true });
const header = el('div', { id: 'header' });
const titleEl = el('h1', { id: 'title' });
const stateEl = el('span', { id: 'state' });
const countersEl = el('div', { id: 'counters', 'aria-live': 'off' });
const composer = el('section', { id: 'composer' });
const autoReplyBox = el('section', { id: 'auto-reply' });
const traffic = el('section', { id: 'traffic' });
const statusEl = el('div', { id: 'status', role: 'status', 'aria-live': 'polite' });

function setStatus(text: string, isError = false): void {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', isError);
}

// Composer fields (built once init arrives, since they need the encodings and strings).
let payloadField!: HTMLElement;
let byteCountEl!: HTMLElement;
let payloadErrorEl!: HTMLElement;
let targetBox!: HTMLElement;
let repeatButton!: HTMLElement;
let stopButton!: HTMLElement;
let repeatIndicator!: HTMLElement;
let repeatErrorEl!: HTMLElement;
let intervalField!: HTMLElement;
let countField!: HTMLElement;
/** The controls that only mean something for text (hex and base64 are the bytes themselves). */
let textOnlyControls: HTMLElement[] = [];
let historyList!: HTMLElement;
let runningRepeat: string | undefined;
/** Sends of the running repeat so far, as the host last posted. */
let repeatSent = 0;

function buildComposer(): void {
  const d = state.draft;
  targetBox = el('div', { class: 'field target' });
  const formatSel = select(
    'format',
    [
      ['text', 'text'],
      ['hex', 'hex'],
      ['base64', 'base64'],
    ],
    d.format,
    t('format'),
    (v) => {
      d.format = v as Format;
      updatePlaceholder();
      updateTextOnlyControls();
      changed();
    },
  );
  // The encoding also decodes the received rows and is the auto-reply's: it stays enabled for hex and base64.
  const encodingSel = select(
    'encoding',
    encodings.map((e) => [e, e]),
    encodings.includes(d.encoding) ? d.encoding : encodings[0],
    t('encoding'),
    (v) => {
      d.encoding = v;
      changed();
      traffic.dispatchEvent(new Event('encoding-changed'));
      encodingChanged();
    },
  );
  encodingSel.title = t('encodingHint');
  const endingSel = select(
    'line-ending',
    [
      ['none', 'none'],
      ['lf', 'LF \\n'],
      ['cr', 'CR \\r'],
      ['crlf', 'CRLF \\r\\n'],
    ],
    d.lineEnding,
    t('lineEnding'),
    (v) => {
      d.lineEnding = v as LineEnding;
      changed();
    },
  );
  const escapes = el('vscode-checkbox', { id: 'escapes', label: t('escapes'), checked: d.escapes });
  escapes.addEventListener('change', () => {
    d.escapes = checked(escapes);
    changed();
  });
  payloadField = el('vscode-textarea', {
    id: 'payload',
    monospace: true,
    rows: 4,
    resize: 'vertical',
    'aria-label': t('payload'),
    label: t('payload'),
  });
  setVal(payloadField, d.data);
  payloadField.addEventListener('input', () => {
    d.data = val(payloadField);
    changed();
  });
  payloadField.addEventListener('keydown', (e) => {
    const k = e as KeyboardEvent;
    if (k.key === 'Enter' && (k.ctrlKey || k.metaKey)) {
      k.preventDefault();
      void doSend();
    }
  });
  byteCountEl = el('span', { id: 'byte-count' });
  payloadErrorEl = el('span', { id: 'payload-error', class: 'error', role: 'alert' });
  const sendButton = el('vscode-button', {
    id: 'send',
    icon: 'send',
    title: t('sendHint'),
    text: t('send'),
    onclick: () => void doSend(),
  });
  const fileButton = el('vscode-button', {
    id: 'send-file',
    icon: 'file-binary',
    secondary: true,
    text: t('sendFile'),
    onclick: () => void doSendFile(),
  });
  const interval = el('vscode-textfield', {
    id: 'repeat-interval',
    type: 'number',
    min: 0,
    'aria-label': t('repeatEvery'),
    label: t('repeatEveryLabel'),
    title: t('repeatEvery'),
    placeholder: 'ms',
  });
  setVal(interval, state.intervalMs);
  interval.addEventListener('input', () => {
    state.intervalMs = val(interval);
    persist();
    showRepeatProblem(false);
  });
  const count = el('vscode-textfield', {
    id: 'repeat-count',
    type: 'number',
    min: 1,
    'aria-label': t('repeatTimes'),
    label: t('repeatTimesLabel'),
    title: t('repeatTimes'),
    placeholder: '∞',
  });
  setVal(count, state.count);
  count.addEventListener('input', () => {
    state.count = val(count);
    persist();
    showRepeatProblem(false);
  });
  intervalField = interval;
  countField = count;
  repeatErrorEl = el('div', { id: 'repeat-error', class: 'error', role: 'alert' });
  repeatButton = el('vscode-button', {
    id: 'repeat',
    icon: 'sync',
    secondary: true,
    text: t('repeat'),
    onclick: () => void doSend(true),
  });
  stopButton = el('vscode-button', {
    id: 'stop-repeat',
    icon: 'debug-stop',
    secondary: true,
    text: t('stop'),
    hidden: true,
    onclick: () => void doStopRepeat(),
  });
  repeatIndicator = el('span', { id: 'repeat-indicator', hidden: true });
  historyList = el('div', { id: 'history', role: 'list' });

  composer.replaceChildren(
    el(
      'div',
      { class: 'row options' },
      targetBox,
      labelled(t('format'), formatSel),
      labelled(t('encoding'), encodingSel),
      labelled(t('lineEnding'), endingSel),
      escapes,
    ),
    payloadField,
    el('div', { class: 'row under-payload' }, byteCountEl, payloadErrorEl),
    el(
      'div',
      { class: 'row actions' },
      sendButton,
      fileButton,
      el('span', { class: 'sep' }),
      labelled(t('repeatEvery'), interval),
      labelled(t('repeatTimes'), count),
      repeatButton,
      stopButton,
      repeatIndicator,
    ),
    repeatErrorEl,
    statusEl,
    el('vscode-collapsible', { title: t('history'), id: 'history-box' }, historyList),
  );
  textOnlyControls = [endingSel, escapes];
  updatePlaceholder();
  updateTextOnlyControls();
  showRepeatProblem(false);
  renderHistory();
  renderTarget();
  changed();
}

/** Line ending and escapes only apply to text: disabled (and not sent) for hex and base64. */
function updateTextOnlyControls(): void {
  const text = state.draft.format === 'text';
  for (const c of textOnlyControls) {
    c.toggleAttribute('disabled', !text);
    c.title = text ? (c.getAttribute('aria-label') ?? '') : t('textOnly');
  }
}

/**
 * Checks the Repeat fields and shows what is wrong next to them (and marks the field). With `refuse`, the
 * problem also goes to the status line (the user pressed Repeat). Returns the repeat when the fields are right.
 */
function showRepeatProblem(refuse: boolean): { intervalMs: number; count?: number } | undefined {
  const r = checkRepeat(state.intervalMs, state.count);
  const message = r.ok ? '' : t(r.key, ...r.args);
  intervalField.toggleAttribute('invalid', !r.ok && r.field === 'interval');
  countField.toggleAttribute('invalid', !r.ok && r.field === 'count');
  if (repeatErrorEl.textContent !== message) repeatErrorEl.textContent = message;
  if (!r.ok && refuse) setStatus(message, true);
  return r.ok ? r.repeat : undefined;
}

/** The composer's encoding changed: say so where it also applies, and check the rules' replies again. */
function encodingChanged(): void {
  updateEncodingNotes();
  for (const row of ruleNodes.keys()) scheduleRuleCheck(row);
}

/** The places that use the composer's encoding say which one it is (auto-reply, received rows). */
function updateEncodingNotes(): void {
  const enc = state.draft.encoding;
  for (const node of document.querySelectorAll<HTMLElement>('.encoding-note')) {
    const text = t(node.dataset.key ?? '', enc);
    if (node.textContent !== text) node.textContent = text;
  }
}

function labelled(text: string, control: HTMLElement, layout?: 'block'): HTMLElement {
  return el(
    'label',
    { class: layout ? 'labelled block' : 'labelled' },
    el('span', { class: 'label-text', text }),
    control,
  );
}

/** 'Encoding: gbk (from the composer)', kept current by updateEncodingNotes. */
function encodingNote(): HTMLElement {
  return el('span', {
    class: 'muted encoding-note auto-reply-encoding',
    'data-key': 'autoReplyEncoding',
    text: t('autoReplyEncoding', state.draft.encoding),
  });
}

function updatePlaceholder(): void {
  const key =
    state.draft.format === 'hex'
      ? 'payloadPlaceholderHex'
      : state.draft.format === 'base64'
        ? 'payloadPlaceholderBase64'
        : 'payloadPlaceholderText';
  payloadField.setAttribute('placeholder', t(key));
}

let validateTimer: ReturnType<typeof setTimeout> | undefined;
let validateSerial = 0;
/** The draft changed: save it, and have the host count its bytes (debounced). */
function changed(): void {
  persist();
  if (validateTimer) clearTimeout(validateTimer);
  validateTimer = setTimeout(() => void validate(), 150);
}

async function validate(): Promise<boolean> {
  const serial = ++validateSerial;
  try {
    const raw = await request({ type: 'validate', ...payloadOf(state.draft) });
    if (serial !== validateSerial) return true;
    const r = parseResult('validate', raw);
    if (!r.ok) return false;
    if ('error' in r.message) {
      byteCountEl.textContent = '';
      payloadErrorEl.textContent = r.message.error;
      payloadField.setAttribute('invalid', '');
      return false;
    }
    byteCountEl.textContent = tn(r.message.bytes, 'bytes', r.message.bytes);
    payloadErrorEl.textContent = '';
    payloadField.removeAttribute('invalid');
    return true;
  } catch (err) {
    payloadErrorEl.textContent = (err as Error).message;
    return false;
  }
}

function renderTarget(): void {
  if (!targetBox) return;
  if (!endpoint) {
    targetBox.replaceChildren();
    return;
  }
  const ep = endpoint;
  if (ep.kind === 'tcp-listener' || ep.kind === 'unix-listener') {
    const live = ep.connections.filter((c) => c.state === 'connected');
    const options: [string, string][] = [
      [ep.id, t('allConnections')],
      ...live.map((c): [string, string] => [c.id, c.label]),
    ];
    if (!options.some(([v]) => v === state.target)) state.target = ep.id;
    targetBox.replaceChildren(
      labelled(
        t('target'),
        select('target', options, state.target, t('target'), (v) => ((state.target = v), persist())),
      ),
    );
  } else if (ep.needsDestination) {
    state.target = ep.id;
    if (ep.lastPeer) followPeer(ep.lastPeer);
    // Kept while the endpoint updates, so that typing in it is never interrupted.
    if (!destinationField || !targetBox.contains(destinationField)) {
      const to = el('vscode-textfield', {
        id: 'destination',
        placeholder: t('destinationPlaceholder'),
        'aria-label': t('destination'),
        label: t('destination'),
      });
      to.addEventListener('input', () => {
        state.to = val(to);
        // Emptied: back to following the last peer.
        state.toEdited = state.to.trim() !== '';
        persist();
        updateDestinationHint();
      });
      const follow = el('vscode-button', {
        id: 'follow-peer',
        secondary: true,
        icon: 'debug-restart',
        text: t('followPeer'),
        title: t('followPeerHint'),
        onclick: () => {
          state.toEdited = false;
          state.to = endpoint?.lastPeer ?? '';
          persist();
          if (destinationField) setVal(destinationField, state.to);
          updateDestinationHint();
        },
      });
      const hint = el('span', { id: 'destination-hint', class: 'muted' });
      destinationField = to;
      destinationHint = { follow, hint };
      targetBox.replaceChildren(labelled(t('destination'), to), follow, hint);
    }
    if (val(destinationField) !== state.to) setVal(destinationField, state.to);
    updateDestinationHint();
  } else {
    state.target = ep.id;
    targetBox.replaceChildren(labelled(t('target'), el('span', { class: 'static-target', text: ep.label })));
  }
}

let destinationField: HTMLElement | undefined;
let destinationHint: { follow: HTMLElement; hint: HTMLElement } | undefined;

/** A UDP peer was heard from: the destination follows it unless the user wrote their own. */
function followPeer(peer: string): void {
  if (state.toEdited || state.to === peer) return;
  state.to = peer;
  persist();
  if (destinationField) setVal(destinationField, peer);
  updateDestinationHint();
}

/** Says whether the destination follows the last peer, and offers to follow it again when the user wrote their own. */
function updateDestinationHint(): void {
  if (!destinationHint) return;
  const lastPeer = endpoint?.lastPeer;
  const edited = state.toEdited && !!lastPeer && state.to.trim() !== lastPeer;
  destinationHint.follow.hidden = !edited;
  const text = edited ? '' : t('followingPeer');
  if (destinationHint.hint.textContent !== text) destinationHint.hint.textContent = text;
}

function destination(): { host: string; port: number } | undefined {
  if (!endpoint?.needsDestination) return undefined;
  const m = /^\s*\[?([^\]]+?)\]?:(\d{1,5})\s*$/.exec(state.to || endpoint.lastPeer || '');
  if (!m) throw new Error(t('badDestination'));
  return { host: m[1], port: Number(m[2]) };
}

async function doSend(repeat = false): Promise<void> {
  if (!endpoint) return;
  try {
    const to = destination();
    const body: RequestBody = {
      type: 'send',
      target: state.target || endpoint.id,
      ...payloadOf(state.draft),
      ...(to ? { to } : {}),
    };
    if (repeat) {
      // Checked here, with a sentence naming the field, rather than refused by the host's protocol check.
      const spec = showRepeatProblem(true);
      if (!spec) return;
      (body as { repeat?: { intervalMs: number; count?: number } }).repeat = spec;
    }
    const name = repeatName(state.draft);
    const r = parseResult('send', await request(body));
    if (!r.ok) throw new Error(r.error);
    remember();
    if (r.message.repeatId) {
      state.repeatNames = { [r.message.repeatId]: name };
      persist();
      // Progress may have been posted before this answer.
      if (runningRepeat !== r.message.repeatId) repeatSent = 0;
      runningRepeat = r.message.repeatId;
      showRepeat(t('repeating', name, repeatSent.toLocaleString()));
      setStatus('');
    } else {
      setStatus(tn(r.message.bytes, 'sent', r.message.bytes));
    }
  } catch (err) {
    setStatus((err as Error).message, true);
  }
}

async function doSendFile(): Promise<void> {
  if (!endpoint) return;
  try {
    const to = destination();
    const r = parseResult(
      'sendFile',
      await request({ type: 'sendFile', target: state.target || endpoint.id, ...(to ? { to } : {}) }),
    );
    if (!r.ok) throw new Error(r.error);
    if (!r.message.cancelled) setStatus(tn(r.message.bytes, 'sentFile', r.message.bytes));
  } catch (err) {
    setStatus((err as Error).message, true);
  }
}

async function doStopRepeat(): Promise<void> {
  if (!runningRepeat) return;
  try {
    await request({ type: 'stopRepeat', repeatId: runningRepeat });
  } catch (err) {
    setStatus((err as Error).message, true);
  }
}

function showRepeat(text: string | undefined): void {
  repeatIndicator.hidden = text === undefined;
  repeatIndicator.replaceChildren(icon('sync codicon-modifier-spin'), document.createTextNode(` ${text ?? ''}`));
  stopButton.hidden = text === undefined;
  repeatButton.toggleAttribute('disabled', text !== undefined);
}

function remember(): void {
  const d = { ...state.draft };
  state.history = [d, ...state.history.filter((h) => !sameDraft(h, d))].slice(0, HISTORY_MAX);
  persist();
  renderHistory();
}

function renderHistory(): void {
  if (!state.history.length) {
    historyList.replaceChildren(el('p', { class: 'muted', text: t('historyEmpty') }));
    return;
  }
  historyList.replaceChildren(
    ...state.history.map((h) =>
      el(
        'button',
        {
          class: 'history-item',
          role: 'listitem',
          title: h.data.length > 500 ? `${h.data.slice(0, 500)}…` : h.data,
          onclick: () => {
            // A hex or base64 entry keeps the encoding chosen now (it still decodes the received rows).
            state.draft = h.format === 'text' ? { ...h } : { ...state.draft, data: h.data, format: h.format };
            buildComposer();
            encodingChanged();
            payloadField.focus();
          },
        },
        el('span', { class: 'badge', text: historyBadge(h) }),
        el('span', { class: 'history-data', text: h.data.length > 120 ? `${h.data.slice(0, 120)}…` : h.data }),
      ),
    ),
  );
}

// ---- auto-reply ---------------------------------------------------------------------------------------

function buildAutoReply(): void {
  if (
    !endpoint ||
    !(endpoint.kind === 'tcp-listener' || endpoint.kind === 'unix-listener' || endpoint.needsDestination)
  ) {
    autoReplyBox.replaceChildren();
    return;
  }
  const a = state.autoReply;
  const body = el('div', { class: 'auto-reply-body' });
  const error = el('span', { id: 'auto-reply-error', class: 'error', role: 'alert' });
  const renderBody = () => {
    if (a.mode === 'fixed') {
      const data = el('vscode-textarea', {
        id: 'auto-reply-data',
        monospace: true,
        rows: 2,
        'aria-label': t('fixedReply'),
        label: t('fixedReply'),
        placeholder: replyPlaceholder(a.format),
      });
      setVal(data, a.data);
      data.addEventListener('input', () => ((a.data = val(data)), persist()));
      const format = select(
        'auto-reply-format',
        [
          ['text', 'text'],
          ['hex', 'hex'],
          ['base64', 'base64'],
        ],
        a.format,
        t('fixedReplyFormat'),
        (v) => {
          a.format = v as Format;
          data.setAttribute('placeholder', replyPlaceholder(a.format));
          persist();
        },
      );
      body.replaceChildren(
        el('div', { class: 'row' }, labelled(t('format'), format), encodingNote()),
        labelled(t('fixedReply'), data, 'block'),
      );
    } else if (a.mode === 'rules') {
      body.replaceChildren(buildRulesEditor(error));
    } else {
      body.replaceChildren();
    }
  };
  const mode = select(
    'auto-reply-mode',
    [
      ['off', t('modeOff')],
      ['echo', t('modeEcho')],
      ['fixed', t('modeFixed')],
      ['rules', t('modeRules')],
    ],
    a.mode,
    t('autoReply'),
    (v) => {
      a.mode = v as Saved['autoReply']['mode'];
      error.textContent = '';
      persist();
      renderBody();
    },
  );
  const apply = el('vscode-button', {
    id: 'auto-reply-apply',
    secondary: true,
    text: t('apply'),
    onclick: async () => {
      error.textContent = '';
      let spec: AutoReplySpecMessage;
      // The rows as they were sent: a host error names a rule by its index in them.
      let sentRows: RuleRow[] = [];
      // Text is encoded (and, for rules, decoded to be matched) with the composer's Encoding.
      const encoding = state.draft.encoding;
      if (a.mode === 'fixed')
        spec = { mode: 'fixed', data: a.data, format: a.format, ...(a.format === 'text' ? { encoding } : {}) };
      else if (a.mode === 'rules') {
        if (a.json !== undefined) {
          try {
            spec = { mode: 'rules', rules: JSON.parse(a.json), encoding };
          } catch (err) {
            error.textContent = t('invalidJson', (err as Error).message);
            setStatus(error.textContent, true);
            return;
          }
        } else {
          sentRows = [...a.rules];
          spec = { mode: 'rules', rules: sentRows.map(ruleOf), encoding };
        }
        for (const row of a.rules) errorsOf(row).host = undefined;
        renderRuleMessages();
      } else spec = { mode: a.mode };
      try {
        await request({ type: 'setAutoReply', spec });
        setStatus(t('applied'));
      } catch (err) {
        const message = (err as Error).message;
        setStatus(message, true);
        // 'autoReply.rules[2].regex: …' from the core, or 'spec.rules.2.flags: …' from the protocol check.
        const m = /rules(?:\[(\d+)\]|\.(\d+))/.exec(message);
        const row = m ? sentRows[Number(m[1] ?? m[2])] : undefined;
        if (row) {
          errorsOf(row).host = message;
          renderRuleMessages();
        } else error.textContent = message;
      }
    },
  });
  renderBody();
  autoReplyBox.replaceChildren(
    el(
      'vscode-collapsible',
      { title: t('autoReply'), id: 'auto-reply-box' },
      el('div', { class: 'row' }, labelled(t('autoReply'), mode), apply, error),
      body,
    ),
  );
}

// ---- auto-reply rules table ---------------------------------------------------------------------------

/** What is wrong with a rule: its match or its reply as the host's live check sees them, and the host's answer to Apply. */
interface RuleErrors {
  match?: string;
  reply?: string;
  host?: string;
}
const ruleErrors = new WeakMap<RuleRow, RuleErrors>();
const errorsOf = (row: RuleRow): RuleErrors => {
  let e = ruleErrors.get(row);
  if (!e) ruleErrors.set(row, (e = {}));
  return e;
};
/** The table's nodes of each row on screen (rebuilt with the table). */
const ruleNodes = new Map<RuleRow, RuleNodes>();
let rulesTableBody: HTMLElement | undefined;
let rulesFooter: { add: HTMLElement; limit: HTMLElement } | undefined;

/** The rules editor: a table of rules, or (Edit as JSON) the JSON array the core takes. */
function buildRulesEditor(error: HTMLElement): HTMLElement {
  const a = state.autoReply;
  const editor = el('div', { id: 'rules-editor' });
  const asJson = el('vscode-checkbox', {
    id: 'rules-as-json',
    label: t('rulesEditJson'),
    checked: a.json !== undefined,
  });
  asJson.addEventListener('change', () => {
    error.textContent = '';
    if (checked(asJson)) {
      a.json = JSON.stringify(a.rules.map(ruleOf), null, 2);
    } else if (a.json !== undefined) {
      let rows: RuleRow[] | undefined;
      try {
        rows = rowsFromRules(JSON.parse(a.json));
      } catch (err) {
        error.textContent = t('invalidJson', (err as Error).message);
      }
      if (!rows) {
        error.textContent ||= t('rulesNotArray');
        (asJson as unknown as { checked: boolean }).checked = true;
        return;
      }
      a.rules = rows;
      a.json = undefined;
    }
    persist();
    renderEditor();
  });
  const content = el('div', { class: 'rules-content' });
  const renderEditor = () => {
    if (a.json !== undefined) {
      rulesTableBody = undefined;
      rulesFooter = undefined;
      ruleNodes.clear();
      const json = el('vscode-textarea', {
        id: 'auto-reply-rules',
        monospace: true,
        rows: 8,
        resize: 'vertical',
        'aria-label': t('rulesJson'),
        title: t('rulesJson'),
      });
      setVal(json, a.json);
      json.addEventListener('input', () => ((a.json = val(json)), persist()));
      content.replaceChildren(el('span', { class: 'muted', text: t('rulesJson') }), json);
    } else {
      content.replaceChildren(buildRulesTable());
    }
  };
  editor.append(
    el(
      'div',
      { class: 'row rules-head' },
      el('span', { class: 'muted', text: t('rulesHint') }),
      encodingNote(),
      asJson,
    ),
    content,
  );
  renderEditor();
  return editor;
}

function buildRulesTable(): HTMLElement {
  const headCells = ['#', t('ruleMatcher'), t('ruleMatch'), t('ruleFlags'), t('ruleReply'), t('format')];
  const table = el(
    'table',
    { id: 'rules', class: 'rules-table', 'aria-label': t('rulesTable') },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ...headCells.map((text) => el('th', { scope: 'col', text })),
        el('th', { scope: 'col', 'aria-label': t('ruleActions') }),
      ),
    ),
  );
  rulesTableBody = el('tbody');
  table.append(rulesTableBody);
  const add = el('vscode-button', {
    id: 'rule-add',
    secondary: true,
    icon: 'add',
    text: t('ruleAdd'),
    onclick: () => addRule(),
  });
  const limit = el('span', { id: 'rules-limit', class: 'muted', 'aria-live': 'polite' });
  rulesFooter = { add, limit };
  renderRules();
  return el(
    'div',
    { class: 'rules-wrap' },
    el('div', { class: 'rules-scroll' }, table),
    el('div', { class: 'row rules-actions' }, add, limit),
  );
}

/** Builds the rows of the table again (after a structural change) and puts the focus on `focus` when given. */
/**
 * Puts the rows of the table in the order of the rules, building only rows that are new (a table of 100
 * rules is not rebuilt for one added or moved rule), and focuses `focus` when given.
 */
function renderRules(focus?: { row: RuleRow; field: string }): void {
  if (!rulesTableBody || !rulesFooter) return;
  const rules = state.autoReply.rules;
  for (const row of [...ruleNodes.keys()]) if (!rules.includes(row)) ruleNodes.delete(row);
  const trs: HTMLElement[] = [];
  rules.forEach((row, index) => {
    let nodes = ruleNodes.get(row);
    if (!nodes) ruleNodes.set(row, (nodes = ruleRowNodes(row)));
    numberRule(nodes, index, rules.length);
    trs.push(nodes.tr, nodes.messageRow);
  });
  if (!rules.length) trs.push(el('tr', {}, el('td', { colspan: 7, class: 'muted', text: t('rulesEmpty') })));
  // Only move what changed place: an unmoved row keeps its focus and its rendered elements.
  const body = rulesTableBody;
  trs.forEach((tr, i) => {
    if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] ?? null);
  });
  while (body.children.length > trs.length) body.lastElementChild!.remove();
  const full = rules.length >= AUTO_REPLY_RULES_MAX;
  rulesFooter.add.toggleAttribute('disabled', full);
  rulesFooter.limit.textContent = full ? t('rulesMax', AUTO_REPLY_RULES_MAX) : '';
  renderRuleMessages();
  if (focus) {
    const tr = ruleNodes.get(focus.row)?.tr;
    const target =
      tr?.querySelector<HTMLElement>(`[data-field="${focus.field}"]:not([disabled])`) ??
      tr?.querySelector<HTMLElement>('[data-field="match"]') ??
      rulesFooter.add;
    focusWhenRendered(target);
  }
}

/** Focuses a vscode-element once it has rendered its shadow root (a new one delegates focus to nothing before). */
function focusWhenRendered(target: HTMLElement): void {
  void Promise.resolve((target as { updateComplete?: Promise<unknown> }).updateComplete).then(() => target.focus());
}

interface RuleNodes {
  tr: HTMLElement;
  messageRow: HTMLElement;
  number: HTMLElement;
  match: HTMLElement;
  reply: HTMLElement;
  message: HTMLElement;
  /** The labelled controls, each with the string key of its label ('… of rule {0}'). */
  labelled: [HTMLElement, string][];
  up: HTMLElement;
  down: HTMLElement;
}

/** Gives a row its number: the # column, the data-index, the labels that name it, and which move buttons apply. */
function numberRule(nodes: RuleNodes, index: number, total: number): void {
  const n = index + 1;
  if (
    nodes.number.textContent === String(n) &&
    nodes.up.hasAttribute('disabled') === (index === 0) &&
    nodes.down.hasAttribute('disabled') === (index === total - 1)
  )
    return;
  nodes.number.textContent = String(n);
  nodes.tr.dataset.index = String(index);
  nodes.messageRow.dataset.index = String(index);
  for (const [control, key] of nodes.labelled) {
    control.setAttribute('aria-label', t(key, n));
    if (control.localName !== 'vscode-textfield') control.setAttribute('title', t(key, n));
  }
  nodes.up.toggleAttribute('disabled', index === 0);
  nodes.down.toggleAttribute('disabled', index === total - 1);
}

function ruleRowNodes(row: RuleRow): RuleNodes {
  const edited = () => {
    errorsOf(row).host = undefined;
    persist();
    scheduleRuleCheck(row);
  };
  const kind = select(
    '',
    [
      ['contains', t('ruleContains')],
      ['hex', t('ruleHex')],
      ['regex', t('ruleRegex')],
    ],
    row.kind,
    '',
    (v) => {
      row.kind = v as RuleKind;
      flags.hidden = row.kind !== 'regex';
      match.setAttribute('placeholder', matchPlaceholder(row.kind));
      edited();
    },
  );
  kind.removeAttribute('id');
  const match = el('vscode-textfield', {
    class: 'rule-match',
    'data-field': 'match',
    maxlength: 1024,
    placeholder: matchPlaceholder(row.kind),
  });
  setVal(match, row.match);
  match.addEventListener('input', () => ((row.match = val(match)), edited()));
  const flags = el('vscode-textfield', {
    class: 'rule-flags',
    'data-field': 'flags',
    maxlength: 8,
    title: t('ruleFlagsHint'),
  });
  flags.hidden = row.kind !== 'regex';
  setVal(flags, row.flags);
  flags.addEventListener('input', () => ((row.flags = val(flags)), edited()));
  const reply = el('vscode-textfield', {
    class: 'rule-reply',
    'data-field': 'reply',
    placeholder: replyPlaceholder(row.format),
  });
  setVal(reply, row.reply);
  reply.addEventListener('input', () => ((row.reply = val(reply)), edited()));
  const format = select(
    '',
    FORMATS.map((f): [string, string] => [f, f]),
    row.format,
    '',
    (v) => {
      row.format = v as Format;
      reply.setAttribute('placeholder', replyPlaceholder(row.format));
      edited();
    },
  );
  format.removeAttribute('id');
  kind.classList.add('rule-kind');
  kind.dataset.field = 'kind';
  format.classList.add('rule-format');
  format.dataset.field = 'format';
  const button = (field: string, iconName: string, action: () => void) =>
    el('vscode-button', {
      class: `rule-${field}`,
      'data-field': field,
      secondary: true,
      icon: iconName,
      onclick: action,
    });
  const up = button('up', 'arrow-up', () => moveRule(row, -1, 'up'));
  const down = button('down', 'arrow-down', () => moveRule(row, 1, 'down'));
  const remove = button('remove', 'trash', () => removeRule(row));
  const number = el('td', { class: 'rule-number' });
  const tr = el(
    'tr',
    { class: 'rule-row' },
    number,
    el('td', {}, kind),
    el('td', {}, match),
    el('td', {}, flags),
    el('td', {}, reply),
    el('td', {}, format),
    el('td', { class: 'rule-buttons' }, up, down, remove),
  );
  // Alt+↑ / Alt+↓ move the rule, keeping the focus where it was.
  tr.addEventListener('keydown', (e) => {
    if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    const field = (e.target as HTMLElement).closest<HTMLElement>('[data-field]')?.dataset.field ?? 'match';
    moveRule(row, e.key === 'ArrowUp' ? -1 : 1, field);
  });
  const message = el('div', { class: 'rule-error error', role: 'alert' });
  const messageRow = el('tr', { class: 'rule-message', hidden: true }, el('td'), el('td', { colspan: 6 }, message));
  if (!ruleErrors.has(row)) scheduleRuleCheck(row, 0);
  const labelled: [HTMLElement, string][] = [
    [kind, 'ruleMatcherOf'],
    [match, 'ruleMatchOf'],
    [flags, 'ruleFlagsOf'],
    [reply, 'ruleReplyOf'],
    [format, 'ruleFormatOf'],
    [up, 'ruleUp'],
    [down, 'ruleDown'],
    [remove, 'ruleRemove'],
  ];
  return { tr, messageRow, number, match, reply, message, labelled, up, down };
}

function matchPlaceholder(kind: RuleKind): string {
  return t(
    kind === 'hex'
      ? 'ruleMatchHexPlaceholder'
      : kind === 'regex'
        ? 'ruleMatchRegexPlaceholder'
        : 'ruleMatchContainsPlaceholder',
  );
}

function replyPlaceholder(format: Format): string {
  return t(
    format === 'hex'
      ? 'ruleReplyHexPlaceholder'
      : format === 'base64'
        ? 'ruleReplyBase64Placeholder'
        : 'ruleReplyTextPlaceholder',
  );
}

/** Shows each rule's problems under it (and marks the fields they concern). */
function renderRuleMessages(): void {
  for (const [row, nodes] of ruleNodes) {
    const e = errorsOf(row);
    const lines = [e.match && t('ruleMatchError', e.match), e.reply && t('ruleReplyError', e.reply), e.host].filter(
      (x): x is string => !!x,
    );
    nodes.match.toggleAttribute('invalid', !!e.match);
    nodes.reply.toggleAttribute('invalid', !!e.reply);
    nodes.messageRow.hidden = !lines.length;
    const text = lines.join('\n');
    if (nodes.message.textContent !== text) nodes.message.textContent = text;
  }
}

function addRule(): void {
  const rules = state.autoReply.rules;
  if (rules.length >= AUTO_REPLY_RULES_MAX) return;
  const row = emptyRule();
  rules.push(row);
  persist();
  renderRules({ row, field: 'match' });
}

function removeRule(row: RuleRow): void {
  const rules = state.autoReply.rules;
  const index = rules.indexOf(row);
  if (index < 0) return;
  rules.splice(index, 1);
  persist();
  const next = rules[Math.min(index, rules.length - 1)];
  renderRules(next ? { row: next, field: 'remove' } : undefined);
  if (!next && rulesFooter) focusWhenRendered(rulesFooter.add);
}

function moveRule(row: RuleRow, by: -1 | 1, field: string): void {
  const rules = state.autoReply.rules;
  const from = rules.indexOf(row);
  const to = from + by;
  if (from < 0 || to < 0 || to >= rules.length) return;
  rules.splice(from, 1);
  rules.splice(to, 0, row);
  persist();
  // A move button that is now disabled (first or last row) hands the focus to the other one.
  const other = field === 'up' && to === 0 ? 'down' : field === 'down' && to === rules.length - 1 ? 'up' : field;
  renderRules({ row, field: other });
}

const ruleTimers = new WeakMap<RuleRow, ReturnType<typeof setTimeout>>();
const ruleSerials = new WeakMap<RuleRow, number>();
/** Has the host check a rule's hex match and its reply as the composer's payload is checked (debounced). */
function scheduleRuleCheck(row: RuleRow, delay = 150): void {
  errorsOf(row);
  const timer = ruleTimers.get(row);
  if (timer) clearTimeout(timer);
  ruleTimers.set(
    row,
    setTimeout(() => void checkRule(row), delay),
  );
}

async function checkRule(row: RuleRow): Promise<void> {
  const serial = (ruleSerials.get(row) ?? 0) + 1;
  ruleSerials.set(row, serial);
  const problem = async (body: Extract<RequestBody, { type: 'validate' }>): Promise<string | undefined> => {
    try {
      const r = parseResult('validate', await request(body));
      return r.ok && 'error' in r.message ? r.message.error : undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
  const [match, reply] = await Promise.all([
    row.kind === 'hex' && row.match ? problem({ type: 'validate', data: row.match, format: 'hex' }) : undefined,
    row.reply
      ? problem({
          type: 'validate',
          ...payloadOf({
            data: row.reply,
            format: row.format,
            encoding: row.more?.encoding || state.draft.encoding,
            escapes: row.more?.escapes ?? true,
            lineEnding: row.more?.lineEnding ?? 'none',
          }),
        })
      : undefined,
  ]);
  if (ruleSerials.get(row) !== serial) return;
  const e = errorsOf(row);
  e.match = match;
  e.reply = reply;
  renderRuleMessages();
}

// ---- traffic view --------------------------------------------------------------------------------------

type RecRow = {
  kind: 'rec';
  r: RecordView;
  expanded?: boolean;
  full?: Uint8Array;
  loading?: boolean;
  text?: string;
  hex?: string;
};
type GapRow = { kind: 'gap'; after: number; before: number; loading?: boolean };
type Row = RecRow | GapRow;

let epoch = -1;
let rows: Row[] = [];
/** rows, or only those matching the filter. */
let shown: Row[] = rows;
let dropped = 0;
let selectedSeq = -1;
const ROW_HEIGHT = 22;

const listEl = el('div', { id: 'list', tabindex: 0, role: 'list', 'aria-label': t('traffic') });
const spacer = el('div', { id: 'spacer' });
listEl.append(spacer);
const droppedEl = el('div', { id: 'dropped-line', class: 'muted', hidden: true });
const skippedEl = el('div', { id: 'skipped-line', class: 'muted', hidden: true });
const emptyEl = el('div', { id: 'empty-line', class: 'muted' });
// One listener for every record row (rows are reused while scrolling).
spacer.addEventListener('click', (e) => {
  const target = e.target as HTMLElement;
  if (target.closest('.detail')) return;
  const node = target.closest<HTMLElement>('.row.rec');
  const row = node && nodeRow.get(node);
  if (!row) return;
  selectedSeq = row.r.seq;
  toggle(row);
});

const rowKey = (i: number) => {
  const row = shown[i];
  return row ? (row.kind === 'rec' ? row.r.seq : `gap${row.after}`) : i;
};

const virtualizer = new Virtualizer<HTMLElement, HTMLElement>({
  count: 0,
  getScrollElement: () => listEl,
  estimateSize: () => ROW_HEIGHT,
  getItemKey: rowKey,
  overscan: 10,
  scrollToFn: elementScroll,
  observeElementRect,
  observeElementOffset,
  onChange: () => scheduleRender(),
});

let renderQueued = false;
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderRows();
  });
}

/** A monospace character is at least this wide (px) at any editor font size people use; bounds a line below. */
const MIN_CHAR_PX = 4;
/** Characters one collapsed line can show at most at the list's width (bumped with the width, never per row). */
let lineChars = 400;

/**
 * What a collapsed row's cell renders of `s`: no more than the line can show. A 512-byte preview is 1,535
 * characters of hex; laying out and shaping all of it for every row that scrolls on screen was the panel's
 * main rendering cost during a flood (the cells clip with an ellipsis anyway).
 */
function fitLine(s: string): string {
  if (s.length <= lineChars) return s;
  let end = lineChars;
  // Never end on the first half of a surrogate pair.
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${s.slice(0, end)}…`;
}

/** Follows the list's width: when lines can show more, collapsed rows are rebuilt with more text. */
function syncLineChars(width: number): void {
  const chars = Math.max(80, Math.ceil(width / MIN_CHAR_PX) + 1);
  if (chars === lineChars) return;
  const grew = chars > lineChars;
  lineChars = chars;
  if (grew) contentGeneration++;
}

function textOf(row: RecRow): string {
  return (row.text ??=
    decodeForDisplay(row.r.preview, state.draft.encoding) + (row.r.length > row.r.preview.byteLength ? '…' : ''));
}
function hexOfRow(row: RecRow): string {
  return (row.hex ??= hexOf(row.r.preview) + (row.r.length > row.r.preview.byteLength ? ' …' : ''));
}

function matches(row: Row, filter: string): boolean {
  if (row.kind === 'gap' || !filter) return true;
  return (
    textOf(row).toLowerCase().includes(filter) ||
    hexOfRow(row).includes(filter) ||
    row.r.peer.toLowerCase().includes(filter)
  );
}

function refilter(): void {
  const f = state.view.filter.trim().toLowerCase();
  shown = f ? rows.filter((r) => matches(r, f)) : rows;
  syncCount();
}

function syncCount(): void {
  // No measure(): sizes are cached by row key, so a new count is all the virtualizer needs (measure() would
  // throw away the measured heights of expanded rows and recompute every row's offset per flush).
  virtualizer.setOptions({ ...virtualizer.options, count: shown.length });
  if (state.view.follow && shown.length) scrollToEnd();
  scheduleRender();
}

/**
 * Jumps to the newest row now (not on the next frame), with writes only: rows have a fixed height, so the
 * end is the total size and the browser clamps. The virtualizer learns the offset from the scroll event,
 * which fires before the render frame. (Its own scrollToIndex re-reads the scroll height every frame until
 * the position settles, a forced layout per frame that never settles during a flood.)
 */
function scrollToEnd(): void {
  const total = virtualizer.getTotalSize();
  spacer.style.height = `${total}px`;
  listEl.scrollTop = total;
}

/** The node on screen for each row, with the signature of what it shows (rebuilt only when that changes). */
interface Shown {
  node: HTMLElement;
  sig: string;
  start: number;
  index: number;
  pooled: boolean;
}
const onScreen = new Map<Row, Shown>();
const nodeRow = new WeakMap<HTMLElement, RecRow>();
/** Collapsed record rows that left the screen, refilled for rows that come on (no per-row allocation while scrolling). */
const pool: HTMLElement[] = [];
/** Bumped when every row's text must be rebuilt (encoding change). */
let contentGeneration = 0;

function signature(row: Row): string {
  if (row.kind === 'gap') return `g${row.loading ? 1 : 0}:${row.before - row.after}`;
  return `r${contentGeneration}:${state.view.mode}:${state.view.showDate ? 1 : 0}:${row.r.seq === selectedSeq ? 1 : 0}:${row.expanded ? `e${row.loading ? 1 : 0}${row.full ? 1 : 0}` : 'c'}`;
}

function renderRows(): void {
  // The empty line changes in the same frame as the rows, so it never says "no traffic" over stale rows.
  const empty = rows.length === 0 ? t('noRecords') : shown.length === 0 ? t('noMatch') : '';
  if (emptyEl.textContent !== empty) emptyEl.textContent = empty;
  emptyEl.hidden = empty === '';
  const items = virtualizer.getVirtualItems();
  // The virtualizer's own record of the scroll position and size (kept by scroll events and a
  // ResizeObserver): reading scrollTop/clientHeight here forced a layout per rendered frame.
  const top = virtualizer.scrollOffset ?? 0;
  const rect = virtualizer.scrollRect;
  const bottom = top + (rect?.height ?? 0);
  if (rect) syncLineChars(rect.width);
  const height = `${virtualizer.getTotalSize()}px`;
  if (spacer.style.height !== height) spacer.style.height = height;
  const wanted = new Map<Row, Shown>();
  const gapsToFill: GapRow[] = [];
  const toMeasure: HTMLElement[] = [];
  for (const item of items) {
    const row = shown[item.index];
    if (!row) continue;
    const sig = signature(row);
    let entry = onScreen.get(row);
    if (entry && entry.sig !== sig) {
      entry.node.remove();
      if (entry.pooled) pool.push(entry.node);
      onScreen.delete(row);
      entry = undefined;
    }
    if (entry) onScreen.delete(row);
    else entry = { node: undefined as unknown as HTMLElement, sig, start: NaN, index: -1, pooled: false };
    if (!entry.node) {
      if (row.kind === 'gap') entry.node = gapNode(row);
      else if (row.expanded) entry.node = recordNode(row);
      else {
        entry.node = collapsedNode(row, pool.pop());
        entry.pooled = true;
      }
    }
    const node = entry.node;
    if (entry.index !== item.index) {
      node.dataset.index = String(item.index);
      entry.index = item.index;
    }
    if (entry.start !== item.start) {
      node.style.transform = `translateY(${item.start}px)`;
      entry.start = item.start;
    }
    wanted.set(row, entry);
    // Collapsed rows and gaps are exactly ROW_HEIGHT (the estimate): only expanded rows are measured.
    if (row.kind === 'rec' && row.expanded) toMeasure.push(node);
    if (row.kind === 'gap' && !row.loading && item.end > top && item.start < bottom) gapsToFill.push(row);
  }
  // Rows that left the screen: detach, and keep collapsed record nodes for reuse.
  for (const entry of onScreen.values()) {
    entry.node.remove();
    if (entry.pooled && pool.length < 200) pool.push(entry.node);
  }
  onScreen.clear();
  // Put the nodes in index order with the fewest DOM moves.
  let ref = spacer.firstChild;
  for (const entry of wanted.values()) {
    if (entry.node === ref) ref = ref.nextSibling;
    else spacer.insertBefore(entry.node, ref);
  }
  while (ref) {
    const next = ref.nextSibling;
    ref.remove();
    ref = next;
  }
  onScreen.clear();
  for (const [row, entry] of wanted) onScreen.set(row, entry);
  for (const n of toMeasure) virtualizer.measureElement(n);
  for (const g of gapsToFill) void fillGap(g);
}

function gapNode(row: GapRow): HTMLElement {
  return el(
    'div',
    { class: 'row gap', role: 'listitem' },
    icon('history'),
    ` ${row.loading ? t('loading') : tn(row.before - row.after, 'olderRows', (row.before - row.after).toLocaleString())}`,
  );
}

/** A collapsed record row: a pooled node refilled (textContent only), or a new one. */
function collapsedNode(row: RecRow, reuse?: HTMLElement): HTMLElement {
  const r = row.r;
  const mode = state.view.mode;
  let node = reuse;
  if (!node) {
    node = el(
      'div',
      { class: 'row rec', role: 'listitem', 'aria-expanded': 'false', title: t('expandHint') },
      el(
        'div',
        { class: 'line' },
        el('span', { class: 'time' }),
        el('span', { class: 'dir' }, el('span', { class: 'codicon', 'aria-hidden': 'true' }), el('span')),
        el('span', { class: 'peer' }),
        el('span', { class: 'len' }),
      ),
    );
  }
  const line = node.firstChild as HTMLElement;
  const [time, dir, peer, len] = line.children as unknown as HTMLElement[];
  node.className = `row rec${r.seq === selectedSeq ? ' selected' : ''}`;
  node.dataset.seq = String(r.seq);
  time.textContent = cellTime(r.time);
  dir.className = `dir ${r.dir}`;
  (dir.firstChild as HTMLElement).className = `codicon codicon-${r.dir === 'in' ? 'arrow-down' : 'arrow-up'}`;
  (dir.lastChild as HTMLElement).textContent = t(r.dir);
  peer.textContent = r.peer;
  peer.title = r.peer;
  len.textContent = String(r.length);
  // The data cells for the view mode, in order: text, then hex.
  let textCell = line.querySelector<HTMLElement>(':scope > .data.text');
  let hexCell = line.querySelector<HTMLElement>(':scope > .data.hex');
  if (mode === 'hex') textCell?.remove();
  else (textCell ??= line.insertBefore(el('span', { class: 'data text' }), hexCell)).textContent = fitLine(textOf(row));
  if (mode === 'text') hexCell?.remove();
  else (hexCell ??= line.appendChild(el('span', { class: 'data hex' }))).textContent = fitLine(hexOfRow(row));
  nodeRow.set(node, row);
  return node;
}

function cellTime(time: number): string {
  return formatTime(time, state.view.showDate);
}

function recordNode(row: RecRow): HTMLElement {
  const r = row.r;
  const mode = state.view.mode;
  const line = el(
    'div',
    { class: 'line' },
    el('span', { class: 'time', text: cellTime(r.time) }),
    el(
      'span',
      { class: `dir ${r.dir}` },
      icon(r.dir === 'in' ? 'arrow-down' : 'arrow-up'),
      el('span', { text: t(r.dir) }),
    ),
    el('span', { class: 'peer', text: r.peer, title: r.peer }),
    el('span', { class: 'len', text: String(r.length) }),
  );
  if (mode !== 'hex') line.append(el('span', { class: 'data text', text: textOf(row) }));
  if (mode !== 'text') line.append(el('span', { class: 'data hex', text: hexOfRow(row) }));
  const node = el(
    'div',
    {
      class: `row rec${row.expanded ? ' expanded' : ''}${r.seq === selectedSeq ? ' selected' : ''}`,
      role: 'listitem',
      'aria-expanded': String(!!row.expanded),
      title: t('expandHint'),
    },
    line,
  );
  node.dataset.seq = String(r.seq);
  nodeRow.set(node, row);
  if (row.expanded) {
    const data = row.full ?? r.preview;
    const dump = el('pre', {
      class: 'dump',
      text: row.loading
        ? t('loading')
        : hexDump(data) + (r.length > data.byteLength ? `\n${t('moreBytes', r.length - data.byteLength)}` : ''),
    });
    const copyHex = el('vscode-button', {
      secondary: true,
      icon: 'copy',
      class: 'copy-hex',
      text: t('copyHex'),
      onclick: () => void copy(r.seq, 'hex'),
    });
    const copyText = el('vscode-button', {
      secondary: true,
      icon: 'copy',
      class: 'copy-text',
      text: t('copyText'),
      onclick: () => void copy(r.seq, 'text'),
    });
    node.append(el('div', { class: 'detail' }, el('div', { class: 'row-actions' }, copyHex, copyText), dump));
  }
  return node;
}

function toggle(row: RecRow): void {
  row.expanded = !row.expanded;
  if (!row.expanded) {
    // Back to the fixed height (collapsed rows are never measured).
    const index = shown.indexOf(row);
    if (index >= 0) virtualizer.resizeItem(index, ROW_HEIGHT);
  }
  if (row.expanded && !row.full && row.r.length > row.r.preview.byteLength) {
    row.loading = true;
    const requestEpoch = epoch;
    request({ type: 'fetchRecord', epoch, seq: row.r.seq })
      .then((raw) => {
        const res = parseResult('fetchRecord', raw);
        if (res.ok && requestEpoch === epoch) row.full = res.message.data;
      })
      .catch((err) => setStatus((err as Error).message, true))
      .finally(() => {
        row.loading = false;
        scheduleRender();
      });
  }
  scheduleRender();
}

async function copy(seq: number, as: 'hex' | 'text'): Promise<void> {
  try {
    await request({ type: 'copy', epoch, seq, as, encoding: state.draft.encoding });
    setStatus(t('copied'));
  } catch (err) {
    setStatus((err as Error).message, true);
  }
}

/** Loads the newest page of a gap from the host and puts it in place, keeping what is on screen still. */
async function fillGap(gap: GapRow): Promise<void> {
  gap.loading = true;
  const requestEpoch = epoch;
  let records: RecordView[] = [];
  try {
    const res = parseResult(
      'fetchOlder',
      await request({ type: 'fetchOlder', epoch, after: gap.after, before: gap.before, limit: FETCH_PAGE_MAX }),
    );
    if (!res.ok || requestEpoch !== epoch) return;
    records = res.message.records;
  } catch {
    // A stale epoch: the host posts a reset.
    return;
  } finally {
    gap.loading = false;
  }
  const at = rows.indexOf(gap);
  if (at < 0) return;
  const first = records.length ? records[0].seq : gap.before;
  const replacement: Row[] = [];
  if (first > Math.max(gap.after, dropped))
    replacement.push({ kind: 'gap', after: Math.max(gap.after, dropped), before: first });
  for (const r of records) replacement.push({ kind: 'rec', r });
  const shownIndex = shown.indexOf(gap);
  const before = shown.length;
  // The gap is on screen at the top (or above it): keep the rows under it where they are.
  const anchorAbove =
    shownIndex >= 0 &&
    (virtualizer.getVirtualItems().find((i) => i.index === shownIndex)?.start ?? 0) <= listEl.scrollTop + ROW_HEIGHT;
  rows.splice(at, 1, ...replacement);
  refilterKeepingScroll(anchorAbove, before);
}

function refilterKeepingScroll(anchorAbove: boolean, before: number): void {
  const follow = state.view.follow;
  const offset = listEl.scrollTop;
  state.view.follow = false;
  refilter();
  state.view.follow = follow;
  if (anchorAbove) listEl.scrollTop = offset + (shown.length - before) * ROW_HEIGHT;
  else if (follow && shown.length) scrollToEnd();
}

/** Removes rows the core's log no longer holds (seq < dropped) and keeps a gap row for what is not loaded on top. */
function normalizeTop(): void {
  let cut = 0;
  while (cut < rows.length) {
    const row = rows[cut];
    if (row.kind === 'rec' ? row.r.seq < dropped : row.before <= dropped) cut++;
    else break;
  }
  if (cut) rows.splice(0, cut);
  const first = rows[0];
  if (first?.kind === 'gap') first.after = Math.max(first.after, dropped);
  else if (first && first.r.seq > dropped) rows.unshift({ kind: 'gap', after: dropped, before: first.r.seq });
}

function lastSeq(): number {
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i];
    if (r.kind === 'rec') return r.r.seq;
    return r.before - 1;
  }
  return dropped - 1;
}

function onReset(m: Extract<HostMessage, { type: 'reset' }>): void {
  epoch = m.epoch;
  dropped = m.counters.dropped;
  skippedTotal = 0;
  pendingTrimmed = 0;
  pendingCounters = undefined;
  rows = m.records.map((r): Row => ({ kind: 'rec', r }));
  normalizeTop();
  setCounters(m.counters);
  refilter();
}

function onTraffic(m: Extract<HostMessage, { type: 'traffic' }>): void {
  if (m.epoch !== epoch) return;
  skippedTotal += m.skipped;
  dropped = m.counters.dropped;
  pendingCounters = m.counters;
  if (endpoint?.needsDestination) {
    // The destination follows the newest peer heard from, even one heard from before (the host only
    // posts the endpoint again when it changes).
    for (let i = m.records.length - 1; i >= 0; i--) {
      const r = m.records[i];
      if (r.dir !== 'in') continue;
      endpoint.lastPeer = r.peer;
      followPeer(r.peer);
      break;
    }
  }
  if (!m.records.length && !m.skipped) {
    normalizeTop();
    scheduleTrafficFlush();
    return;
  }
  const f = state.view.filter.trim().toLowerCase();
  const last = lastSeq();
  const firstNew = m.records.length ? m.records[0].seq : last + 1 + m.skipped;
  const added: Row[] = [];
  if (firstNew > last + 1) added.push({ kind: 'gap', after: last + 1, before: firstNew });
  for (const r of m.records) added.push({ kind: 'rec', r });
  const lengthBefore = rows.length;
  for (const a of added) rows.push(a);
  const rowsBefore = rows.length - added.length;
  normalizeTop();
  const trimmed = rowsBefore + added.length - rows.length;
  if (shown !== rows) {
    if (trimmed) shown = f ? rows.filter((r) => matches(r, f)) : rows;
    else for (const a of added) if (matches(a, f)) shown.push(a);
  }
  void lengthBefore;
  pendingTrimmed += trimmed;
  scheduleTrafficFlush();
}

// Traffic messages only update the row arrays; the list and counters follow at most once per frame.
let pendingTrimmed = 0;
let pendingCounters: CountersView | undefined;
let flushQueued = false;
let flushTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleTrafficFlush(): void {
  if (flushQueued) return;
  flushQueued = true;
  requestAnimationFrame(flushTraffic);
  // rAF does not run while the panel is hidden: flush anyway, rarely.
  flushTimer = setTimeout(flushTraffic, 250);
}
function flushTraffic(): void {
  if (!flushQueued) return;
  flushQueued = false;
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = undefined;
  const trimmed = pendingTrimmed;
  pendingTrimmed = 0;
  // Read before any write: reading scrollTop after the counters changed would force a layout per flush.
  const keepOffset = !state.view.follow && trimmed ? listEl.scrollTop : undefined;
  if (pendingCounters) setCounters(pendingCounters);
  pendingCounters = undefined;
  syncCount();
  if (keepOffset !== undefined) listEl.scrollTop = Math.max(0, keepOffset - trimmed * ROW_HEIGHT);
}

const counterInText = document.createTextNode('');
const counterOutText = document.createTextNode('');
function setCounters(c: CountersView): void {
  counters = c;
  if (!countersEl.firstChild)
    countersEl.append(
      el('span', { class: 'counter in' }, icon('arrow-down'), counterInText),
      el('span', { class: 'counter out' }, icon('arrow-up'), counterOutText),
    );
  const inText = ` ${tn(c.messagesIn, 'countersIn', formatBytes(c.bytesIn), c.messagesIn.toLocaleString(), formatBytes(c.bytesInRate))}`;
  const outText = ` ${tn(c.messagesOut, 'countersOut', formatBytes(c.bytesOut), c.messagesOut.toLocaleString(), formatBytes(c.bytesOutRate))}`;
  if (counterInText.data !== inText) counterInText.data = inText;
  if (counterOutText.data !== outText) counterOutText.data = outText;
  droppedEl.hidden = c.dropped === 0;
  const droppedText = tn(c.dropped, 'droppedLine', c.dropped.toLocaleString(), formatBytes(c.capBytes));
  if (droppedEl.textContent !== droppedText) droppedEl.textContent = droppedText;
  skippedEl.hidden = skippedTotal === 0;
  const skippedText = tn(skippedTotal, 'skippedLine', skippedTotal.toLocaleString());
  if (skippedEl.textContent !== skippedText) skippedEl.textContent = skippedText;
}

function buildTraffic(): void {
  const v = state.view;
  const mode = select(
    'view-mode',
    [
      ['text', t('viewText')],
      ['hex', t('viewHex')],
      ['both', t('viewBoth')],
    ],
    v.mode,
    t('data'),
    (x) => {
      v.mode = x as Saved['view']['mode'];
      persist();
      scheduleRender();
    },
  );
  const filter = el(
    'vscode-textfield',
    { id: 'filter', placeholder: t('filter'), 'aria-label': t('filter') },
    el('span', { slot: 'content-before', class: 'codicon codicon-filter', 'aria-hidden': 'true' }),
  );
  setVal(filter, v.filter);
  let filterTimer: ReturnType<typeof setTimeout> | undefined;
  filter.addEventListener('input', () => {
    v.filter = val(filter);
    persist();
    if (filterTimer) clearTimeout(filterTimer);
    filterTimer = setTimeout(refilter, 120);
  });
  const follow = el('vscode-checkbox', { id: 'follow', label: t('autoscroll'), checked: v.follow });
  follow.addEventListener('change', () => {
    v.follow = checked(follow);
    persist();
    if (v.follow) syncCount();
  });
  const date = el('vscode-checkbox', { id: 'show-date', label: t('showDate'), checked: v.showDate });
  date.addEventListener('change', () => {
    v.showDate = checked(date);
    persist();
    scheduleRender();
  });
  const clear = el('vscode-button', {
    id: 'clear',
    secondary: true,
    icon: 'clear-all',
    text: t('clear'),
    onclick: () => void request({ type: 'clear' }).catch((err) => setStatus((err as Error).message, true)),
  });
  let exportFormat: 'jsonl' | 'text' | 'raw' = 'jsonl';
  const exportSel = select(
    'export-format',
    [
      ['jsonl', 'JSON Lines'],
      ['text', t('viewText')],
      ['raw', 'raw bytes'],
    ],
    exportFormat,
    t('exportFormat'),
    (x) => (exportFormat = x as typeof exportFormat),
  );
  const exportButton = el('vscode-button', {
    id: 'export',
    secondary: true,
    icon: 'save-as',
    text: t('export'),
    onclick: async () => {
      try {
        const r = parseResult('export', await request({ type: 'export', format: exportFormat }));
        if (r.ok && r.message.path)
          setStatus(tn(r.message.records, 'exported', r.message.records.toLocaleString(), r.message.path));
      } catch (err) {
        setStatus((err as Error).message, true);
      }
    },
  });
  const head = el(
    'div',
    { class: 'list-head', 'aria-hidden': 'true' },
    el('span', { class: 'time', text: t('time') }),
    el('span', { class: 'dir', text: t('direction') }),
    el('span', { class: 'peer', text: t('peer') }),
    el('span', { class: 'len', text: t('length') }),
    el('span', { class: 'data', text: t('data') }),
  );
  // The composer's Encoding decodes the Text column too: say so next to the view mode.
  const decodedAs = el('span', {
    id: 'display-encoding',
    class: 'muted encoding-note',
    'data-key': 'decodedAs',
    text: t('decodedAs', state.draft.encoding),
  });
  traffic.replaceChildren(
    el(
      'div',
      { class: 'row toolbar' },
      labelled(t('data'), mode),
      decodedAs,
      filter,
      follow,
      date,
      clear,
      exportSel,
      exportButton,
    ),
    countersEl,
    droppedEl,
    skippedEl,
    head,
    emptyEl,
    listEl,
  );
  traffic.addEventListener('encoding-changed', () => {
    for (const r of rows) if (r.kind === 'rec') r.text = undefined;
    contentGeneration++;
    refilter();
  });
  listEl.addEventListener('scroll', () => {
    // Scrolling up pauses following; reaching the bottom resumes it.
    const atEnd = listEl.scrollHeight - listEl.scrollTop - listEl.clientHeight < ROW_HEIGHT;
    if (v.follow !== atEnd && document.activeElement !== follow) {
      v.follow = atEnd;
      (follow as unknown as { checked: boolean }).checked = atEnd;
      persist();
    }
  });
  listEl.addEventListener('keydown', (e) => {
    const recs = shown.filter((r): r is RecRow => r.kind === 'rec');
    if (!recs.length) return;
    let i = recs.findIndex((r) => r.r.seq === selectedSeq);
    if (e.key === 'ArrowDown') i = Math.min(recs.length - 1, i + 1);
    else if (e.key === 'ArrowUp') i = i < 0 ? recs.length - 1 : Math.max(0, i - 1);
    else if (e.key === 'End') i = recs.length - 1;
    else if (e.key === 'Home') i = 0;
    else if (e.key === 'Enter' || e.key === ' ') {
      if (i >= 0) toggle(recs[i]);
      e.preventDefault();
      return;
    } else return;
    e.preventDefault();
    selectedSeq = recs[i].r.seq;
    virtualizer.scrollToIndex(shown.indexOf(recs[i]), { align: 'auto' });
    scheduleRender();
  });
  virtualizer._didMount();
  virtualizer._willUpdate();
}

// ---- endpoint and banner -------------------------------------------------------------------------------

function renderEndpoint(): void {
  titleEl.textContent = endpoint?.label ?? state.label;
  stateEl.textContent = endpoint ? endpoint.stateText : '';
  stateEl.className = endpoint ? `state ${endpoint.state}` : 'state';
  const problem = !endpoint ? t('endpointGone') : endpoint.error ? t('stateError', endpoint.error) : '';
  banner.hidden = !problem;
  banner.replaceChildren(icon(endpoint ? 'error' : 'warning'), document.createTextNode(` ${problem}`));
  banner.className = endpoint ? 'error' : 'warning';
  composer.toggleAttribute('inert', !endpoint);
  composer.classList.toggle('disabled', !endpoint);
  if (endpoint?.autoReply) stateEl.textContent = `${endpoint.stateText} · ${t('autoReplyOn')}`;
  renderTarget();
}

// ---- messages from the host ---------------------------------------------------------------------------

window.addEventListener('message', (event: MessageEvent) => {
  const parsed = parseHostMessage(event.data);
  if (!parsed.ok) {
    console.warn(`Socket Lab panel: ignored a malformed message from the host: ${parsed.error}`);
    return;
  }
  const m = parsed.message;
  switch (m.type) {
    case 'init': {
      strings = m.strings;
      encodings = m.encodings.length ? m.encodings : ['utf8'];
      endpoint = m.endpoint;
      if (state.endpointId !== m.endpointId || !hasSavedDraft) {
        if (!hasSavedDraft) state.draft = { ...state.draft, ...m.defaults };
        state.endpointId = m.endpointId;
      }
      state.label = m.label;
      persist();
      header.replaceChildren(icon('plug'), titleEl, stateEl);
      buildComposer();
      buildAutoReply();
      buildTraffic();
      renderEndpoint();
      app.removeAttribute('aria-busy');
      app.replaceChildren(header, banner, composer, autoReplyBox, traffic);
      refilter();
      break;
    }
    case 'endpoint': {
      const hadAutoReplyBox = autoReplyBox.childElementCount > 0;
      endpoint = m.endpoint;
      if (!endpoint && runningRepeat) {
        // The core stops the repeats of a stopped endpoint.
        runningRepeat = undefined;
        showRepeat(undefined);
      }
      renderEndpoint();
      if (hadAutoReplyBox !== !!endpoint) buildAutoReply();
      break;
    }
    case 'reset':
      onReset(m);
      break;
    case 'traffic':
      onTraffic(m);
      break;
    case 'repeat':
      if (m.running) {
        runningRepeat = m.repeatId;
        repeatSent = m.sent;
        const name = state.repeatNames[m.repeatId];
        showRepeat(
          name ? t('repeating', name, m.sent.toLocaleString()) : t('repeatingUnnamed', m.sent.toLocaleString()),
        );
      } else if (m.repeatId === runningRepeat) {
        runningRepeat = undefined;
        repeatSent = 0;
        showRepeat(undefined);
        if (m.error) setStatus(tn(m.sent, 'repeatFailed', m.sent.toLocaleString(), m.error), true);
        else setStatus(tn(m.sent, 'repeatEnded', m.sent.toLocaleString()));
      }
      break;
    case 'response': {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
      break;
    }
  }
});

void counters;
vscode.postMessage({ type: 'ready' });
