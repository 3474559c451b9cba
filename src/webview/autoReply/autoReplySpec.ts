/**
 * The auto-reply spec the panel applies, from its draft; and which rule a refusal of the host names. Pure
 * (no DOM), so the unit tests can check it.
 */
import type { AutoReplySpecMessage } from '../../shared/protocol';
import { ruleOf, type AutoReplyDraft, type RuleRow } from './ruleRows';

/** A spec to apply, with the rows as they were sent (a refusal names a rule by its index in them). */
export type SpecToApply = { ok: true; spec: AutoReplySpecMessage; sentRows: RuleRow[] } | { ok: false; json: string };

/**
 * The spec of `draft`: text is encoded (and, for rules, decoded to be matched) with the draft's own encoding.
 * Rules edited as JSON that do not parse are refused with the parser's message.
 */
export function specOf(draft: AutoReplyDraft): SpecToApply {
  const encoding = draft.encoding;
  switch (draft.mode) {
    case 'fixed': {
      const text = draft.format === 'text' ? { encoding } : {};
      return { ok: true, spec: { mode: 'fixed', data: draft.data, format: draft.format, ...text }, sentRows: [] };
    }
    case 'rules': {
      if (draft.json === undefined) {
        const sentRows = [...draft.rules];
        return { ok: true, spec: { mode: 'rules', rules: sentRows.map(ruleOf), encoding }, sentRows };
      }
      try {
        return { ok: true, spec: { mode: 'rules', rules: JSON.parse(draft.json), encoding }, sentRows: [] };
      } catch (err) {
        return { ok: false, json: err instanceof Error ? err.message : String(err) };
      }
    }
    default:
      return { ok: true, spec: { mode: draft.mode }, sentRows: [] };
  }
}

/** The index of the rule a refusal names: 'autoReply.rules[2].regex: …' (the core) or 'spec.rules.2.flags: …' (the protocol). */
export function ruleIndexOf(message: string): number | undefined {
  const m = /rules(?:\[(\d+)\]|\.(\d+))/.exec(message);
  return m ? Number(m[1] ?? m[2]) : undefined;
}
