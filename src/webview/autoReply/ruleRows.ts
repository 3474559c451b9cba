/**
 * The auto-reply draft of the send panel and its rules rows: what the webview saves with setState, how
 * an older saved draft (rules as a JSON string) is read back, and how a row becomes a rule of the core.
 * Pure (no DOM), so the unit tests can check it.
 */
import type { AutoReplySpecMessage } from '../shared/protocol';
import { AUTO_REPLY_RULES_MAX } from '../shared/limits';

export type Format = 'text' | 'hex' | 'base64';
export type LineEnding = 'none' | 'lf' | 'cr' | 'crlf';

/** The auto-reply part of the panel's saved state. */
export interface AutoReplyDraft {
  mode: 'off' | 'echo' | 'fixed' | 'rules';
  /** The fixed reply. */
  data: string;
  format: Format;
  rules: RuleRow[];
  /** Set while the rules are edited as JSON (that text). */
  json?: string;
}

export type RuleKind = 'contains' | 'hex' | 'regex';
/** One row of the auto-reply rules table: a rule of the core (one matcher and its reply), flattened for editing. */
export interface RuleRow {
  kind: RuleKind;
  match: string;
  /** Regex flags; only sent with a regex. */
  flags: string;
  reply: string;
  format: Format;
  /** Reply options the table has no column for, kept from JSON so that nothing is lost. */
  more?: { encoding?: string; escapes?: boolean; lineEnding?: LineEnding };
}
export type Rule = Extract<AutoReplySpecMessage, { mode: 'rules' }>['rules'][number];
const RULE_KINDS: readonly RuleKind[] = ['contains', 'hex', 'regex'];
export const FORMATS: readonly Format[] = ['text', 'hex', 'base64'];
const LINE_ENDINGS: readonly LineEnding[] = ['none', 'lf', 'cr', 'crlf'];
const AUTO_REPLY_MODES: readonly AutoReplyDraft['mode'][] = ['off', 'echo', 'fixed', 'rules'];

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown) => (typeof x === 'string' ? x : '');
export const emptyRule = (): RuleRow => ({ kind: 'contains', match: '', flags: '', reply: '', format: 'text' });

/** Rows from rules in the core's JSON shape (undefined when it is not an array); a rule keeps what can be read of it. */
export function rowsFromRules(value: unknown): RuleRow[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.slice(0, AUTO_REPLY_RULES_MAX).map((raw): RuleRow => {
    const r = isObject(raw) ? raw : {};
    const kind = RULE_KINDS.find((k) => typeof r[k] === 'string') ?? 'contains';
    const reply = isObject(r.reply) ? r.reply : {};
    const row: RuleRow = {
      kind,
      match: str(r[kind]),
      flags: kind === 'regex' ? str(r.flags) : '',
      reply: str(reply.data),
      format: FORMATS.includes(reply.format as Format) ? (reply.format as Format) : 'text',
    };
    const more = moreOf(reply);
    if (more) row.more = more;
    return row;
  });
}

/** The reply options of a rule that have no column in the table (encoding, escapes, line ending). */
function moreOf(reply: Record<string, unknown>): RuleRow['more'] {
  const more: NonNullable<RuleRow['more']> = {};
  if (typeof reply.encoding === 'string') more.encoding = reply.encoding;
  if (typeof reply.escapes === 'boolean') more.escapes = reply.escapes;
  if (LINE_ENDINGS.includes(reply.lineEnding as LineEnding)) more.lineEnding = reply.lineEnding as LineEnding;
  return Object.keys(more).length ? more : undefined;
}

/** The rule a row stands for, as the core takes it. */
export function ruleOf(row: RuleRow): Rule {
  const reply: Rule['reply'] = {
    data: row.reply,
    ...(row.format !== 'text' ? { format: row.format } : {}),
    ...row.more,
  };
  return { [row.kind]: row.match, ...(row.kind === 'regex' && row.flags ? { flags: row.flags } : {}), reply };
}

/** The saved auto-reply draft, checked field by field; an old draft's rules JSON string becomes rows when it parses. */
export function restoreAutoReply(raw: unknown): AutoReplyDraft {
  const a = isObject(raw) ? raw : {};
  let rules: RuleRow[] | undefined;
  if (typeof a.rules === 'string') {
    try {
      rules = rowsFromRules(JSON.parse(a.rules));
    } catch {
      rules = undefined;
    }
  } else if (Array.isArray(a.rules)) {
    rules = a.rules
      .slice(0, AUTO_REPLY_RULES_MAX)
      .filter(isObject)
      .map((r) => {
        const row: RuleRow = {
          kind: RULE_KINDS.includes(r.kind as RuleKind) ? (r.kind as RuleKind) : 'contains',
          match: str(r.match),
          flags: str(r.flags),
          reply: str(r.reply),
          format: FORMATS.includes(r.format as Format) ? (r.format as Format) : 'text',
        };
        const more = moreOf(isObject(r.more) ? r.more : {});
        if (more) row.more = more;
        return row;
      });
  }
  return {
    mode: AUTO_REPLY_MODES.includes(a.mode as AutoReplyDraft['mode']) ? (a.mode as AutoReplyDraft['mode']) : 'off',
    data: str(a.data),
    format: FORMATS.includes(a.format as Format) ? (a.format as Format) : 'text',
    rules: rules?.length ? rules : [emptyRule()],
    ...(typeof a.json === 'string' ? { json: a.json } : {}),
  };
}
