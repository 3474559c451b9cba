/**
 * The panel's words: the host localizes every string (vscode.l10n) and sends the table in `init`; here
 * a key becomes its sentence with {0}, {1}... filled in. Pure (no DOM), so the unit tests can check it.
 */

let table: Record<string, string> = {};

/** Takes the host's string table (from `init`). */
export function setStrings(strings: Record<string, string>): void {
  table = strings;
}

/** A localized string with {0}, {1}... filled in (the key itself until the table arrives). */
export function t(key: string, ...args: (string | number)[]): string {
  return fill(table[key] ?? key, args);
}

/** t() for a sentence about `n` things: its singular string when n is 1. */
export function tn(n: number, key: string, ...args: (string | number)[]): string {
  return t(pluralKey(table, key, n), ...args);
}

/** The key of the string for `n` things: `${key}One` for exactly one when the table has it, else `key`. */
export function pluralKey(strings: Record<string, string>, key: string, n: number): string {
  return n === 1 && strings[`${key}One`] !== undefined ? `${key}One` : key;
}

/** A string with {0}, {1}... filled in (a placeholder without a value stays as it is). */
export function fill(template: string, args: readonly (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (whole, i: string) =>
    args[Number(i)] !== undefined ? String(args[Number(i)]) : whole,
  );
}
