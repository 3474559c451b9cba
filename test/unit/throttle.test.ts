import * as assert from 'assert';
import { Throttle } from '../../src/shared/throttle';

import { sleep, waitFor } from '../helpers/wait';

/** Resolves after every timer of 0 ms created before it has fired (Node runs equal timers in creation order). */
function afterEarlierZeroTimers(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

describe('Throttle', () => {
  it('folds a burst into a leading and a trailing run', async () => {
    let runs = 0;
    const throttle = new Throttle(50, () => runs++);
    for (let i = 0; i < 10000; i++) throttle.schedule();
    assert.strictEqual(runs, 0, 'the leading run waits for the next tick');
    await waitFor('the leading run', () => runs === 1);
    assert.strictEqual(throttle.pending, false, 'the whole burst was one run');
    throttle.schedule();
    throttle.schedule();
    assert.strictEqual(throttle.pending, true, 'calls within the interval wait for a trailing run');
    await waitFor('the trailing run', () => runs === 2);
    assert.strictEqual(throttle.pending, false, 'both calls were folded into the one trailing run');
    throttle.dispose();
  });

  it('bounds runs per second under a continuous stream of calls', async () => {
    const runAt: number[] = [];
    const throttle = new Throttle(100, () => runAt.push(Date.now()));
    const started = Date.now();
    // A bounded stream: 300 calls, each a millisecond or more apart (pacing the caller, not proof).
    for (let i = 0; i < 300; i++) {
      throttle.schedule();
      await sleep(1);
    }
    const elapsed = Date.now() - started;
    throttle.dispose();
    // At most one run per 100 ms of the time the stream really took (a timer may fire a few ms early
    // against Date.now, hence the one run of slack), never one per call.
    assert.ok(runAt.length >= 1, 'the stream ran at least once');
    assert.ok(runAt.length <= Math.floor(elapsed / 100) + 2, `${runAt.length} runs in ${elapsed} ms`);
  });

  it('flush runs a pending update at once and dispose cancels it', async () => {
    let runs = 0;
    const throttle = new Throttle(1000, () => runs++);
    throttle.schedule();
    throttle.flush();
    assert.strictEqual(runs, 1);
    assert.strictEqual(throttle.pending, false);
    // With no interval, a scheduled run is due on the next timer turn: the dispose must cancel it.
    const immediate = new Throttle(0, () => runs++);
    immediate.schedule();
    assert.strictEqual(immediate.pending, true);
    immediate.dispose();
    assert.strictEqual(immediate.pending, false);
    immediate.schedule();
    assert.strictEqual(immediate.pending, false, 'a disposed throttle schedules nothing');
    await afterEarlierZeroTimers();
    assert.strictEqual(runs, 1, 'the cancelled run never happened');
    throttle.dispose();
  });
});
