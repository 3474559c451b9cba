/**
 * Auto-reply of TCP and UDP listeners: echo, a fixed reply (the seed's PHP server answering
 * "我是返回的数据"), or rules matched on what arrives. A spec comes from a command argument or the
 * panel, so it is validated from an unknown shape and compiled once into a plain function.
 */
import * as vm from 'vm';
import { AUTO_REPLY_MODES } from '../shared/autoReplySpec';
import { SocketLabError, isSocketLabError } from '../shared/errors';
import { TextSegment, decodeText, encodePayload, encodeTextSegments, parseTextSegments } from './codec';
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
  /** Told when a rule cannot produce its reply (regex over its time budget, a capture the reply encoding cannot encode); the message then gets no reply. */
  onError?: (error: SocketLabError) => void;
}

/**
 * Only the first 64 KiB of a message are decoded for contains/regex rules, and a regex gets at most
 * REGEX_TIME_LIMIT_MS per message: together they bound the cost of a catastrophic pattern such as
 * /(a+)+$/ on hostile input (which would otherwise block the extension host).
 */
export const AUTO_REPLY_MATCH_LIMIT = 64 * 1024;

/** Time budget of one regex match, in milliseconds (enforced by running it under vm's timeout). */
export const REGEX_TIME_LIMIT_MS = 100;

/** Messages on which a rule's regex may run out of its time budget before the rule is skipped for good. */
export const REGEX_MAX_TIMEOUTS = 3;

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

/** A checked reply: text replies of regex rules keep their template; every other reply is encoded once. */
type CompiledReply =
  { bytes: Uint8Array } | { template: Array<TextSegment | number>; encoding: string; ending: Uint8Array };

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
  const template: Array<TextSegment | number> = [];
  let last = 0;
  CAPTURE.lastIndex = 0;
  for (let match = CAPTURE.exec(data); match; match = CAPTURE.exec(data)) {
    template.push(
      ...within(`${field}.data`, () => parseTextSegments(data.slice(last, match!.index), escapes !== false)),
    );
    template.push(match[1] === '$' ? -1 : match[1] === '&' ? 0 : Number(match[1]));
    last = match.index + match[0].length;
  }
  template.push(...within(`${field}.data`, () => parseTextSegments(data.slice(last), escapes !== false)));
  const ending = encodePayload({ data: '', encoding: name, lineEnding: lineEnding as LineEnding | undefined });
  return { template, encoding: name, ending };
}

type Matcher = (data: Uint8Array, text: () => string) => RegExpExecArray | boolean | null;

const regexScript = new vm.Script('regex.lastIndex = 0, regex.exec(text)');

function compileRule(value: unknown, field: string, encoding: string): { match: Matcher; reply: CompiledReply } {
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
      '{field}: must be a string of the regex flags i, m, s, u or v, and only with regex (got {value}).',
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
    let regex: RegExp;
    try {
      regex = new RegExp(pattern, (value.flags as string | undefined) ?? '');
    } catch (err) {
      // V8's own sentence ('Invalid regular expression: /(/: Unterminated group') is quoted as it is.
      throw SocketLabError.create('invalidAutoReply', '{field}: {regexError}.', {
        field: `${field}.regex`,
        regexError: (err as Error).message.replace(/\.$/, ''),
      });
    }
    const context = vm.createContext({ regex, text: '' });
    match = (_data, text) => {
      context.text = text();
      try {
        return regexScript.runInContext(context, { timeout: REGEX_TIME_LIMIT_MS }) as RegExpExecArray | null;
      } finally {
        context.text = '';
      }
    };
  }
  return { match, reply: compileReply(value.reply, `${field}.reply`, encoding, key === 'regex') };
}

function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

function renderReply(reply: CompiledReply, found: RegExpExecArray | boolean | null): Uint8Array {
  if ('bytes' in reply) {
    return copy(reply.bytes);
  }
  const groups = Array.isArray(found) ? found : [];
  const segments: TextSegment[] = reply.template.map((part) => {
    if (typeof part !== 'number') {
      return part;
    }
    const text = part < 0 ? '$' : (groups[part] ?? '');
    return { kind: 'text', text, pieces: [{ text, source: 0 }] };
  });
  const body = encodeTextSegments(segments, reply.encoding);
  const out = new Uint8Array(body.length + reply.ending.length);
  out.set(body);
  out.set(reply.ending, body.length);
  return out;
}

/**
 * Validates a spec coming from a command argument or the panel (unknown shape) and compiles it;
 * throws SocketLabError 'invalidAutoReply' naming the field (e.g. 'autoReply.rules[2].regex:
 * Invalid regular expression ...'). Each rule has exactly one matcher; an empty matcher matches
 * every message (a catch-all last rule). Returns undefined for 'off' or an undefined/null spec.
 *
 * Matching: rules are tried in order and the first match wins. contains = substring of the text
 * decoded with the spec's `encoding` (default utf8); hex = the message STARTS WITH those bytes;
 * regex = JS regex on the decoded text, whose reply (text format only) may use $1..$9, $& and $$.
 * Text is decoded from the first AUTO_REPLY_MATCH_LIMIT bytes only, and a regex gets
 * REGEX_TIME_LIMIT_MS per message (over budget = no reply, reported to options.onError); after
 * REGEX_MAX_TIMEOUTS such messages the rule is skipped for good (a peer cannot keep the host busy).
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
  // A peer that keeps sending input a rule's regex chokes on would cost the extension host the full time
  // budget per message, forever: after REGEX_MAX_TIMEOUTS such messages the rule is skipped.
  const timeouts = new Array<number>(rules.length).fill(0);
  return (data) => {
    let decoded: string | undefined;
    // Decoded lazily and once: hex-only rule sets never pay for it.
    const text = () =>
      (decoded ??= decodeText(
        data.length > AUTO_REPLY_MATCH_LIMIT ? data.subarray(0, AUTO_REPLY_MATCH_LIMIT) : data,
        encoding,
      ));
    for (let index = 0; index < rules.length; index++) {
      if (timeouts[index] >= REGEX_MAX_TIMEOUTS) continue;
      const rule = rules[index];
      try {
        const found = rule.match(data, text);
        if (found) {
          return renderReply(rule.reply, found);
        }
      } catch (err) {
        const disabled = !isSocketLabError(err) && ++timeouts[index] >= REGEX_MAX_TIMEOUTS;
        const error = isSocketLabError(err)
          ? invalidWithin(`autoReply.rules[${index}].reply`, err)
          : disabled
            ? SocketLabError.create(
                'autoReplyRegexDisabled',
                '{field} took longer than {limit} ms on {count} messages and is now skipped; simplify the pattern and set the auto-reply again.',
                { field: `autoReply.rules[${index}].regex`, limit: REGEX_TIME_LIMIT_MS, count: REGEX_MAX_TIMEOUTS },
              )
            : SocketLabError.create(
                'autoReplyRegexTimeout',
                '{field} took longer than {limit} ms on a message and was skipped; simplify the pattern.',
                { field: `autoReply.rules[${index}].regex`, limit: REGEX_TIME_LIMIT_MS },
              );
        options.onError?.(error);
        return undefined;
      }
    }
    return undefined;
  };
}
