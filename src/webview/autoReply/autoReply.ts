/**
 * The auto-reply box of a listener or an unconnected UDP socket: the mode (off, echo, a fixed reply, rules),
 * the editor of that mode, and Apply, which sends the spec to the host and shows its refusal next to the
 * rule it names.
 */
import type { PayloadFormat } from '../../shared/payload';
import { PAYLOAD_FORMATS } from '../../shared/payload';
import { el, labelled, messageOf, select } from '../dom';
import { encodingNote } from '../encoding';
import { request } from '../rpc';
import { isListenerView, session } from '../session';
import { persist, state } from '../state';
import { setStatus } from '../statusLine';
import { t } from '../strings';
import { ruleIndexOf, specOf } from './autoReplySpec';
import { replyPlaceholder } from './ruleRow';
import { AUTO_REPLY_MODES, type AutoReplyDraft } from './ruleRows';
import { buildRulesEditor } from './rulesEditor';
import { clearHostErrors, showHostError } from './rulesTable';
import './autoReply.css';

/** The auto-reply's section (empty for endpoints that cannot answer: clients). */
export const autoReplySection = el('section', { id: 'auto-reply' });

const MODE_KEYS: Record<AutoReplyDraft['mode'], string> = {
  off: 'modeOff',
  echo: 'modeEcho',
  fixed: 'modeFixed',
  rules: 'modeRules',
};

/** True while the section shows the box (it does for listeners and unconnected UDP sockets that are there). */
export function hasAutoReplyBox(): boolean {
  return autoReplySection.childElementCount > 0;
}

/** (Re)builds the section for the endpoint as it is now. */
export function buildAutoReply(): void {
  const endpoint = session.endpoint;
  if (!endpoint || !(isListenerView(endpoint) || endpoint.needsDestination)) {
    autoReplySection.replaceChildren();
    return;
  }
  const a = state.autoReply;
  const body = el('div', { class: 'auto-reply-body' });
  const error = el('span', { id: 'auto-reply-error', class: 'error', role: 'alert' });
  const renderBody = () => {
    if (a.mode === 'fixed') body.replaceChildren(...buildFixedReply());
    else if (a.mode === 'rules') body.replaceChildren(buildRulesEditor(error));
    else body.replaceChildren();
  };
  const modeOptions = AUTO_REPLY_MODES.map((m) => [m, t(MODE_KEYS[m])] as const);
  const mode = select('auto-reply-mode', modeOptions, a.mode, t('autoReply'), (v) => {
    a.mode = v;
    error.textContent = '';
    persist();
    renderBody();
  });
  const apply = el('vscode-button', {
    id: 'auto-reply-apply',
    secondary: true,
    text: t('apply'),
    onclick: () => void applyAutoReply(error),
  });
  renderBody();
  autoReplySection.replaceChildren(
    el(
      'vscode-collapsible',
      { title: t('autoReply'), id: 'auto-reply-box' },
      el('div', { class: 'row' }, labelled(t('autoReply'), mode), apply, error),
      body,
    ),
  );
}

/** The fixed reply's format and text. */
function buildFixedReply(): HTMLElement[] {
  const a = state.autoReply;
  const data = el('vscode-textarea', {
    id: 'auto-reply-data',
    monospace: true,
    rows: 2,
    'aria-label': t('fixedReply'),
    label: t('fixedReply'),
    placeholder: replyPlaceholder(a.format),
  });
  data.value = a.data;
  data.addEventListener('input', () => {
    a.data = data.value;
    persist();
  });
  const formats = PAYLOAD_FORMATS.map((f) => [f, f] as const);
  const format = select('auto-reply-format', formats, a.format, t('fixedReplyFormat'), (v: PayloadFormat) => {
    a.format = v;
    data.setAttribute('placeholder', replyPlaceholder(a.format));
    persist();
  });
  return [
    el(
      'div',
      { class: 'row' },
      labelled(t('format'), format),
      encodingNote('autoReplyEncoding', { class: 'auto-reply-encoding' }),
    ),
    labelled(t('fixedReply'), data, 'block'),
  ];
}

/** Sends the auto-reply to the host; a refusal goes to the status line and next to the rule it names. */
async function applyAutoReply(error: HTMLElement): Promise<void> {
  error.textContent = '';
  const a = state.autoReply;
  const toApply = specOf(a, state.draft.encoding);
  if (!toApply.ok) {
    error.textContent = t('invalidJson', toApply.json);
    setStatus(error.textContent, true);
    return;
  }
  if (a.mode === 'rules') clearHostErrors();
  try {
    await request('setAutoReply', { spec: toApply.spec });
    setStatus(t('applied'));
  } catch (err) {
    const message = messageOf(err);
    setStatus(message, true);
    const index = ruleIndexOf(message);
    const row = index === undefined ? undefined : toApply.sentRows[index];
    if (row) showHostError(row, message);
    else error.textContent = message;
  }
}
