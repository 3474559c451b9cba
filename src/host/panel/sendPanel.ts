/** The host side of one send panel: validates what the webview posts, runs it on the core, coalesces traffic. */
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import type { SocketLab } from '../../core/socketLab';
import { EMPTY_TRAFFIC_LOG, type TrafficLogView } from '../../core/trafficLog';
import type { EndpointInfo, TrafficRecord } from '../../shared/model';
import { Disposable, toDisposable } from '../../core/lifecycle';
import { decodeText, encodePayload, escapeForDisplay, toHex } from '../../core/codec';
import { TEXT_ENCODINGS } from '../../shared/payload';
import { SocketLabError } from '../../shared/errors';
import { Throttle } from '../../shared/throttle';
import { formatTime } from '../../shared/format';
import { connectionLabel, endpointName as endpointLabel } from '../../shared/naming';
import {
  parseWebviewMessage,
  type CountersView,
  type EndpointView,
  type HostMessage,
  type WebviewRequest,
} from '../../shared/protocol';
import { FETCH_RECORD_MAX_BYTES, POSTS_PER_SECOND } from '../../shared/limits';
import { describeError, describeInfoError } from '../errorText';
import { readSettings } from '../settings';
import { stateText } from '../labels';
import { buildPanelHtml } from './html';
import { RATE_IDLE_MS, RateWindow } from './rateWindow';
import { panelStrings } from './strings';
import { TrafficFeed } from './trafficFeed';

/** The panel's view type (also the serializer's). */
export const SEND_PANEL_VIEW_TYPE = 'socketLab.sendPanel';

/** After traffic stops, one more post this much later shows the rates falling to zero. */
const RATE_SETTLE_MS = RATE_IDLE_MS + 50;

/** The endpoint as the panel shows it. */
export function toEndpointView(info: EndpointInfo, lastPeer: string | undefined): EndpointView {
  const view: EndpointView = {
    id: info.id,
    kind: info.kind,
    label: endpointLabel(info),
    state: info.state,
    stateText: stateText(info.state),
    connections: info.connections
      .slice(0, 10000)
      .map((c) => ({ id: c.id, label: connectionLabel(c, true).slice(0, 1024), state: c.state })),
    needsDestination: info.kind === 'udp' && !info.remote,
    autoReply: info.autoReply === true,
  };
  const error = describeInfoError(info);
  if (error) view.error = error.slice(0, 4096);
  if (lastPeer) view.lastPeer = lastPeer;
  return view;
}

