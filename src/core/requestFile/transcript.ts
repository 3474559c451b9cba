/** The record of what a block sent and received, bounded so that a flooding peer cannot grow it. */
import { escapeForDisplay } from '../../shared/display';
import { REQUEST_TRANSCRIPT_MAX_BYTES } from '../../shared/limits';
import { decodeText } from '../codec';

/** What an entry costs besides its data (the entry and its view), counted so that empty datagrams are bounded too. */
const ENTRY_OVERHEAD_BYTES = 64;

/** One chunk or datagram that crossed a block's connection. */
export interface TranscriptEntry {
  direction: 'in' | 'out';
  /** Epoch milliseconds. */
  time: number;
  data: Uint8Array;
}

/** Keeps entries until they hold REQUEST_TRANSCRIPT_MAX_BYTES (data and overhead); after that only counts the data it leaves out. */
export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  private kept = 0;
  /** Bytes not kept once the transcript was full. */
  droppedBytes = 0;

  constructor(private readonly maxBytes = REQUEST_TRANSCRIPT_MAX_BYTES) {}

  /** Records a chunk (a bound method, so it can be handed to a connection as is). */
  readonly tap = (direction: 'in' | 'out', data: Uint8Array): void => {
    const cost = data.length + ENTRY_OVERHEAD_BYTES;
    if (this.kept + cost > this.maxBytes) {
      this.droppedBytes += data.length;
      return;
    }
    this.kept += cost;
    // A plain Uint8Array of exactly its bytes: a socket read has memory of its own (kept as it is), while a
    // small Buffer may be a slice of Node's shared pool (copied, so a kept entry never pins the pool).
    const own = data.byteLength === data.buffer.byteLength;
    this.entries.push({
      direction,
      time: Date.now(),
      data: own ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data),
    });
  };
}

/** What transcriptLines reads: a block's entries and what was left out of them. */
export interface TranscriptOf {
  transcript: readonly TranscriptEntry[];
  droppedTranscriptBytes?: number;
  droppedDatagrams?: number;
}

/**
 * `> text` (sent) and `< text` (received) lines of a block's transcript, decoded as `encoding` and escaped
 * so that received bytes stay inert (controls as `\r`, `\x00`…), each cut at `maxChars`. The CLI joins
 * them with LF, the Testing view with CRLF.
 */
export function transcriptLines(block: TranscriptOf, maxChars = 2000, encoding = 'utf8'): string[] {
  const lines = block.transcript.map(
    (e) => `${e.direction === 'out' ? '>' : '<'} ${escapeForDisplay(decodeText(e.data, encoding), maxChars)}`,
  );
  if (block.droppedTranscriptBytes) lines.push(`… ${block.droppedTranscriptBytes} more bytes not kept`);
  if (block.droppedDatagrams) lines.push(`… ${block.droppedDatagrams} datagrams dropped unread`);
  return lines;
}
