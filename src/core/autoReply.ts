/**
 * Auto-reply of TCP and UDP listeners: echo, a fixed reply (the seed's PHP server answering
 * "我是返回的数据"), or rules matched on what arrives. A spec comes from a command argument or the
 * panel, so it is validated from an unknown shape and compiled once into a plain function.
 */
import { performance } from 'perf_hooks';
import { AUTO_REPLY_MODES } from '../shared/autoReplySpec';
import { SocketLabError, isSocketLabError } from '../shared/errors';
import { AUTO_REPLY_MATCH_MAX_BYTES } from '../shared/limits';
import { TextSegment, concatBytes, decodeText, encodePayload, encodeTextSegments, parseTextSegments } from './codec';
import { compileLinearRegex } from './linearRegex';
import { DEFAULT_REGEX_BUDGET, RegexBudget, type RegexBudgetLimits } from './regexBudget';
import {
  LINE_ENDINGS,
  PAYLOAD_FORMATS,
  LineEnding,
  PayloadFormat,
  describeValue,
  normalizeEncoding,
} from '../shared/payload';

/** Given received bytes, returns the bytes to answer or undefined. Never throws. */
export type AutoReplyFn = (data: Uint8Array) => Uint8Array | undefined;

/** Options of compileAutoReply. */
export interface AutoReplyOptions {
  /**
   * Told when a rule costs too much or cannot produce its reply: a regex slow on a message
   * ('autoReplyRegexSlow'), a rule switched off ('autoReplyRuleOff', values.rule = its index), a capture
   * the reply encoding cannot encode ('invalidAutoReply'; that message gets no reply).
   */
  onError?: (error: SocketLabError) => void;
  /** The regex CPU budget (default: the limits of src/shared/limits.ts). */
  budget?: RegexBudgetLimits;
}

/**
 * Only the first 64 KiB of a message are decoded for contains/regex rules; regexes run on a linear-time
 * engine under a CPU budget (src/core/regexBudget.ts), so hostile input cannot block the extension host.
 */
export const AUTO_REPLY_MATCH_LIMIT = AUTO_REPLY_MATCH_MAX_BYTES;

/** Time budget of a request file's regex expect, which still runs JavaScript's engine under vm's timeout (ms). */
export const REGEX_TIME_LIMIT_MS = 100;

const MATCHERS = ['contains', 'hex', 'regex'] as const;

/**
 * 'invalidAutoReply' quoting the error `cause` of a part of the spec ('autoReply.data: Hex payload has...'):
 * the cause's sentence is the `problem` value (the host localizes it on its own), its code is `cause`
 * and its values are kept.
 */
function invalidWithin(field: string, cause: SocketLabError): SocketLabError {
  const values: Record<string, string | number> = { field, cause: cause.code };
  for (const [key, value] of Object.entries(cause.values)) {
    values[key] ??= value;
  }
  values.problem = cause.message;
  return SocketLabError.create('invalidAutoReply', '{field}: {problem}', values, undefined, cause);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Runs `fn`, turning a SocketLabError into 'invalidAutoReply' prefixed with the field it came from. */
function within<T>(field: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isSocketLabError(err)) {
      throw invalidWithin(field, err);
    }
    throw err;
  }
}

/**
 * A checked reply, encoded once. A text reply of a regex rule that uses captures keeps its literal parts
 * encoded and a group number (0 = $&) for each capture, so a message pays only for encoding what it captured.
 */
type CompiledReply = { bytes: Uint8Array } | { template: Array<Uint8Array | number>; encoding: string };

const CAPTURE = /\$(\$|&|[1-9])/g;

