/**
 * Root hooks that fail a test which leaves a handle open (socket, server, file, child process...).
 * Imported by every unit test file; mocha registers top-level hooks once, for all tests.
 */
import { sleep } from './wait';

/** Resource types compared before/after each test (timers too: a test's timers must end with it). */
function snapshot(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) {
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return counts;
}

function grown(was0: Map<string, number>, after: Map<string, number>, allowed = new Map<string, number>()): string[] {
  const out: string[] = [];
  for (const [type, n] of after) {
    const was = (was0.get(type) ?? 0) + (allowed.get(type) ?? 0);
    if (n > was) out.push(`${type}: ${was} -> ${n}`);
  }
  return out;
}

let baseline = new Map<string, number>();

beforeEach(function () {
  baseline = snapshot();
});

afterEach(async function () {
  // Closing is asynchronous (a close callback, a FIN): give handles a moment to go before judging.
  const deadline = Date.now() + 1500;
  let diff = grown(baseline, snapshot());
  if (diff.length) {
    // Mocha starts this hook's own timer once the hook has returned its promise: after the first wait it
    // is one more Timeout than the synchronous beforeEach saw, and not the test's.
    const ownTimer = new Map([['Timeout', 1]]);
    while (diff.length && Date.now() < deadline) {
      await sleep(20);
      diff = grown(baseline, snapshot(), ownTimer);
    }
  }
  if (diff.length) {
    throw new Error(`Test "${this.currentTest?.fullTitle()}" left handles open: ${diff.join(', ')}`);
  }
});
export {};
