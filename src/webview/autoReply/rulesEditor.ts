/** The rules editor: the table of rules, or (Edit as JSON) the JSON array the core takes, switching without losing a rule. */
import type { VscodeCheckbox } from '@vscode-elements/elements/dist/vscode-checkbox/vscode-checkbox.js';
import { el, messageOf } from '../dom';
import { state } from '../state';
import type { StatusLine } from '../statusLine';
import { t } from '../strings';
import { autoReplyEdited } from './edits';
import { rowsFromRules, ruleOf, type RuleRow } from './ruleRows';
import { buildRulesTable, dropRulesTable } from './rulesTable';

/** The editor; `status` is where a JSON that does not read as rules is reported. */
export function buildRulesEditor(status: StatusLine): HTMLElement {
  const a = state.autoReply;
  const content = el('div', { class: 'rules-content' });
  const render = () => content.replaceChildren(...(a.json !== undefined ? buildJsonEditor() : [buildRulesTable()]));
  const asJson: VscodeCheckbox = el('vscode-checkbox', {
    id: 'rules-as-json',
    label: t('rulesEditJson'),
    checked: a.json !== undefined,
  });
  asJson.addEventListener('change', () => {
    status.set('');
    if (asJson.checked) {
      a.json = JSON.stringify(a.rules.map(ruleOf), null, 2);
    } else if (a.json !== undefined) {
      const rows = readRules(a.json, status);
      if (!rows) {
        asJson.checked = true;
        return;
      }
      a.rules = rows;
      a.json = undefined;
    }
    render();
    autoReplyEdited();
  });
  const head = el('div', { class: 'row rules-head' }, el('span', { class: 'muted', text: t('rulesHint') }), asJson);
  const editor = el('div', { id: 'rules-editor' }, head, content);
  render();
  return editor;
}

/** The rules of a JSON text as rows; undefined (with the reason in `status`) when it is not valid JSON or not an array. */
function readRules(json: string, status: StatusLine): RuleRow[] | undefined {
  try {
    const rows = rowsFromRules(JSON.parse(json));
    if (!rows) status.set(t('rulesNotArray'), true);
    return rows;
  } catch (err) {
    status.set(t('invalidJson', messageOf(err)), true);
    return undefined;
  }
}

function buildJsonEditor(): HTMLElement[] {
  dropRulesTable();
  const json = el('vscode-textarea', {
    id: 'auto-reply-rules',
    monospace: true,
    rows: 8,
    resize: 'vertical',
    label: t('rulesJsonName'),
    title: t('rulesJson'),
  });
  json.value = state.autoReply.json ?? '';
  json.addEventListener('input', () => {
    state.autoReply.json = json.value;
    autoReplyEdited();
  });
  return [el('span', { class: 'muted', text: t('rulesJson') }), json];
}
