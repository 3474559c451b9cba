/** Exports the records an endpoint (or one of its connections) still holds as a pcapng file Wireshark opens. */
import * as fs from 'fs';
import type { Writable } from 'stream';
import { SocketLabError, isSocketLabError } from '../../shared/errors';
import { ConnectionInfo, EndpointInfo, TrafficRecord } from '../../shared/model';
import { endpointName, isListener } from '../../shared/naming';
import { toSocketLabError } from '../systemErrors';
import { ByteBatch } from './byteBatch';
import { FlowEndpoint, describeFlow, flowKey } from './packetFlows';
import { CloseKind, PcapngEncoder } from './pcapngEncoder';

/** What an export wrote. */
export interface PcapngExportResult {
  /** Records exported. */
  records: number;
  /** Packets written (records, their segments, and the synthesised handshakes, ACKs, FINs). */
  packets: number;
  /** Bytes of the file. */
  bytes: number;
}

/** One side closing, in the order the packets show it. */
export interface FlowClose {
  side: 'local' | 'remote';
  kind: CloseKind;
}

/** What an endpoint or connection snapshot says about how its stream ended. */
type EndState = Pick<ConnectionInfo, 'peerEnded' | 'localEnded' | 'errorValues'> & { state: string };

/**
 * The closes a stream's snapshot implies: a FIN for each side that ended (the peer's first where it ended
 * first: a listener ends its side after the peer's FIN, a client usually half-closes first), our own FIN
 * when the socket is closed without one, and a RST from the peer when it reset the connection.
 */
export function closesOf(snapshot: EndState, isListener: boolean): FlowClose[] {
  const closed = snapshot.state === 'closed' || snapshot.state === 'error';
  const reset = closed && snapshot.errorValues?.systemCode === 'ECONNRESET';
  const peerFirst = !!snapshot.peerEnded && (isListener || !snapshot.localEnded);
  const out: FlowClose[] = [];
  if (peerFirst) out.push({ side: 'remote', kind: 'fin' });
  if (snapshot.localEnded || (closed && !reset)) out.push({ side: 'local', kind: 'fin' });
  if (snapshot.peerEnded && !peerFirst) out.push({ side: 'remote', kind: 'fin' });
  if (reset) out.push({ side: 'remote', kind: 'rst' });
  return out;
}

/** The comment a file carries about itself: what was exported, and that the headers are made up. */
export function exportComment(endpoint: FlowEndpoint & { dropped?: number }): string {
  const name = endpointName(endpoint);
  const dropped = endpoint.dropped
    ? ` ${endpoint.dropped} older records had been dropped by the log cap and are not in it.`
    : '';
  return (
    `Socket Lab traffic of ${name} (${endpoint.id}). The payloads and times are the logged ones; the IP, ` +
    `TCP and UDP headers, handshakes, ACKs and FINs are synthesised (Unix sockets are shown as TCP on 127.x ` +
    `addresses).${dropped}`
  );
}

/**
 * Writes `records` (oldest first, as `SocketLab.traffic(id)` returns them for an endpoint or one of its
 * connections) of `endpoint` as pcapng to a file (created or replaced) or to a stream (left open).
 */
export async function exportPcapng(
  endpoint: EndpointInfo,
  records: readonly TrafficRecord[],
  target: string | Writable,
): Promise<PcapngExportResult> {
  const sink = typeof target === 'string' ? await fileSink(target) : streamSink(target);
  const pending: Buffer[] = [];
  const batch = new ByteBatch((chunk) => pending.push(chunk));
  const connections = new Map(endpoint.connections.map((c) => [c.id, c]));
  const connectionOf = (key: string) => (key === '' ? undefined : connections.get(key));
  const encoder = new PcapngEncoder(
    batch,
    { comment: exportComment(endpoint), interfaceName: `socket-lab ${endpoint.id}` },
    (record) => describeFlow(endpoint, record, connectionOf(flowKey(record))),
  );
  let bytes = 0;
  const send = async (chunks: Buffer[]) => {
    for (const chunk of chunks.splice(0)) {
      bytes += chunk.length;
      await sink.write(chunk);
    }
  };
  try {
    const isStream = endpoint.kind !== 'udp';
    const last = isStream ? lastIndexOfEachFlow(records) : new Map<string, number>();
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      encoder.write(record);
      const key = flowKey(record);
      if (last.get(key) === i) {
        for (const c of closesOfFlow(endpoint, connectionOf(key))) encoder.close(key, c.side, c.kind, record.time);
      }
      // Whole slabs go out as they fill: the file is written while the rest is encoded, never held at once.
      if (pending.length) await send(pending);
    }
    const rest = batch.take();
    if (rest) pending.push(rest);
    await send(pending);
    await sink.finish();
  } catch (err) {
    await sink.abort();
    throw isSocketLabError(err) ? err : writeError(err, typeof target === 'string' ? target : undefined);
  }
  return { records: encoder.counts.records, packets: encoder.counts.packets, bytes };
}

function lastIndexOfEachFlow(records: readonly TrafficRecord[]): Map<string, number> {
  const last = new Map<string, number>();
  for (let i = 0; i < records.length; i++) last.set(flowKey(records[i]), i);
  return last;
}

/** The closes of a client's own stream (no connection) or of an accepted connection still listed. */
function closesOfFlow(endpoint: EndpointInfo, connection: ConnectionInfo | undefined): FlowClose[] {
  const listener = isListener(endpoint.kind);
  if (connection) return closesOf(connection, listener);
  return listener ? [] : closesOf(endpoint, false);
}

interface Sink {
  write(chunk: Buffer): Promise<void>;
  finish(): Promise<void>;
  abort(): Promise<void>;
}

async function fileSink(path: string): Promise<Sink> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, 'w');
  } catch (err) {
    throw writeError(err, path);
  }
  return {
    write: async (chunk) => {
      await handle.write(chunk);
    },
    finish: () => handle.close(),
    abort: () => handle.close().catch(() => undefined),
  };
}

function streamSink(stream: Writable): Sink {
  let failure: unknown;
  const onError = (err: unknown) => (failure ??= err);
  stream.on('error', onError);
  const done = () => stream.off('error', onError);
  return {
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        // The callback settles once this chunk is handed on: backpressure without waiting for 'drain' separately.
        stream.write(chunk, (err) => (err || failure ? reject(err ?? failure) : resolve()));
      }),
    finish: async () => {
      done();
      if (failure) throw failure;
    },
    abort: async () => {
      done();
    },
  };
}

/** The sentence of a failed write: a missing folder, the usual file sentences (permission, a folder) or the code. */
function writeError(err: unknown, path: string | undefined): SocketLabError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (path !== undefined && (code === 'ENOENT' || code === 'ENOTDIR')) {
    return SocketLabError.create(
      'fileNotFound',
      'The folder of {path} does not exist; create it or choose another path.',
      { path, systemCode: code },
      code,
    );
  }
  if (path !== undefined && (code === 'EACCES' || code === 'EISDIR')) {
    return toSocketLabError(err, { operation: 'write file', path });
  }
  return SocketLabError.create('exportFailed', 'Writing the pcapng file {path} failed ({detail}).', {
    path: path ?? 'stream',
    detail: code ?? (err instanceof Error ? err.message : String(err)),
  });
}