function compileReply(value: unknown, field: string, defaultEncoding: string, withCaptures: boolean): CompiledReply {
  if (!isRecord(value)) {
    throw SocketLabError.create('invalidAutoReply', '{field}: must be an object with a data string (got {value}).', {
      field,
      value: describeValue(value),
    });
  }
  if (typeof value.data !== 'string') {
    throw SocketLabError.create('invalidAutoReply', '{field}: must be a string (got {value}).', {
      field: `${field}.data`,
      value: describeValue(value.data),
    });
  }
  const { data, format, encoding, escapes, lineEnding } = value;
  if (format !== undefined && !PAYLOAD_FORMATS.includes(format as PayloadFormat)) {
    within(`${field}.format`, () => encodePayload({ data: '', format: format as PayloadFormat }));
  }
  if (lineEnding !== undefined && !LINE_ENDINGS.includes(lineEnding as LineEnding)) {
    within(`${field}.lineEnding`, () => encodePayload({ data: '', lineEnding: lineEnding as LineEnding }));
  }
  if (escapes !== undefined && typeof escapes !== 'boolean') {
    throw SocketLabError.create('invalidAutoReply', '{field}: must be true or false (got {value}).', {
      field: `${field}.escapes`,
      value: describeValue(escapes),
    });
  }
  const name = within(`${field}.encoding`, () =>
    normalizeEncoding(encoding === undefined ? defaultEncoding : (encoding as string)),
  );
  const spec = {
    data,
    format: format as PayloadFormat | undefined,
    encoding: name,
    escapes: escapes as boolean | undefined,
    lineEnding: lineEnding as LineEnding | undefined,
  };
  // Encoding now validates data, escapes and line ending for every kind of reply.
  const bytes = within(`${field}.data`, () => encodePayload(spec));
  if (!withCaptures || (format ?? 'text') !== 'text' || !/\$(\$|&|[1-9])/.test(data)) {
    return { bytes };
  }
  // Captures are spliced in as plain text after escapes are parsed, so a captured backslash stays
  // a backslash instead of starting an escape.
  const segments: Array<TextSegment | number> = [];
  let last = 0;
  CAPTURE.lastIndex = 0;
  for (let match = CAPTURE.exec(data); match; match = CAPTURE.exec(data)) {
    segments.push(
      ...within(`${field}.data`, () => parseTextSegments(data.slice(last, match!.index), escapes !== false)),
    );
    if (match[1] === '$') {
      segments.push({ kind: 'text', text: '$', pieces: [{ text: '$', source: match.index }] });
    } else {
      segments.push(match[1] === '&' ? 0 : Number(match[1]));
    }
    last = match.index + match[0].length;
  }
  segments.push(...within(`${field}.data`, () => parseTextSegments(data.slice(last), escapes !== false)));
  const ending = encodePayload({ data: '', encoding: name, lineEnding: lineEnding as LineEnding | undefined });
  const template: Array<Uint8Array | number> = [];
  for (const segment of segments) {
    if (typeof segment === 'number') {
      template.push(segment);
      continue;
    }
    const bytes = encodeTextSegments([segment], name);
    const previous = template.at(-1);
    // Neighbouring literal parts are joined, so a message concatenates as few pieces as possible.
    template[template.length - (typeof previous === 'object' ? 1 : 0)] =
      typeof previous === 'object' ? Buffer.concat([previous, bytes]) : bytes;
  }
  if (ending.length > 0) template.push(ending);
  return { template, encoding: name };
}

type Found = ArrayLike<string | null | undefined> | boolean | null;
type Matcher = (data: Uint8Array, text: () => string) => Found;

interface CompiledRule {
  match: Matcher;
  reply: CompiledReply;
  /** Regex rules are timed against the budget; contains and hex rules cost microseconds. */
  isRegex: boolean;
}

