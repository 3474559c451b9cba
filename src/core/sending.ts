/**
 * Sending through the registry's endpoints: a payload once, once and then waiting for what comes back,
 * repeated (RepeatSend), or a file streamed with backpressure. SocketLab parses the arguments and hands
 * them here; the repeats that run are kept here too.
 */
import * as fs from 'fs';
import type { ParsedArgs } from '../shared/commandArgs';
import { SocketLabError, errorFields, isSocketLabError, type ErrorValues } from '../shared/errors';
import type { RelayDirection } from '../shared/model';
import { isClient } from '../shared/naming';
import type { BuiltinContext } from '../shared/requestFile/variables';
import { composePayload, type ComposedPayloadSpec } from './composePayload';
import type { Endpoint, SendTarget } from './endpoints/endpoint';
import { UdpSocket, udpMaxPayload } from './endpoints/udpSocket';
import { Emitter, type EmitterOptions, type Event } from './event';
import { Disposable, toDisposable } from './lifecycle';
import { RepeatSend, burstSenderFor, type RepeatInfo } from './repeat';
import { nodeBuiltins } from './requestFile/environment';
import { toSocketLabError } from './systemErrors';

/** What send() resolves with. */
export interface SendResult {
  /** Bytes handed to the OS (summed over all connections of a listener); the payload size for a repeat. */
  bytes: number;
  repeatId?: string;
  /**
   * With waitMs: what arrived on that socket. Framing on: the first complete frame, as soon as it is
   * there; otherwise (or when none completes) every byte read within the wait, at most 16 MiB.
   */
  reply?: Uint8Array;
  /** With waitMs and framing on: no frame completed within the wait; `reply` holds what arrived. */
  partial?: boolean;
  /** With waitMs: `reply` is cut (it reached 16 MiB and the wait ended there, or the frame was over maxFrameBytes). */
  truncated?: boolean;
}

/** A repeat that ended by itself (count reached, or a send failed) or was stopped. */
export interface RepeatEndEvent {
  repeatId: string;
  endpointId: string;
  sent: number;
  /** The clear sentence when a send failed. */
  error?: string;
  /** That sentence as a template with `{name}` placeholders, and their values: what a host translates. */
  errorTemplate?: string;
  errorValues?: ErrorValues;
}

/** Where a send goes, as the registry resolves a target id and a destination. */
export interface SendLocator {
  /** The endpoint (and connection or peer) an id names; throws 'unknownId' otherwise. */
  target(id: string): { endpoint: Endpoint; connectionId?: string };
  /** The address a destination host resolves to. */
  resolve(host: string): Promise<{ address: string }>;
}

/** Sends through endpoints and keeps the repeats that run. */
export class Sender extends Disposable {
  private readonly _repeats = new Map<string, RepeatSend>();
  private _nextRepeat = 1;
  /** The built-ins of single sends through each endpoint: `{{$counter}}` counts that endpoint's sends. */
  private readonly _builtins = new WeakMap<Endpoint, BuiltinContext>();
  private readonly _onDidEndRepeat: Emitter<RepeatEndEvent>;
  /** Fires when a repeat ends by itself (count reached, send failed, its endpoint or connection closed) or is stopped. */
  readonly onDidEndRepeat: Event<RepeatEndEvent>;

  constructor(
    private readonly _locator: SendLocator,
    emitterOptions: EmitterOptions,
  ) {
    super();
    this._onDidEndRepeat = this._register(new Emitter<RepeatEndEvent>(emitterOptions));
    this.onDidEndRepeat = this._onDidEndRepeat.event;
    this._register(toDisposable(() => this.stopAll()));
  }

  /**
   * Sends a parsed `send` argument: once, once and waiting for the reply (waitMs), or repeated. With
   * `variables`, built-ins are expanded anew for every send (a repeat counts from 1, single sends count per
   * endpoint); the payload is checked with a trial expansion first, so a bad one is refused before anything.
   */
  async send(a: ParsedArgs<'send'>): Promise<SendResult> {
    const spec: ComposedPayloadSpec = {
      data: a.data,
      format: a.format,
      encoding: a.encoding,
      escapes: a.escapes,
      lineEnding: a.lineEnding,
      checksum: a.checksum,
      checksumEndian: a.checksumEndian,
      variables: a.variables,
    };
    const data = composePayload(spec, a.variables ? nodeBuiltins() : undefined);
    if (a.repeat && a.waitMs !== undefined) {
      throw SocketLabError.create(
        'invalidArgument',
        '{field} cannot be combined with repeat; wait for replies with traffic() instead.',
        { field: 'waitMs' },
      );
    }
    const { endpoint, target } = await this._locate(a.target, a.to, a.direction);
    if (a.repeat) {
      const builtins = nodeBuiltins();
      const next = a.variables ? () => composePayload(spec, builtins) : undefined;
      return this._startRepeat(a.target, endpoint, target, next ? next() : data, a.repeat, next);
    }
    const bytes = a.variables ? composePayload(spec, this._builtinsOf(endpoint)) : data;
    if (a.waitMs !== undefined) return this._sendAndWait(endpoint, target, bytes, a.waitMs);
    return { bytes: await endpoint.send(target, bytes, 'flushed') };
  }

