/** Disposal (lifecycle.ts): a wrapped function runs once, and children that throw do not stop the others. */
import * as assert from 'assert';
import '../helpers/noLeaks';
import { Disposable, toDisposable } from '../../src/core/lifecycle';

class Owner extends Disposable {
  add(fn: () => void) {
    return this._register(toDisposable(fn));
  }
}

describe('disposal: once only, and failures of children reported after all of them ran', () => {
  it('a function wrapped by toDisposable runs on the first dispose only', () => {
    let runs = 0;
    const d = toDisposable(() => runs++);
    d.dispose();
    d.dispose();
    assert.strictEqual(runs, 1);
  });

  it('one child that throws: the others are still disposed, then its own error is thrown', () => {
    const order: string[] = [];
    const failure = new Error('child b failed');
    const owner = new Owner();
    owner.add(() => order.push('a'));
    owner.add(() => {
      order.push('b');
      throw failure;
    });
    owner.add(() => order.push('c'));
    assert.throws(
      () => owner.dispose(),
      (err) => err === failure,
    );
    assert.deepStrictEqual(order, ['c', 'b', 'a']);
  });

  it('several children that throw: one AggregateError holding each error, in disposal order', () => {
    const ofFirstChild = new Error('first child failed');
    const ofSecondChild = new Error('second child failed');
    const owner = new Owner();
    owner.add(() => {
      throw ofFirstChild;
    });
    owner.add(() => {
      throw ofSecondChild;
    });
    try {
      owner.dispose();
      assert.fail('dispose did not throw');
    } catch (err) {
      assert.ok(err instanceof AggregateError, String(err));
      assert.strictEqual(err.message, 'several disposables failed');
      // Children are disposed last first, so the second child's error comes first.
      assert.deepStrictEqual(err.errors, [ofSecondChild, ofFirstChild]);
    }
  });
});
