/**
 * What a block's connection has received and no expect has taken yet: a byte stream (TCP, TLS, Unix
 * without framing) or a queue of messages (UDP datagrams, frames). Bounded by REQUEST_RECEIVE_MAX_BYTES:
 * past it the connection is asked to stop reading (a stream) or a datagram is dropped, so a peer flooding
 * while the block waits cannot grow memory.
 */
import { REQUEST_RECEIVE_MAX_BYTES } from '../../shared/limits';
import type { SocketLabError } from '../../shared/errors';

/** How the peer's side ended, once it has. */
export type PeerEnd = { kind: 'closed' } | { kind: 'error'; error: SocketLabError };

/** Bytes in one growing buffer: appends copy once, takes move a start index, the space is reused. */
class ByteQueue {
  private buffer = Buffer.alloc(0);
  private start = 0;
  private end = 0;

  get length(): number {
    return this.end - this.start;
  }

  append(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buffer.length) {
      const needed = this.length + chunk.length;
      if (needed <= this.buffer.length / 2 && this.start > 0) {
        // Plenty of room once the taken bytes are dropped: slide the rest to the front.
        this.buffer.copyWithin(0, this.start, this.end);
      } else {
        const grown = Buffer.allocUnsafe(Math.max(needed * 2, 4096));
        this.buffer.copy(grown, 0, this.start, this.end);
        this.buffer = grown;
      }
      this.end = this.length;
      this.start = 0;
    }
    this.buffer.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** A view of what is held (valid until the next append or take). */
  view(): Buffer {
    return this.buffer.subarray(this.start, this.end);
  }

  /** Removes and returns (a copy of) the first `n` bytes. */
  take(n: number): Uint8Array {
    const out = Uint8Array.prototype.slice.call(this.buffer, this.start, this.start + n);
    this.skip(n);
    return out;
  }

  /** Removes the first `n` bytes. */
  skip(n: number): void {
    this.start += n;
    if (this.start === this.end) {
      this.start = this.end = 0;
      if (this.buffer.length > 64 * 1024) this.buffer = Buffer.alloc(0);
    }
  }
}

/** The received side of one block's connection. */
export class Inbox {
  private readonly bytes = new ByteQueue();
  private readonly messages: Uint8Array[] = [];
  private messageBytes = 0;
  private listener: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerMs = 0;
  private onTimer: (() => void) | undefined;
  private _end: PeerEnd | undefined;
  private _full = false;
  /** Datagrams dropped because the inbox was full. */
  dropped = 0;
  /** Counts every arrival (bytes or a message): an expect silence compares it before and after. */
  arrivals = 0;
  /** Set when the run is cancelled: the waiting expect gives up. */
  interrupted = false;

  /**
   * `mode`: 'stream' keeps one byte stream, 'messages' keeps datagrams or frames apart.
   * `onFull(true)` asks the stream to stop reading, `onFull(false)` to read again.
   */
  constructor(
    readonly mode: 'stream' | 'messages',
    private readonly onFull: (full: boolean) => void = () => undefined,
    readonly limit = REQUEST_RECEIVE_MAX_BYTES,
  ) {}

  /** Bytes held (stream) or held in messages. */
  get held(): number {
    return this.mode === 'stream' ? this.bytes.length : this.messageBytes;
  }

  /** True once held reaches the limit. */
  get full(): boolean {
    return this.held >= this.limit;
  }

  /** How the peer ended, or undefined while it is open. */
  get end(): PeerEnd | undefined {
    return this._end;
  }

  /** Adds received stream bytes. */
  pushBytes(chunk: Uint8Array): void {
    this.bytes.append(chunk);
    this.arrived();
  }

  /** Adds a datagram or a frame; a datagram arriving on a full inbox is dropped (and counted). */
  pushMessage(message: Uint8Array, droppable: boolean): void {
    if (droppable && this.full) {
      this.dropped++;
      return;
    }
    this.messages.push(message);
    this.messageBytes += message.length;
    this.arrived();
  }

  /** The peer closed (or the connection failed); waiting expects are woken. Only the first end counts. */
  ended(end: PeerEnd): void {
    this._end ??= end;
    this.notify();
  }

  /** The run was cancelled: wakes the waiting expect, which then fails. */
  interrupt(): void {
    this.interrupted = true;
    this.notify();
  }

  /** A view of the stream bytes held (valid until the next push or take). */
  view(): Buffer {
    return this.bytes.view();
  }

  /** Removes the first `n` stream bytes and returns them. */
  takeBytes(n: number): Uint8Array {
    const out = this.bytes.take(n);
    this.checkRoom();
    return out;
  }

  /** The next message, without removing it. */
  peekMessage(): Uint8Array | undefined {
    return this.messages[0];
  }

  /** Removes the first `n` stream bytes without copying them. */
  skip(n: number): void {
    this.bytes.skip(n);
    this.checkRoom();
  }

  /**
   * Calls `onTimeout` after `ms` unless disarm() comes first. One timer per inbox, restarted (refresh) rather
   * than re-created for each expect: a long conversation waits thousands of times.
   */
  arm(ms: number, onTimeout: () => void): void {
    this.onTimer = onTimeout;
    if (this.timer && this.timerMs === ms) {
      this.timer.refresh();
      return;
    }
    clearTimeout(this.timer);
    this.timerMs = ms;
    this.timer = setTimeout(() => {
      const fire = this.onTimer;
      this.onTimer = undefined;
      fire?.();
    }, ms);
  }

  /** Forgets the pending timeout; the timer itself stays until dispose() or it expires unheard. */
  disarm(): void {
    this.onTimer = undefined;
  }

  /** Stops the timer: called when the connection closes, so no timer outlives the block. */
  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.onTimer = undefined;
    this.listener = undefined;
  }

  /** Removes the next message. */
  takeMessage(): Uint8Array | undefined {
    const message = this.messages.shift();
    if (message) {
      this.messageBytes -= message.length;
      this.checkRoom();
    }
    return message;
  }

  /** Calls `listener` on every arrival or end until it is replaced or cleared (one waiter at a time: a block runs one step at a time). */
  onChange(listener: (() => void) | undefined): void {
    this.listener = listener;
  }

  private arrived(): void {
    this.arrivals++;
    if (!this._full && this.full) {
      this._full = true;
      this.onFull(true);
    }
    this.notify();
  }

  private checkRoom(): void {
    if (this._full && !this.full) {
      this._full = false;
      this.onFull(false);
    }
  }

  private notify(): void {
    this.listener?.();
  }
}
