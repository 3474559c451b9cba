import * as assert from 'assert';
import { formatBytes, formatTime } from '../../src/shared/format';

describe('format helpers', () => {
  it('formats byte counts', () => {
    assert.strictEqual(formatBytes(0), '0 B');
    assert.strictEqual(formatBytes(300), '300 B');
    assert.strictEqual(formatBytes(1229), '1.2 KB');
    assert.strictEqual(formatBytes(20 * 1024), '20 KB');
    assert.strictEqual(formatBytes(3 * 1024 ** 3), '3.0 GB');
  });

  it('formats times with milliseconds', () => {
    const t = new Date(2026, 10, 25, 9, 5, 7, 42).getTime();
    assert.strictEqual(formatTime(t), '09:05:07.042');
    assert.strictEqual(formatTime(t, true), '2026-11-25 09:05:07.042');
  });
});
