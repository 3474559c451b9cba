// The send panel's host-side helpers that need no vscode: rates over a window of about a second.
import * as assert from 'assert';
import { RATE_IDLE_MS, RateWindow } from '../../src/host/panel/rateWindow';

const zero = { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0 };

describe('send panel host helpers', () => {
  describe('RateWindow', () => {
    it('reads a steady 20 B/s as about 20 B/s, whatever the times of the posts', () => {
      const w = new RateWindow(zero, 0);
      const seen: number[] = [];
      // One 20-byte message a second, posted with some jitter, plus posts that carry no new bytes.
      let bytes = 0;
      for (let s = 1; s <= 10; s++) {
        bytes += 20;
        const at = s * 1000 + (s % 3) * 7;
        seen.push(w.sample({ ...zero, bytesIn: bytes, messagesIn: s }, at).bytesInRate);
        seen.push(w.sample({ ...zero, bytesIn: bytes, messagesIn: s }, at + 300).bytesInRate);
        seen.push(w.sample({ ...zero, bytesIn: bytes, messagesIn: s }, at + 650).bytesInRate);
      }
      for (const r of seen.slice(3)) assert.ok(r >= 19 && r <= 21, `rates ${JSON.stringify(seen)}`);
    });

    it('reads a stream of small writes at 20 posts a second smoothly', () => {
      const w = new RateWindow(zero, 0);
      const seen: number[] = [];
      for (let i = 1; i <= 100; i++)
        seen.push(w.sample({ ...zero, bytesOut: i * 100, messagesOut: i }, i * 50).bytesOutRate);
      for (const r of seen.slice(20)) assert.strictEqual(r, 2000);
      assert.strictEqual(w.sample({ ...zero, bytesOut: 10000, messagesOut: 100 }, 100 * 50).messagesOutRate, 20);
    });

    it('falls to zero once nothing changed for a while, and never divides by less than the window', () => {
      const w = new RateWindow(zero, 0);
      assert.strictEqual(w.sample(zero, 30).bytesInRate, 0);
      // A single 20-byte message 50 ms after opening is 20 B in the last second, not 400 B/s.
      assert.strictEqual(w.sample({ ...zero, bytesIn: 20, messagesIn: 1 }, 50).bytesInRate, 20);
      assert.strictEqual(w.sample({ ...zero, bytesIn: 20, messagesIn: 1 }, 50 + RATE_IDLE_MS - 1).bytesInRate, 20);
      assert.strictEqual(w.sample({ ...zero, bytesIn: 20, messagesIn: 1 }, 50 + RATE_IDLE_MS).bytesInRate, 0);
    });

    it('keeps a bounded number of samples under a burst of calls', () => {
      const w = new RateWindow(zero, 0);
      for (let i = 0; i < 100000; i++) w.sample({ ...zero, bytesIn: i }, 1000 + i / 1000);
      assert.ok((w as unknown as { _samples: unknown[] })._samples.length < 200);
    });
  });
});
