/**
 * Tests that need a peer program (ncat, socat, php, openssl, tshark...) or a privilege (root, another user, a
 * network namespace): skipped on a developer's machine that lacks it, a FAILURE in CI (`CI=true`), so coverage
 * never quietly turns into "pending" where it is supposed to run.
 */
import { hasCommand } from './peers';

/** True when the run is CI's (`CI=true` or `CI=1`): nothing may be skipped for something missing. */
export function inCi(): boolean {
  return /^(1|true)$/i.test(process.env.CI ?? '');
}

/** Skips the test or hook of `ctx` because of `reason` (what is missing); in CI, fails it with that reason. */
export function skipOrFail(ctx: Mocha.Context, reason: string): never {
  if (inCi()) {
    throw new Error(`CI=true and this test needs what is missing here (${reason}); install it in .ci/run.`);
  }
  console.log(`      (skipped: ${reason})`);
  return ctx.skip();
}

/** Requires the program `cmd` on the PATH. */
export function requirePeer(ctx: Mocha.Context, cmd: string): void {
  if (!hasCommand(cmd)) skipOrFail(ctx, `${cmd} is not installed`);
}

/** Requires root; `why` says what the test does with it. */
export function requireRoot(ctx: Mocha.Context, why: string): void {
  if (process.getuid?.() !== 0) skipOrFail(ctx, `not root, ${why}`);
}
