/**
 * Parses one statement line of a request file (connect, send, expect, wait, end, close, @name = value)
 * into its node, reporting every problem at its column. Structure (blocks, order) is parser.ts's job.
 */
import { CHECKSUM_ENDIANS, CHECKSUM_NAMES, isChecksumName, type ChecksumEndian } from '../checksum';
import { SocketLabError } from '../errors';
import { REQUEST_TIMEOUT_MAX_MS } from '../limits';
import { LINE_ENDINGS, PAYLOAD_FORMATS, describeValue, normalizeEncoding, type PayloadFormat } from '../payload';
import type { ConnectStatement, ExpectKind, ExpectStatement, SendStatement, Statement, Transport } from './ast';
import { parseFramingOption } from './framingOption';
import { VARIABLE_NAME, hasReferences, parseTemplate } from './variables';

/** A problem at a place in the file: 1-based line and column, `length` UTF-16 units long (at least 1). */
export interface RequestFileProblem {
  line: number;
  column: number;
  length: number;
  error: SocketLabError;
}

/** The statement keywords, in the order the docs list them. */
export const STATEMENT_KEYWORDS = ['connect', 'send', 'expect', 'wait', 'end', 'close'] as const;
/** How a block may connect. */
export const TRANSPORTS: readonly Transport[] = ['tcp', 'udp', 'unix', 'tls'];
/** What an expect may wait for. */
export const EXPECT_KINDS: readonly ExpectKind[] = ['text', 'hex', 'contains', 'regex', 'closed', 'silence'];
/** Regex flags an expect may use (g and y would make the pattern stateful). */
export const REGEX_FLAGS = 'imsu';

/** The place in a line being parsed: its number, and a sink for problems. */
class LineContext {
  readonly problems: RequestFileProblem[] = [];
  constructor(readonly line: number) {}
  report(column: number, length: number, error: SocketLabError): void {
    this.problems.push({ line: this.line, column, length: Math.max(1, length), error });
  }
}

interface OptionToken {
  key: string;
  value: string;
  column: number;
  length: number;
}

