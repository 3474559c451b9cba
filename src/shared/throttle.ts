/**
 * Coalesces bursts of calls into at most one run per `intervalMs`: the first call in a quiet period
 * runs on the next tick, later calls within the interval are folded into one trailing run. This is how
 * every UI update stays bounded whatever the traffic (tree 4/s, API events 10/s, panel posts 20/s).
 */
export class Throttle {
  private _timer: ReturnType<typeof setTimeout> | undefined;
  private _lastRun = -Infinity;
  private _disposed = false;

  constructor(
    private readonly _intervalMs: number,
    private readonly _run: () => void,
  ) {}

  /** Asks for a run; cheap enough to call for every chunk. */
  schedule(): void {
    if (this._timer !== undefined || this._disposed) {
      return;
    }
    const wait = Math.max(0, this._lastRun + this._intervalMs - Date.now());
    this._timer = setTimeout(() => {
      this._timer = undefined;
      this._lastRun = Date.now();
      this._run();
    }, wait);
  }

  /** Runs now if a run is pending (e.g. before disposing, so the last state is not lost). */
  flush(): void {
    if (this._timer !== undefined) {
      clearTimeout(this._timer);
      this._timer = undefined;
      this._lastRun = Date.now();
      this._run();
    }
  }

  /** True while a run is scheduled. */
  get pending(): boolean {
    return this._timer !== undefined;
  }

  dispose(): void {
    this._disposed = true;
    if (this._timer !== undefined) {
      clearTimeout(this._timer);
      this._timer = undefined;
    }
  }
}
