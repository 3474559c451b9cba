/**
 * The pieces every statement line is read with: where problems go (a line's context), `key=value` options,
 * milliseconds, `{{...}}` references, and the `KEYWORD SPEC VALUE` split, each reporting at its column.
 */
import { SocketLabError } from '../errors';
import { REQUEST_TIMEOUT_MAX_MS } from '../limits';
import { describeValue, normalizeEncoding } from '../payload';
import { parseTemplate } from './variables';

/** A problem at a place in the file: 1-based line and column, `length` UTF-16 units long (at least 1). */
export interface RequestFileProblem {
  line: number;
  column: number;
  length: number;
  error: SocketLabError;
}

/** The place in a line being parsed: its number, and a sink for problems. */
export class LineContext {
  readonly problems: RequestFileProblem[] = [];
  constructor(readonly line: number) {}
  /** Records a problem at `column` (1-based), `length` units long. */
  report(column: number, length: number, error: SocketLabError): void {
    this.problems.push({ line: this.line, column, length: Math.max(1, length), error });
  }
}

/** One `key=value` option and where it starts. */
export interface OptionToken {
  key: string;
  value: string;
  column: number;
  length: number;
}

/** Reads `key=value` options (from a spec's `;` list or a connect line's words), refusing unknown and repeated keys. */
export function readOptions(
  ctx: LineContext,
  pieces: Array<{ text: string; column: number }>,
  allowed: readonly string[],
  statement: string,
): Map<string, OptionToken> {
  const options = new Map<string, OptionToken>();
  for (const { text, column } of pieces) {
    const eq = text.indexOf('=');
    const key = eq < 0 ? text : text.slice(0, eq);
    if (eq < 0 || !allowed.includes(key)) {
      ctx.report(
        column,
        text.length,
        allowed.length
          ? SocketLabError.create(
              'unknownOption',
              'Option of {statement} must be one of {allowed}, written key=value (got {value}).',
              { statement, allowed: allowed.join(', '), value: describeValue(text) },
            )
          : SocketLabError.create('unknownOption', '{statement} takes no options (got {value}).', {
              statement,
              value: describeValue(text),
            }),
      );
      continue;
    }
    if (options.has(key)) {
      ctx.report(
        column,
        text.length,
        SocketLabError.create('duplicateOption', 'Option {option} is given twice.', { option: key }),
      );
      continue;
    }
    options.set(key, { key, value: text.slice(eq + 1), column, length: text.length });
  }
  return options;
}

/** A whole number of milliseconds from `min` to REQUEST_TIMEOUT_MAX_MS, or undefined (reported). */
export function milliseconds(
  ctx: LineContext,
  option: string,
  text: string,
  column: number,
  min = 0,
): number | undefined {
  if (/^[0-9]{1,10}$/.test(text)) {
    const n = Number(text);
    if (n >= min && n <= REQUEST_TIMEOUT_MAX_MS) return n;
  }
  ctx.report(
    column,
    text.length,
    SocketLabError.create(
      'invalidMilliseconds',
      'The {option} value must be a whole number of milliseconds from {min} to {max} (got {value}).',
      { option, min, max: REQUEST_TIMEOUT_MAX_MS, value: describeValue(text) },
    ),
  );
  return undefined;
}

/** Checks `{{...}}` references of a template at `column`. */
export function checkTemplate(ctx: LineContext, text: string, column: number): void {
  for (const p of parseTemplate(text).problems) {
    ctx.report(column + p.offset, p.length, p.error);
  }
}

/** An encoding option's value, normalized, or undefined (reported). */
export function encodingOption(ctx: LineContext, token: OptionToken | undefined): string | undefined {
  if (!token) return undefined;
  try {
    return normalizeEncoding(token.value);
  } catch (err) {
    ctx.report(token.column + 9, token.value.length, err as SocketLabError);
    return undefined;
  }
}

/** Splits `FORMAT;key=value;...` at column `column` into its head and option pieces. */
export function splitSpec(
  spec: string,
  column: number,
): { head: string; pieces: Array<{ text: string; column: number }> } {
  const parts = spec.split(';');
  const pieces: Array<{ text: string; column: number }> = [];
  let at = column + parts[0].length + 1;
  for (const text of parts.slice(1)) {
    pieces.push({ text, column: at });
    at += text.length + 1;
  }
  return { head: parts[0], pieces };
}

/** A keyword line split as `KEYWORD SPEC VALUE`: the spec is the next word, the value everything after one space. */
export function splitSpecLine(body: string, indent: number, keyword: string) {
  let at = keyword.length;
  while (body[at] === ' ' || body[at] === '\t') at++;
  const end = body.slice(at).search(/[ \t]/);
  const specEnd = end < 0 ? body.length : at + end;
  const spec = body.slice(at, specEnd);
  const hasValue = specEnd < body.length;
  return {
    spec,
    specColumn: indent + at + 1,
    value: hasValue ? body.slice(specEnd + 1) : '',
    valueColumn: indent + specEnd + (hasValue ? 2 : 1),
    hasValue,
  };
}

/** Splits a connect line into words with their columns. */
export function words(body: string, indent: number): Array<{ text: string; column: number }> {
  const out: Array<{ text: string; column: number }> = [];
  for (const m of body.matchAll(/[^ \t]+/g)) out.push({ text: m[0], column: indent + m.index! + 1 });
  return out;
}
