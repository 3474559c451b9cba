/** The reason a message from the webview was refused, in the display language (the field path stays as it is). */
import * as vscode from 'vscode';
import type { MessageIssue } from '../../shared/protocol';

/**
 * '{path}: expected {expected} but received {received}' in the display language, from the schema library's
 * issue; the English reason when there is no issue to describe.
 */
export function describeRefusal(refused: { error: string; issue?: MessageIssue }): string {
  const issue = refused.issue;
  if (!issue) return refused.error;
  const where = issue.path || vscode.l10n.t('the message');
  if (issue.expected === 'never') return vscode.l10n.t('{0}: this field is not allowed here', where);
  if (issue.expected === null) return vscode.l10n.t('{0}: received {1}, which is not allowed', where, issue.received);
  return vscode.l10n.t('{0}: expected {1} but received {2}', where, issue.expected, issue.received);
}
