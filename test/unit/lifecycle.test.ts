import * as assert from 'assert';
import { Disposable, toDisposable } from '../../src/core/lifecycle';

class Owner extends Disposable {
  add(fn: () => void) {
    return this._register(toDisposable(fn));
  }
}

describe('lifecycle', () => {
  it('disposes registered children in reverse order, once', () => {
    const order: number[] = [];
    const owner = new Owner();
    owner.add(() => order.push(1));
    owner.add(() => order.push(2));
    owner.dispose();
    owner.dispose();
    assert.deepStrictEqual(order, [2, 1]);
  });

  it('disposes a child registered after dispose at once', () => {
    const owner = new Owner();
    owner.dispose();
    let disposed = false;
    owner.add(() => (disposed = true));
    assert.strictEqual(disposed, true);
  });
});
