/**
 * Auto-reply regexes on a linear-time engine (re2js, the pure-JavaScript port of RE2): a pattern written
 * in JavaScript syntax is checked, translated to RE2 syntax and compiled, so no input a peer sends can make
 * matching backtrack catastrophically. What RE2 cannot do in linear time (backreferences, lookahead) is
 * refused with a sentence; the rest keeps JavaScript's meaning where the two differ cheaply ('.', '\s').
 */
import { RE2JS } from 're2js';
import { SocketLabError } from '../shared/errors';

/** A compiled pattern: a fast yes/no, and the groups of the first match when a reply needs them. */
export interface LinearRegex {
  /** True when the pattern matches somewhere in `text` (the engine's DFA, no groups). */
  test(text: string): boolean;
  /** The first match with its groups ($& = [0], $1 = [1]...; null for a group that did not take part), or null. */
  exec(text: string): ArrayLike<string | null | undefined> | null;
}

/** The regex flags an auto-reply rule may use: i (ignore case), m (multi-line ^ $), s (dot matches newlines), u. */
export const LINEAR_REGEX_FLAGS = 'imsu';

/** Characters JavaScript's \s matches (RE2's \s is only [\t\n\f\r ]). */
const JS_SPACE =
  '\\t\\n\\v\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';
/** What JavaScript's '.' matches without the s flag: anything but a line terminator (RE2's: anything but \n). */
const JS_DOT = '[^\\n\\r\\x{2028}\\x{2029}]';

/**
 * Compiles `pattern` with `flags` for `field` ('autoReply.rules[0].regex'); throws 'invalidAutoReply'
 * naming the field and what is not supported, or quoting the syntax error.
 */
export function compileLinearRegex(pattern: string, flags: string, field: string): LinearRegex {
  const flagsField = field.replace(/\.regex$/, '.flags');
  if (flags.includes('v')) {
    throw SocketLabError.create(
      'regexUnsupported',
      '{field}: the v flag (Unicode sets) is not supported by the linear-time regex engine; use u instead.',
      { field: flagsField, flag: 'v' },
    );
  }
  // JavaScript's own parser first: a pattern that is not valid JavaScript gets V8's sentence, as users expect.
  try {
    new RegExp(pattern, flags);
  } catch (err) {
    throw SocketLabError.create('invalidAutoReply', '{field}: {regexError}.', {
      field,
      regexError: (err as Error).message.replace(/\.$/, ''),
    });
  }
  const translated = toRe2Syntax(pattern, flags.includes('s'), field);
  let options = 0;
  if (flags.includes('i')) options |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) options |= RE2JS.MULTILINE;
  if (flags.includes('s')) options |= RE2JS.DOTALL;
  if (/\(\?<[=!]/.test(pattern)) options |= RE2JS.LOOKBEHINDS;
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(RE2JS.translateRegExp(translated), options);
  } catch (err) {
    throw SocketLabError.create(
      'regexUnsupported',
      '{field}: the linear-time regex engine cannot run this pattern ({problem}); see the README for what differs from JavaScript.',
      { field, problem: (err as Error).message.replace(/^error parsing regexp: /, '') },
    );
  }
  // findSubmatch runs the engine once for the match and its groups (exec runs it twice, and builds a
  // Matcher and a RegExpExecArray per call); a group that took no part comes back as null.
  const engine = compiled.re2();
  return {
    test: (text) => compiled.test(text),
    exec: (text) => engine.findSubmatch(text) as Array<string | null> | null,
  };
}

/** Refuses what RE2 cannot run and rewrites what it reads differently; `dotAll` is the s flag. */
function toRe2Syntax(pattern: string, dotAll: boolean, field: string): string {
  const unsupported = (what: string, example: string) =>
    SocketLabError.create(
      'regexUnsupported',
      '{field}: {what} such as {example} cannot run in linear time, so auto-reply rules do not support it; rewrite the pattern without it.',
      { field, what, example },
    );
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') {
      const next = pattern[i + 1] ?? '';
      if (inClass) {
        out += next === 'b' ? '\\x08' : next === 's' ? JS_SPACE : ch + next;
      } else if (next >= '1' && next <= '9') {
        throw unsupported('a backreference', `\\${next}`);
      } else if (next === 'k' && pattern[i + 2] === '<') {
        throw unsupported('a named backreference', '\\k<name>');
      } else if (next === 's' || next === 'S') {
        out += next === 's' ? `[${JS_SPACE}]` : `[^${JS_SPACE}]`;
      } else {
        out += ch + next;
      }
      i++;
    } else if (inClass) {
      if (ch === ']') inClass = false;
      out += ch;
    } else if (ch === '[') {
      inClass = true;
      out += ch;
      // A ']' right after '[' or '[^' closes nothing in RE2 but ends an empty class in JavaScript.
      if (pattern[i + 1] === '^') out += pattern[++i];
      if (pattern[i + 1] === ']') {
        out = out.endsWith('[^') ? out.slice(0, -2) + '[\\x00-\\x{10FFFF}]' : out.slice(0, -1) + '[^\\x00-\\x{10FFFF}]';
        inClass = false;
        i++;
      }
    } else if (ch === '(' && pattern[i + 1] === '?' && (pattern[i + 2] === '=' || pattern[i + 2] === '!')) {
      throw unsupported('a lookahead', `(?${pattern[i + 2]}…)`);
    } else if (ch === '.' && !dotAll) {
      out += JS_DOT;
    } else {
      out += ch;
    }
  }
  return out;
}
