/**
 * The composer: target, payload options (format, encoding, line ending, escapes), the payload with its live
 * check, the send actions with their status next to them, and the history. Built once `init` brings the
 * strings and the encodings; a history entry picked or a format switched updates the fields in place, so the
 * focus and the open History stay where they are.
 */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/vscode-single-select.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import { LINE_ENDINGS, PAYLOAD_FORMATS, type LineEnding, type PayloadFormat } from '../../shared/payload';
import { disclosure, el, focusWhenRendered, labelled, select } from '../dom';
import { encodingChanged } from '../encoding';
import { request } from '../rpc';
import { session } from '../session';
import { persist, state } from '../state';
import { statusLine } from '../statusLine';
import { t } from '../strings';
import { payloadOf, type Draft } from './draft';
import { historyList, onHistoryPick, renderHistory } from './history';
import { buildPayloadStatus, scheduleCheck } from './payloadCheck';
import { buildRepeatControls, setRepeatAllowed } from './repeat';
import { sendDraft, sendFile } from './send';
import { sendStatus } from './sendStatus';
import { onTargetChanged, renderTarget, targetBox } from './target';
import './composer.css';

/** The composer's section. */
export const composer = el('section', { id: 'composer', 'aria-label': t('composer') });

const ENDING_TEXT: Record<LineEnding, string> = { none: 'none', lf: 'LF \\n', cr: 'CR \\r', crlf: 'CRLF \\r\\n' };
const PLACEHOLDER_KEYS: Record<PayloadFormat, string> = {
  text: 'payloadPlaceholderText',
  hex: 'payloadPlaceholderHex',
  base64: 'payloadPlaceholderBase64',
};

/** The fields the composer updates after it is built. */
let fields:
  | {
      payload: VscodeTextarea;
      format: VscodeSingleSelect;
      encoding: VscodeSingleSelect;
      lineEnding: VscodeSingleSelect;
      escapes: VscodeCheckbox;
      send: HTMLElement;
    }
  | undefined;
/** What the last format switch did to the payload (converted it, or why not). */
const convertStatus = statusLine('convert-status');
/** Bumped per format switch: only the newest conversion is applied. */
let conversions = 0;

onHistoryPick((h: Draft) => {
  const encoding = state.draft.encoding;
  // A hex or base64 entry keeps the encoding chosen now (it still decodes the received rows).
  state.draft = h.format === 'text' ? { ...h } : { ...state.draft, data: h.data, format: h.format };
  showDraft();
  draftChanged();
  if (state.draft.encoding !== encoding) encodingChanged();
  if (fields) focusWhenRendered(fields.payload);
});

onTargetChanged(() => sendStatus.set(''));

/** Builds the composer from the saved draft. */
export function buildComposer(): void {
  const payload = buildPayloadField();
  const format = formatSelect();
  const encoding = encodingSelect();
  const lineEnding = lineEndingSelect();
  const escapes = escapesBox();
  const [send, sendFileButton] = buildSendButtons();
  const repeat = buildRepeatControls(() => void sendDraft(true));
  fields = { payload, format, encoding, lineEnding, escapes, send };
  const history = disclosure(
    'history',
    t('history'),
    state.open.history,
    (open) => {
      state.open.history = open;
      persist();
    },
    historyList,
  );
  composer.replaceChildren(
    el(
      'div',
      { class: 'row options' },
      targetBox,
      labelled(t('format'), format),
      labelled(t('encoding'), encoding),
      labelled(t('lineEnding'), lineEnding),
      escapes,
    ),
    payload,
    underPayload(payload, send),
    el('div', { class: 'row actions' }, send, sendFileButton, sendStatus.element),
    el('div', { class: 'row actions' }, ...repeat.row),
    repeat.error,
    history.root,
  );
  showDraft();
  renderHistory();
  renderTarget();
  scheduleCheck();
}

/** The composer only works while the endpoint is there. */
export function setComposerEnabled(enabled: boolean): void {
  composer.toggleAttribute('inert', !enabled);
  composer.classList.toggle('disabled', !enabled);
  if (!enabled) sendStatus.set('');
}

/** Puts the focus in the payload field (the panel opened, or a history entry was picked). */
export function focusPayload(): void {
  if (fields) focusWhenRendered(fields.payload);
}

/** Shows the draft in the fields (after a history entry was picked). */
function showDraft(): void {
  if (!fields) return;
  const d = state.draft;
  if (fields.payload.value !== d.data) fields.payload.value = d.data;
  fields.format.value = d.format;
  fields.encoding.value = session.encodings.includes(d.encoding) ? d.encoding : session.encodings[0];
  fields.lineEnding.value = d.lineEnding;
  fields.escapes.checked = d.escapes;
  updatePlaceholder();
  updateTextOnlyControls();
}

