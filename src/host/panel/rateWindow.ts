/**
 * The panel's byte and message rates, over about the last second. Posts come at irregular times (at
 * most 20 a second, only when something happens), so dividing by the time since the previous post made
 * a steady 20 B/s read 20, 0, 0, 19. Here the counters are sampled when they change; a rate is what was
 * counted between the newest change and the newest change at least a window before it, divided by the
 * time between them (never less than the window), so a steady flow reads steady however the posts fall.
 * Once nothing has changed for IDLE_MS the rates are 0. Pure (no vscode).
 */

/** The counters a rate is computed from. */
export interface RateCounters {
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
}

export type Rates = { bytesInRate: number; bytesOutRate: number; messagesInRate: number; messagesOutRate: number };

/** Rates are averaged over at least this long. */
export const RATE_WINDOW_MS = 1000;
/** With no change for this long, the rates are 0 (a post this much after the last traffic shows it). */
export const RATE_IDLE_MS = 2 * RATE_WINDOW_MS;

type Sample = RateCounters & { time: number };
const ZERO: Rates = { bytesInRate: 0, bytesOutRate: 0, messagesInRate: 0, messagesOutRate: 0 };

export class RateWindow {
  /** Samples where the counters changed, oldest first: one at least a window older than the newest, and those after it. */
  private _samples: Sample[] = [];

  constructor(
    start: RateCounters,
    now: number,
    private readonly windowMs = RATE_WINDOW_MS,
    private readonly idleMs = RATE_IDLE_MS,
  ) {
    this._samples.push({ ...pick(start), time: now });
  }

  /** Records the counters at `now` and returns the rates per second. */
  sample(c: RateCounters, now: number): Rates {
    const samples = this._samples;
    let last = samples[samples.length - 1];
    if (!same(c, last)) {
      // Calls within a few ms of each other (a burst) replace the newest sample rather than add one.
      if (samples.length > 1 && now - last.time < 10) samples[samples.length - 1] = { ...pick(c), time: now };
      else samples.push({ ...pick(c), time: now });
      last = samples[samples.length - 1];
      // Keep one sample at least a window before the newest as the base; drop the ones before it.
      let base = 0;
      while (base + 1 < samples.length - 1 && samples[base + 1].time <= last.time - this.windowMs) base++;
      if (base) samples.splice(0, base);
    }
    if (samples.length < 2 || now - last.time >= this.idleMs) return ZERO;
    const from = samples[0];
    const seconds = Math.max(this.windowMs, last.time - from.time) / 1000;
    const rate = (a: number, b: number) => Math.max(0, Math.round((a - b) / seconds));
    return {
      bytesInRate: rate(last.bytesIn, from.bytesIn),
      bytesOutRate: rate(last.bytesOut, from.bytesOut),
      messagesInRate: rate(last.messagesIn, from.messagesIn),
      messagesOutRate: rate(last.messagesOut, from.messagesOut),
    };
  }
}

function pick(c: RateCounters): RateCounters {
  return { bytesIn: c.bytesIn, bytesOut: c.bytesOut, messagesIn: c.messagesIn, messagesOut: c.messagesOut };
}

function same(a: RateCounters, b: RateCounters): boolean {
  return (
    a.bytesIn === b.bytesIn &&
    a.bytesOut === b.bytesOut &&
    a.messagesIn === b.messagesIn &&
    a.messagesOut === b.messagesOut
  );
}
