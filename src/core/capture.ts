/** Capture of an endpoint's traffic to a file, so nothing is lost past the log cap: the shared writer, and JSON Lines / raw. */
import * as fs from 'fs';
import type { CaptureSpec } from '../shared/commandArgs';
import { SocketLabError } from '../shared/errors';
import { TrafficRecord } from '../shared/model';
import type { OpenedCaptureFile } from './captureFile';
import { IDisposable } from './lifecycle';

/** How much may wait in memory for the disk before writes are refused (and counted as lost). */
export const CAPTURE_MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Told once when a capture stops writing: its file reached maxBytes, or writing failed. */
export type CaptureStopListener = (reason: SocketLabError) => void;

/**
 * What every capture writer shares: a write stream on a file opened by openCaptureFile, bounded
 * buffering (`write()` false = pause the source until onDrain; past CAPTURE_MAX_BUFFERED_BYTES records are
 * refused and counted in `lost`, since UDP cannot be paused), and the size limit: a chunk that would take
 * the file past `spec.maxBytes` is not written, and the capture stops for good with a sentence saying so.
 */
export abstract class CaptureFileWriter implements IDisposable {
  private readonly _stream: fs.WriteStream;
  private _bytes: number;
  private _lost = 0;
  /** No more writes: stopped (limit or failure) or disposed. */
  private _closed = false;
  private _stopped?: SocketLabError;
  private _drainWaiters: (() => void)[] = [];

  constructor(
    readonly spec: CaptureSpec,
    file: OpenedCaptureFile,
    private readonly _onStop?: CaptureStopListener,
  ) {
    this._bytes = file.size;
    // The descriptor was opened (safely) by openCaptureFile; the stream writes to it and closes it.
    this._stream = fs.createWriteStream(spec.path, { fd: file.fd, highWaterMark: 1024 * 1024 });
    this._stream.on('drain', () => this._releaseDrainWaiters());
    this._stream.on('error', (err: NodeJS.ErrnoException) =>
      this.stop(
        SocketLabError.create('captureFailed', 'Capture to {path} failed ({detail}); capture stopped.', {
          path: spec.path,
          detail: err.code ?? err.message,
        }),
        true,
      ),
    );
  }

  /** Writes one record; false means "pause the source until onDrain" (the record was taken, or counted lost). */
  abstract write(record: TrafficRecord): boolean;

  /** Writes the close of one side of a TCP or Unix stream; only pcapng shows closes. */
  close(_connectionId: string | undefined, _side: 'local' | 'remote', _kind: 'fin' | 'rst'): void {}

  /** Bytes of the file so far. */
  get bytes(): number {
    return this._bytes;
  }

  /** Records that could not be captured because the disk fell too far behind. */
  get lost(): number {
    return this._lost;
  }

  /** Why the capture stopped writing, once it did (limit or failure); undefined while it writes. */
  get stopped(): SocketLabError | undefined {
    return this._stopped;
  }

  /** The failure sentence, once writing stopped. */
  get error(): string | undefined {
    return this._stopped?.message;
  }

  /** True while records are still written. */
  protected get writing(): boolean {
    return !this._closed;
  }

  /** True (and the record counted lost) when the disk is too far behind to take more. */
  protected overBuffered(): boolean {
    if (this._stream.writableLength <= CAPTURE_MAX_BUFFERED_BYTES) return false;
    this._lost++;
    return true;
  }

  /** Hands `chunk` to the file unless it would take it past maxBytes (then the capture stops); false = pause. */
  protected emit(chunk: Uint8Array | string): boolean {
    if (this._closed) return true;
    const length = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    if (this._bytes + length > this.spec.maxBytes) {
      this.stop(
        SocketLabError.create(
          'captureLimit',
          'Capture to {path} stopped at its limit of {maxBytes} bytes (maxBytes); start a new capture to record more.',
          { path: this.spec.path, maxBytes: this.spec.maxBytes },
        ),
      );
      return true;
    }
    this._bytes += length;
    return this._stream.write(chunk);
  }

  /** True when the stream wants the source to wait for 'drain'. */
  protected get needsDrain(): boolean {
    return this._stream.writableNeedDrain;
  }

  /** Stops writing for good: what was written stays (a failure destroys the stream), and the listener is told. */
  protected stop(reason: SocketLabError, failed = false): void {
    if (this._closed) return;
    this._closed = true;
    this._stopped = reason;
    if (failed) this._stream.destroy();
    else this._stream.end();
    this._releaseDrainWaiters();
    this._onStop?.(reason);
  }

  /** Resolves once everything written so far is in the file (what a reader opening it then will see). */
  flush(): Promise<void> {
    if (this._closed) return this.closed();
    return new Promise((resolve) => this._stream.write(Buffer.alloc(0), () => resolve()));
  }

  /** Calls `fn` once when the buffered data has gone to disk, or at once when the capture stopped. */
  onDrain(fn: () => void): void {
    if (this._closed) fn();
    else this._drainWaiters.push(fn);
  }

  /** Flushes what is buffered and closes the file. */
  dispose(): void {
    if (!this._closed) {
      this._closed = true;
      this._stream.end();
    }
    this._releaseDrainWaiters();
  }

  /** Resolves when the file is closed (for tests, restarts and orderly shutdown). */
  closed(): Promise<void> {
    return new Promise((resolve) => {
      if (this._stream.closed) resolve();
      else this._stream.once('close', () => resolve());
    });
  }

  private _releaseDrainWaiters(): void {
    const waiters = this._drainWaiters;
    this._drainWaiters = [];
    for (const fn of waiters) fn();
  }
}

/** Captures records as JSON Lines (time, direction, peer, connectionId, data in base64) or as the raw data bytes. */
export class CaptureWriter extends CaptureFileWriter {
  write(record: TrafficRecord): boolean {
    if (!this.writing) return true;
    if (this.overBuffered()) return false;
    if (this.spec.format === 'raw') return this.emit(record.data);
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
    return this.emit(line + '\n');
  }
}