  /** The built-ins of `endpoint`'s single sends (created at its first send with variables). */
  private _builtinsOf(endpoint: Endpoint): BuiltinContext {
    let builtins = this._builtins.get(endpoint);
    if (!builtins) {
      builtins = nodeBuiltins();
      this._builtins.set(endpoint, builtins);
    }
    return builtins;
  }

  /** Sends a file: streamed with backpressure over TCP/Unix, as one datagram over UDP. */
  async sendFile(a: ParsedArgs<'sendFile'>): Promise<{ bytes: number }> {
    const { endpoint, target } = await this._locate(a.target, a.to, a.direction);
    const path = a.path;
    const file = await openRegularFile(path);
    try {
      return endpoint instanceof UdpSocket
        ? await this._sendFileDatagram(endpoint, target, path, file)
        : await this._streamFile(endpoint, target, path, file);
    } finally {
      await file.handle.close().catch(() => undefined);
    }
  }

  /** Stops a running repeat; an unknown id is an error. */
  stopRepeat(id: string): void {
    const r = this._repeats.get(id);
    if (!r) throw SocketLabError.create('unknownId', 'There is no running repeat {id}.', { id });
    this._repeats.delete(id);
    r.dispose();
  }

  /** The repeats still running. */
  activeRepeats(): RepeatInfo[] {
    return [...this._repeats.values()].map((r) => r.info());
  }

  /** Stops the repeats sending to `id` (a connection or endpoint), or to anything of `endpointId`. */
  stopRepeatsOf(id: string, endpointId: string | undefined): void {
    for (const r of this._repeats.values()) {
      if (r.target === id || (endpointId !== undefined && r.endpointId === endpointId)) r.dispose();
    }
  }

  /** Stops every repeat. */
  stopAll(): void {
    for (const r of this._repeats.values()) r.dispose();
    this._repeats.clear();
  }

  /** The endpoint and send target of a target id and destination, once both are known to work. */
  private async _locate(
    targetId: string,
    to: { host: string; port: number } | undefined,
    direction: RelayDirection | undefined,
  ): Promise<{ endpoint: Endpoint; target: SendTarget }> {
    const { endpoint, connectionId } = this._locator.target(targetId);
    if (direction !== undefined && endpoint.kind !== 'relay') {
      throw SocketLabError.create(
        'invalidArgument',
        "{field} is only for relays; {endpoint} is not one: leave 'direction' out.",
        { field: 'direction', id: endpoint.id, endpoint: endpoint.displayName },
      );
    }
    const target: SendTarget = {
      connectionId,
      to: to && { address: (await this._locator.resolve(to.host)).address, port: to.port },
      direction,
    };
    checkCanSend(endpoint);
    return { endpoint, target };
  }

  private _startRepeat(
    targetId: string,
    endpoint: Endpoint,
    target: SendTarget,
    data: Uint8Array,
    repeat: { intervalMs: number; count?: number },
    next?: () => Uint8Array,
  ): SendResult {
    endpoint.checkTarget(target);
    const repeatId = `r${this._nextRepeat++}`;
    // The first send is `data`; with variables every later one is built anew (so no burst repeats one payload).
    let upcoming: Uint8Array | undefined = data;
    const r = new RepeatSend({
      id: repeatId,
      target: targetId,
      endpointId: endpoint.id,
      intervalMs: repeat.intervalMs,
      count: repeat.count,
      sendOnce: () => {
        const bytes = upcoming ?? next!();
        if (next) upcoming = undefined;
        return endpoint.send(target, bytes, 'accepted');
      },
      burst: next ? undefined : burstSenderFor(endpoint, target, data),
      onEnd: (rep, error) => {
        if (this._repeats.get(rep.id) === rep) this._repeats.delete(rep.id);
        const event: RepeatEndEvent = { repeatId: rep.id, endpointId: rep.endpointId, sent: rep.sent };
        if (error !== undefined) Object.assign(event, errorFields(toSocketLabError(error, { operation: 'send' })));
        this._onDidEndRepeat.fire(event);
      },
    });
    this._repeats.set(repeatId, r);
    r.start();
    return { bytes: data.byteLength, repeatId };
  }

  /**
   * Sends, then collects what arrives for `waitMs` (on a client anything, on a listener or peer that
   * connection), or until the first complete frame when the endpoint frames its reads.
   */
  private async _sendAndWait(
    endpoint: Endpoint,
    target: SendTarget,
    data: Uint8Array,
    waitMs: number,
  ): Promise<SendResult> {
    const waiter = endpoint.collect(isClient(endpoint) ? undefined : target.connectionId, waitMs);
    let bytes: number;
    try {
      bytes = await endpoint.send(target, data, 'flushed');
    } catch (err) {
      waiter.cancel();
      throw err;
    }
    return { bytes, ...(await waiter.result) };
  }

