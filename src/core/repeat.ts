/** Repeat send: a payload every N ms, M times or until stopped; N = 0 sends back to back with backpressure. */
import { performance } from 'perf_hooks';
import type { BurstResult, Endpoint, SendTarget } from './endpoints/endpoint';
import { IDisposable } from './lifecycle';

/** A back-to-back repeat gives the event loop a turn at least this often (ms), so the host stays responsive. */
const BACK_TO_BACK_SLICE_MS = 2;
/** ... and at least every this many sends. */
const BACK_TO_BACK_SLICE_SENDS = 256;

/** A back-to-back UDP repeat hands over at most this many datagrams before they report back... */
const BURST_MAX_DATAGRAMS = 64;
/** ... and at most this many bytes of them (what may wait in the socket's send queue). */
const BURST_MAX_BYTES = 256 * 1024;

/** Sends of one payload back to back in bursts (datagrams): how many per burst, and the burst itself. */
export interface BurstSender {
  size: number;
  send(count: number): Promise<BurstResult>;
}

/** The burst sender of `data` to `target` when the endpoint's sends are independent datagrams, else undefined. */
export function burstSenderFor(endpoint: Endpoint, target: SendTarget, data: Uint8Array): BurstSender | undefined {
  if (!endpoint.sendBurst) return undefined;
  return {
    // A burst's datagrams are handed over before the first reports back: bound what may wait in the socket's queue.
    size: Math.max(1, Math.min(BURST_MAX_DATAGRAMS, Math.floor(BURST_MAX_BYTES / Math.max(1, data.byteLength)))),
    send: (n) => endpoint.sendBurst!(target, data, n),
  };
}

/** What activeRepeats() reports. */
export interface RepeatInfo {
  id: string;
  /** The send target (endpoint, connection or peer id). */
  target: string;
  endpointId: string;
  intervalMs: number;
  count?: number;
  /** Sends completed so far. */
  sent: number;
  bytes: number;
}

/** What a repeat sends, how often, and whom it tells when it ends. */
export interface RepeatOptions {
  id: string;
  /** The send target (endpoint, connection or peer id). */
  target: string;
  endpointId: string;
  intervalMs: number;
  /** How many sends; undefined repeats until stopped. */
  count?: number;
  /** Sends the payload once; resolves with the bytes handed over (waiting only on backpressure). */
  sendOnce: () => Promise<number>;
  /** Used instead of `sendOnce` when the interval is 0 (datagrams, a burst at a time). */
  burst?: BurstSender;
  /** Told once when the repeat ended: by itself (`error` when a send failed) or because it was stopped. */
  onEnd: (repeat: RepeatSend, error?: unknown) => void;
}

/**
 * Runs `sendOnce` repeatedly. It waits for each send to be accepted (the socket's backpressure) before the
 * next, so a back-to-back repeat never queues unbounded data; a failed send ends the repeat. With interval
 * 0 and a burst sender (UDP), it waits per burst instead: a bounded number of datagrams, each still logged.
 */
export class RepeatSend implements IDisposable {
  readonly id: string;
  readonly target: string;
  readonly endpointId: string;
  readonly intervalMs: number;
  readonly count: number | undefined;
  private _stopped = false;
  private _timer?: NodeJS.Timeout;
  private _wake?: () => void;
  sent = 0;
  bytes = 0;

  constructor(private readonly _options: RepeatOptions) {
    this.id = _options.id;
    this.target = _options.target;
    this.endpointId = _options.endpointId;
    this.intervalMs = _options.intervalMs;
    this.count = _options.count;
  }

  /** Starts the loop (it runs in the background; the end is reported through onEnd). */
  start(): void {
    void this._run();
  }

  /** True until the repeat ended or was stopped. */
  get active(): boolean {
    return !this._stopped;
  }

  /** A snapshot for activeRepeats(). */
  info(): RepeatInfo {
    const info: RepeatInfo = {
      id: this.id,
      target: this.target,
      endpointId: this.endpointId,
      intervalMs: this.intervalMs,
      sent: this.sent,
      bytes: this.bytes,
    };
    if (this.count !== undefined) info.count = this.count;
    return info;
  }

  private async _run(): Promise<void> {
    let error: unknown;
    let lastYield = performance.now();
    let sinceYield = 0;
    const burst = this.intervalMs === 0 ? this._options.burst : undefined;
    try {
      while (!this._stopped && (this.count === undefined || this.sent < this.count)) {
        if (burst) {
          const r = await burst.send(
            this.count === undefined ? burst.size : Math.min(burst.size, this.count - this.sent),
          );
          this.sent += r.sent;
          this.bytes += r.bytes;
          sinceYield += r.sent;
          if (r.error !== undefined) throw r.error;
        } else {
          this.bytes += await this._options.sendOnce();
          this.sent++;
          sinceYield++;
        }
        if (this.intervalMs > 0 && (this.count === undefined || this.sent < this.count)) {
          await this._sleep(this.intervalMs);
        } else if (sinceYield >= BACK_TO_BACK_SLICE_SENDS || performance.now() - lastYield >= BACK_TO_BACK_SLICE_MS) {
          // Back to back: let I/O and timers run now and then even when every write is accepted at once, by
          // time as well as by count (a few hundred writes of 64 KiB can hold the event loop for tens of ms).
          await new Promise<void>((r) => setImmediate(r));
          lastYield = performance.now();
          sinceYield = 0;
        }
      }
    } catch (err) {
      error = err;
    }
    const wasStopped = this._stopped;
    this._stopped = true;
    this._options.onEnd(this, wasStopped ? undefined : error);
  }

  private _sleep(ms: number): Promise<void> {
    if (this._stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this._wake = resolve;
      this._timer = setTimeout(resolve, ms);
    });
  }

  /** Stops the repeat; a send in flight completes, no new one starts. */
  dispose(): void {
    if (this._stopped) return;
    this._stopped = true;
    clearTimeout(this._timer);
    this._wake?.();
  }
}