function compileRule(value: unknown, field: string, encoding: string): CompiledRule {
  if (!isRecord(value)) {
    throw SocketLabError.create(
      'invalidAutoReply',
      '{field}: must be an object with one matcher (contains, hex or regex) and a reply (got {value}).',
      {
        field,
        value: describeValue(value),
      },
    );
  }
  const present = MATCHERS.filter((key) => value[key] !== undefined);
  if (present.length === 0) {
    throw SocketLabError.create(
      'invalidAutoReply',
      '{field}: must have exactly one of contains, hex or regex (it has none).',
      { field },
    );
  }
  if (present.length === 2) {
    throw SocketLabError.create(
      'invalidAutoReply',
      '{field}: must have exactly one of contains, hex or regex (it has {first} and {second}).',
      {
        field,
        first: present[0],
        second: present[1],
      },
    );
  }
  if (present.length > 2) {
    throw SocketLabError.create(
      'invalidAutoReply',
      '{field}: must have exactly one of contains, hex or regex (it has all three).',
      { field },
    );
  }
  const key = present[0];
  const pattern = value[key];
  if (typeof pattern !== 'string') {
    throw SocketLabError.create('invalidAutoReply', '{field}: must be a string (got {value}).', {
      field: `${field}.${key}`,
      value: describeValue(pattern),
    });
  }
  if (
    value.flags !== undefined &&
    (key !== 'regex' || typeof value.flags !== 'string' || !/^[imsuv]*$/.test(value.flags))
  ) {
    throw SocketLabError.create(
      'invalidAutoReply',
      '{field}: must be a string of the regex flags i, m, s or u, and only with regex (got {value}).',
      {
        field: `${field}.flags`,
        value: describeValue(value.flags),
      },
    );
  }
  let match: Matcher;
  if (key === 'contains') {
    match = (_data, text) => text().includes(pattern);
  } else if (key === 'hex') {
    const prefix = within(`${field}.hex`, () => encodePayload({ data: pattern, format: 'hex' }));
    match = (data) => {
      if (data.length < prefix.length) {
        return false;
      }
      for (let i = 0; i < prefix.length; i++) {
        if (data[i] !== prefix[i]) {
          return false;
        }
      }
      return true;
    };
  } else {
    const regex = compileLinearRegex(pattern, (value.flags as string | undefined) ?? '', `${field}.regex`);
    const reply = compileReply(value.reply, `${field}.reply`, encoding, true);
    // The DFA answers yes or no fast; the groups are worked out only for a match whose reply uses them.
    match = 'template' in reply ? (_data, text) => regex.exec(text()) : (_data, text) => regex.test(text());
    return { match, reply, isRegex: true };
  }
  return { match, reply: compileReply(value.reply, `${field}.reply`, encoding, false), isRegex: false };
}

function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** Characters a capture may hold that no encoding can write (a lone half of a surrogate pair). */
const LONE_SURROGATE = /\p{Cs}/u;

/** The bytes of a captured text in the reply's encoding; throws 'notEncodable' like any reply text. */
function encodeCapture(text: string, encoding: string): Uint8Array {
  if (encoding === 'utf8' && !LONE_SURROGATE.test(text)) {
    return Buffer.from(text, 'utf8');
  }
  return encodeTextSegments([{ kind: 'text', text, pieces: [{ text, source: 0 }] }], encoding);
}

function renderReply(reply: CompiledReply, found: Found): Uint8Array {
  if ('bytes' in reply) {
    return copy(reply.bytes);
  }
  const groups: ArrayLike<string | null | undefined> = typeof found === 'object' && found !== null ? found : [];
  const parts = reply.template.map((part) =>
    typeof part === 'number' ? encodeCapture(groups[part] ?? '', reply.encoding) : part,
  );
  return concatBytes(parts);
}

/**
 * Validates a spec coming from a command argument or the panel (unknown shape) and compiles it;
 * throws SocketLabError 'invalidAutoReply' naming the field (e.g. 'autoReply.rules[2].regex:
 * Invalid regular expression ...'). Each rule has exactly one matcher; an empty matcher matches
 * every message (a catch-all last rule). Returns undefined for 'off' or an undefined/null spec.
 *
 * Matching: rules are tried in order and the first match wins. contains = substring of the text
 * decoded with the spec's `encoding` (default utf8); hex = the message STARTS WITH those bytes;
 * regex = a JavaScript-syntax pattern run by a linear-time engine (src/core/linearRegex.ts) on the decoded
 * text, whose reply (text format only) may use $1..$9, $& and $$. Text is decoded from the first
 * AUTO_REPLY_MATCH_LIMIT bytes only. Regex rules are timed (src/core/regexBudget.ts): a rule slow on
 * REGEX_MAX_STRIKES messages, or the costliest rule once the endpoint's rules used more than their CPU
 * budget in a window, is switched off and reported to options.onError (a peer cannot keep the host busy).
 * fixed: the payload encoded once here. echo: a copy of the received bytes.
 */
