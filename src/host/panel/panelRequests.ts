/**
 * The send panel's requests, each answered by the handler of its type with the result the protocol's
 * request -> result map (shared/protocol ResultSchemas) gives for it. Requests arrive validated; a handler
 * still checks what the schema cannot: that the endpoint is there, that a target is this panel's, that the
 * rows asked for are the ones the webview holds.
 */
import * as vscode from 'vscode';
import type { SocketLab } from '../../core/socketLab';
import type { TrafficLogView } from '../../core/trafficLog';
import { decodeText } from '../../core/codec';
import { composePayload } from '../../core/composePayload';
import { nodeBuiltins } from '../../core/requestFile/environment';
import { toHex } from '../../shared/display';
import { SocketLabError } from '../../shared/errors';
import { connectionLabel, formatAddress, isListener } from '../../shared/naming';
import { FETCH_RECORD_MAX_BYTES, PANEL_NAME_MAX_CHARS, PANEL_TEXT_MAX_CHARS } from '../../shared/limits';
import type { EndpointInfo, TrafficRecord } from '../../shared/model';
import type { HostMessage, RequestOf, RequestType, ResultOf, WebviewRequest } from '../../shared/protocol';
import { describeError } from '../errorText';
import { readSettings } from '../settings';
import { saveToRequestFile } from '../requestFile/saveBlock';
import { endpointNode } from '../socketsTree';
import { askExportFile, exportTraffic } from './panelExport';
import type { PanelRepeats } from './panelRepeats';
import { applyMulticastChange } from './panelMulticast';
import { convertPayload } from './payloadConvert';
import type { TrafficFeed } from './trafficFeed';

/** What answering requests needs from the panel they came from. */
export interface PanelRequestContext {
  readonly endpointId: string;
  /** The endpoint's label ('TCP 127.0.0.1:8880'), for dialogs and refusals. */
  readonly label: string;
  readonly lab: SocketLab;
  readonly feed: TrafficFeed;
  readonly repeats: PanelRepeats;
  readonly output?: vscode.LogOutputChannel;
  /** The endpoint as it is now; throws 'unknownId' when the panel's endpoint is gone. */
  requireEndpoint(): EndpointInfo;
  /** The endpoint's log as it is now (empty when the endpoint is gone). */
  log(): TrafficLogView;
  /** The log changed under the panel (cleared, or no longer what was posted): post a reset soon. */
  resync(): void;
  post(message: HostMessage): void;
}

type RequestHandlers = { [K in RequestType]: (request: RequestOf<K>) => ResultOf<K> | Promise<ResultOf<K>> };

/** Answers one panel's requests. */
export class PanelRequests {
  private readonly _handlers: RequestHandlers = {
    validate: (r) => validate(r),
    convert: (r) => convert(r),
    send: (r) => this._send(r),
    sendFile: (r) => this._sendFile(r),
    stopRepeat: (r) => this._stopRepeat(r),
    setAutoReply: (r) => this._setAutoReply(r),
    clear: () => this._clear(),
    setFraming: async () => {
      this.ctx.requireEndpoint();
      // The Set Framing command's own prompt, as from the Sockets view; the header follows the endpoint's change.
      await vscode.commands.executeCommand('socketLab.setFraming', endpointNode(this.ctx.endpointId));
      return {};
    },
    // The Start/Stop Capture commands' own prompts and messages, as from the Sockets view and the palette.
    startCapture: async () => {
      this.ctx.requireEndpoint();
      const info = await vscode.commands.executeCommand<unknown>(
        'socketLab.startCapture',
        endpointNode(this.ctx.endpointId),
      );
      return info ? {} : { cancelled: true };
    },
    stopCapture: async () => {
      this.ctx.requireEndpoint();
      await vscode.commands.executeCommand('socketLab.stopCapture', endpointNode(this.ctx.endpointId));
      return {};
    },
    export: (r) => this._export(r),
    fetchOlder: (r) => this._fetchOlder(r),
    fetchRecord: (r) => this._fetchRecord(r),
    copy: (r) => this._copy(r),
    saveToRequestFile: (r) => {
      const { type: _type, id: _id, to, ...payload } = r;
      return saveToRequestFile(this.ctx.requireEndpoint(), payload, to);
    },
    multicast: (r) => {
      this.ctx.requireEndpoint();
      applyMulticastChange(this.ctx.lab, this.ctx.endpointId, r.change);
      return {};
    },
    copyText: async (r) => {
      await vscode.env.clipboard.writeText(r.text);
      return {};
    },
  };

