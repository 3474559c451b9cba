/**
 * The auto-reply draft of the send panel and its rules rows: what the webview saves with setState, how
 * an older saved draft (rules as a JSON string) is read back, and how a row becomes a rule of the core.
 * Pure (no DOM), so the unit tests can check it.
 */
import type { AutoReplySpecMessage } from '../../shared/protocol';
import { AUTO_REPLY_RULES_MAX } from '../../shared/limits';
import { LINE_ENDINGS, PAYLOAD_FORMATS, type LineEnding, type PayloadFormat } from '../../shared/payload';

/** What the auto-reply does: nothing, echo each message, answer each with one reply, or answer by rules. */
export const AUTO_REPLY_MODES = ['off', 'echo', 'fixed', 'rules'] as const;
/** The matchers of a rule, in the order the table offers them. */
export const RULE_KINDS = ['contains', 'hex', 'regex'] as const;

/** The auto-reply part of the panel's saved state. */
export interface AutoReplyDraft {
  mode: (typeof AUTO_REPLY_MODES)[number];
  /** The fixed reply. */
  data: string;
  format: PayloadFormat;
  /** The encoding of the auto-reply's text: a fixed text reply is encoded with it, rules decode and encode with it. */
  encoding: string;
  rules: RuleRow[];
  /** Set while the rules are edited as JSON (that text). */
  json?: string;
}

/** One of RULE_KINDS. */
export type RuleKind = (typeof RULE_KINDS)[number];
/** One row of the auto-reply rules table: a rule of the core (one matcher and its reply), flattened for editing. */
export interface RuleRow {
  kind: RuleKind;
  match: string;
  /** Regex flags; only sent with a regex. */
  flags: string;
  reply: string;
  format: PayloadFormat;
  /** Reply options the table has no column for, kept from JSON so that nothing is lost. */
  more?: { encoding?: string; escapes?: boolean; lineEnding?: LineEnding };
}
/** A rule as the core takes it. */
export type Rule = Extract<AutoReplySpecMessage, { mode: 'rules' }>['rules'][number];

const oneOf = <T extends string>(list: readonly T[], x: unknown): x is T => (list as readonly unknown[]).includes(x);
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown) => (typeof x === 'string' ? x : '');
/** A new row of the table: contains '' (any message), no reply yet. */
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
      format: oneOf(PAYLOAD_FORMATS, reply.format) ? reply.format : 'text',
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
  if (oneOf(LINE_ENDINGS, reply.lineEnding)) more.lineEnding = reply.lineEnding;
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

/**
 * The saved auto-reply draft, checked field by field; an old draft's rules JSON string becomes rows when it
 * parses, and a draft without an encoding of its own takes `encoding` (the composer's, which it used to share).
 */
export function restoreAutoReply(raw: unknown, encoding = 'utf8'): AutoReplyDraft {
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
          kind: oneOf(RULE_KINDS, r.kind) ? r.kind : 'contains',
          match: str(r.match),
          flags: str(r.flags),
          reply: str(r.reply),
          format: oneOf(PAYLOAD_FORMATS, r.format) ? r.format : 'text',
        };
        const more = moreOf(isObject(r.more) ? r.more : {});
        if (more) row.more = more;
        return row;
      });
  }
  return {
    mode: oneOf(AUTO_REPLY_MODES, a.mode) ? a.mode : 'off',
    data: str(a.data),
    format: oneOf(PAYLOAD_FORMATS, a.format) ? a.format : 'text',
    encoding: typeof a.encoding === 'string' && a.encoding ? a.encoding : encoding,
    rules: rules?.length ? rules : [emptyRule()],
    ...(typeof a.json === 'string' ? { json: a.json } : {}),
  };
}
