/**
 * Send-and-wait (`send … waitMs`): what arrives on a socket after a send, kept until the wait ends. The
 * wait ends at waitMs, when the peer finishes or the socket closes, when the reply reaches its limit, and,
 * with framing on, as soon as the first complete frame arrives (the reply is then that frame). Nothing
 * is kept past SEND_WAIT_REPLY_MAX_BYTES, so a peer that floods during a long wait costs at most that.
 */
import { SEND_WAIT_REPLY_MAX_BYTES } from '../../shared/limits';
import type { FrameInfo } from '../framing/deframer';

/** What a send-and-wait resolves with. */
export interface CollectedReply {
  /** The first complete frame (framing on), or every byte read since the send (a copy either way). */
  reply: Uint8Array;
  /** Framing on and no frame completed within the wait: `reply` is what arrived, in pieces of frames. */
  partial?: boolean;
  /** `reply` holds only the first bytes: the reply limit was reached, or the frame was cut at maxFrameBytes. */
  truncated?: boolean;
}

/** One send-and-wait in progress on an endpoint (all of it, or one connection). */
export class ReplyCollector {
  private readonly _chunks: Uint8Array[] = [];
  private _bytes = 0;
  private _truncated = false;
  private _done = false;
  private readonly _timer: NodeJS.Timeout;
  private _resolve!: (reply: CollectedReply) => void;
  /** Settles once, whatever ends the wait. */
  readonly result = new Promise<CollectedReply>((resolve) => (this._resolve = resolve));

  constructor(
    /** The connection whose bytes count; undefined: any connection of the endpoint. */
    readonly connectionId: string | undefined,
    waitMs: number,
    /** True when the endpoint frames what it reads (a wait without a frame is then `partial`). */
    private readonly _framed: () => boolean,
    /** Told once the wait is over (the endpoint forgets the collector). */
    private readonly _onDone: (collector: ReplyCollector) => void,
    private readonly _limit = SEND_WAIT_REPLY_MAX_BYTES,
  ) {
    this._timer = setTimeout(() => this.finish(), waitMs);
  }

  /** True when bytes of connection `connectionId` belong to this wait. */
  wants(connectionId: string): boolean {
    return this.connectionId === undefined || this.connectionId === connectionId;
  }

  /** A read (kept by reference, never past the limit; reaching it ends the wait). */
  read(chunk: Uint8Array): void {
    if (this._done) return;
    const room = this._limit - this._bytes;
    if (chunk.byteLength < room) {
      this._chunks.push(chunk);
      this._bytes += chunk.byteLength;
      return;
    }
    this._chunks.push(chunk.subarray(0, room));
    this._bytes += room;
    this._truncated = chunk.byteLength > room;
    if (this._truncated) this.finish();
  }

  /** A complete frame: the reply is this frame (a truncated frame counts, with its flag); partial frames do not. */
  frame(frame: Uint8Array, info: Readonly<FrameInfo>): void {
    if (this._done || info.partial) return;
    this._settle(info.truncated ? { reply: copy(frame), truncated: true } : { reply: copy(frame) });
  }

  /** Ends the wait with what was read. */
  finish(): void {
    if (this._done) return;
    const reply: CollectedReply = { reply: concat(this._chunks, this._bytes) };
    if (this._truncated) reply.truncated = true;
    else if (this._framed()) reply.partial = true;
    this._settle(reply);
  }

  private _settle(reply: CollectedReply): void {
    this._done = true;
    clearTimeout(this._timer);
    this._chunks.length = 0;
    this._onDone(this);
    this._resolve(reply);
  }
}

function copy(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes);
}

/** One new buffer holding `chunks` (total `bytes`, at most the reply limit, so it never fails for its size). */
function concat(chunks: readonly Uint8Array[], bytes: number): Buffer {
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
