/**
 * Runs one `expect` line against a block's Inbox. With messages (framing, UDP) an expect matches the next
 * message; on a plain stream, text/hex wait for that many bytes and compare them, contains/regex search
 * what has arrived and consume through the match. A failure is a sentence naming the line, what was
 * expected and what arrived (as text and as hex), plus the two sides for a diff view.
 */
import * as vm from 'vm';
import * as iconv from 'iconv-lite';
import { SocketLabError } from '../../shared/errors';
import type { ExpectStatement } from '../../shared/requestFile/ast';
import { REGEX_TIME_LIMIT_MS } from '../autoReply';
import { escapeForDisplay, toHex } from '../../shared/display';
import { decodeText } from '../codec';
import type { Inbox } from './inbox';
import { expectedBytes } from './payloads';

/** What a failed expect reports besides its sentence: both sides as text for a diff. */
export interface ExpectFailure {
  error: SocketLabError;
  expected?: string;
  actual?: string;
}

/** An expect's outcome: captured variables when it passed, the failure otherwise. */
export type ExpectOutcome = { passed: true; captures?: Record<string, string> } | ({ passed: false } & ExpectFailure);

/** How much of the data a sentence quotes (the diff sides get more). */
const QUOTE_BYTES = 64;
const DIFF_CHARS = 64 * 1024;

/** `"text" (hex)` of some bytes, shortened, for a sentence; 'nothing' when empty. */
export function quoteBytes(bytes: Uint8Array, encoding = 'utf8'): string {
  if (bytes.length === 0) return 'nothing';
  const shown = bytes.subarray(0, QUOTE_BYTES);
  const more = bytes.length > QUOTE_BYTES ? `… ${bytes.length} bytes` : '';
  // Escaped for display, the text is inert and unambiguous already: quoted as it is.
  return `"${escapeForDisplay(decodeText(shown, encoding))}" (${toHex(shown)}${more})`;
}

/** A Buffer view of `bytes` (no copy), for its equals/indexOf. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function diffText(bytes: Uint8Array, s: ExpectStatement): string {
  return s.match === 'hex'
    ? toHex(bytes.subarray(0, DIFF_CHARS / 3))
    : escapeForDisplay(decodeText(bytes, s.encoding), DIFF_CHARS);
}

/** Waits until `check` returns a value (re-checked on every arrival or end), `ms` pass, or the run is cancelled. */
export function waitOn<T>(inbox: Inbox, check: () => T | undefined, ms: number): Promise<T | undefined> {
  const first = check();
  if (first !== undefined || ms <= 0) return Promise.resolve(first);
  return new Promise<T | undefined>((resolve, reject) => {
    inbox.arm(ms, () => {
      inbox.onChange(undefined);
      resolve(undefined);
    });
    inbox.onChange(() => {
      let value: T | undefined;
      try {
        if (inbox.interrupted) throw SocketLabError.create('cancelled', 'The run was cancelled.');
        value = check();
      } catch (err) {
        inbox.disarm();
        inbox.onChange(undefined);
        reject(err);
        return;
      }
      if (value !== undefined) {
        inbox.disarm();
        inbox.onChange(undefined);
        resolve(value);
      }
    });
  });
}

const regexScript = new vm.Script('regex.lastIndex = 0, regex.exec(text)');

/** A regex run under vm's time budget, so a catastrophic pattern on hostile data cannot freeze the host. */
function regexRunner(
  pattern: string,
  flags: string | undefined,
  line: number,
): (text: string) => RegExpExecArray | null {
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, flags);
  } catch (err) {
    throw SocketLabError.create('badRegex', 'The regular expression is not valid: {reason}.', {
      reason: (err as Error).message.replace(/\.$/, ''),
    });
  }
  const context = vm.createContext({ regex, text: '' });
  return (text) => {
    context.text = text;
    try {
      return regexScript.runInContext(context, { timeout: REGEX_TIME_LIMIT_MS }) as RegExpExecArray | null;
    } catch {
      throw SocketLabError.create(
        'regexTooSlow',
        'expect regex at line {line}: the regular expression took longer than {limit} ms on {size} characters of received text.',
        { line, limit: REGEX_TIME_LIMIT_MS, size: text.length },
      );
    } finally {
      context.text = '';
    }
  };
}

