/** Something that releases what it holds when disposed (same shape as vscode.Disposable). */
export interface IDisposable {
  dispose(): void;
}

/** Wraps a function as a disposable that runs it once. */
export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose() {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}

/**
 * Base class for everything that owns resources: children registered with `_register()` are disposed
 * with it, in reverse order. Disposing twice is a no-op.
 */
export abstract class Disposable implements IDisposable {
  private readonly _disposables: IDisposable[] = [];
  private _isDisposed = false;

  /** True once dispose() has run. */
  protected get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Ties `value` to this object's lifetime; disposes it at once if this is already disposed. */
  protected _register<T extends IDisposable>(value: T): T {
    if (this._isDisposed) {
      value.dispose();
    } else {
      this._disposables.push(value);
    }
    return value;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    const errors: unknown[] = [];
    while (this._disposables.length) {
      try {
        this._disposables.pop()!.dispose();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) {
      throw errors.length === 1 ? errors[0] : new AggregateError(errors, 'several disposables failed');
    }
  }
}
