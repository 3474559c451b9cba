/** Error sentences in the display language: a SocketLabError's template and values through vscode.l10n. */
import * as vscode from 'vscode';
import { isSocketLabError, type ErrorValues } from '../shared/errors';
import { WORDS_BY_PLACEHOLDER } from '../shared/valueWords';

/** For each placeholder that may hold a word of the core ({value}, {label}, {target}), the set of those words. */
const WORDS = Object.entries(WORDS_BY_PLACEHOLDER).map(
  ([name, table]) => [name, new Set(Object.values(table))] as const,
);

/** The values with the core's English words ('nothing', 'Local port (localPort)') in the display language. */
function localizedValues(values: ErrorValues): ErrorValues {
  let result = values;
  for (const [name, words] of WORDS) {
    const value = values[name];
    if (typeof value === 'string' && words.has(value)) {
      if (result === values) result = { ...values };
      result[name] = vscode.l10n.t(value);
    }
  }
  return result;
}

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
    return vscode.l10n.t(err.template, localizedValues(values));
  }
  if (err instanceof Error) {
    return err.message;
  }
  return String(err);
}

/**
 * The localized sentence of the error a snapshot carries (EndpointInfo, ConnectionInfo, a repeat's end),
 * from its errorTemplate and errorValues; the English `error` when it has no template; undefined when none.
 */
export function describeInfoError(info: {
  error?: string;
  errorTemplate?: string;
  errorValues?: ErrorValues;
}): string | undefined {
  if (info.errorTemplate) {
    return vscode.l10n.t(info.errorTemplate, localizedValues(info.errorValues ?? {}));
  }
  return info.error;
}

/** An Error carrying the localized sentence, for commands run with arguments (callers see `.message`). */
export function toCallerError(err: unknown): Error {
  const error = new Error(describeError(err));
  if (isSocketLabError(err)) {
    Object.assign(error, { code: err.code, values: err.values });
  }
  return error;
}
