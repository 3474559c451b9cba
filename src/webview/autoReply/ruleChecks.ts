/**
 * What is wrong with each rule of the table: its hex match and its reply as the host's live check sees them
 * (debounced per rule, as the composer's payload is checked), and the host's answer to the last Apply.
 */
import type { RequestParams } from '../../shared/protocol';
import { messageOf } from '../dom';
import { payloadOf } from '../composer/draft';
import { request } from '../rpc';
import { state } from '../state';
import type { RuleRow } from './ruleRows';

/** A rule's problems: its match, its reply, and the host's refusal of it on Apply. */
export interface RuleErrors {
  match?: string;
  reply?: string;
  host?: string;
}

const DEBOUNCE_MS = 150;
const errors = new WeakMap<RuleRow, RuleErrors>();
const timers = new WeakMap<RuleRow, ReturnType<typeof setTimeout>>();
const serials = new WeakMap<RuleRow, number>();
let onChecked: () => void = () => undefined;

/** Calls `listener` when a rule's problems change. */
export function onRuleErrorsChanged(listener: () => void): void {
  onChecked = listener;
}

/** The problems of `row` (an empty record until it is checked). */
export function errorsOf(row: RuleRow): RuleErrors {
  let e = errors.get(row);
  if (!e) errors.set(row, (e = {}));
  return e;
}

/** True once `row` has been checked or scheduled (a row rebuilt on screen is not checked again). */
export function isKnown(row: RuleRow): boolean {
  return errors.has(row);
}

/** Has the host check a rule's hex match and its reply (debounced). */
export function scheduleRuleCheck(row: RuleRow, delay = DEBOUNCE_MS): void {
  errorsOf(row);
  const timer = timers.get(row);
  if (timer) clearTimeout(timer);
  timers.set(
    row,
    setTimeout(() => void checkRule(row), delay),
  );
}

async function checkRule(row: RuleRow): Promise<void> {
  const serial = (serials.get(row) ?? 0) + 1;
  serials.set(row, serial);
  const [match, reply] = await Promise.all([
    row.kind === 'hex' && row.match ? problemOf({ data: row.match, format: 'hex' }) : undefined,
    row.reply
      ? problemOf(
          payloadOf({
            data: row.reply,
            format: row.format,
            encoding: row.more?.encoding || state.autoReply.encoding,
            escapes: row.more?.escapes ?? true,
            lineEnding: row.more?.lineEnding ?? 'none',
          }),
        )
      : undefined,
  ]);
  if (serials.get(row) !== serial) return;
  const e = errorsOf(row);
  e.match = match;
  e.reply = reply;
  onChecked();
}

/** The sentence of why the host would not send `payload`, or undefined when it would. */
async function problemOf(payload: RequestParams<'validate'>): Promise<string | undefined> {
  try {
    const result = await request('validate', payload);
    return 'error' in result ? result.error : undefined;
  } catch (err) {
    return messageOf(err);
  }
}
