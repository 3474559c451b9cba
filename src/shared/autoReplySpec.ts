/**
 * What a listener answers on its own, as every layer writes it: a command argument, the send panel's
 * auto-reply editor and the core (src/core/autoReply.ts validates a spec in full and compiles it).
 */
import type { LineEnding, PayloadFormat } from './payload';

/** The modes of an auto-reply, in the order the UI offers them. */
export const AUTO_REPLY_MODES = ['off', 'echo', 'fixed', 'rules'] as const;

/** A reply payload; `escapes` and `lineEnding` behave as in a sent payload. */
export type ReplyPayload = {
  data: string;
  format?: PayloadFormat;
  encoding?: string;
  escapes?: boolean;
  lineEnding?: LineEnding;
};

/** One rule: exactly one matcher (contains, hex or regex) and the reply it sends. */
export type AutoReplyRule = { contains?: string; hex?: string; regex?: string; flags?: string; reply: ReplyPayload };

/** What a listener answers on its own. `encoding` of 'rules' decodes incoming bytes for contains/regex (default utf8) and is the default encoding of the replies. */
export type AutoReplySpec =
  | { mode: 'off' }
  | { mode: 'echo' }
  | ({ mode: 'fixed' } & ReplyPayload)
  | { mode: 'rules'; rules: AutoReplyRule[]; encoding?: string };
