/**
 * Capture in pcapng: appends the packets of each record to a file as it arrives, so a long session streams
 * to disk and Wireshark can open the file at any moment. Same contract as every capture writer (bounded
 * buffering, `write()` false = pause the source, refused records counted in `lost`, the size limit), plus
 * the closes of TCP streams.
 */
import type { CaptureSpec } from '../../shared/commandArgs';
import { SocketLabError } from '../../shared/errors';
import { TrafficRecord } from '../../shared/model';
import { CaptureFileWriter, type CaptureStopListener } from '../capture';
import type { OpenedCaptureFile } from '../captureFile';
import { ByteBatch } from './byteBatch';
import { exportComment } from './exportPcapng';
import { FlowConnection, FlowEndpoint, describeFlow } from './packetFlows';
import { CloseKind, PcapngEncoder } from './pcapngEncoder';

/** The first bytes of every pcapng file (a section header block). */
export const PCAPNG_MAGIC = Buffer.from([0x0a, 0x0d, 0x0d, 0x0a]);
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
 * Streams an endpoint's records as pcapng into a file opened by openCaptureFile. Each write hands the
 * stream whole blocks, so the file always ends on a block boundary once the OS has the bytes (the size
 * limit too stops between blocks); a file that already holds a capture gets a new section (Wireshark
 * reads them in turn), one that holds anything else is refused. `source` is asked once per new flow.
 */
export class PcapngCaptureWriter extends CaptureFileWriter {
  private readonly _batch: ByteBatch;
  private readonly _encoder: PcapngEncoder;

  constructor(spec: CaptureSpec, file: OpenedCaptureFile, source: PcapngCaptureSource, onStop?: CaptureStopListener) {
    super(spec, file, onStop);
    // A full slab goes out between records' blocks: whole blocks, as every chunk handed on.
    this._batch = new ByteBatch((chunk) => this.emit(chunk), CAPTURE_SLAB_BYTES);
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
    if (file.head.length && !file.head.equals(PCAPNG_MAGIC.subarray(0, file.head.length))) {
      this.stop(
        SocketLabError.create(
          'captureNotPcapng',
          '{path} already holds data that is not pcapng; choose a new file for a pcapng capture.',
          { path: spec.path, field: 'capture.path' },
        ),
      );
      return;
    }
    this._push();
  }

  /** Writes the packets of one record; false means "pause the source until onDrain" (the record was taken or counted lost). */
  write(record: TrafficRecord): boolean {
    if (!this.writing) return true;
    if (this.overBuffered()) {
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
  override close(
    connectionId: string | undefined,
    side: 'local' | 'remote',
    kind: CloseKind,
    timeMs = Date.now(),
  ): void {
    if (!this.writing) return;
    this._encoder.close(connectionId ?? '', side, kind, timeMs);
    this._push();
  }

  private _push(): boolean {
    const chunk = this._batch.take();
    return chunk ? this.emit(chunk) : !this.needsDrain;
  }
}
