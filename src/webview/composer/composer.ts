/**
 * The composer: target, payload options (format, encoding, line ending, escapes), the payload with its live
 * check, the send actions, the status line and the history. Built once `init` brings the strings and the
 * encodings, and again when a history entry is picked.
 */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import type { VscodeTextarea } from '@vscode-elements/elements/dist/vscode-textarea/vscode-textarea.js';
import { LINE_ENDINGS, PAYLOAD_FORMATS, type LineEnding, type PayloadFormat } from '../../shared/payload';
import { el, labelled, select } from '../dom';
import { encodingChanged } from '../encoding';
import { session } from '../session';
import { persist, state } from '../state';
import { statusLine } from '../statusLine';
import { t } from '../strings';
import type { Draft } from './draft';
import { historyList, onHistoryPick, renderHistory } from './history';
import { payloadExtras, saveDraftButton } from './payloadExtras';
import { buildPayloadStatus, scheduleCheck } from './payloadCheck';
import { buildRepeatControls } from './repeat';
import { sendDraft, sendFile } from './send';
import { renderTarget, targetBox } from './target';
import './composer.css';

/** The composer's section. */
export const composer = el('section', { id: 'composer' });

const ENDING_TEXT: Record<LineEnding, string> = { none: 'none', lf: 'LF \\n', cr: 'CR \\r', crlf: 'CRLF \\r\\n' };
const PLACEHOLDER_KEYS: Record<PayloadFormat, string> = {
  text: 'payloadPlaceholderText',
  hex: 'payloadPlaceholderHex',
  base64: 'payloadPlaceholderBase64',
};

/** The fields the composer updates after it is built. */
let fields: { payload: VscodeTextarea; textOnly: HTMLElement[] } | undefined;

onHistoryPick((h: Draft) => {
  const encoding = state.draft.encoding;
  // A hex or base64 entry keeps the encoding chosen now (it still decodes the received rows).
  const { checksum, checksumEndian, variables } = h;
  state.draft =
    h.format === 'text'
      ? { ...h }
      : { ...state.draft, data: h.data, format: h.format, checksum, checksumEndian, variables };
  buildComposer();
  if (state.draft.encoding !== encoding) encodingChanged();
  fields?.payload.focus();
});

/** (Re)builds the composer from the saved draft. */
export function buildComposer(): void {
  const payload = buildPayloadField();
  const { options, textOnly } = buildOptionsRow();
  const repeat = buildRepeatControls(() => void sendDraft(true));
  fields = { payload, textOnly };
  composer.replaceChildren(
    options,
    payload,
    buildPayloadStatus(payload),
    el(
      'div',
      { class: 'row actions' },
      ...buildSendButtons(),
      saveDraftButton(),
      el('span', { class: 'sep' }),
      ...repeat.row,
    ),
    repeat.error,
    statusLine,
    el('vscode-collapsible', { title: t('history'), id: 'history-box' }, historyList),
  );
  updatePlaceholder();
  updateTextOnlyControls();
  renderHistory();
  renderTarget();
  draftChanged();
}

/** The composer only works while the endpoint is there. */
export function setComposerEnabled(enabled: boolean): void {
  composer.toggleAttribute('inert', !enabled);
  composer.classList.toggle('disabled', !enabled);
}

/** Target, Format, Encoding, Line ending and Escapes; line ending and escapes are the text-only controls. */
function buildOptionsRow(): { options: HTMLElement; textOnly: HTMLElement[] } {
  const ending = lineEndingSelect();
  const escapes = escapesBox();
  const options = el(
    'div',
    { class: 'row options' },
    targetBox,
    labelled(t('format'), formatSelect()),
    labelled(t('encoding'), encodingSelect()),
    labelled(t('lineEnding'), ending),
    escapes,
    ...payloadExtras(draftChanged),
  );
  return { options, textOnly: [ending, escapes] };
}

function formatSelect(): HTMLElement {
  const options = PAYLOAD_FORMATS.map((f) => [f, f] as const);
  return select('format', options, state.draft.format, t('format'), (v) => {
    state.draft.format = v;
    updatePlaceholder();
    updateTextOnlyControls();
    draftChanged();
  });
}

/** The encoding also decodes the received rows and is the auto-reply's: it stays enabled for hex and base64. */
function encodingSelect(): HTMLElement {
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

function lineEndingSelect(): HTMLElement {
  const options = LINE_ENDINGS.map((e) => [e, ENDING_TEXT[e]] as const);
  return select('line-ending', options, state.draft.lineEnding, t('lineEnding'), (v) => {
    state.draft.lineEnding = v;
    draftChanged();
  });
}

function escapesBox(): HTMLElement {
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
    'aria-label': t('payload'),
    label: t('payload'),
  });
  payload.value = state.draft.data;
  payload.addEventListener('input', () => {
    state.draft.data = payload.value;
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

function buildSendButtons(): HTMLElement[] {
  return [
    el('vscode-button', {
      id: 'send',
      icon: 'send',
      title: t('sendHint'),
      text: t('send'),
      onclick: () => void sendDraft(),
    }),
    el('vscode-button', {
      id: 'send-file',
      icon: 'file-binary',
      secondary: true,
      text: t('sendFile'),
      onclick: () => void sendFile(),
    }),
  ];
}

/** The draft changed: save it, and have the host count its bytes. */
function draftChanged(): void {
  persist();
  scheduleCheck();
}

/** Line ending and escapes only apply to text: disabled (and not sent) for hex and base64. */
function updateTextOnlyControls(): void {
  const text = state.draft.format === 'text';
  for (const c of fields?.textOnly ?? []) {
    c.toggleAttribute('disabled', !text);
    c.title = text ? (c.getAttribute('aria-label') ?? '') : t('textOnly');
  }
}

function updatePlaceholder(): void {
  fields?.payload.setAttribute('placeholder', t(PLACEHOLDER_KEYS[state.draft.format]));
}
