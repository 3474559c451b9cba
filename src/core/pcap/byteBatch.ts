/** A slab of output bytes that blocks are written into in place, handed out in whole-block slices. */

/** Default slab size: large enough that the per-write cost of a file or stream disappears. */
export const DEFAULT_BATCH_BYTES = 1024 * 1024;

/**
 * Bytes written since the last take() live in a slab; take() hands them out as one slice (never copied
 * again, never overwritten: writing continues after it) and a new slab is started only when one is full.
 * A slice always ends on a block boundary, so whatever has been handed out is a readable file prefix.
 */
export class ByteBatch {
  private _slab: Buffer;
  private _start = 0;
  private _end = 0;

  /** `onFull` receives the pending bytes when a reservation does not fit in the current slab. */
  constructor(
    private readonly _onFull: (chunk: Buffer) => void,
    private readonly _slabBytes = DEFAULT_BATCH_BYTES,
  ) {
    this._slab = Buffer.allocUnsafe(_slabBytes);
  }

  /** Bytes written and not yet taken. */
  get pending(): number {
    return this._end - this._start;
  }

  /** Room for `length` more bytes: the buffer and the offset to write them at. */
  reserve(length: number): { buffer: Buffer; offset: number } {
    if (this._end + length > this._slab.length) {
      const pending = this.take();
      if (pending) this._onFull(pending);
      this._slab = Buffer.allocUnsafe(Math.max(this._slabBytes, length));
      this._start = this._end = 0;
    }
    const offset = this._end;
    this._end += length;
    return { buffer: this._slab, offset };
  }

  /** Appends `bytes` as they are (whole blocks built elsewhere). */
  append(bytes: Uint8Array): void {
    const { buffer, offset } = this.reserve(bytes.length);
    buffer.set(bytes, offset);
  }

  /** The bytes written since the last take(), or undefined when there are none. */
  take(): Buffer | undefined {
    if (this._end === this._start) return undefined;
    const chunk = this._slab.subarray(this._start, this._end);
    this._start = this._end;
    return chunk;
  }
}
