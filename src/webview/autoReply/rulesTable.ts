/**
 * The table of auto-reply rules: rows in the order they are tried, each rebuilt only when it is new (a table
 * of 100 rules is not rebuilt for one added or moved rule), the problems of each rule under it, Add Rule
 * up to AUTO_REPLY_RULES_MAX, and moving or removing a rule with the focus kept where the user works.
 */
import { AUTO_REPLY_RULES_MAX } from '../../shared/limits';
import { el, focusWhenRendered, markField } from '../dom';
import { session } from '../session';
import { state } from '../state';
import { t } from '../strings';
import { autoReplyEdited } from './edits';
import { errorsOf, isKnown, onRuleErrorsChanged, scheduleRuleCheck } from './ruleChecks';
import { numberRule, ruleRowNodes, type RuleNodes, type RuleRowActions } from './ruleRow';
import { emptyRule, type RuleRow } from './ruleRows';

/** The table on screen: its body, its footer, and the nodes of each row (all unset while the rules are edited as JSON). */
const table: {
  body: HTMLElement | undefined;
  footer: { add: HTMLElement; limit: HTMLElement } | undefined;
  nodes: Map<RuleRow, RuleNodes>;
} = { body: undefined, footer: undefined, nodes: new Map() };

const actions: RuleRowActions = {
  edited(row) {
    errorsOf(row).host = undefined;
    autoReplyEdited();
    scheduleRuleCheck(row);
  },
  move: moveRule,
  remove: removeRule,
};

onRuleErrorsChanged(renderRuleMessages);

/** A new table of the rules. */
export function buildRulesTable(): HTMLElement {
  const headCells = ['#', t('ruleMatcher'), t('ruleMatch'), t('ruleFlags'), t('ruleReply'), t('format')];
  const head = el(
    'thead',
    {},
    el(
      'tr',
      {},
      ...headCells.map((text) => el('th', { scope: 'col', text })),
      el('th', { scope: 'col' }, el('span', { class: 'sr-only', text: t('ruleActions') })),
    ),
  );
  const body = el('tbody');
  const add = el('vscode-button', {
    id: 'rule-add',
    secondary: true,
    icon: 'add',
    text: t('ruleAdd'),
    onclick: () => addRule(),
  });
  const limit = el('span', { id: 'rules-limit', class: 'muted', 'aria-live': 'polite' });
  table.body = body;
  table.footer = { add, limit };
  renderRules();
  return el(
    'div',
    { class: 'rules-wrap' },
    el(
      'div',
      { class: 'rules-scroll' },
      el('table', { id: 'rules', class: 'rules-table', 'aria-label': t('rulesTable') }, head, body),
    ),
    el('div', { class: 'row rules-actions' }, add, limit),
  );
}

/** The table is no longer on screen (the rules are edited as JSON). */
export function dropRulesTable(): void {
  table.body = undefined;
  table.footer = undefined;
  table.nodes.clear();
}

/** Checks the replies of the rules on screen again (the auto-reply's encoding, which encodes them, changed). */
export function recheckRules(): void {
  for (const row of table.nodes.keys()) scheduleRuleCheck(row);
}

/** Forgets the host's refusals of the last Apply (a new Apply is on its way). */
export function clearHostErrors(): void {
  for (const row of state.autoReply.rules) errorsOf(row).host = undefined;
  renderRuleMessages();
}

/** Shows the host's refusal next to the rule it names. */
export function showHostError(row: RuleRow, message: string): void {
  errorsOf(row).host = message;
  renderRuleMessages();
}

/** The endpoint changed: marks the rules it says are switched off (by their place in the rules, as applied). */
export function renderRulesOff(): void {
  renderRuleMessages();
}

