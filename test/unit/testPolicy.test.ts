// The suites' own rule: a test that needs a missing peer or privilege skips on a developer's machine and fails in CI.
import * as assert from 'assert';
import { inCi, requirePeer, requireRoot, skipOrFail } from '../helpers/require';

/** A stand-in for mocha's context that records the skip instead of aborting the test. */
function fakeContext(): { ctx: Mocha.Context; skipped: () => boolean } {
  let skipped = false;
  const ctx = {
    skip: () => {
      skipped = true;
      throw new Error('skipped');
    },
  } as unknown as Mocha.Context;
  return { ctx, skipped: () => skipped };
}

describe('missing peers and privileges: skipped locally, a failure in CI', () => {
  const saved = process.env.CI;
  afterEach(() => {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  });

  it('skips when CI is not set, and names what is missing', () => {
    delete process.env.CI;
    assert.strictEqual(inCi(), false);
    const { ctx, skipped } = fakeContext();
    assert.throws(() => requirePeer(ctx, 'no-such-peer-program'), /skipped/);
    assert.strictEqual(skipped(), true);
  });

  it('fails with CI=true (or 1) instead of skipping, naming what is missing', () => {
    for (const value of ['true', '1', 'TRUE']) {
      process.env.CI = value;
      assert.strictEqual(inCi(), true);
      const { ctx, skipped } = fakeContext();
      assert.throws(() => requirePeer(ctx, 'no-such-peer-program'), /CI=true .*no-such-peer-program is not installed/);
      assert.throws(() => skipOrFail(ctx, 'a network namespace'), /a network namespace/);
      assert.strictEqual(skipped(), false);
    }
  });

  it('does nothing when the peer is there (and for root, when running as root)', () => {
    process.env.CI = 'true';
    const { ctx, skipped } = fakeContext();
    requirePeer(ctx, 'sh');
    if (process.getuid?.() === 0) requireRoot(ctx, 'for a network namespace');
    else assert.throws(() => requireRoot(ctx, 'for a network namespace'), /not root, for a network namespace/);
    assert.strictEqual(skipped(), false);
  });
});
