/** The auto-reply rules switched off by their CPU budget, as the send panel shows them (no vscode: unit-tested). */
import type { AutoReplyRuleOff } from '../../shared/model';
import { AUTO_REPLY_RULES_MAX, PANEL_TEXT_MAX_CHARS } from '../../shared/limits';
import type { RuleOffView } from '../../shared/protocol';

/**
 * Each switched-off rule's index and why, in the display language (`describe` translates the core's template),
 * bounded as the protocol allows; undefined when every rule is on.
 */
export function toRulesOffView(
  rulesOff: readonly AutoReplyRuleOff[] | undefined,
  describe: (off: AutoReplyRuleOff) => string | undefined,
): RuleOffView[] | undefined {
  const views = (rulesOff ?? [])
    .filter((off) => Number.isSafeInteger(off.rule) && off.rule >= 0 && off.rule < AUTO_REPLY_RULES_MAX)
    .slice(0, AUTO_REPLY_RULES_MAX)
    .map((off) => ({ rule: off.rule, text: (describe(off) ?? off.error).slice(0, PANEL_TEXT_MAX_CHARS) }));
  return views.length ? views : undefined;
}
