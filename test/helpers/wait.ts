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

/** Resolves after `ms` (to pace a peer or let time pass, never as proof that something happened). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
