// The send panel's auto-reply rules table, driven through its fields as a user would: fill a row, read the
// rows back, make the table hold a given set of rules (what e2e tests start from).
import * as assert from 'assert';
import type { FrameLocator } from 'playwright-core';
import { pickOption, setSectionOpen } from './panel';

/** One rule as the table's fields hold it. */
export interface RuleFields {
  kind: 'contains' | 'hex' | 'regex';
  match: string;
  flags?: string;
  reply: string;
  format?: 'text' | 'hex' | 'base64';
}

/** Row `index` (from 0) of the rules table. */
export function ruleRow(panel: FrameLocator, index: number) {
  return panel.locator(`tr.rule-row[data-index="${index}"]`);
}

/** Fills one row of the rules table through its fields. */
export async function fillRule(panel: FrameLocator, index: number, r: RuleFields): Promise<void> {
  const row = ruleRow(panel, index);
  await row.waitFor({ timeout: 10000 });
  await pickOption(row.locator('.rule-kind'), r.kind);
  await row.locator('.rule-match input').fill(r.match);
  if (r.kind === 'regex') await row.locator('.rule-flags input').fill(r.flags ?? '');
  await pickOption(row.locator('.rule-format'), r.format ?? 'text');
  await row.locator('.rule-reply input').fill(r.reply);
}

/** The values of the table's fields, row by row: matcher, match, regex flags, reply, reply format. */
export async function tableValues(panel: FrameLocator): Promise<string[][]> {
  return panel
    .locator('tr.rule-row')
    .evaluateAll((trs) =>
      trs.map((tr) =>
        [...tr.querySelectorAll('vscode-textfield, vscode-single-select')].map(
          (e) => (e as unknown as { value: string }).value,
        ),
      ),
    );
}

/** What tableValues reads for a row holding `r`. */
export function fieldValues(r: RuleFields): string[] {
  return [r.kind, r.match, r.flags ?? '', r.reply, r.format ?? 'text'];
}

/**
 * The auto-reply box open in rules mode with the table holding exactly `rules` (filled in through its fields
 * when it holds anything else; nothing is applied).
 */
export async function setRulesTable(panel: FrameLocator, rules: readonly RuleFields[]): Promise<void> {
  await setSectionOpen(panel, 'auto-reply');
  const mode = panel.locator('#auto-reply-mode');
  if ((await mode.evaluate((s) => (s as unknown as { value: string }).value)) !== 'rules')
    await pickOption(mode, 'rules');
  await ruleRow(panel, 0).waitFor({ timeout: 10000 });
  if (JSON.stringify(await tableValues(panel)) === JSON.stringify(rules.map(fieldValues))) return;
  let count = await panel.locator('tr.rule-row').count();
  for (; count < rules.length; count++) {
    await panel.locator('#rule-add').click();
    await ruleRow(panel, count).waitFor({ timeout: 10000 });
  }
  for (; count > rules.length; count--)
    await ruleRow(panel, count - 1)
      .locator('.rule-remove')
      .click();
  for (const [index, r] of rules.entries()) {
    // The flags field keeps its value while hidden: a former regex row gets it emptied as a regex first.
    const flags = ruleRow(panel, index).locator('.rule-flags');
    if ((await flags.evaluate((f) => (f as unknown as { value: string }).value)) !== (r.flags ?? '')) {
      await pickOption(ruleRow(panel, index).locator('.rule-kind'), 'regex');
      await flags.locator('input').fill(r.flags ?? '');
    }
    await fillRule(panel, index, r);
  }
  assert.deepStrictEqual(await tableValues(panel), rules.map(fieldValues), 'the table holds the rules to start from');
}
