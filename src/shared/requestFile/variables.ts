/**
 * `{{name}}` references in request files: finding them in a line, checking names and built-ins, and
 * expanding them. Built-ins that need the platform (time, randomness, the process environment) get it
 * from a BuiltinContext, so this file stays free of Node.
 */
import { SocketLabError } from '../errors';
import { describeValue } from '../payload';

/** A piece of a template: literal text, or a reference `{{name}}` / `{{$builtin args}}`. */
export type TemplatePart =
  | { kind: 'text'; text: string; offset: number }
  | { kind: 'ref'; name: string; args: string[]; offset: number; length: number };

/** A problem found in a template, at `offset` (0-based, in UTF-16 units) for `length` units. */
export interface TemplateProblem {
  offset: number;
  length: number;
  error: SocketLabError;
}

/** The built-in variables, each with the number of arguments it takes. */
export const BUILTIN_VARIABLES: Readonly<Record<string, number>> = {
  $counter: 0,
  $timestamp: 0,
  $isoTime: 0,
  $randomInt: 2,
  $uuid: 0,
  $env: 1,
};

/** What a name of a variable, a capture or an `@` line may look like. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** The platform behind the built-ins; the runner gives one per run (the counter counts per run). */
export interface BuiltinContext {
  /** The next value of `{{$counter}}` (1, 2, 3... in a run). */
  nextCounter(): number;
  /** Epoch milliseconds. */
  now(): number;
  /** A random integer in [min, max). */
  randomInt(min: number, max: number): number;
  uuid(): string;
  /** A process environment variable, undefined when it is not set. */
  env(name: string): string | undefined;
}

function problem(offset: number, length: number, error: SocketLabError): TemplateProblem {
  return { offset, length, error };
}

/** Checks the inside of one `{{...}}` (already split into words); undefined when it is fine. */
function checkReference(name: string, args: string[]): SocketLabError | undefined {
  if (name.startsWith('$')) {
    if (!Object.prototype.hasOwnProperty.call(BUILTIN_VARIABLES, name)) {
      return SocketLabError.create('unknownBuiltin', 'Built-in variable must be one of {allowed} (got {value}).', {
        value: describeValue(name),
        allowed: Object.keys(BUILTIN_VARIABLES).join(', '),
      });
    }
    const wanted = BUILTIN_VARIABLES[name];
    if (args.length !== wanted) {
      return SocketLabError.create('builtinArguments', '{name} takes {wanted} argument(s) (got {count}).', {
        name,
        wanted,
        count: args.length,
      });
    }
    if (name === '$randomInt') {
      const [min, max] = args.map((a) => (/^-?[0-9]{1,15}$/.test(a) ? Number(a) : NaN));
      if (!Number.isInteger(min) || !Number.isInteger(max) || min >= max) {
        return SocketLabError.create(
          'builtinArguments',
          '$randomInt takes two whole numbers MIN and MAX with MIN below MAX (got {value}).',
          { value: describeValue(args.join(' ')) },
        );
      }
    }
    return undefined;
  }
  if (!VARIABLE_NAME.test(name) || args.length) {
    return SocketLabError.create(
      'badVariableName',
      'Variable name must start with a letter or _ and hold only letters, digits, _, . and - (got {value}).',
      { value: describeValue([name, ...args].join(' ')) },
    );
  }
  return undefined;
}

/** Splits `text` into literal text and `{{...}}` references, with every problem found (never throws). */
export function parseTemplate(text: string): { parts: TemplatePart[]; problems: TemplateProblem[] } {
  const parts: TemplatePart[] = [];
  const problems: TemplateProblem[] = [];
  let at = 0;
  while (at < text.length) {
    const open = text.indexOf('{{', at);
    if (open < 0) {
      parts.push({ kind: 'text', text: text.slice(at), offset: at });
      break;
    }
    if (open > at) {
      parts.push({ kind: 'text', text: text.slice(at, open), offset: at });
    }
    const close = text.indexOf('}}', open + 2);
    if (close < 0) {
      problems.push(
        problem(
          open,
          text.length - open,
          SocketLabError.create('unclosedVariable', 'A variable reference {{ must end with }} (got {value}).', {
            value: describeValue(text.slice(open)),
          }),
        ),
      );
      parts.push({ kind: 'text', text: text.slice(open), offset: open });
      break;
    }
    const words = text
      .slice(open + 2, close)
      .trim()
      .split(/\s+/)
      .filter((w) => w !== '');
    const [name = '', ...args] = words;
    const length = close + 2 - open;
    const error = checkReference(name, args);
    if (error) {
      problems.push(problem(open, length, error));
    }
    parts.push({ kind: 'ref', name, args, offset: open, length });
    at = close + 2;
  }
  return { parts, problems };
}

/** True when `text` holds a `{{` (so it can only be checked once its variables have values). */
export function hasReferences(text: string): boolean {
  return text.includes('{{');
}

/** The value of a (checked) built-in reference; undefined for `{{$env NAME}}` of an unset variable. */
export function evaluateBuiltin(name: string, args: string[], context: BuiltinContext): string | undefined {
  switch (name) {
    case '$counter':
      return String(context.nextCounter());
    case '$timestamp':
      return String(context.now());
    case '$isoTime':
      return new Date(context.now()).toISOString();
    case '$randomInt':
      return String(context.randomInt(Number(args[0]), Number(args[1])));
    case '$uuid':
      return context.uuid();
    default:
      return context.env(args[0]);
  }
}

/** The error of a reference to a variable that has no value. */
export function unknownVariable(name: string): SocketLabError {
  return SocketLabError.create(
    'unknownVariable',
    'Variable {name} has no value here; define it with @{name} = ... above, capture it in an earlier expect, or pass it with --var or an environment.',
    { name },
  );
}

/** The result of expandTemplate: the text, or the first reference that failed and why. */
export type Expansion = { text: string } | { error: SocketLabError; offset: number; length: number };

/** Expands every reference of `parts` with `lookup` (variables) and `context` (built-ins); never throws. */
export function expandTemplate(
  parts: readonly TemplatePart[],
  lookup: (name: string) => string | undefined,
  context: BuiltinContext,
): Expansion {
  let text = '';
  for (const part of parts) {
    if (part.kind === 'text') {
      text += part.text;
      continue;
    }
    const error = checkReference(part.name, part.args);
    if (error) {
      return { error, offset: part.offset, length: part.length };
    }
    if (part.name.startsWith('$')) {
      const value = evaluateBuiltin(part.name, part.args, context);
      if (value === undefined) {
        return {
          error: SocketLabError.create('unknownVariable', 'The environment variable {name} is not set.', {
            name: part.args[0],
          }),
          offset: part.offset,
          length: part.length,
        };
      }
      text += value;
      continue;
    }
    const value = lookup(part.name);
    if (value === undefined) {
      return { error: unknownVariable(part.name), offset: part.offset, length: part.length };
    }
    text += value;
  }
  return { text };
}
