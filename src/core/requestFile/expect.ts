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
import { decodeText, escapeForDisplay, toHex } from '../codec';
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

function diffText(bytes: Uint8Array, s: ExpectStatement): string {
  return s.match === 'hex'
    ? toHex(bytes.subarray(0, DIFF_CHARS / 3))
    : escapeForDisplay(decodeText(bytes, s.encoding), DIFF_CHARS);
}

/** Waits until `check` returns a value (re-checked on every arrival or end), `ms` pass, or `signal` aborts. */
export function waitOn<T>(
  inbox: Inbox,
  check: () => T | undefined,
  ms: number,
  signal: AbortSignal,
): Promise<T | undefined> {
  const first = check();
  if (first !== undefined || ms <= 0) return Promise.resolve(first);
  return new Promise<T | undefined>((resolve, reject) => {
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      inbox.onChange(undefined);
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => finish(() => reject(SocketLabError.create('cancelled', 'The run was cancelled.')));
    const timer = setTimeout(() => finish(() => resolve(undefined)), ms);
    signal.addEventListener('abort', onAbort, { once: true });
    inbox.onChange(() => {
      let value: T | undefined;
      try {
        value = check();
      } catch (err) {
        finish(() => reject(err));
        return;
      }
      if (value !== undefined) finish(() => resolve(value));
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

/** Runs `s` (its value already expanded) against `inbox`, waiting at most `withinMs`. */
export async function runExpect(
  s: ExpectStatement,
  value: string,
  inbox: Inbox,
  withinMs: number,
  silenceMs: number,
  signal: AbortSignal,
): Promise<ExpectOutcome> {
  const line = s.line;
  const encoding = s.encoding ?? 'utf8';
  const kind = s.match;
  if (kind === 'silence') {
    const before = inbox.arrivals;
    const broken = await waitOn(inbox, () => (inbox.arrivals > before ? true : undefined), silenceMs, signal);
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
  const held = () => (inbox.mode === 'stream' ? inbox.view() : (inbox.peekMessage() ?? new Uint8Array(0)));
  if (kind === 'closed') {
    const closed = await waitOn(inbox, () => (inbox.end ? true : undefined), withinMs, signal);
    if (closed) return { passed: true };
    return {
      passed: false,
      error: SocketLabError.create(
        'expectFailed',
        'expect closed at line {line}: the peer did not close the connection within {ms} ms; unread: {actual}.',
        { line, ms: withinMs, actual: quoteBytes(held(), encoding) },
      ),
    };
  }
  const needle = kind === 'regex' ? undefined : expectedBytes(s, value);
  const regex = kind === 'regex' ? regexRunner(value, s.flags, line) : undefined;
  const shownExpected = needle ? quoteBytes(needle, encoding) : `/${value}/${s.flags ?? ''}`;
  const expectedSide = needle ? diffText(needle, s) : value;
  const fail = (error: SocketLabError, actual: Uint8Array): ExpectOutcome => ({
    passed: false,
    error,
    expected: expectedSide,
    actual: diffText(actual, s),
  });
  const nothingMore = (got: Uint8Array): ExpectOutcome => {
    const values = { line, kind, expected: shownExpected, actual: quoteBytes(got, encoding), ms: withinMs };
    const end = inbox.end;
    if (end?.kind === 'error') {
      return fail(
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
      return fail(
        SocketLabError.create(
          'expectFailed',
          'expect {kind} at line {line}: the peer closed the connection before {expected} arrived; received {actual}.',
          values,
        ),
        got,
      );
    }
    if (inbox.full) {
      return fail(
        SocketLabError.create(
          'expectFailed',
          'expect {kind} at line {line}: no match for {expected} in the first {limit} bytes received; received {actual}.',
          { ...values, limit: inbox.limit },
        ),
        got,
      );
    }
    return fail(
      SocketLabError.create(
        'expectFailed',
        'expect {kind} at line {line}: {expected} did not arrive within {ms} ms; received {actual}.',
        values,
      ),
      got,
    );
  };

  if (inbox.mode === 'messages') {
    const message = await waitOn(inbox, () => inbox.peekMessage() ?? (inbox.end ? null : undefined), withinMs, signal);
    if (!message) return nothingMore(new Uint8Array(0));
    inbox.takeMessage();
    return matchMessage(s, message, needle, regex, shownExpected, fail, encoding);
  }

  // A plain stream: look at what is held each time something arrives.
  let searchedTo = 0;
  const found = await waitOn(
    inbox,
    (): { take: number; captures?: Record<string, string> } | null | undefined => {
      const view = inbox.view();
      if (needle && (kind === 'text' || kind === 'hex')) {
        if (view.length >= needle.length) return { take: needle.length };
        // What arrived already differs from the start of the expected bytes: no need to wait for the rest.
        if (!view.equals(needle.subarray(0, view.length))) return { take: view.length };
      } else if (needle) {
        const at = view.indexOf(needle, Math.max(0, searchedTo - needle.length + 1));
        searchedTo = view.length;
        if (at >= 0) return { take: at + needle.length };
      } else if (view.length > 0) {
        const text = decodeText(view, encoding);
        const m = regex!(text);
        if (m)
          return {
            take: Math.min(view.length, byteLength(text, m.index + m[0].length, encoding)),
            captures: capturesOf(s, m),
          };
      }
      return inbox.end || inbox.full ? null : undefined;
    },
    withinMs,
    signal,
  );
  if (!found) return nothingMore(Uint8Array.prototype.slice.call(inbox.view()));
  const got = inbox.takeBytes(found.take);
  if (needle && (kind === 'text' || kind === 'hex') && !Buffer.from(got).equals(Buffer.from(needle))) {
    return fail(
      SocketLabError.create(
        'expectFailed',
        'expect {kind} at line {line}: expected {expected} but received {actual}.',
        {
          line,
          kind,
          expected: shownExpected,
          actual: quoteBytes(got, encoding),
        },
      ),
      got,
    );
  }
  return { passed: true, captures: found.captures };
}

/** Matches one message (a frame or a datagram) as a whole. */
function matchMessage(
  s: ExpectStatement,
  message: Uint8Array,
  needle: Uint8Array | undefined,
  regex: ((text: string) => RegExpExecArray | null) | undefined,
  shownExpected: string,
  fail: (error: SocketLabError, actual: Uint8Array) => ExpectOutcome,
  encoding: string,
): ExpectOutcome {
  const values = { line: s.line, kind: s.match, expected: shownExpected, actual: quoteBytes(message, encoding) };
  if (regex) {
    const m = regex(decodeText(message, encoding));
    if (m) return { passed: true, captures: capturesOf(s, m) };
    return fail(
      SocketLabError.create(
        'expectFailed',
        'expect {kind} at line {line}: the next message {actual} does not match {expected}.',
        values,
      ),
      message,
    );
  }
  const bytes = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const ok = s.match === 'contains' ? bytes.indexOf(needle!) >= 0 : bytes.equals(needle!);
  if (ok) return { passed: true };
  return fail(
    s.match === 'contains'
      ? SocketLabError.create(
          'expectFailed',
          'expect {kind} at line {line}: the next message {actual} does not contain {expected}.',
          values,
        )
      : SocketLabError.create(
          'expectFailed',
          'expect {kind} at line {line}: expected {expected} but received {actual}.',
          values,
        ),
    message,
  );
}
