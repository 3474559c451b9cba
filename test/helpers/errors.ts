/** Assertions on the errors Socket Lab refuses with: a SocketLabError with its code, values and one sentence. */
import * as assert from 'assert';
import { SocketLabError, isSocketLabError, type ErrorValues } from '../../src/shared/errors';

/** Asserts that `err` is a SocketLabError with `code` and these values, written as one sentence; returns it. */
export function assertSocketLabError(err: unknown, code: string, values: ErrorValues = {}): SocketLabError {
  assert.ok(err instanceof SocketLabError, `expected a SocketLabError, got ${String(err)}`);
  assert.strictEqual(err.code, code, err.message);
  for (const [key, value] of Object.entries(values)) {
    assert.deepStrictEqual(err.values[key], value, `values.${key} of: ${err.message}`);
  }
  // One sentence ending with a period, no stray newlines.
  assert.match(err.message, /^[^\n]+\.$/);
  return err;
}

/** Asserts that `fn` throws a SocketLabError with `code` and these values (see assertSocketLabError); returns it. */
export function throwsSocketLabError(fn: () => unknown, code: string, values: ErrorValues = {}): SocketLabError {
  try {
    fn();
  } catch (err) {
    return assertSocketLabError(err, code, values);
  }
  assert.fail(`expected ${code} to be thrown`);
}

/** Asserts that `p` rejects (or `p()` throws) a SocketLabError with `code`, and a message matching `message`. */
export async function rejectsWith(
  p: Promise<unknown> | (() => unknown),
  code: string,
  message?: RegExp,
): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    assert.ok(isSocketLabError(err), `not a SocketLabError: ${err}`);
    assert.strictEqual(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return;
  }
  assert.fail(`expected error ${code}`);
}

/** The message `p` rejects with (a command run with an argument rejects with an Error carrying the sentence); fails when it resolves. */
export async function rejection(p: PromiseLike<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected the command to reject, but it resolved');
}

/** The error `p` rejects with, whatever it is (fails when `p` resolves). */
export async function rejectionError(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}