  constructor(private readonly ctx: PanelRequestContext) {}

  /** Runs a request and posts its one response: the result, or the error sentence. */
  async answer(request: WebviewRequest): Promise<void> {
    try {
      const result = await this.run(request.type, request);
      this.ctx.post({ type: 'response', id: request.id, ok: true, result });
    } catch (err) {
      const error = describeError(err);
      if (request.type !== 'validate')
        this.ctx.output?.warn(
          vscode.l10n.t('send panel {0}: {1} failed: {2}', this.ctx.endpointId, request.type, error),
        );
      this.ctx.post({ type: 'response', id: request.id, ok: false, error: error.slice(0, PANEL_TEXT_MAX_CHARS) });
    }
  }

  /** The result of one request, by the handler of its type. */
  async run<K extends RequestType>(type: K, request: RequestOf<K>): Promise<ResultOf<K>> {
    return this._handlers[type](request);
  }

  private async _send(request: RequestOf<'send'>): Promise<ResultOf<'send'>> {
    const info = this.ctx.requireEndpoint();
    this._checkTarget(request.target);
    const { type: _type, id: _id, ...args } = request;
    const result = await this.ctx.lab.send(args);
    if (result.repeatId) this.ctx.repeats.add(result.repeatId);
    return {
      bytes: result.bytes,
      ...(result.repeatId ? { repeatId: result.repeatId } : {}),
      ...sentTo(info, request),
    };
  }

  private async _sendFile(request: RequestOf<'sendFile'>): Promise<ResultOf<'sendFile'>> {
    this.ctx.requireEndpoint();
    this._checkTarget(request.target);
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: vscode.l10n.t('Send'),
      title: vscode.l10n.t('Send a file to {0}', this.ctx.label),
    });
    if (!uris?.length) return { bytes: 0, cancelled: true };
    const result = await this.ctx.lab.sendFile({
      target: request.target,
      path: uris[0].fsPath,
      ...(request.to ? { to: request.to } : {}),
      ...(request.direction ? { direction: request.direction } : {}),
    });
    return { bytes: result.bytes, path: uris[0].fsPath };
  }

  private _stopRepeat(request: RequestOf<'stopRepeat'>): ResultOf<'stopRepeat'> {
    if (!this.ctx.repeats.has(request.repeatId))
      throw SocketLabError.create('unknownId', 'There is no running repeat {id}.', { id: request.repeatId });
    this.ctx.lab.stopRepeat({ repeatId: request.repeatId });
    return {};
  }

  private _setAutoReply(request: RequestOf<'setAutoReply'>): ResultOf<'setAutoReply'> {
    this.ctx.requireEndpoint();
    this.ctx.lab.setAutoReply(this.ctx.endpointId, request.spec.mode === 'off' ? undefined : request.spec);
    return {};
  }

  private _clear(): ResultOf<'clear'> {
    this.ctx.requireEndpoint();
    this.ctx.lab.clearLog({ id: this.ctx.endpointId });
    this.ctx.resync();
    return {};
  }

  private async _export(request: RequestOf<'export'>): Promise<ResultOf<'export'>> {
    this.ctx.requireEndpoint();
    if (request.format === 'pcapng') {
      const uri = await askExportFile(this.ctx.label, 'pcapng');
      if (!uri) return { records: 0 };
      const result = await this.ctx.lab.exportPcapng({ id: this.ctx.endpointId, path: uri.fsPath });
      return { path: uri.fsPath, records: result.records };
    }
    const log = this.ctx.log();
    // Text is decoded as the panel shows it (its Encoding), not with the default setting.
    const encoding = request.encoding ?? readSettings().defaultEncoding;
    return exportTraffic(this.ctx.label, log.slice(0, log.size), request.format, encoding);
  }

  private _fetchOlder(request: RequestOf<'fetchOlder'>): ResultOf<'fetchOlder'> {
    const { log, dropped } = this._checkedLog(request.epoch);
    return { records: this.ctx.feed.page(log, dropped, request.after, request.before, request.limit), dropped };
  }

  private _fetchRecord(request: RequestOf<'fetchRecord'>): ResultOf<'fetchRecord'> {
    const record = this._recordOf(request.epoch, request.seq);
    const data = record.data.subarray(0, FETCH_RECORD_MAX_BYTES);
    return { data: new Uint8Array(data), length: record.data.byteLength };
  }

  private async _copy(request: RequestOf<'copy'>): Promise<ResultOf<'copy'>> {
    const record = this._recordOf(request.epoch, request.seq);
    const text = request.as === 'hex' ? toHex(record.data) : decodeText(record.data, request.encoding);
    await vscode.env.clipboard.writeText(text);
    return {};
  }

  /** Checks a send target belongs to this panel's endpoint (the webview cannot reach other endpoints). */
  private _checkTarget(target: string): void {
    const { endpointId, label } = this.ctx;
    if (target !== endpointId && !target.startsWith(`${endpointId}.`)) {
      throw SocketLabError.create(
        'invalidArgument',
        'This panel can only send through {endpoint} and its connections.',
        { id: endpointId, endpoint: label, field: 'target' },
      );
    }
  }

  /** The log for a request made in `epoch`; a stale epoch (the log was cleared or renumbered) is an error. */
  private _checkedLog(epoch: number): { log: TrafficLogView; dropped: number } {
    const info = this.ctx.requireEndpoint();
    const log = this.ctx.log();
    if (epoch !== this.ctx.feed.epoch)
      throw SocketLabError.create('staleRows', 'The log was cleared or restarted; the rows were reloaded.', {});
    // Records pushed but not yet posted are in the log already, so compare against the feed's count.
    if (!this.ctx.feed.matches(log, info.dropped)) {
      this.ctx.resync();
      throw SocketLabError.create('staleRows', 'The log was cleared or restarted; the rows were reloaded.', {});
    }
    return { log, dropped: info.dropped };
  }

  private _recordOf(epoch: number, seq: number): TrafficRecord {
    const { log, dropped } = this._checkedLog(epoch);
    const record = this.ctx.feed.record(log, dropped, seq);
    if (!record)
      throw SocketLabError.create('recordEvicted', 'That record is no longer in the log (the log cap evicted it).', {});
    return record;
  }
}