/** The line under the payload: its byte count or problem (which disables the sends), and what a format switch did. */
function underPayload(payload: HTMLElement, send: HTMLElement): HTMLElement {
  const line = buildPayloadStatus(payload, (valid) => {
    send.toggleAttribute('disabled', !valid);
    setRepeatAllowed(valid);
  });
  line.append(convertStatus.element);
  return line;
}

function formatSelect(): VscodeSingleSelect {
  const options = PAYLOAD_FORMATS.map((f) => [f, f] as const);
  return select('format', options, state.draft.format, t('format'), (v) => void switchFormat(v));
}

/**
 * Switching Format rewrites the payload in the new format when it is valid in the old one (the same bytes, as
 * NetAssist does) and says so; when it is not, it keeps what is written and says why.
 */
async function switchFormat(into: PayloadFormat): Promise<void> {
  const before = { ...state.draft };
  state.draft.format = into;
  updatePlaceholder();
  updateTextOnlyControls();
  draftChanged();
  if (before.data === '' || before.format === into) return;
  const mine = ++conversions;
  const { lineEnding: _sentAfter, ...payload } = payloadOf(before);
  let result: { data: string } | { error: string };
  try {
    result = await request('convert', { ...payload, into });
  } catch (err) {
    result = { error: err instanceof Error ? err.message : String(err) };
  }
  // Typed over, or switched again, meanwhile: that is what the user wants now.
  if (mine !== conversions || state.draft.data !== before.data || state.draft.format !== into) return;
  if ('error' in result) {
    convertStatus.set(t('notConverted', into, result.error), true);
    return;
  }
  state.draft.data = result.data;
  if (fields) fields.payload.value = result.data;
  draftChanged();
  convertStatus.set(t('converted', before.format, into));
}

/** The encoding also decodes the received rows: it stays enabled for hex and base64. */
function encodingSelect(): VscodeSingleSelect {
  const encodings = session.encodings;
  const current = encodings.includes(state.draft.encoding) ? state.draft.encoding : encodings[0];
  const options = encodings.map((e) => [e, e] as const);
  const encoding = select('encoding', options, current, t('encoding'), (v) => {
    state.draft.encoding = v;
    draftChanged();
    encodingChanged();
  });
  encoding.title = t('encodingHint');
  return encoding;
}

function lineEndingSelect(): VscodeSingleSelect {
  const options = LINE_ENDINGS.map((e) => [e, ENDING_TEXT[e]] as const);
  return select('line-ending', options, state.draft.lineEnding, t('lineEnding'), (v) => {
    state.draft.lineEnding = v;
    draftChanged();
  });
}

function escapesBox(): VscodeCheckbox {
  const escapes: VscodeCheckbox = el('vscode-checkbox', {
    id: 'escapes',
    label: t('escapes'),
    checked: state.draft.escapes,
  });
  escapes.addEventListener('change', () => {
    state.draft.escapes = escapes.checked;
    draftChanged();
  });
  return escapes;
}

/** The payload textarea; Ctrl+Enter (Cmd+Enter) sends. */
function buildPayloadField(): VscodeTextarea {
  const payload = el('vscode-textarea', {
    id: 'payload',
    monospace: true,
    rows: 4,
    resize: 'vertical',
    label: t('payload'),
  });
  payload.value = state.draft.data;
  payload.addEventListener('input', () => {
    state.draft.data = payload.value;
    convertStatus.set('');
    draftChanged();
  });
  payload.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void sendDraft();
    }
  });
  return payload;
}

function buildSendButtons(): [HTMLElement, HTMLElement] {
  const send = el('vscode-button', {
    id: 'send',
    icon: 'send',
    title: t('sendHint'),
    text: t('send'),
    onclick: () => void sendDraft(),
  });
  const file = el('vscode-button', {
    id: 'send-file',
    icon: 'file-binary',
    secondary: true,
    text: t('sendFile'),
    onclick: () => void sendFile(file),
  });
  return [send, file];
}

/** The draft changed: save it, have the host count its bytes, and forget what the last send said. */
function draftChanged(): void {
  persist();
  sendStatus.set('');
  scheduleCheck();
}

/** Line ending and escapes only apply to text: disabled (and not sent) for hex and base64. */
function updateTextOnlyControls(): void {
  if (!fields) return;
  const text = state.draft.format === 'text';
  for (const [control, name] of [
    [fields.lineEnding, t('lineEnding')],
    [fields.escapes, t('escapes')],
  ] as const) {
    control.toggleAttribute('disabled', !text);
    // Said to assistive technology too (the dimmed label is that of a control that does not apply now).
    if (text) control.removeAttribute('aria-disabled');
    else control.setAttribute('aria-disabled', 'true');
    control.title = text ? name : t('textOnly');
  }
}

function updatePlaceholder(): void {
  fields?.payload.setAttribute('placeholder', t(PLACEHOLDER_KEYS[state.draft.format]));
}