function capturesOf(s: ExpectStatement, m: RegExpExecArray): Record<string, string> | undefined {
  if (!s.captures) return undefined;
  const out: Record<string, string> = {};
  s.captures.forEach((name, i) => (out[name] = m[i + 1] ?? ''));
  return out;
}

/** Byte length of the first `chars` characters of `text` in `encoding` (where a regex match ends in the stream). */
function byteLength(text: string, chars: number, encoding: string): number {
  const prefix = text.slice(0, chars);
  return encoding === 'utf8' ? Buffer.byteLength(prefix, 'utf8') : iconv.encode(prefix, encoding).length;
}

/** What an expect compares against; the failure sentences are built from it only when one fails. */
interface Expectation {
  s: ExpectStatement;
  value: string;
  inbox: Inbox;
  encoding: string;
  withinMs: number;
  needle?: Uint8Array;
  regex?: (text: string) => RegExpExecArray | null;
}

/** The expected side as a sentence quotes it: `"text" (hex)`, or `/pattern/flags`. */
function shownExpected(e: Expectation): string {
  return e.needle ? quoteBytes(e.needle, e.encoding) : `/${e.value}/${e.s.flags ?? ''}`;
}

function failed(e: Expectation, error: SocketLabError, actual: Uint8Array): ExpectOutcome {
  return {
    passed: false,
    error,
    expected: e.needle ? diffText(e.needle, e.s) : e.value,
    actual: diffText(actual, e.s),
  };
}

/** The failure when nothing (more) that matches will come: the connection failed or closed, the inbox is full, or time ran out. */
function nothingMore(e: Expectation, got: Uint8Array): ExpectOutcome {
  const { s, inbox } = e;
  const values = {
    line: s.line,
    kind: s.match,
    expected: shownExpected(e),
    actual: quoteBytes(got, e.encoding),
    ms: e.withinMs,
  };
  const end = inbox.end;
  if (end?.kind === 'error') {
    return failed(
      e,
      SocketLabError.create(
        'expectFailed',
        'expect {kind} at line {line}: the connection failed ({problem}) before {expected} arrived; received {actual}.',
        { ...values, problem: end.error.message },
        undefined,
        end.error,
      ),
      got,
    );
  }
  if (end) {
    return failed(
      e,
      SocketLabError.create(
        'expectFailed',
        'expect {kind} at line {line}: the peer closed the connection before {expected} arrived; received {actual}.',
        values,
      ),
      got,
    );
  }
  if (inbox.full) {
    return failed(
      e,
      SocketLabError.create(
        'expectFailed',
        'expect {kind} at line {line}: no match for {expected} in the first {limit} bytes received; received {actual}.',
        { ...values, limit: inbox.limit },
      ),
      got,
    );
  }
  return failed(
    e,
    SocketLabError.create(
      'expectFailed',
      'expect {kind} at line {line}: {expected} did not arrive within {ms} ms; received {actual}.',
      values,
    ),
    got,
  );
}

function mismatch(e: Expectation, got: Uint8Array): ExpectOutcome {
  return failed(
    e,
    SocketLabError.create('expectFailed', 'expect {kind} at line {line}: expected {expected} but received {actual}.', {
      line: e.s.line,
      kind: e.s.match,
      expected: shownExpected(e),
      actual: quoteBytes(got, e.encoding),
    }),
    got,
  );
}

/** expect silence and expect closed. */
async function runWaitOnly(e: Expectation, silenceMs: number): Promise<ExpectOutcome> {
  const { s, inbox, encoding } = e;
  const line = s.line;
  if (s.match === 'silence') {
    const before = inbox.arrivals;
    const broken = await waitOn(inbox, () => (inbox.arrivals > before ? true : undefined), silenceMs);
    if (!broken) return { passed: true };
    const arrived = inbox.mode === 'stream' ? inbox.view() : (inbox.peekMessage() ?? new Uint8Array(0));
    return {
      passed: false,
      error: SocketLabError.create('expectFailed', 'expect silence at line {line}: {actual} arrived within {ms} ms.', {
        line,
        ms: silenceMs,
        actual: quoteBytes(arrived, encoding),
      }),
      actual: escapeForDisplay(decodeText(arrived, encoding), DIFF_CHARS),
    };
  }
  const closed = await waitOn(inbox, () => (inbox.end ? true : undefined), e.withinMs);
  if (closed) return { passed: true };
  const held = inbox.mode === 'stream' ? inbox.view() : (inbox.peekMessage() ?? new Uint8Array(0));
  return {
    passed: false,
    error: SocketLabError.create(
      'expectFailed',
      'expect closed at line {line}: the peer did not close the connection within {ms} ms; unread: {actual}.',
      { line, ms: e.withinMs, actual: quoteBytes(held, encoding) },
    ),
  };
}

