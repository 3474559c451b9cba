import * as vscode from 'vscode';
import type { SocketLab } from '../core/socketLab';
import type { EndpointInfo, TrafficRecord } from '../shared/model';
import { Disposable } from '../core/lifecycle';
import { TrafficLog } from '../core/trafficLog';
import { Throttle } from '../shared/throttle';

/** What `activate()` returns to other extensions and tests (documented in the README). */
export interface SocketLabApi {
  /** Every endpoint with its connections, state, addresses and counters. */
  list(): EndpointInfo[];
  /** The records still held for an endpoint or one connection, oldest first. */
  traffic(id: string): TrafficRecord[];
  /** Something changed (state, counters, endpoints): at most 10 a second during floods. */
  readonly onDidChange: vscode.Event<void>;
  /** Received records, batched per endpoint (at most 10 batches a second; each at most 10,000 records and 1 MiB, the rest counted in `skipped`). */
  readonly onDidReceive: vscode.Event<{ id: string; records: TrafficRecord[]; skipped: number }>;
}

/** API events at most this often. */
const API_EVENT_MS = 100;
/** A batch of onDidReceive holds at most this many records; the rest are counted in `skipped` (read them with traffic()). */
export const RECEIVE_BATCH_MAX_RECORDS = 10_000;
/**
 * ...and at most this many bytes of data per endpoint: a TCP flood arrives in 64 KiB chunks, and 10,000 of
 * them held between two batches would keep hundreds of MB alive beside the log cap.
 */
export const RECEIVE_BATCH_MAX_BYTES = 1024 * 1024;

/** Implements the public API on top of the core, coalescing its per-chunk events. */
export class PublicApi extends Disposable implements SocketLabApi {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidReceive = this._register(
    new vscode.EventEmitter<{ id: string; records: TrafficRecord[]; skipped: number }>(),
  );
  /** Subscribers of onDidReceive: with none, received records are not batched at all. */
  private _receiveListeners = 0;

  /**
   * Records waiting for the next batch, per endpoint. Held in a TrafficLog (by column, small data copied)
   * rather than as the records themselves, so that a UDP flood's datagrams die young instead of surviving
   * until the batch, where the garbage collector would have to copy each of them.
   */
  private readonly _pending = new Map<string, { log: TrafficLog; bytes: number; skipped: number }>();
  private readonly _changeThrottle = this._register(new Throttle(API_EVENT_MS, () => this._onDidChange.fire()));
  private readonly _receiveThrottle = this._register(new Throttle(API_EVENT_MS, () => this._flushReceived()));

  constructor(private readonly _lab: SocketLab) {
    super();
    this._register(_lab.onDidChangeEndpoints(() => this._changeThrottle.schedule()));
    this._register(
      _lab.onDidTraffic(({ endpointId, record }) => {
        this._changeThrottle.schedule();
        if (record.direction !== 'in' || this._receiveListeners === 0) return;
        let batch = this._pending.get(endpointId);
        if (!batch)
          this._pending.set(
            endpointId,
            (batch = { log: new TrafficLog(Number.MAX_SAFE_INTEGER), bytes: 0, skipped: 0 }),
          );
        if (
          batch.log.size < RECEIVE_BATCH_MAX_RECORDS &&
          batch.bytes + record.data.byteLength <= RECEIVE_BATCH_MAX_BYTES
        ) {
          batch.log.append(record);
          batch.bytes += record.data.byteLength;
        } else {
          batch.skipped++;
        }
        this._receiveThrottle.schedule();
      }),
    );
  }

  private _flushReceived(): void {
    const ready: { id: string; records: TrafficRecord[]; skipped: number }[] = [];
    for (const [id, batch] of this._pending) {
      if (batch.log.size === 0 && batch.skipped === 0) {
        // Nothing arrived for a whole period: give back the storage the batch grew.
        this._pending.delete(id);
        continue;
      }
      // Drained, not replaced: a flood refills the batch at the same rate, so its storage is kept, not regrown each period.
      ready.push({ id, records: batch.log.drain(), skipped: batch.skipped });
      batch.bytes = 0;
      batch.skipped = 0;
    }
    // One more period to notice the batches that stay empty.
    if (ready.length) this._receiveThrottle.schedule();
    for (const e of ready) this._onDidReceive.fire(e);
  }

  /** Subscribes to received batches; counting subscribers lets the receive path skip batching when nobody listens. */
  readonly onDidReceive: vscode.Event<{ id: string; records: TrafficRecord[]; skipped: number }> = (
    listener,
    thisArgs,
    disposables,
  ) => {
    this._receiveListeners++;
    const subscription = this._onDidReceive.event(listener, thisArgs);
    let disposed = false;
    const result = {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this._receiveListeners--;
        subscription.dispose();
      },
    };
    disposables?.push(result);
    return result;
  };

  list(): EndpointInfo[] {
    return this._lab.list();
  }

  traffic(id: string): TrafficRecord[] {
    return this._lab.traffic(id);
  }
}
