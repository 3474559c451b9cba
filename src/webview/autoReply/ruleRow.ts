/**
 * One row of the rules table: matcher, match, regex flags, reply, reply format, and the buttons that move or
 * remove it. Each control is named after the rule's number ('Match of rule 2'), renumbered when rows move.
 */
import type { VscodeTextfield } from '@vscode-elements/elements/dist/vscode-textfield/vscode-textfield.js';
import { PANEL_NAME_MAX_CHARS, RULE_FLAGS_MAX_CHARS } from '../../shared/limits';
import { PAYLOAD_FORMATS, type PayloadFormat } from '../../shared/payload';
import { el, icon, nameControl, select } from '../dom';
import { t } from '../strings';
import { RULE_KINDS, type RuleKind, type RuleRow } from './ruleRows';

/** The nodes of a row on screen. */
export interface RuleNodes {
  tr: HTMLElement;
  /** The row under it that shows the rule's problems. */
  messageRow: HTMLElement;
  number: HTMLElement;
  match: HTMLElement;
  reply: HTMLElement;
  message: HTMLElement;
  /** Under the problems: that the rule is switched off (its CPU budget) and why. */
  offNote: HTMLElement;
  /** The labelled controls, each with the string key of its name ('… of rule {0}') and of its tooltip when it has its own. */
  labelled: [HTMLElement, string, string?][];
  up: HTMLElement;
  down: HTMLElement;
}

/** What the row's controls do to the table. */
export interface RuleRowActions {
  /** A field of the rule was edited. */
  edited(row: RuleRow): void;
  /** Moves the rule one place up (-1) or down (1), keeping the focus on `field`. */
  move(row: RuleRow, by: -1 | 1, field: string): void;
  remove(row: RuleRow): void;
}

const KIND_KEYS: Record<RuleKind, string> = { contains: 'ruleContains', hex: 'ruleHex', regex: 'ruleRegex' };
const MATCH_PLACEHOLDERS: Record<RuleKind, string> = {
  contains: 'ruleMatchContainsPlaceholder',
  hex: 'ruleMatchHexPlaceholder',
  regex: 'ruleMatchRegexPlaceholder',
};
const REPLY_PLACEHOLDERS: Record<PayloadFormat, string> = {
  text: 'ruleReplyTextPlaceholder',
  hex: 'ruleReplyHexPlaceholder',
  base64: 'ruleReplyBase64Placeholder',
};

/** The placeholder of a reply written in `format` ('Hex bytes, e.g. aa bb'). */
export function replyPlaceholder(format: PayloadFormat): string {
  return t(REPLY_PLACEHOLDERS[format]);
}

