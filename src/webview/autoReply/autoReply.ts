/**
 * The auto-reply box of a listener or an unconnected UDP socket: the mode (off, echo, a fixed reply, rules), the
 * encoding of its text, the editor of that mode, and under it Apply, with a visible "Not applied yet" while
 * what the box shows differs from what is in force, and a status line saying what Apply did (a refusal also
 * shows next to the rule it names).
 */
import type { PayloadFormat } from '../../shared/payload';
import { PAYLOAD_FORMATS } from '../../shared/payload';
import { disclosure, el, labelled, messageOf, select } from '../dom';
import { request } from '../rpc';
import { session } from '../session';
import { isListener } from '../../shared/naming';
import { persist, state } from '../state';
import { statusLine } from '../statusLine';
import { t } from '../strings';
import { ruleIndexOf, specOf } from './autoReplySpec';
import { autoReplyEdited, onAutoReplyEdited } from './edits';
import { replyPlaceholder } from './ruleRow';
import { AUTO_REPLY_MODES, type AutoReplyDraft } from './ruleRows';
import { buildRulesEditor } from './rulesEditor';
import { clearHostErrors, recheckRules, renderRulesOff, showHostError } from './rulesTable';
import './autoReply.css';

/** The auto-reply's section (empty for endpoints that cannot answer: clients). */
export const autoReplySection = el('section', { id: 'auto-reply', 'aria-labelledby': 'auto-reply-toggle' });

const MODE_KEYS: Record<AutoReplyDraft['mode'], string> = {
  off: 'modeOff',
  echo: 'modeEcho',
  fixed: 'modeFixed',
  rules: 'modeRules',
};

/** What Apply says and the badge that says the box is not applied yet (unset while there is no box). */
let view: { pending: HTMLElement; status: ReturnType<typeof statusLine>; encodingRow: HTMLElement } | undefined;

onAutoReplyEdited(() => {
  persist();
  renderApplied();
});

/** True while the section shows the box (it does for listeners and unconnected UDP sockets that are there). */
export function hasAutoReplyBox(): boolean {
  return autoReplySection.childElementCount > 0;
}

/** (Re)builds the section for the endpoint as it is now. */
export function buildAutoReply(): void {
  const endpoint = session.endpoint;
  if (!endpoint || !(isListener(endpoint.kind) || endpoint.needsDestination)) {
    autoReplySection.replaceChildren();
    view = undefined;
    return;
  }
  const a = state.autoReply;
  const status = statusLine('auto-reply-status');
  const body = el('div', { class: 'auto-reply-body' });
  const renderBody = () => {
    if (a.mode === 'fixed') body.replaceChildren(...buildFixedReply());
    else if (a.mode === 'rules') body.replaceChildren(buildRulesEditor(status));
    else body.replaceChildren();
  };
  const modeOptions = AUTO_REPLY_MODES.map((m) => [m, t(MODE_KEYS[m])] as const);
  const mode = select('auto-reply-mode', modeOptions, a.mode, t('autoReplyMode'), (v) => {
    a.mode = v;
    status.set('');
    renderBody();
    autoReplyEdited();
  });
  const encodingRow = labelled(t('encoding'), encodingSelect());
  const apply = el('vscode-button', {
    id: 'auto-reply-apply',
    icon: 'check',
    text: t('apply'),
    onclick: () => void applyAutoReply(),
  });
  const pending = el('span', { id: 'auto-reply-pending', class: 'pending-badge', text: t('notApplied') });
  view = { pending, status, encodingRow };
  renderBody();
  const box = disclosure(
    'auto-reply',
    t('autoReply'),
    state.open.autoReply,
    (open) => {
      state.open.autoReply = open;
      persist();
    },
    el('div', { class: 'row' }, labelled(t('autoReplyMode'), mode), encodingRow),
    body,
    el('div', { class: 'row apply-row' }, apply, pending, status.element),
  );
  autoReplySection.replaceChildren(box.root);
  rulesOffSaid = '';
  renderAutoReplyState();
}

/** The endpoint changed: whether an auto-reply is in force may have too, and which of its rules are switched off. */
export function renderAutoReplyState(): void {
  renderApplied();
  renderRulesOff();
  sayRulesOff();
}

