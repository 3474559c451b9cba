/**
 * Parses one statement line of a request file (connect, send, expect, wait, end, close, @name = value)
 * into its node, reporting every problem at its column. Structure (blocks, order) is parser.ts's job.
 */
import { CHECKSUM_ENDIANS, CHECKSUM_NAMES, isChecksumName, type ChecksumEndian } from '../checksum';
import { SocketLabError } from '../errors';
import { LINE_ENDINGS, PAYLOAD_FORMATS, describeValue, type PayloadFormat } from '../payload';
import type { ExpectKind, ExpectStatement, SendStatement, Statement } from './ast';
import { parseConnect } from './connectLine';
import {
  LineContext,
  checkTemplate,
  encodingOption,
  milliseconds,
  readOptions,
  splitSpec,
  splitSpecLine,
  words,
  type RequestFileProblem,
} from './lineReader';
import { VARIABLE_NAME, hasReferences } from './variables';

export type { RequestFileProblem } from './lineReader';
export { TRANSPORTS, splitHostPort } from './connectLine';

/** The statement keywords, in the order the docs list them. */
export const STATEMENT_KEYWORDS = ['connect', 'send', 'expect', 'wait', 'end', 'close'] as const;
/** What an expect may wait for. */
export const EXPECT_KINDS: readonly ExpectKind[] = ['text', 'hex', 'contains', 'regex', 'closed', 'silence'];
/** Regex flags an expect may use (g and y would make the pattern stateful). */
export const REGEX_FLAGS = 'imsu';

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