/** The nodes of a new row for `row` (numbered by numberRule once it has a place). */
export function ruleRowNodes(row: RuleRow, actions: RuleRowActions): RuleNodes {
  const edited = () => actions.edited(row);
  const matchProps = { maxlength: PANEL_NAME_MAX_CHARS, placeholder: matchPlaceholder(row.kind) };
  const match = textCell(row.match, 'match', matchProps, (v) => (row.match = v), edited);
  const flagsProps = { maxlength: RULE_FLAGS_MAX_CHARS };
  const flags = textCell(row.flags, 'flags', flagsProps, (v) => (row.flags = v), edited);
  flags.hidden = row.kind !== 'regex';
  const replyProps = { placeholder: replyPlaceholder(row.format) };
  const reply = textCell(row.reply, 'reply', replyProps, (v) => (row.reply = v), edited);
  const kindOptions = RULE_KINDS.map((k) => [k, t(KIND_KEYS[k])] as const);
  const kind = cellSelect('kind', kindOptions, row.kind, (v) => {
    row.kind = v;
    flags.hidden = row.kind !== 'regex';
    match.setAttribute('placeholder', matchPlaceholder(row.kind));
    edited();
  });
  const format = cellSelect(
    'format',
    PAYLOAD_FORMATS.map((f) => [f, f] as const),
    row.format,
    (v) => {
      row.format = v;
      reply.setAttribute('placeholder', replyPlaceholder(row.format));
      edited();
    },
  );
  const up = rowButton('up', 'arrow-up', () => actions.move(row, -1, 'up'));
  const down = rowButton('down', 'arrow-down', () => actions.move(row, 1, 'down'));
  const remove = rowButton('remove', 'trash', () => actions.remove(row));
  const number = el('td', { class: 'rule-number' });
  const cells = [kind, match, flags, reply, format].map((control) => el('td', {}, control));
  const tr = el('tr', { class: 'rule-row' }, number, ...cells, el('td', { class: 'rule-buttons' }, up, down, remove));
  moveOnAltArrows(tr, row, actions);
  // Not a live region: it changes as the rule is typed; the fields it concerns are described by it instead.
  const message = el('div', { class: 'rule-error error' });
  const offNote = el('div', { class: 'rule-off-note', hidden: true }, icon('warning'), el('span'));
  const messageRow = el(
    'tr',
    { class: 'rule-message', hidden: true },
    el('td'),
    el('td', { colspan: 6 }, message, offNote),
  );
  const labelled: [HTMLElement, string, string?][] = [
    [kind, 'ruleMatcherOf'],
    [match, 'ruleMatchOf'],
    [flags, 'ruleFlagsOf', 'ruleFlagsHint'],
    [reply, 'ruleReplyOf'],
    [format, 'ruleFormatOf'],
    [up, 'ruleUp'],
    [down, 'ruleDown'],
    [remove, 'ruleRemove'],
  ];
  return { tr, messageRow, number, match, reply, message, offNote, labelled, up, down };
}

/** Alt+↑ / Alt+↓ move the rule, keeping the focus where it was. */
function moveOnAltArrows(tr: HTMLElement, row: RuleRow, actions: RuleRowActions): void {
  tr.addEventListener('keydown', (e) => {
    if (!e.altKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown')) return;
    e.preventDefault();
    const field = (e.target as HTMLElement).closest<HTMLElement>('[data-field]')?.dataset.field ?? 'match';
    actions.move(row, e.key === 'ArrowUp' ? -1 : 1, field);
  });
}

/** Gives a row its number: the # column, the data-index, the labels that name it, and which move buttons apply. */
export function numberRule(nodes: RuleNodes, index: number, total: number): void {
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
  for (const [control, key, tooltipKey] of nodes.labelled) {
    // A button is named on itself; a field or a drop-down on the control inside it (its `label`).
    if (control.localName === 'vscode-button') {
      control.setAttribute('aria-label', t(key, n));
      control.title = t(key, n);
    } else nameControl(control, t(key, n), tooltipKey ? t(tooltipKey) : t(key, n));
  }
  nodes.up.toggleAttribute('disabled', index === 0);
  nodes.down.toggleAttribute('disabled', index === total - 1);
}

function matchPlaceholder(kind: RuleKind): string {
  return t(MATCH_PLACEHOLDERS[kind]);
}

/** A text field of the row, marked with its field name (the focus returns to it after a move); `set` takes what is typed. */
function textCell(
  value: string,
  field: string,
  props: Record<string, unknown>,
  set: (value: string) => void,
  edited: () => void,
): VscodeTextfield {
  const cell = el('vscode-textfield', { class: `rule-${field}`, 'data-field': field, ...props });
  cell.value = value;
  cell.addEventListener('input', () => {
    set(cell.value);
    edited();
  });
  return cell;
}

/** A drop-down of the row (named per row by numberRule, so without an id or a label of its own). */
function cellSelect<V extends string>(
  field: string,
  options: readonly (readonly [V, string])[],
  value: V,
  onChange: (value: V) => void,
): HTMLElement {
  const s = select('', options, value, '', onChange);
  s.removeAttribute('id');
  s.classList.add(`rule-${field}`);
  s.dataset.field = field;
  return s;
}

function rowButton(field: string, iconName: string, action: () => void): HTMLElement {
  return el('vscode-button', {
    class: `rule-${field}`,
    'data-field': field,
    secondary: true,
    icon: iconName,
    onclick: action,
  });
}