/** A regex match in a stream: how many bytes it consumes and what it captured. */
interface StreamMatch {
  take: number;
  captures?: Record<string, string>;
}

/**
 * On a plain stream, how many bytes the expect takes once enough arrived (text/hex: their length, or what
 * arrived so far when it already differs; contains: through the match), null when no more will come.
 */
function streamCheck(e: Expectation): () => number | StreamMatch | null | undefined {
  const { s, inbox, needle, encoding } = e;
  let searchedTo = 0;
  return () => {
    const view = inbox.view();
    if (needle && (s.match === 'text' || s.match === 'hex')) {
      if (view.length >= needle.length) return needle.length;
      // What arrived already differs from the start of the expected bytes: no need to wait for the rest.
      if (!view.equals(needle.subarray(0, view.length))) return view.length;
    } else if (needle) {
      const at = view.indexOf(needle, Math.max(0, searchedTo - needle.length + 1));
      searchedTo = view.length;
      if (at >= 0) return at + needle.length;
    } else if (view.length > 0) {
      const text = decodeText(view, encoding);
      const m = e.regex!(text);
      if (m)
        return {
          take: Math.min(view.length, byteLength(text, m.index + m[0].length, encoding)),
          captures: capturesOf(s, m),
        };
    }
    return inbox.end || inbox.full ? null : undefined;
  };
}

/** Runs `s` (its value already expanded) against `inbox`, waiting at most `withinMs`. */
export async function runExpect(
  s: ExpectStatement,
  value: string,
  inbox: Inbox,
  withinMs: number,
  silenceMs: number,
): Promise<ExpectOutcome> {
  const e: Expectation = { s, value, inbox, encoding: s.encoding ?? 'utf8', withinMs };
  if (s.match === 'silence' || s.match === 'closed') return runWaitOnly(e, silenceMs);
  if (s.match === 'regex') e.regex = regexRunner(value, s.flags, s.line);
  else e.needle = expectedBytes(s, value);
  if (inbox.mode === 'messages') {
    const message = await waitOn(inbox, () => inbox.peekMessage() ?? (inbox.end ? null : undefined), withinMs);
    if (!message) return nothingMore(e, new Uint8Array(0));
    inbox.takeMessage();
    return matchMessage(e, message);
  }
  const found = await waitOn(inbox, streamCheck(e), withinMs);
  if (!found) return nothingMore(e, Uint8Array.prototype.slice.call(inbox.view()));
  if (typeof found !== 'number') {
    inbox.skip(found.take);
    return { passed: true, captures: found.captures };
  }
  if ((s.match === 'text' || s.match === 'hex') && !inbox.view().subarray(0, found).equals(e.needle!)) {
    return mismatch(e, inbox.takeBytes(found));
  }
  // A match needs no copy of its bytes: they are dropped from the inbox.
  inbox.skip(found);
  return { passed: true };
}

/** Matches one message (a frame or a datagram) as a whole. */
function matchMessage(e: Expectation, message: Uint8Array): ExpectOutcome {
  const { s, encoding } = e;
  if (e.regex) {
    const m = e.regex(decodeText(message, encoding));
    if (m) return { passed: true, captures: capturesOf(s, m) };
    return failed(
      e,
      SocketLabError.create(
        'expectFailed',
        'expect {kind} at line {line}: the next message {actual} does not match {expected}.',
        {
          line: s.line,
          kind: s.match,
          expected: shownExpected(e),
          actual: quoteBytes(message, encoding),
        },
      ),
      message,
    );
  }
  const bytes = asBuffer(message);
  if (s.match === 'contains' ? bytes.indexOf(e.needle!) >= 0 : bytes.equals(e.needle!)) return { passed: true };
  if (s.match !== 'contains') return mismatch(e, message);
  return failed(
    e,
    SocketLabError.create(
      'expectFailed',
      'expect {kind} at line {line}: the next message {actual} does not contain {expected}.',
      {
        line: s.line,
        kind: s.match,
        expected: shownExpected(e),
        actual: quoteBytes(message, encoding),
      },
    ),
    message,
  );
}
