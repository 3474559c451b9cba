/**
 * The CPU budget of one endpoint's regex rules. A linear-time engine bounds each match, but a peer can
 * still send input that makes every match cost milliseconds: a rule slow on single messages gets strikes,
 * and all rules together may use only so much CPU per window, after which the costliest rule is switched off.
 */
import {
  REGEX_BUDGET_WINDOW_MS,
  REGEX_ENDPOINT_BUDGET_MS,
  REGEX_MAX_STRIKES,
  REGEX_MESSAGE_BUDGET_MS,
} from '../shared/limits';

/** What one charge decided about its rule. */
export type BudgetVerdict =
  | { kind: 'ok' }
  /** The match was over the per-message budget; the rule stays on (strikes < REGEX_MAX_STRIKES). */
  | { kind: 'slow'; ms: number }
  /** The rule is switched off: its strikes, or the endpoint's window budget (the costliest rule goes). */
  | { kind: 'off'; rule: number; reason: 'strikes' | 'endpoint'; usedMs: number };

/** Limits of a budget (tests use small ones). */
export interface RegexBudgetLimits {
  messageMs: number;
  maxStrikes: number;
  endpointMs: number;
  windowMs: number;
}

/** The limits of src/shared/limits.ts. */
export const DEFAULT_REGEX_BUDGET: RegexBudgetLimits = {
  messageMs: REGEX_MESSAGE_BUDGET_MS,
  maxStrikes: REGEX_MAX_STRIKES,
  endpointMs: REGEX_ENDPOINT_BUDGET_MS,
  windowMs: REGEX_BUDGET_WINDOW_MS,
};

/** Accounts the time regex rules spend matching; O(1) per charge apart from picking the rule to switch off. */
export class RegexBudget {
  private readonly _strikes: number[];
  private readonly _windowUse: number[];
  private _windowStart = -Infinity;
  private _windowTotal = 0;

  constructor(
    rules: number,
    private readonly _limits: RegexBudgetLimits = DEFAULT_REGEX_BUDGET,
  ) {
    this._strikes = new Array<number>(rules).fill(0);
    this._windowUse = new Array<number>(rules).fill(0);
  }

  /** Charges `ms` of matching to `rule` at time `now` (ms, monotonic). */
  charge(rule: number, ms: number, now: number): BudgetVerdict {
    if (now - this._windowStart >= this._limits.windowMs) {
      this._windowStart = now;
      this._windowTotal = 0;
      this._windowUse.fill(0);
    }
    this._windowTotal += ms;
    this._windowUse[rule] += ms;
    if (ms > this._limits.messageMs && ++this._strikes[rule] >= this._limits.maxStrikes) {
      return this._off(rule, 'strikes', ms);
    }
    if (this._windowTotal > this._limits.endpointMs) {
      let costliest = rule;
      for (let i = 0; i < this._windowUse.length; i++) {
        if (this._windowUse[i] > this._windowUse[costliest]) costliest = i;
      }
      return this._off(costliest, 'endpoint', this._windowUse[costliest]);
    }
    return ms > this._limits.messageMs ? { kind: 'slow', ms } : { kind: 'ok' };
  }

  /** The rule no longer runs: its time leaves the window, so the others are judged on their own. */
  private _off(rule: number, reason: 'strikes' | 'endpoint', usedMs: number): BudgetVerdict {
    this._windowTotal -= this._windowUse[rule];
    this._windowUse[rule] = 0;
    return { kind: 'off', rule, reason, usedMs };
  }
}