export function compileAutoReply(spec: unknown, options: AutoReplyOptions = {}): AutoReplyFn | undefined {
  if (spec === undefined || spec === null) {
    return undefined;
  }
  if (!isRecord(spec)) {
    throw SocketLabError.create(
      'invalidAutoReply',
      '{field}: must be an object whose mode is off, echo, fixed or rules (got {value}).',
      { field: 'autoReply', value: describeValue(spec) },
    );
  }
  if (!(AUTO_REPLY_MODES as readonly unknown[]).includes(spec.mode)) {
    throw SocketLabError.create('invalidAutoReply', '{field}: must be one of {allowed} (got {value}).', {
      field: 'autoReply.mode',
      allowed: AUTO_REPLY_MODES.join(', '),
      value: describeValue(spec.mode),
    });
  }
  switch (spec.mode) {
    case 'off':
      return undefined;
    case 'echo':
      return (data) => copy(data);
    case 'fixed': {
      const reply = compileReply(spec, 'autoReply', 'utf8', false) as { bytes: Uint8Array };
      return () => copy(reply.bytes);
    }
  }
  const encoding = within('autoReply.encoding', () =>
    normalizeEncoding(spec.encoding === undefined ? 'utf8' : (spec.encoding as string)),
  );
  if (!Array.isArray(spec.rules)) {
    throw SocketLabError.create('invalidAutoReply', '{field}: must be an array of rules (got {value}).', {
      field: 'autoReply.rules',
      value: describeValue(spec.rules),
    });
  }
  const rules = spec.rules.map((rule, index) => compileRule(rule, `autoReply.rules[${index}]`, encoding));
  const limits = options.budget ?? DEFAULT_REGEX_BUDGET;
  const budget = new RegexBudget(rules.length, limits);
  const off = new Array<boolean>(rules.length).fill(false);
  const report = (error: SocketLabError) => options.onError?.(error);
  return (data) => {
    let decoded: string | undefined;
    // Decoded lazily and once: hex-only rule sets never pay for it.
    const text = () =>
      (decoded ??= decodeText(
        data.length > AUTO_REPLY_MATCH_LIMIT ? data.subarray(0, AUTO_REPLY_MATCH_LIMIT) : data,
        encoding,
      ));
    for (let index = 0; index < rules.length; index++) {
      if (off[index]) continue;
      const rule = rules[index];
      let found: Found;
      if (rule.isRegex) {
        text(); // decoding is not the rule's cost
        const start = performance.now();
        found = rule.match(data, text);
        let end = performance.now();
        let ms = end - start;
        if (ms > limits.messageMs) {
          // Wall time also counts a garbage collection or the OS running another process: a match is
          // slow only if it is slow twice in a row (a real slow pattern costs that twice, at most maxStrikes times).
          const again = performance.now();
          rule.match(data, text);
          end = performance.now();
          ms = Math.min(ms, end - again);
        }
        const verdict = budget.charge(index, ms, end);
        if (verdict.kind === 'slow') report(slowError(index, verdict.ms, limits));
        if (verdict.kind === 'off') {
          off[verdict.rule] = true;
          report(ruleOffError(verdict.rule, verdict.reason, verdict.usedMs, limits));
        }
      } else {
        found = rule.match(data, text);
      }
      if (!found) continue;
      try {
        return renderReply(rule.reply, found);
      } catch (err) {
        if (!isSocketLabError(err)) throw err;
        report(invalidWithin(`autoReply.rules[${index}].reply`, err));
        return undefined;
      }
    }
    return undefined;
  };
}

/** 'autoReplyRegexSlow': one match took longer than a message's budget (a strike against the rule). */
function slowError(rule: number, ms: number, limits: RegexBudgetLimits): SocketLabError {
  return SocketLabError.create(
    'autoReplyRegexSlow',
    '{field} took {ms} ms on one message, more than the {limit} ms a message may take; simplify the pattern.',
    { field: `autoReply.rules[${rule}].regex`, rule, ms: Math.round(ms), limit: limits.messageMs },
  );
}

/** 'autoReplyRuleOff': the rule is switched off until the auto-reply is set again, and why. */
function ruleOffError(
  rule: number,
  reason: 'strikes' | 'endpoint',
  usedMs: number,
  limits: RegexBudgetLimits,
): SocketLabError {
  const field = `autoReply.rules[${rule}].regex`;
  return reason === 'strikes'
    ? SocketLabError.create(
        'autoReplyRuleOff',
        '{field} took longer than {limit} ms on {count} messages and is switched off; simplify the pattern and set the auto-reply again.',
        { field, rule, reason, limit: limits.messageMs, count: limits.maxStrikes },
      )
    : SocketLabError.create(
        'autoReplyRuleOff',
        '{field} used {used} ms of CPU within {window} ms on this socket, more than the {limit} ms allowed, and is switched off; simplify the pattern and set the auto-reply again.',
        { field, rule, reason, used: Math.round(usedMs), window: limits.windowMs, limit: limits.endpointMs },
      );
}
