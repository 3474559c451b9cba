/**
 * Coalesces bursts of calls into at most one run per `intervalMs`: the first call in a quiet period
 * runs on the next tick, later calls within the interval are folded into one trailing run. This is how
 * every UI update stays bounded whatever the traffic (tree 4/s, API events 10/s, panel posts 20/s).
 */
export class Throttle {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastRun = -Infinity;
  private disposed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly run: () => void,
  ) {}

  /** Asks for a run; cheap enough to call for every chunk. */
  schedule(): void {
    if (this.timer !== undefined || this.disposed) {
      return;
    }
    const wait = Math.max(0, this.lastRun + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastRun = Date.now();
      this.run();
    }, wait);
  }

  /** Runs now if a run is pending (e.g. before disposing, so the last state is not lost). */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.lastRun = Date.now();
      this.run();
    }
  }

  /** True while a run is scheduled. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