/** One open panel, attached to one endpoint (or showing that it is gone). */
export class SendPanel extends Disposable {
  private readonly _feed = new TrafficFeed();
  private readonly _throttle: Throttle;
  /** Subscriptions to the core; dropped when the endpoint goes away. */
  private _coreSubscriptions: vscode.Disposable[] = [];
  private _ready = false;
  private _endpointDirty = false;
  private _logDirty = false;
  private _gone: boolean;
  private _lastPeer: string | undefined;
  private _label: string;
  private _rates = new RateWindow({ bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0 }, Date.now());
  private _settleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly _repeats = new Set<string>();
  /** The sent count last posted for each running repeat of this panel. */
  private readonly _repeatSentPosted = new Map<string, number>();

  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  /** Fires once when the panel is closed. */
  readonly onDidDispose = this._onDidDispose.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly endpointId: string,
    private readonly lab: SocketLab,
    private readonly extensionUri: vscode.Uri,
    private readonly output?: vscode.LogOutputChannel,
    fallbackLabel?: string,
  ) {
    super();
    const info = lab.get(endpointId);
    this._gone = !info;
    this._label = info ? endpointLabel(info) : (fallbackLabel ?? endpointId);
    panel.title = this._label;
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    };
    this._throttle = this._register(new Throttle(1000 / POSTS_PER_SECOND, () => this._flush()));
    this._register(panel.webview.onDidReceiveMessage((raw) => this._onMessage(raw)));
    this._register(
      panel.onDidChangeViewState(() => {
        // Without retainContextWhenHidden a hidden webview is torn down; it says `ready` again when shown.
        if (!panel.visible) this._ready = false;
      }),
    );
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register(toDisposable(() => this._dropCoreSubscriptions()));
    this._register(toDisposable(() => this._settleTimer && clearTimeout(this._settleTimer)));
    if (info) {
      this._rates = new RateWindow(info, Date.now());
      this._coreSubscriptions.push(
        lab.onDidTraffic((e) => {
          if (e.endpointId !== endpointId) return;
          this._feed.push(e.record);
          if (e.record.direction === 'in') this._lastPeerRecord = e.record;
          if (this._ready) this._throttle.schedule();
        }),
        lab.onDidChangeEndpoints((id) => {
          if (id !== endpointId) return;
          this._endpointDirty = true;
          this._logDirty = true;
          if (this._ready) this._throttle.schedule();
        }),
        lab.onDidEndRepeat((e) => {
          if (e.endpointId !== endpointId || !this._repeats.delete(e.repeatId)) return;
          this._repeatSentPosted.delete(e.repeatId);
          this._post({
            type: 'repeat',
            repeatId: e.repeatId,
            running: false,
            sent: e.sent,
            ...(e.error ? { error: describeInfoError(e) } : {}),
          });
        }),
      );
    }
    this.render();
  }

  /** Label of the endpoint when the panel was opened. */
  get label(): string {
    return this._label;
  }

  /** Only a reference per record; the peer string is read at post time. */
  private _lastPeerRecord: TrafficRecord | undefined;

  /** Writes a fresh HTML shell (a new nonce every time). */
  render(): void {
    const webview = this.panel.webview;
    const root = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    this._ready = false;
    webview.html = buildPanelHtml({
      cspSource: webview.cspSource,
      nonce: crypto.randomBytes(18).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'main.css')).toString(),
      codiconUri: webview.asWebviewUri(vscode.Uri.joinPath(root, 'codicon.css')).toString(),
      title: this._label,
      lang: vscode.env.language,
    });
  }

  reveal(): void {
    this.panel.reveal();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    super.dispose();
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
    this.panel.dispose();
  }

  // ---- posting ---------------------------------------------------------------------------------------

  private _post(message: HostMessage): void {
    if (!this._ready || this.isDisposed) return;
    void this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }

  private _endpointView(info: EndpointInfo | undefined): EndpointView | null {
    if (!info) return null;
    if (this._lastPeerRecord) this._lastPeer = this._lastPeerRecord.peer;
    return toEndpointView(info, info.kind === 'udp' ? this._lastPeer : undefined);
  }

  private _counters(info: EndpointInfo): CountersView {
    return {
      bytesIn: info.bytesIn,
      bytesOut: info.bytesOut,
      messagesIn: info.messagesIn,
      messagesOut: info.messagesOut,
      ...this._rates.sample(info, Date.now()),
      dropped: info.dropped,
      capBytes: readSettings().logCapBytes,
    };
  }

  /** Posts the sent count of this panel's running repeats that changed since the last post (with the coalesced posts). */
  private _postRepeatProgress(all = false): void {
    if (!this._repeats.size) return;
    for (const r of this.lab.activeRepeats()) {
      if (r.endpointId !== this.endpointId || !this._repeats.has(r.id)) continue;
      if (!all && this._repeatSentPosted.get(r.id) === r.sent) continue;
      this._repeatSentPosted.set(r.id, r.sent);
      this._post({ type: 'repeat', repeatId: r.id, running: true, sent: r.sent });
    }
  }

  /** The endpoint's log (a live view, read a range at a time), or undefined when the endpoint is gone. */
  private _log(): TrafficLogView | undefined {
    try {
      return this.lab.trafficLog(this.endpointId);
    } catch {
      return undefined;
    }
  }

  /** Sends the whole picture again: used after `ready` and whenever the log no longer matches the feed. */
  private _postReset(info: EndpointInfo): void {
    const log = this._log() ?? EMPTY_TRAFFIC_LOG;
    const records = this._feed.reset(log, info.dropped);
    this._logDirty = false;
    this._post({ type: 'reset', epoch: this._feed.epoch, records, counters: this._counters(info) });
  }

  /** One coalesced post (at most POSTS_PER_SECOND a second). */
  private _flush(): void {
    if (!this._ready || this.isDisposed) return;
    const info = this.lab.get(this.endpointId);
    if (!info) {
      this._endpointGone();
      return;
    }
    if (this._endpointDirty) {
      this._endpointDirty = false;
      this._post({ type: 'endpoint', endpoint: this._endpointView(info) });
    }
    if (this._logDirty) {
      // Only after a state change (clear, restart), never per record: is the log still what we counted?
      this._logDirty = false;
      const log = this._log() ?? EMPTY_TRAFFIC_LOG;
      if (!this._feed.matches(log, info.dropped)) {
        this._postReset(info);
        return;
      }
    }
    const hadTraffic = this._feed.arrived > 0;
    const { records, skipped } = this._feed.take();
    this._post({ type: 'traffic', epoch: this._feed.epoch, records, skipped, counters: this._counters(info) });
    this._postRepeatProgress();
    if (this._settleTimer) clearTimeout(this._settleTimer);
    this._settleTimer = hadTraffic ? setTimeout(() => this._throttle.schedule(), RATE_SETTLE_MS) : undefined;
  }

  private _endpointGone(): void {
    if (!this._gone) {
      this._gone = true;
      this.output?.info(`send panel of ${this.endpointId}: the endpoint is gone; the panel stays open read-only`);
    }
    this._dropCoreSubscriptions();
    this._post({ type: 'endpoint', endpoint: null });
  }

  private _dropCoreSubscriptions(): void {
    for (const d of this._coreSubscriptions) d.dispose();
    this._coreSubscriptions = [];
  }

  // ---- receiving --------------------------------------------------------------------------------------

  private _onMessage(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.output?.warn(`send panel ${this.endpointId}: refused a message from the webview: ${parsed.error}`);
      if (parsed.id !== undefined) {
        this._post({
          type: 'response',
          id: parsed.id,
          ok: false,
          error: vscode.l10n.t('The panel sent a message the extension does not understand: {0}', parsed.error),
        });
      }
      return;
    }
    const message = parsed.message;
    if (message.type === 'ready') {
      this._onReady();
      return;
    }
    void this._answer(message);
  }

  private _onReady(): void {
    this._ready = true;
    const info = this._gone ? undefined : this.lab.get(this.endpointId);
    const settings = readSettings();
    this._post({
      type: 'init',
      endpointId: this.endpointId,
      label: this._label,
      endpoint: this._endpointView(info),
      strings: panelStrings(),
      encodings: [...TEXT_ENCODINGS],
      defaults: {
        format: settings.defaultFormat,
        encoding: settings.defaultEncoding,
        lineEnding: settings.defaultLineEnding,
      },
    });
    if (info) {
      this._endpointDirty = false;
      this._postReset(info);
      this._postRepeatProgress(true);
    } else {
      this._dropCoreSubscriptions();
    }
  }

  private async _answer(request: WebviewRequest): Promise<void> {
    try {
      const result = await this._run(request);
      this._post({ type: 'response', id: request.id, ok: true, result: result ?? {} });
    } catch (err) {
      const error = describeError(err);
      if (request.type !== 'validate')
        this.output?.warn(`send panel ${this.endpointId}: ${request.type} failed: ${error}`);
      this._post({ type: 'response', id: request.id, ok: false, error: error.slice(0, 4096) });
    }
  }

  private _requireEndpoint(): EndpointInfo {
    const info = this._gone ? undefined : this.lab.get(this.endpointId);
    if (!info) throw SocketLabError.create('unknownId', 'There is no endpoint {id}.', { id: this.endpointId });
    return info;
  }

  /** Checks a send target belongs to this panel's endpoint (the webview cannot reach other endpoints). */
  private _checkTarget(target: string): void {
    if (target !== this.endpointId && !target.startsWith(`${this.endpointId}.`)) {
      throw SocketLabError.create(
        'invalidArgument',
        'This panel can only send through {endpoint} and its connections.',
        { id: this.endpointId, endpoint: this._label, field: 'target' },
      );
    }
  }

  private async _run(request: WebviewRequest): Promise<unknown> {
    switch (request.type) {
      case 'validate': {
        try {
          const bytes = encodePayload({
            data: request.data,
            format: request.format,
            encoding: request.encoding,
            escapes: request.escapes,
            lineEnding: request.lineEnding,
          });
          return { bytes: bytes.byteLength };
        } catch (err) {
          return { error: describeError(err).slice(0, 4096) };
        }
      }
      case 'send': {
        this._requireEndpoint();
        this._checkTarget(request.target);
        const { type: _type, id: _id, ...args } = request;
        const result = await this.lab.send(args);
        if (result.repeatId) this._repeats.add(result.repeatId);
        return { bytes: result.bytes, ...(result.repeatId ? { repeatId: result.repeatId } : {}) };
      }
      case 'sendFile': {
        this._requireEndpoint();
        this._checkTarget(request.target);
        const uris = await vscode.window.showOpenDialog({
          canSelectMany: false,
          openLabel: vscode.l10n.t('Send'),
          title: vscode.l10n.t('Send a file to {0}', this._label),
        });
        if (!uris?.length) return { bytes: 0, cancelled: true };
        const result = await this.lab.sendFile({
          target: request.target,
          path: uris[0].fsPath,
          ...(request.to ? { to: request.to } : {}),
        });
        return { bytes: result.bytes, path: uris[0].fsPath };
      }
      case 'stopRepeat':
        if (!this._repeats.has(request.repeatId))
          throw SocketLabError.create('unknownId', 'There is no running repeat {id}.', { id: request.repeatId });
        this.lab.stopRepeat({ repeatId: request.repeatId });
        return {};
      case 'setAutoReply':
        this._requireEndpoint();
        this.lab.setAutoReply(this.endpointId, request.spec.mode === 'off' ? undefined : request.spec);
        return {};
      case 'clear': {
        this._requireEndpoint();
        this.lab.clearLog({ id: this.endpointId });
        this._logDirty = true;
        this._throttle.schedule();
        return {};
      }
      case 'export':
        return this._export(request.format);
      case 'fetchOlder': {
        const { log, dropped } = this._checkedLog(request.epoch);
        return { records: this._feed.page(log, dropped, request.after, request.before, request.limit), dropped };
      }
      case 'fetchRecord': {
        const record = this._recordOf(request.epoch, request.seq);
        const data = record.data.subarray(0, FETCH_RECORD_MAX_BYTES);
        return { data: new Uint8Array(data), length: record.data.byteLength };
      }
      case 'copy': {
        const record = this._recordOf(request.epoch, request.seq);
        const text = request.as === 'hex' ? toHex(record.data) : decodeText(record.data, request.encoding);
        await vscode.env.clipboard.writeText(text);
        return {};
      }
    }
  }

  /** The log for a request made in `epoch`; a stale epoch (the log was cleared or renumbered) is an error. */
  private _checkedLog(epoch: number): { log: TrafficLogView; dropped: number } {
    const info = this._requireEndpoint();
    const log = this._log() ?? EMPTY_TRAFFIC_LOG;
    if (epoch !== this._feed.epoch)
      throw SocketLabError.create('staleRows', 'The log was cleared or restarted; the rows were reloaded.', {});
    // Records pushed but not yet posted are in the log already, so compare against the feed's count.
    if (!this._feed.matches(log, info.dropped)) {
      this._logDirty = true;
      this._throttle.schedule();
      throw SocketLabError.create('staleRows', 'The log was cleared or restarted; the rows were reloaded.', {});
    }
    return { log, dropped: info.dropped };
  }

  private _recordOf(epoch: number, seq: number): TrafficRecord {
    const { log, dropped } = this._checkedLog(epoch);
    const record = this._feed.record(log, dropped, seq);
    if (!record)
      throw SocketLabError.create('recordEvicted', 'That record is no longer in the log (the log cap evicted it).', {});
    return record;
  }

  private async _export(format: 'jsonl' | 'text' | 'raw'): Promise<unknown> {
    this._requireEndpoint();
    const log = this._log() ?? EMPTY_TRAFFIC_LOG;
    const records = log.slice(0, log.size);
    const ext = format === 'jsonl' ? 'jsonl' : format === 'text' ? 'txt' : 'bin';
    const safeName = this._label.replace(/[^A-Za-z0-9._-]+/g, '_');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const uri = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Export the traffic of {0}', this._label),
      saveLabel: vscode.l10n.t('Export'),
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${safeName}.${ext}`) } : {}),
      filters:
        format === 'jsonl'
          ? { 'JSON Lines': ['jsonl'] }
          : format === 'text'
            ? { Text: ['txt', 'log'] }
            : { Binary: ['bin'] },
    });
    if (!uri) return { records: 0 };
    await vscode.workspace.fs.writeFile(uri, exportBytes(records, format, readSettings().defaultEncoding));
    return { path: uri.fsPath, records: records.length };
  }
}

/** The log as a file: JSON Lines (one record per line, data in base64), readable text, or the raw bytes concatenated. */
export function exportBytes(
  records: readonly TrafficRecord[],
  format: 'jsonl' | 'text' | 'raw',
  encoding: string,
): Uint8Array {
  if (format === 'raw') {
    const total = records.reduce((n, r) => n + r.data.byteLength, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const r of records) {
      out.set(r.data, at);
      at += r.data.byteLength;
    }
    return out;
  }
  const lines = records.map((r) =>
    format === 'jsonl'
      ? JSON.stringify({
          time: new Date(r.time).toISOString(),
          direction: r.direction,
          peer: r.peer,
          ...(r.connectionId ? { connectionId: r.connectionId } : {}),
          length: r.data.byteLength,
          base64: Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength).toString('base64'),
        })
      : `${formatTime(r.time, true)} ${r.direction === 'in' ? '<-' : '->'} ${r.peer} ${r.data.byteLength} B  ${escapeForDisplay(decodeText(r.data, encoding))}`,
  );
  return new TextEncoder().encode(lines.length ? `${lines.join('\n')}\n` : '');
}
