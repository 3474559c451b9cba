/** The repeats started from one send panel: only those may be stopped from it, and their progress is posted to it. */
export class PanelRepeats {
  private readonly _running = new Set<string>();
  /** The sent count last posted for each running repeat. */
  private readonly _sentPosted = new Map<string, number>();

  /** True when no repeat of this panel runs. */
  get isEmpty(): boolean {
    return this._running.size === 0;
  }

  /** A repeat the panel started. */
  add(repeatId: string): void {
    this._running.add(repeatId);
  }

  /** True when the panel started `repeatId` and it still runs. */
  has(repeatId: string): boolean {
    return this._running.has(repeatId);
  }

  /** Forgets a repeat that ended; false when it was not this panel's. */
  end(repeatId: string): boolean {
    this._sentPosted.delete(repeatId);
    return this._running.delete(repeatId);
  }

  /**
   * The panel's repeats among `active` whose sent count changed since it was last posted (all of them with
   * `all`, after the webview loaded again), marked as posted.
   */
  progress(
    active: readonly { id: string; endpointId: string; sent: number }[],
    endpointId: string,
    all: boolean,
  ): { repeatId: string; sent: number }[] {
    const changed: { repeatId: string; sent: number }[] = [];
    if (this.isEmpty) return changed;
    for (const r of active) {
      if (r.endpointId !== endpointId || !this._running.has(r.id)) continue;
      if (!all && this._sentPosted.get(r.id) === r.sent) continue;
      this._sentPosted.set(r.id, r.sent);
      changed.push({ repeatId: r.id, sent: r.sent });
    }
    return changed;
  }
}
