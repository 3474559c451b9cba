/**
 * The bytes of a frame in progress, kept as the chunks they arrived in: appending never copies what is
 * already there (no re-concatenation per read, which is quadratic on a frame split over many reads), and
 * a frame is assembled with one copy when it is complete. Tiny reads are packed into a shared block, so
 * a peer trickling one byte per read costs bytes, not one Buffer object per byte.
 */

/** Reads shorter than this are copied into the packing block instead of kept as their own chunk. */
const SMALL_CHUNK_BYTES = 4096;
/** Size of a packing block. */
const PACK_BLOCK_BYTES = 16 * 1024;

const EMPTY = Buffer.alloc(0);

/** A view of `bytes` as a Buffer, without copying. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A queue of received bytes that only grows at its end and is emptied at once. */
export class ChunkQueue {
  private chunks: Buffer[] = [];
  /** The packing block the last chunk is a view of, or undefined when the last chunk is a read of its own. */
  private block: Buffer | undefined;
  private blockStart = 0;
  private blockUsed = 0;
  /** Bytes in the queue. */
  length = 0;

  /** Appends `chunk` (kept as it is, or copied into the packing block when it is small). */
  push(chunk: Buffer): void {
    const n = chunk.length;
    if (n === 0) {
      return;
    }
    this.length += n;
    if (n >= SMALL_CHUNK_BYTES) {
      this.chunks.push(chunk);
      this.block = undefined;
      return;
    }
    if (!this.block || this.blockUsed + n > this.block.length) {
      // Not pooled: a frame that ends up a view of this block must not pin Node's shared pool.
      this.block = Buffer.allocUnsafeSlow(PACK_BLOCK_BYTES);
      this.blockStart = 0;
      this.blockUsed = 0;
      this.chunks.push(EMPTY);
    } else if (this.blockStart === this.blockUsed) {
      this.chunks.push(EMPTY);
    }
    chunk.copy(this.block, this.blockUsed);
    this.blockUsed += n;
    this.chunks[this.chunks.length - 1] = this.block.subarray(this.blockStart, this.blockUsed);
  }

  /**
   * Empties the queue and returns its bytes followed by `tail`: the only chunk itself when there is one
   * (no copy), otherwise one new buffer.
   */
  takeAllWith(tail: Buffer = EMPTY): Buffer {
    const chunks = this.chunks;
    const total = this.length + tail.length;
    let out: Buffer;
    if (chunks.length === 0) {
      out = tail;
    } else if (chunks.length === 1 && tail.length === 0) {
      out = chunks[0];
    } else {
      out = Buffer.allocUnsafeSlow(total);
      let at = 0;
      for (const chunk of chunks) {
        chunk.copy(out, at);
        at += chunk.length;
      }
      tail.copy(out, at);
    }
    this.clear();
    return out;
  }

  /** The first `count` bytes (count <= length) without removing them: a view when they lie in one chunk. */
  peek(count: number): Buffer {
    const first = this.chunks[0];
    if (first && first.length >= count) {
      return first.subarray(0, count);
    }
    const out = Buffer.allocUnsafe(count);
    let at = 0;
    for (const chunk of this.chunks) {
      if (at >= count) {
        break;
      }
      at += chunk.copy(out, at, 0, Math.min(chunk.length, count - at));
    }
    return out;
  }

  /** A copy of the last `count` bytes (fewer when the queue holds fewer). */
  last(count: number): Buffer {
    const n = Math.min(count, this.length);
    const out = Buffer.allocUnsafe(n);
    let at = n;
    for (let i = this.chunks.length - 1; i >= 0 && at > 0; i--) {
      const chunk = this.chunks[i];
      const take = Math.min(chunk.length, at);
      chunk.copy(out, at - take, chunk.length - take);
      at -= take;
    }
    return out;
  }

  /** Forgets every byte. */
  clear(): void {
    this.chunks = [];
    this.length = 0;
    // The block may still be appended to: the views handed out end where its used part ends.
    this.blockStart = this.blockUsed;
  }
}
