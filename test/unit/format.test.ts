import * as assert from 'assert';
import { formatAddress } from '../../src/shared/format';

describe('format helpers', () => {
  it('formats addresses of every family', () => {
    assert.strictEqual(formatAddress({ address: '127.0.0.1', port: 8880 }), '127.0.0.1:8880');
    assert.strictEqual(formatAddress({ address: '::1', port: 80 }), '[::1]:80');
    assert.strictEqual(formatAddress({ path: '/tmp/a.sock' }), '/tmp/a.sock');
    assert.strictEqual(formatAddress(undefined), '');
  });
});
