/**
 * What the TCP/Unix and the UDP relay share: the log of both directions, the events a host turns into tree
 * rows, and the list of pairs (or sessions) that keeps the last closed ones for the view.
 */
import { MAX_CLOSED_CONNECTIONS_KEPT } from '../endpoints/endpoint';
import { Emitter, Event } from '../event';
import { Disposable } from '../lifecycle';
import { TrafficLog } from '../trafficLog';
import { RelayDirection, RelayFailure, RelayPairInfo, RelayTap } from './relayTypes';

/** A pair of a stream relay or a session of a UDP relay, as the list sees it. */
export interface RelayEntry {
  readonly id: string;
  /** How the client is named in the log. */
  readonly label: string;
  info(): RelayPairInfo;
}

/** The log, the events and the pair list of a relay; subclasses listen, connect and pass bytes on. */
export abstract class RelayBase<T extends RelayEntry> extends Disposable {
  /** Both directions of every pair: 'in' = client → upstream, 'out' = upstream → client. */
  readonly log: TrafficLog;
  protected readonly _onDidOpenPair = this._register(new Emitter<RelayPairInfo>());
  protected readonly _onDidChangePair = this._register(new Emitter<RelayPairInfo>());
  protected readonly _onDidClosePair = this._register(new Emitter<RelayPairInfo>());
  protected readonly _onDidTap = this._register(new Emitter<RelayTap>());
  protected readonly _onDidFail = this._register(new Emitter<RelayFailure>());
  /** A client was accepted, or a new UDP client address seen (the pair is 'connecting' until its upstream is). */
  readonly onDidOpenPair: Event<RelayPairInfo> = this._onDidOpenPair.event;
  /** A pair's state changed: joined ('open'), or one side half-closed. */
  readonly onDidChangePair: Event<RelayPairInfo> = this._onDidChangePair.event;
  /** A pair is closed (both sides; for UDP: idle, closed, or the relay stopped). */
  readonly onDidClosePair: Event<RelayPairInfo> = this._onDidClosePair.event;
  /** Every chunk or datagram, each way, as it goes through (fired only while somebody listens). */
  readonly onDidTap: Event<RelayTap> = this._onDidTap.event;
  /** Something failed: a handshake, an upstream connection, a datagram that could not be passed on. */
  readonly onDidFail: Event<RelayFailure> = this._onDidFail.event;

  /** Every pair still listed (open ones, and the last closed ones) by id, oldest first. */
  protected readonly _entries = new Map<string, T>();
  private readonly _closedKept: string[] = [];

  constructor(
    /** The relay's id. */
    readonly id: string,
    logCapBytes: number | undefined,
  ) {
    super();
    this.log = new TrafficLog(logCapBytes);
  }

  /** Snapshots of the pairs, open ones and the last closed ones, oldest first. */
  pairs(): RelayPairInfo[] {
    return [...this._entries.values()].map((e) => e.info());
  }

  /** One pair's snapshot. */
  pair(id: string): RelayPairInfo | undefined {
    return this._entries.get(id)?.info();
  }

  /** Logs `data` going through `entry` (unless the log's cap is 0) and fires onDidTap. */
  protected _logTap(entry: T, direction: RelayDirection, data: Buffer, injected: boolean): void {
    const time = Date.now();
    // A log of cap 0 keeps nothing: the owner (a relay endpoint) logs the taps itself.
    if (this.log.capBytes > 0)
      this.log.append({
        time,
        direction: direction === 'toUpstream' ? 'in' : 'out',
        peer: entry.label,
        data,
        connectionId: entry.id,
      });
    if (this._onDidTap.hasListeners) {
      const tap: RelayTap = { pairId: entry.id, direction, time, data };
      if (injected) tap.injected = true;
      this._onDidTap.fire(tap);
    }
  }

  /** `entry` closed: it stays listed among the last MAX_CLOSED_CONNECTIONS_KEPT closed ones, and is told. */
  protected _keepClosed(entry: T): void {
    this._closedKept.push(entry.id);
    if (this._closedKept.length > MAX_CLOSED_CONNECTIONS_KEPT) this._entries.delete(this._closedKept.shift()!);
    this._onDidClosePair.fire(entry.info());
  }
}
