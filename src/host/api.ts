import * as vscode from 'vscode';
import type { SocketLab } from '../core/socketLab';
import type { EndpointInfo, TrafficRecord } from '../core/types';
import { Disposable } from '../core/lifecycle';
import { Throttle } from '../shared/throttle';

/** What `activate()` returns to other extensions and tests (documented in the README). */
export interface SocketLabApi {
  /** Every endpoint with its connections, state, addresses and counters. */
  list(): EndpointInfo[];
  /** The records still held for an endpoint or one connection, oldest first. */
  traffic(id: string): TrafficRecord[];
  /** Something changed (state, counters, endpoints): at most 10 a second during floods. */
  readonly onDidChange: vscode.Event<void>;
  /** Received records, batched per endpoint (at most 10 batches a second per endpoint). */
  readonly onDidReceive: vscode.Event<{ id: string; records: TrafficRecord[]; skipped: number }>;
}

/** API events at most this often. */
const API_EVENT_MS = 100;
/** A batch of onDidReceive holds at most this many records; the rest are counted in `skipped` (read them with traffic()). */
export const RECEIVE_BATCH_MAX_RECORDS = 10_000;

/** Implements the public API on top of the core, coalescing its per-chunk events. */
export class PublicApi extends Disposable implements SocketLabApi {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidReceive = this._register(new vscode.EventEmitter<{ id: string; records: TrafficRecord[]; skipped: number }>());
  readonly onDidReceive = this._onDidReceive.event;

  private readonly pending = new Map<string, { records: TrafficRecord[]; skipped: number }>();
  private readonly changeThrottle = this._register(new Throttle(API_EVENT_MS, () => this._onDidChange.fire()));
  private readonly receiveThrottle = this._register(new Throttle(API_EVENT_MS, () => this.flushReceived()));

  constructor(private readonly lab: SocketLab) {
    super();
    this._register(lab.onDidChangeEndpoints(() => this.changeThrottle.schedule()));
    this._register(
      lab.onDidTraffic(({ endpointId, record }) => {
        this.changeThrottle.schedule();
        if (record.direction !== 'in') return;
        let batch = this.pending.get(endpointId);
        if (!batch) this.pending.set(endpointId, (batch = { records: [], skipped: 0 }));
        if (batch.records.length < RECEIVE_BATCH_MAX_RECORDS) batch.records.push(record);
        else batch.skipped++;
        this.receiveThrottle.schedule();
      }),
    );
  }

  private flushReceived(): void {
    const batches = [...this.pending];
    this.pending.clear();
    for (const [id, batch] of batches) this._onDidReceive.fire({ id, ...batch });
  }

  list(): EndpointInfo[] {
    return this.lab.list();
  }

  traffic(id: string): TrafficRecord[] {
    return this.lab.traffic(id);
  }
}
