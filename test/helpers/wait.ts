/** Waiting in tests: for a state, with a bound (never a fixed sleep as proof), in every suite. */

/**
 * Polls `condition` (sync or async) until it returns something truthy, and returns that; fails naming
 * `what` after `timeoutMs`.
 */
export async function waitFor<T>(
  what: string,
  condition: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Polls `read` until its value stays the same for `polls` polls in a row (a stalled counter, a settled queue)
 * and returns it; fails naming `what` after `timeoutMs`. For a state that is reached by nothing happening any
 * more: pair it with a check that things do happen again once the cause is removed.
 */
export async function waitForSteady<T>(what: string, read: () => T, polls = 20, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = read();
  let same = 0;
  while (same < polls) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} to settle (last ${String(last)})`);
    await sleep(10);
    const value = read();
    same = value === last ? same + 1 : 0;
    last = value;
  }
  return last;
}

/** Resolves after `ms` (to pace a peer or let time pass, never as proof that something happened). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
