/**
 * Capture in pcapng: appends the packets of each record to a file as it arrives, so a long session streams
 * to disk and Wireshark can open the file at any moment. Same contract as CaptureWriter (bounded buffering,
 * `write()` false = pause the source, refused records counted in `lost`), plus the closes of TCP streams.
 */
import * as fs from 'fs';
import { SocketLabError } from '../../shared/errors';
import { TrafficRecord } from '../../shared/model';
import { CAPTURE_MAX_BUFFERED_BYTES } from '../capture';
import { IDisposable } from '../lifecycle';
import { ByteBatch } from './byteBatch';
import { exportComment } from './exportPcapng';
import { FlowConnection, FlowEndpoint, describeFlow } from './packetFlows';
import { CloseKind, PcapngEncoder } from './pcapngEncoder';

const PCAPNG_MAGIC = Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]);
/** Slab size of a capture: records arrive one at a time, so a small slab is filled and handed on often. */
const CAPTURE_SLAB_BYTES = 256 * 1024;

/** Where a capture reads what its packets show: the endpoint, and the connection of a record while it has it. */
export interface PcapngCaptureSource {
  /** The endpoint's id, kind and addresses (an Endpoint itself will do): read once per new flow. */
  endpoint(): FlowEndpoint;
  /** The connection or UDP peer `id`, when the endpoint still has it. */
  connection?(id: string): FlowConnection | undefined;
}

/**
 * Streams an endpoint's records to `path` as pcapng. Each write() hands the stream whole blocks, so the
 * file always ends on a block boundary once the OS has the bytes; a file that already holds a capture
 * gets a new section (Wireshark reads them in turn). `source` is asked once per new flow, never per record.
 */
export class PcapngCaptureWriter implements IDisposable {
  private readonly _stream: fs.WriteStream;
  private readonly _batch: ByteBatch;
  private readonly _encoder: PcapngEncoder;
  private _lost = 0;
  private _closed = false;
  private _error?: string;

  constructor(
    readonly spec: { path: string },
    source: PcapngCaptureSource,
    onError?: (error: SocketLabError) => void,
  ) {
    const notPcapng = startsWithOtherData(spec.path);
    this._stream = fs.createWriteStream(spec.path, { flags: 'a', highWaterMark: 1024 * 1024 });
    this._stream.on('error', (err: NodeJS.ErrnoException) =>
      this._fail(
        SocketLabError.create('captureFailed', 'Capture to {path} failed ({detail}); capture stopped.', {
          path: spec.path,
          detail: err.code ?? err.message,
        }),
        onError,
      ),
    );
    this._batch = new ByteBatch((chunk) => this._stream.write(chunk), CAPTURE_SLAB_BYTES);
    const info = source.endpoint();
    this._encoder = new PcapngEncoder(
      this._batch,
      { comment: exportComment(info), interfaceName: `socket-lab ${info.id}` },
      (record) =>
        describeFlow(
          source.endpoint(),
          record,
          record.connectionId === undefined ? undefined : source.connection?.(record.connectionId),
        ),
    );
    if (notPcapng) {
      this._fail(
        SocketLabError.create(
          'captureFailed',
          '{path} already holds data that is not pcapng; choose a new file for a pcapng capture.',
          { path: spec.path },
        ),
        onError,
      );
      return;
    }
    this._push();
  }

  /** Records that could not be captured because the disk fell too far behind. */
  get lost(): number {
    return this._lost;
  }

  /** The failure sentence, if writing failed. */
  get error(): string | undefined {
    return this._error;
  }

  /** Writes the packets of one record; false means "pause the source until onDrain" (the record was taken or counted lost). */
  write(record: TrafficRecord): boolean {
    if (this._closed) return true;
    if (this._stream.writableLength > CAPTURE_MAX_BUFFERED_BYTES) {
      this._lost++;
      this._encoder.skip(record);
      return false;
    }
    this._encoder.write(record);
    return this._push();
  }

  /**
   * Writes the close of one side of a TCP or Unix stream (`connectionId` of its records, undefined for a
   * client's own connection): a FIN, or a RST when it was reset. Nothing for UDP or a stream not seen.
   */
  close(connectionId: string | undefined, side: 'local' | 'remote', kind: CloseKind, timeMs = Date.now()): void {
    if (this._closed) return;
    this._encoder.close(connectionId ?? '', side, kind, timeMs);
    this._push();
  }

  /** Resolves once everything written so far is in the file (what a reader opening it then will see). */
  flush(): Promise<void> {
    if (this._closed) return Promise.resolve();
    return new Promise((resolve) => this._stream.write(Buffer.alloc(0), () => resolve()));
  }

  /** Calls `fn` once when the buffered data has gone to disk. */
  onDrain(fn: () => void): void {
    if (this._closed) fn();
    else this._stream.once('drain', fn);
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
      if (this._stream.closed) resolve();
      else this._stream.once('close', () => resolve());
    });
  }

  private _push(): boolean {
    const chunk = this._batch.take();
    return chunk ? this._stream.write(chunk) : !this._stream.writableNeedDrain;
  }

  private _fail(error: SocketLabError, onError?: (error: SocketLabError) => void): void {
    this._error = error.message;
    this._closed = true;
    this._stream.destroy();
    onError?.(error);
  }
}

/** True when `path` is a non-empty file that does not start with a pcapng section header. */
function startsWithOtherData(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = fs.openSync(path, 'r');
    const head = Buffer.alloc(4);
    const n = fs.readSync(fd, head, 0, 4, 0);
    return n > 0 && !head.subarray(0, n).equals(PCAPNG_MAGIC.subarray(0, n));
  } catch {
    return false; // Missing (it will be created) or unreadable (the write stream reports why).
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