/** Puts the rows of the table in the order of the rules, building only rows that are new, and focuses `focus` when given. */
function renderRules(focus?: { row: RuleRow; field: string }): void {
  const { body, footer, nodes } = table;
  if (!body || !footer) return;
  const rules = state.autoReply.rules;
  for (const row of [...nodes.keys()]) if (!rules.includes(row)) nodes.delete(row);
  const trs: HTMLElement[] = [];
  rules.forEach((row, index) => {
    const rowNodes = nodes.get(row) ?? newRow(row);
    numberRule(rowNodes, index, rules.length);
    trs.push(rowNodes.tr, rowNodes.messageRow);
  });
  if (!rules.length) trs.push(el('tr', {}, el('td', { colspan: 7, class: 'muted', text: t('rulesEmpty') })));
  // Only move what changed place: an unmoved row keeps its focus and its rendered elements.
  trs.forEach((tr, i) => {
    if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] ?? null);
  });
  while (body.children.length > trs.length) body.lastElementChild!.remove();
  const full = rules.length >= AUTO_REPLY_RULES_MAX;
  footer.add.toggleAttribute('disabled', full);
  footer.limit.textContent = full ? t('rulesMax', AUTO_REPLY_RULES_MAX) : '';
  renderRuleMessages();
  if (focus) {
    const tr = nodes.get(focus.row)?.tr;
    const target =
      tr?.querySelector<HTMLElement>(`[data-field="${focus.field}"]:not([disabled])`) ??
      tr?.querySelector<HTMLElement>('[data-field="match"]') ??
      footer.add;
    focusWhenRendered(target);
  }
}

function newRow(row: RuleRow): RuleNodes {
  const nodes = ruleRowNodes(row, actions);
  table.nodes.set(row, nodes);
  if (!isKnown(row)) scheduleRuleCheck(row, 0);
  return nodes;
}

/** Shows each rule's problems under it (and marks the fields they concern). */
function renderRuleMessages(): void {
  const rules = state.autoReply.rules;
  const off = new Map((session.endpoint?.rulesOff ?? []).map((r) => [r.rule, r.text]));
  for (const [row, nodes] of table.nodes) {
    const e = errorsOf(row);
    const offText = off.get(rules.indexOf(row));
    nodes.tr.classList.toggle('rule-off', offText !== undefined);
    nodes.offNote.hidden = offText === undefined;
    const note = offText === undefined ? '' : t('ruleOff', offText);
    const noteText = nodes.offNote.lastElementChild!;
    if (noteText.textContent !== note) noteText.textContent = note;
    const lines = [e.match && t('ruleMatchError', e.match), e.reply && t('ruleReplyError', e.reply), e.host].filter(
      (x): x is string => !!x,
    );
    markField(nodes.match, !!e.match, nodes.message);
    markField(nodes.reply, !!e.reply, nodes.message);
    nodes.messageRow.hidden = !lines.length && offText === undefined;
    const text = lines.join('\n');
    if (nodes.message.textContent !== text) nodes.message.textContent = text;
  }
}

function addRule(): void {
  const rules = state.autoReply.rules;
  if (rules.length >= AUTO_REPLY_RULES_MAX) return;
  const row = emptyRule();
  rules.push(row);
  autoReplyEdited();
  renderRules({ row, field: 'match' });
}

function removeRule(row: RuleRow): void {
  const rules = state.autoReply.rules;
  const index = rules.indexOf(row);
  if (index < 0) return;
  rules.splice(index, 1);
  autoReplyEdited();
  const next = rules[Math.min(index, rules.length - 1)];
  renderRules(next ? { row: next, field: 'remove' } : undefined);
  if (!next && table.footer) focusWhenRendered(table.footer.add);
}

function moveRule(row: RuleRow, by: -1 | 1, field: string): void {
  const rules = state.autoReply.rules;
  const from = rules.indexOf(row);
  const to = from + by;
  if (from < 0 || to < 0 || to >= rules.length) return;
  rules.splice(from, 1);
  rules.splice(to, 0, row);
  autoReplyEdited();
  // A move button that is now disabled (first or last row) hands the focus to the other one.
  const other = field === 'up' && to === 0 ? 'down' : field === 'down' && to === rules.length - 1 ? 'up' : field;
  renderRules({ row, field: other });
}
