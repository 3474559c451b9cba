/** Optional capture of an endpoint's traffic to a file, so nothing is lost past the log cap. */
import * as fs from 'fs';
import { SocketLabError } from '../shared/errors';
import type { CaptureSpec } from '../shared/commandArgs';
import { IDisposable } from './lifecycle';
import { TrafficRecord } from '../shared/model';

/** How much may wait in memory for the disk before writes are refused (and counted as lost). */
export const CAPTURE_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * Appends records to a file through a write stream. Buffering is bounded: `write()` returns false once
 * the stream is over its high-water mark so stream sockets can pause until `onDrain`; past
 * CAPTURE_MAX_BUFFERED_BYTES records are refused and counted in `lost` (UDP cannot be paused).
 */
export class CaptureWriter implements IDisposable {
  private readonly _stream: fs.WriteStream;
  private _lost = 0;
  private _closed = false;
  private _error?: string;

  constructor(
    readonly spec: CaptureSpec,
    onError?: (error: SocketLabError) => void,
  ) {
    this._stream = fs.createWriteStream(spec.path, { flags: 'a', highWaterMark: 1024 * 1024 });
    this._stream.on('error', (err: NodeJS.ErrnoException) => {
      const error = SocketLabError.create('captureFailed', 'Capture to {path} failed ({detail}); capture stopped.', {
        path: spec.path,
        detail: err.code ?? err.message,
      });
      this._error = error.message;
      this._closed = true;
      onError?.(error);
    });
  }

  /** Records that could not be captured because the disk fell too far behind. */
  get lost(): number {
    return this._lost;
  }

  /** The failure sentence, if writing failed. */
  get error(): string | undefined {
    return this._error;
  }

  /** Writes one record; false means "pause the source until onDrain" (the record itself was taken). */
  write(record: TrafficRecord): boolean {
    if (this._closed) {
      return true;
    }
    if (this._stream.writableLength > CAPTURE_MAX_BUFFERED_BYTES) {
      this._lost++;
      return false;
    }
    if (this.spec.format === 'raw') {
      return this._stream.write(record.data);
    }
    const line = JSON.stringify({
      time: record.time,
      direction: record.direction,
      peer: record.peer,
      connectionId: record.connectionId,
      // Framing fields, present only on framed records (JSON.stringify leaves undefined out).
      truncated: record.truncated,
      partial: record.partial,
      delimiterBytes: record.delimiterBytes,
      headerBytes: record.headerBytes,
      data: Buffer.from(record.data.buffer, record.data.byteOffset, record.data.byteLength).toString('base64'),
    });
    return this._stream.write(line + '\n');
  }

  /** Calls `fn` once when the buffered data has gone to disk. */
  onDrain(fn: () => void): void {
    if (this._closed) {
      fn();
    } else {
      this._stream.once('drain', fn);
    }
  }

  /** Flushes what is buffered and closes the file. */
  dispose(): void {
    if (!this._closed) {
      this._closed = true;
      this._stream.end();
    } else {
      this._stream.destroy();
    }
  }

  /** Resolves when the file is closed (for tests and orderly shutdown). */
  closed(): Promise<void> {
    return new Promise((resolve) => {
      if (this._stream.closed) {
        resolve();
      } else {
        this._stream.once('close', () => resolve());
      }
    });
  }
}