  /** A file as one datagram, refused when it cannot fit one (read at most one byte more than fits). */
  private async _sendFileDatagram(
    endpoint: UdpSocket,
    target: SendTarget,
    path: string,
    file: OpenFile,
  ): Promise<{ bytes: number }> {
    const dest =
      target.to?.address ??
      (endpoint.connection(target.connectionId ?? '')?.remote as { address?: string } | undefined)?.address ??
      (endpoint.remote as { address?: string } | undefined)?.address ??
      '0.0.0.0';
    const max = udpMaxPayload(dest);
    const tooLarge = (size: number) =>
      SocketLabError.create(
        'payloadTooLarge',
        '{path} has {size} bytes but one UDP datagram can carry at most {limit}; send a smaller file.',
        { path, size, limit: max },
      );
    if (file.size > max) throw tooLarge(file.size);
    // The file may have grown since fstat: never read more than fits, plus one byte to notice.
    const content = Buffer.allocUnsafe(max + 1);
    let length = 0;
    try {
      for (;;) {
        const { bytesRead } = await file.handle.read(content, length, content.byteLength - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > max) throw tooLarge(length);
      }
    } catch (err) {
      throw toSocketLabError(err, { operation: 'read file', path });
    }
    return { bytes: await endpoint.send(target, content.subarray(0, length), 'flushed') };
  }

  /** A file over a stream, 64 KiB at a time, each chunk waiting for the socket to take it. */
  private async _streamFile(
    endpoint: Endpoint,
    target: SendTarget,
    path: string,
    file: OpenFile,
  ): Promise<{ bytes: number }> {
    let bytes = 0;
    const size = file.size;
    const stream = file.handle.createReadStream({ highWaterMark: 64 * 1024, autoClose: false });
    try {
      for await (const chunk of stream) {
        bytes += await endpoint.send(target, chunk as Buffer, 'accepted');
      }
    } catch (err) {
      const e = toSocketLabError(err, { operation: 'read file', path });
      if (bytes === 0) throw e;
      // Part of the file went out: say how much, so "nothing was sent" never misleads.
      throw SocketLabError.create(
        e.code,
        'Sending {path} stopped after {bytes} of {size} bytes ({problem}).',
        { ...e.values, path, bytes, size, problem: e.message.replace(/\.$/, '') },
        e.systemCode,
        e,
      );
    } finally {
      stream.destroy();
    }
    return { bytes };
  }
}

/** A file opened for Send File, and its size when opened. */
interface OpenFile {
  handle: fs.promises.FileHandle;
  size: number;
}

/**
 * Opens `path` for reading and checks the opened handle (not the name, which may change): only a regular
 * file is sent. O_NONBLOCK keeps a FIFO with no writer from holding a libuv thread forever, and a device
 * such as /dev/zero never ends, so neither is read.
 */
async function openRegularFile(path: string): Promise<OpenFile> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw isFolderError(path);
    throw toSocketLabError(err, { operation: 'read file', path });
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw isFolderError(path);
    if (!stat.isFile()) {
      throw SocketLabError.create(
        'notRegularFile',
        '{path} is not a regular file (it is a device, a pipe or a socket); Send File sends regular files only.',
        { path },
      );
    }
    return { handle, size: stat.size };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw isSocketLabError(err) ? err : toSocketLabError(err, { operation: 'read file', path });
  }
}

function isFolderError(path: string): SocketLabError {
  return SocketLabError.create('isDirectory', '{path} is a folder, not a file.', { path });
}

/** Throws when `endpoint` cannot send now: closed, or failed (a UDP socket in error may still send). */
function checkCanSend(endpoint: Endpoint): void {
  if (endpoint.state === 'closed' || (endpoint.state === 'error' && !(endpoint instanceof UdpSocket))) {
    throw endpointClosedError(endpoint);
  }
}

/** 'TCP → 127.0.0.1:80 is closed; restart it first.', quoting why when the endpoint failed. */
function endpointClosedError(endpoint: Endpoint): SocketLabError {
  const id = endpoint.id;
  const name = endpoint.displayName;
  const inner = endpoint.error;
  if (endpoint.state === 'closed') {
    return inner
      ? SocketLabError.create(
          'endpointClosed',
          '{endpoint} is closed ({problem}); restart it first.',
          { id, endpoint: name, problem: inner.message },
          undefined,
          inner,
        )
      : SocketLabError.create('endpointClosed', '{endpoint} is closed; restart it first.', { id, endpoint: name });
  }
  return inner
    ? SocketLabError.create(
        'endpointClosed',
        '{endpoint} is in error ({problem}); restart it first.',
        { id, endpoint: name, problem: inner.message },
        undefined,
        inner,
      )
    : SocketLabError.create('endpointClosed', '{endpoint} is in error; restart it first.', { id, endpoint: name });
}
