/** The rules editor: the table of rules, or (Edit as JSON) the JSON array the core takes, switching without losing a rule. */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import { el, messageOf } from '../dom';
import { encodingNote } from '../encoding';
import { persist, state } from '../state';
import { t } from '../strings';
import { rowsFromRules, ruleOf, type RuleRow } from './ruleRows';
import { buildRulesTable, dropRulesTable } from './rulesTable';

/** The editor; `error` is where a JSON that does not read as rules is reported. */
export function buildRulesEditor(error: HTMLElement): HTMLElement {
  const a = state.autoReply;
  const content = el('div', { class: 'rules-content' });
  const render = () => content.replaceChildren(...(a.json !== undefined ? buildJsonEditor() : [buildRulesTable()]));
  const asJson: VscodeCheckbox = el('vscode-checkbox', {
    id: 'rules-as-json',
    label: t('rulesEditJson'),
    checked: a.json !== undefined,
  });
  asJson.addEventListener('change', () => {
    error.textContent = '';
    if (asJson.checked) {
      a.json = JSON.stringify(a.rules.map(ruleOf), null, 2);
    } else if (a.json !== undefined) {
      const rows = readRules(a.json, error);
      if (!rows) {
        asJson.checked = true;
        return;
      }
      a.rules = rows;
      a.json = undefined;
    }
    persist();
    render();
  });
  const head = el(
    'div',
    { class: 'row rules-head' },
    el('span', { class: 'muted', text: t('rulesHint') }),
    encodingNote('autoReplyEncoding', { class: 'auto-reply-encoding' }),
    asJson,
  );
  const editor = el('div', { id: 'rules-editor' }, head, content);
  render();
  return editor;
}

/** The rules of a JSON text as rows; undefined (with the reason in `error`) when it is not valid JSON or not an array. */
function readRules(json: string, error: HTMLElement): RuleRow[] | undefined {
  let rows: RuleRow[] | undefined;
  try {
    rows = rowsFromRules(JSON.parse(json));
  } catch (err) {
    error.textContent = t('invalidJson', messageOf(err));
  }
  if (!rows) error.textContent ||= t('rulesNotArray');
  return rows;
}

function buildJsonEditor(): HTMLElement[] {
  dropRulesTable();
  const json = el('vscode-textarea', {
    id: 'auto-reply-rules',
    monospace: true,
    rows: 8,
    resize: 'vertical',
    'aria-label': t('rulesJson'),
    title: t('rulesJson'),
  });
  json.value = state.autoReply.json ?? '';
  json.addEventListener('input', () => {
    state.autoReply.json = json.value;
    persist();
  });
  return [el('span', { class: 'muted', text: t('rulesJson') }), json];
}
