import * as assert from 'assert';
import { Throttle } from '../../src/shared/throttle';

import { sleep } from '../helpers/wait';

describe('Throttle', () => {
  it('folds a burst into a leading and a trailing run', async () => {
    let runs = 0;
    const throttle = new Throttle(50, () => runs++);
    for (let i = 0; i < 10000; i++) throttle.schedule();
    await sleep(10);
    assert.strictEqual(runs, 1);
    throttle.schedule();
    throttle.schedule();
    await sleep(80);
    assert.strictEqual(runs, 2);
    throttle.dispose();
  });

  it('bounds runs per second under a continuous stream of calls', async () => {
    let runs = 0;
    const throttle = new Throttle(100, () => runs++);
    const end = Date.now() + 500;
    while (Date.now() < end) {
      throttle.schedule();
      await sleep(1);
    }
    throttle.dispose();
    // 500 ms at one run per 100 ms: at most 6 runs (a slow machine may run fewer), never hundreds.
    assert.ok(runs >= 1 && runs <= 7, `runs=${runs}`);
  });

  it('flush runs a pending update at once and dispose cancels it', async () => {
    let runs = 0;
    const throttle = new Throttle(1000, () => runs++);
    throttle.schedule();
    throttle.flush();
    assert.strictEqual(runs, 1);
    throttle.schedule();
    throttle.dispose();
    await sleep(20);
    assert.strictEqual(runs, 1);
    assert.strictEqual(throttle.pending, false);
  });
});
