import * as vscode from 'vscode';
import { isSocketLabError } from '../core/errors';

/**
 * The localized sentence for any error: a SocketLabError's template goes through vscode.l10n with its
 * values (so a translation bundle can translate it); anything else falls back to its message.
 */
export function describeError(err: unknown): string {
  if (isSocketLabError(err)) {
    if (!err.template) {
      return vscode.l10n.t(err.message);
    }
    let values = err.values;
    if (err.inner && typeof values.problem === 'string') {
      // The quoted sentence is localized on its own; it keeps or drops its final period as the core chose.
      const inner = describeError(err.inner);
      values = { ...values, problem: /[.。]$/.test(values.problem) ? inner : inner.replace(/[.。]$/, '') };
    }
    return vscode.l10n.t(err.template, values);
  }
  if (err instanceof Error) {
    return err.message;
  }
  return String(err);
}

/** An Error carrying the localized sentence, for commands run with arguments (callers see `.message`). */
export function toCallerError(err: unknown): Error {
  const error = new Error(describeError(err));
  if (isSocketLabError(err)) {
    Object.assign(error, { code: err.code, values: err.values });
  }
  return error;
}