/**
 * Whom a send went to, for the panel's "Sent 12 bytes to …": how many connections a listener's send to all
 * reached (those open when it was sent), else the peer's address.
 */
function sentTo(info: EndpointInfo, request: RequestOf<'send'>): { connections?: number; to?: string } {
  if (request.target === info.id && isListener(info.kind))
    return { connections: info.connections.filter((c) => c.state === 'connected' && !c.localEnded).length };
  const connection = info.connections.find((c) => c.id === request.target);
  const to = request.to ? formatAddress({ address: request.to.host, port: request.to.port }) : undefined;
  // A relay pair's injection toward the server reaches the upstream, not the client the pair is named by.
  const toServer = info.kind === 'relay' && request.direction === 'toUpstream';
  const label = to ?? (connection && !toServer ? connectionLabel(connection, true) : formatAddress(info.remote));
  return label ? { to: label.slice(0, PANEL_NAME_MAX_CHARS) } : {};
}

/** The payload rewritten in another format, or the sentence saying why it cannot be (an answer, not a failure). */
function convert(request: RequestOf<'convert'>): ResultOf<'convert'> {
  try {
    return { data: convertPayload(request) };
  } catch (err) {
    return { error: describeError(err).slice(0, PANEL_TEXT_MAX_CHARS) };
  }
}

/** A payload's byte count, or the sentence saying why it cannot be sent (live validation never fails). */
function validate(request: RequestOf<'validate'>): ResultOf<'validate'> {
  try {
    // With built-ins on, a trial expansion (the counter at 1) counts the bytes of the first send.
    const { type: _type, id: _id, ...spec } = request;
    return { bytes: composePayload(spec, spec.variables ? nodeBuiltins() : undefined).byteLength };
  } catch (err) {
    return { error: describeError(err).slice(0, PANEL_TEXT_MAX_CHARS) };
  }
}