/** What the status line last said about switched-off rules ('' when nothing is off). */
let rulesOffSaid = '';

/**
 * Says once in the status line (a polite live region) which rules are switched off and how to switch them on;
 * said again only when that changes, so an endpoint update does not overwrite what Apply said since.
 */
function sayRulesOff(): void {
  if (!view) return;
  const off = session.endpoint?.rulesOff ?? [];
  const text = off.map((r) => t('rulesOffStatus', r.rule + 1, r.text.replace(/[.。]$/, ''))).join(' ');
  if (text === rulesOffSaid) return;
  const status = view.status;
  if (text) status.set(text, true);
  else if (status.element.textContent === rulesOffSaid) status.set('');
  rulesOffSaid = text;
}

/** The auto-reply's own encoding: it encodes a fixed text reply, and rules decode and encode with it. */
function encodingSelect(): HTMLElement {
  const a = state.autoReply;
  const encodings = session.encodings;
  if (!encodings.includes(a.encoding)) a.encoding = encodings[0];
  const options = encodings.map((e) => [e, e] as const);
  return select('auto-reply-encoding', options, a.encoding, t('autoReplyEncodingName'), (v) => {
    a.encoding = v;
    recheckRules();
    autoReplyEdited();
  });
}

/** The fixed reply's format and text. */
function buildFixedReply(): HTMLElement[] {
  const a = state.autoReply;
  const data = el('vscode-textarea', {
    id: 'auto-reply-data',
    monospace: true,
    rows: 2,
    label: t('fixedReply'),
    placeholder: replyPlaceholder(a.format),
  });
  data.value = a.data;
  data.addEventListener('input', () => {
    a.data = data.value;
    autoReplyEdited();
  });
  const formats = PAYLOAD_FORMATS.map((f) => [f, f] as const);
  const format = select('auto-reply-format', formats, a.format, t('fixedReplyFormat'), (v: PayloadFormat) => {
    a.format = v;
    data.setAttribute('placeholder', replyPlaceholder(a.format));
    autoReplyEdited();
  });
  return [
    el('div', { class: 'row' }, labelled(t('fixedReplyFormat'), format)),
    labelled(t('fixedReply'), data, 'block'),
  ];
}

/**
 * Shows whether the box is applied: "Not applied yet" while the mode or the spec differs from what this panel
 * last applied, or from whether the endpoint has an auto-reply at all (it may have been set elsewhere). The
 * encoding only matters for text, so it is shown for the modes that have text.
 */
function renderApplied(): void {
  if (!view) return;
  const a = state.autoReply;
  view.encodingRow.hidden = a.mode === 'off' || a.mode === 'echo';
  const on = session.endpoint?.autoReply ?? false;
  const spec = specOf(a);
  const applied = a.mode === 'off' ? !on : on && spec.ok && JSON.stringify(spec.spec) === state.appliedAutoReply;
  view.pending.hidden = applied;
}

/** Sends the auto-reply to the host; a refusal goes to the status line and next to the rule it names. */
async function applyAutoReply(): Promise<void> {
  if (!view) return;
  const { status } = view;
  const a = state.autoReply;
  const toApply = specOf(a);
  if (!toApply.ok) {
    status.set(t('invalidJson', toApply.json), true);
    return;
  }
  status.set('');
  if (a.mode === 'rules') clearHostErrors();
  try {
    await request('setAutoReply', { spec: toApply.spec });
    state.appliedAutoReply = JSON.stringify(toApply.spec);
    persist();
    // The host posts the endpoint's new state soon; until then the box already knows it.
    if (session.endpoint) {
      session.endpoint.autoReply = a.mode !== 'off';
      // Setting the auto-reply switches every rule on again.
      delete session.endpoint.rulesOff;
    }
    rulesOffSaid = '';
    status.set(a.mode === 'off' ? t('appliedOff') : t('applied'));
    renderApplied();
    renderRulesOff();
  } catch (err) {
    const message = messageOf(err);
    status.set(message, true);
    const index = ruleIndexOf(message);
    const row = index === undefined ? undefined : toApply.sentRows[index];
    if (row) showHostError(row, message);
  }
}