/** Reads `key=value` options (from a spec's `;` list or a connect line's words), refusing unknown and repeated keys. */
function readOptions(
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
function milliseconds(ctx: LineContext, option: string, text: string, column: number, min = 0): number | undefined {
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
function checkTemplate(ctx: LineContext, text: string, column: number): void {
  for (const p of parseTemplate(text).problems) {
    ctx.report(column + p.offset, p.length, p.error);
  }
}

/** An encoding option's value, normalized, or undefined (reported). */
function encodingOption(ctx: LineContext, token: OptionToken | undefined): string | undefined {
  if (!token) return undefined;
  try {
    return normalizeEncoding(token.value);
  } catch (err) {
    ctx.report(token.column + 9, token.value.length, err as SocketLabError);
    return undefined;
  }
}

/** Splits `FORMAT;key=value;...` at column `column` into its head and option pieces. */
function splitSpec(spec: string, column: number): { head: string; pieces: Array<{ text: string; column: number }> } {
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
function splitSpecLine(body: string, indent: number, keyword: string) {
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

function parseSend(ctx: LineContext, body: string, indent: number): SendStatement | undefined {
  const { spec, specColumn, value, valueColumn } = splitSpecLine(body, indent, 'send');
  const { head, pieces } = splitSpec(spec, specColumn);
  if (!PAYLOAD_FORMATS.includes(head as PayloadFormat)) {
    ctx.report(
      specColumn,
      head.length,
      SocketLabError.create('unknownFormat', 'send needs a format, one of {allowed} (got {value}).', {
        allowed: PAYLOAD_FORMATS.join(', '),
        value: describeValue(head),
      }),
    );
    return undefined;
  }
  const allowed = ['encoding', 'eol', 'checksum', 'checksum-endian'];
  const options = readOptions(ctx, pieces, allowed, 'send');
  const node: SendStatement = {
    kind: 'send',
    line: ctx.line,
    column: indent + 1,
    format: head as PayloadFormat,
    payload: value,
    payloadColumn: valueColumn,
  };
  const encoding = options.get('encoding');
  if (encoding && head !== 'text') {
    ctx.report(
      encoding.column,
      encoding.length,
      SocketLabError.create('optionNotApplicable', 'Option {option} applies to {applies} only.', {
        option: 'encoding',
        applies: 'send text',
      }),
    );
  } else {
    const name = encodingOption(ctx, encoding);
    if (name) node.encoding = name;
  }
  const eol = options.get('eol');
  if (eol) {
    if (eol.value === 'none' || !LINE_ENDINGS.includes(eol.value as never)) {
      ctx.report(
        eol.column + 4,
        eol.value.length,
        SocketLabError.create('unknownLineEnding', 'Line ending must be one of {allowed} (got {value}).', {
          allowed: 'lf, cr, crlf',
          value: describeValue(eol.value),
        }),
      );
    } else {
      node.eol = eol.value as SendStatement['eol'];
    }
  }
  const checksum = options.get('checksum');
  if (checksum) {
    if (isChecksumName(checksum.value)) {
      node.checksum = checksum.value;
    } else {
      ctx.report(
        checksum.column + 9,
        checksum.value.length,
        SocketLabError.create('unknownChecksum', 'Checksum must be one of {allowed} (got {value}).', {
          value: describeValue(checksum.value),
          allowed: CHECKSUM_NAMES.join(', '),
        }),
      );
    }
  }
  const endian = options.get('checksum-endian');
  if (endian) {
    if (!checksum) {
      ctx.report(
        endian.column,
        endian.length,
        SocketLabError.create('optionNotApplicable', 'Option {option} applies to {applies} only.', {
          option: 'checksum-endian',
          applies: 'a send with checksum=',
        }),
      );
    } else if (CHECKSUM_ENDIANS.includes(endian.value as ChecksumEndian)) {
      node.checksumEndian = endian.value as ChecksumEndian;
    } else {
      ctx.report(
        endian.column + 16,
        endian.value.length,
        SocketLabError.create(
          'unknownChecksumEndian',
          'Checksum byte order must be le (low byte first) or be (high byte first) (got {value}).',
          { value: describeValue(endian.value) },
        ),
      );
    }
  }
  checkTemplate(ctx, value, valueColumn);
  return node;
}

const EXPECT_OPTIONS: Readonly<Record<ExpectKind, readonly string[]>> = {
  text: ['within', 'encoding'],
  hex: ['within'],
  contains: ['within', 'encoding'],
  regex: ['within', 'encoding', 'capture', 'flags'],
  closed: ['within'],
  silence: ['for'],
};

function parseExpect(ctx: LineContext, body: string, indent: number): ExpectStatement | undefined {
  const { spec, specColumn, value, valueColumn, hasValue } = splitSpecLine(body, indent, 'expect');
  const { head, pieces } = splitSpec(spec, specColumn);
  if (!EXPECT_KINDS.includes(head as ExpectKind)) {
    ctx.report(
      specColumn,
      head.length,
      SocketLabError.create('unknownExpect', 'expect needs a kind, one of {allowed} (got {value}).', {
        allowed: EXPECT_KINDS.join(', '),
        value: describeValue(head),
      }),
    );
    return undefined;
  }
  const match = head as ExpectKind;
  const node: ExpectStatement = { kind: 'expect', line: ctx.line, column: indent + 1, match, value, valueColumn };
  const options = readOptions(ctx, pieces, EXPECT_OPTIONS[match], `expect ${match}`);
  const within = options.get('within');
  const withinMs = within && milliseconds(ctx, 'within', within.value, within.column + 7);
  if (withinMs !== undefined) node.withinMs = withinMs;
  const forOption = options.get('for');
  const forMs = forOption && milliseconds(ctx, 'for', forOption.value, forOption.column + 4, 1);
  if (forMs !== undefined) node.forMs = forMs;
  const encoding = encodingOption(ctx, options.get('encoding'));
  if (encoding) node.encoding = encoding;
  const flags = options.get('flags');
  if (flags) {
    const chars = [...flags.value];
    if (!chars.every((c) => REGEX_FLAGS.includes(c)) || new Set(chars).size !== chars.length) {
      ctx.report(
        flags.column + 6,
        flags.value.length,
        SocketLabError.create(
          'invalidRegexFlags',
          'Regex flags must be letters among {allowed}, each once (got {value}).',
          {
            allowed: REGEX_FLAGS,
            value: describeValue(flags.value),
          },
        ),
      );
    } else if (chars.length) {
      node.flags = flags.value;
    }
  }
  const capture = options.get('capture');
  if (capture) {
    const names = capture.value.split(',');
    let at = capture.column + 8;
    for (const name of names) {
      if (!VARIABLE_NAME.test(name)) {
        ctx.report(
          at,
          name.length,
          SocketLabError.create(
            'badVariableName',
            'Variable name must start with a letter or _ and hold only letters, digits, _, . and - (got {value}).',
            { value: describeValue(name) },
          ),
        );
      }
      at += name.length + 1;
    }
    node.captures = names;
  }
  if (match === 'closed' || match === 'silence') {
    if (hasValue && value.trim() !== '') {
      ctx.report(
        valueColumn,
        value.length,
        SocketLabError.create('unexpectedValue', 'expect {kind} takes no value (got {value}).', {
          kind: match,
          value: describeValue(value),
        }),
      );
    }
    node.value = '';
  } else if (value === '') {
    ctx.report(
      valueColumn,
      1,
      SocketLabError.create('missingValue', 'expect {kind} needs a value after one space.', { kind: match }),
    );
  } else {
    checkTemplate(ctx, value, valueColumn);
    if (match === 'regex' && !hasReferences(value)) checkRegex(ctx, node);
  }
  return node;
}

/** Compiles a regex expect's pattern (when it has no variables) and counts its groups against capture=. */
function checkRegex(ctx: LineContext, node: ExpectStatement): void {
  let groups: number;
  try {
    groups = new RegExp(`${node.value}|`, node.flags).exec('')!.length - 1;
  } catch (err) {
    ctx.report(
      node.valueColumn,
      node.value.length,
      SocketLabError.create('badRegex', 'The regular expression is not valid: {reason}.', {
        reason: (err as Error).message.replace(/\.$/, ''),
      }),
    );
    return;
  }
  if (node.captures && node.captures.length > groups) {
    ctx.report(
      node.valueColumn,
      node.value.length,
      SocketLabError.create(
        'captureCount',
        'capture names {count} variable(s) but the regular expression has {groups} group(s).',
        { count: node.captures.length, groups },
      ),
    );
  }
}

/** Splits a connect line into words with their columns. */
function words(body: string, indent: number): Array<{ text: string; column: number }> {
  const out: Array<{ text: string; column: number }> = [];
  for (const m of body.matchAll(/[^ \t]+/g)) out.push({ text: m[0], column: indent + m.index! + 1 });
  return out;
}

/** 'host:port' or '[v6]:port' split in two, or undefined when it has neither form. */
export function splitHostPort(text: string): { host: string; port: string } | undefined {
  const m = /^\[([^\]]*)\]:([^:]*)$/.exec(text) ?? /^([^:[\]]*):([^:]*)$/.exec(text);
  return m ? { host: m[1], port: m[2] } : undefined;
}

function parseConnect(ctx: LineContext, body: string, indent: number): ConnectStatement | undefined {
  const [, transportWord, targetWord, ...rest] = words(body, indent);
  if (!transportWord || !TRANSPORTS.includes(transportWord.text as Transport)) {
    ctx.report(
      transportWord?.column ?? indent + 8,
      transportWord?.text.length ?? 1,
      SocketLabError.create('unknownTransport', 'connect needs a transport, one of {allowed} (got {value}).', {
        allowed: TRANSPORTS.join(', '),
        value: describeValue(transportWord?.text),
      }),
    );
    return undefined;
  }
  const transport = transportWord.text as Transport;
  if (!targetWord) {
    ctx.report(
      transportWord.column + transport.length + 1,
      1,
      transport === 'unix'
        ? SocketLabError.create('missingTarget', 'connect unix needs a socket path.')
        : SocketLabError.create('missingTarget', 'connect {transport} needs HOST:PORT ([v6]:PORT for IPv6).', {
            transport,
          }),
    );
    return undefined;
  }
  const node: ConnectStatement = {
    kind: 'connect',
    line: ctx.line,
    column: indent + 1,
    transport,
    target: targetWord.text,
    targetColumn: targetWord.column,
  };
  checkTemplate(ctx, node.target, node.targetColumn);
  if (transport !== 'unix' && !hasReferences(node.target)) {
    const split = splitHostPort(node.target);
    if (!split || split.host === '' || !/^[0-9]{1,5}$/.test(split.port) || +split.port < 1 || +split.port > 65535) {
      ctx.report(
        node.targetColumn,
        node.target.length,
        SocketLabError.create(
          'badTarget',
          'connect {transport} needs HOST:PORT with a port from 1 to 65535, IPv6 in brackets as [::1]:PORT (got {value}).',
          { transport, value: describeValue(node.target) },
        ),
      );
    }
  }
  const allowed = [
    'timeout',
    ...(transport === 'udp' ? [] : ['framing']),
    ...(transport === 'tls' ? ['servername', 'ca', 'insecure'] : []),
  ];
  const options = readOptions(ctx, rest, allowed, `connect ${transport}`);
  const timeout = options.get('timeout');
  const timeoutMs = timeout && milliseconds(ctx, 'timeout', timeout.value, timeout.column + 8, 1);
  if (timeoutMs !== undefined) node.timeoutMs = timeoutMs;
  const framing = options.get('framing');
  if (framing) {
    try {
      node.framing = parseFramingOption(framing.value);
    } catch (err) {
      // The short-form parser says where in the value the refused part starts.
      const index = (err as SocketLabError).values?.index;
      const at = typeof index === 'number' ? index : 0;
      ctx.report(framing.column + 8 + at, framing.value.length - at, err as SocketLabError);
    }
  }
  const servername = options.get('servername');
  if (servername) node.servername = servername.value;
  const ca = options.get('ca');
  if (ca) node.ca = ca.value;
  const insecure = options.get('insecure');
  if (insecure) {
    if (insecure.value === 'true' || insecure.value === 'false') {
      node.insecure = insecure.value === 'true';
    } else {
      ctx.report(
        insecure.column + 9,
        insecure.value.length,
        SocketLabError.create('invalidBoolean', '{option} must be true or false (got {value}).', {
          option: 'insecure',
          value: describeValue(insecure.value),
        }),
      );
    }
  }
  return node;
}

/** `@name = value`, or undefined (reported). */
function parseVariable(ctx: LineContext, body: string, indent: number): Statement | undefined {
  const m = /^@([^\s=]*)[ \t]*=[ \t]*(.*?)[ \t]*$/.exec(body);
  if (!m || !VARIABLE_NAME.test(m[1])) {
    ctx.report(
      indent + 1,
      body.length,
      m
        ? SocketLabError.create(
            'badVariableName',
            'Variable name must start with a letter or _ and hold only letters, digits, _, . and - (got {value}).',
            { value: describeValue(m[1]) },
          )
        : SocketLabError.create('badVariableLine', 'A variable line is written @name = value (got {value}).', {
            value: describeValue(body),
          }),
    );
    return undefined;
  }
  const valueColumn = indent + 1 + body.length - body.slice(body.indexOf('=') + 1).trimStart().length;
  const value = m[2];
  checkTemplate(ctx, value, valueColumn);
  if (m[1] === 'timeout' && !hasReferences(value)) milliseconds(ctx, '@timeout', value, valueColumn, 1);
  return { kind: 'variable', line: ctx.line, column: indent + 1, name: m[1], value, valueColumn };
}

/** Parses one line that is neither blank, a comment nor a block header; returns its node (if any) and its problems. */
export function parseStatementLine(text: string, line: number): { node?: Statement; problems: RequestFileProblem[] } {
  const ctx = new LineContext(line);
  const indent = text.length - text.trimStart().length;
  const body = text.slice(indent);
  const keyword = body.split(/[ \t]/, 1)[0];
  let node: Statement | undefined;
  if (body.startsWith('@')) {
    node = parseVariable(ctx, body, indent);
  } else if (keyword === 'connect') {
    node = parseConnect(ctx, body, indent);
  } else if (keyword === 'send') {
    node = parseSend(ctx, body, indent);
  } else if (keyword === 'expect') {
    node = parseExpect(ctx, body, indent);
  } else if (keyword === 'wait') {
    const arg = words(body, indent)[1];
    const ms = arg ? milliseconds(ctx, 'wait', body.slice(arg.column - indent - 1).trimEnd(), arg.column) : undefined;
    if (!arg) {
      ctx.report(indent + 5, 1, SocketLabError.create('missingValue', 'wait needs a number of milliseconds.'));
    }
    node = ms === undefined ? undefined : { kind: 'wait', line, column: indent + 1, ms };
  } else if (keyword === 'end' || keyword === 'close') {
    const extra = body.slice(keyword.length).trim();
    if (extra) {
      ctx.report(
        indent + keyword.length + 2,
        extra.length,
        SocketLabError.create('unexpectedValue', '{statement} takes nothing after it (got {value}).', {
          statement: keyword,
          value: describeValue(extra),
        }),
      );
    }
    node = { kind: keyword, line, column: indent + 1 };
  } else {
    ctx.report(
      indent + 1,
      keyword.length,
      SocketLabError.create(
        'unknownLine',
        'A line must be a comment (#), a variable (@name = value), a block (###) or start with one of {allowed} (got {value}).',
        { allowed: STATEMENT_KEYWORDS.join(', '), value: describeValue(keyword) },
      ),
    );
  }
  return { node, problems: ctx.problems };
}
