/**
 * The host side of one send panel: its life cycle (attached to a live endpoint, or showing that the
 * endpoint is gone), the ready handshake, the validation of every message the webview posts, and the
 * coalesced posts of traffic and counters. Requests are answered by PanelRequests.
 */
import * as crypto from 'crypto';
import * as vscode from 'vscode';
import type { SocketLab } from '../../core/socketLab';
import { EMPTY_TRAFFIC_LOG, type TrafficLogView } from '../../core/trafficLog';
import type { EndpointInfo, TrafficRecord } from '../../shared/model';
import { Disposable, toDisposable } from '../../core/lifecycle';
import { TEXT_ENCODINGS } from '../../shared/payload';
import { SocketLabError } from '../../shared/errors';
import { Throttle } from '../../shared/throttle';
import { describeRefusal } from './refusalText';
import { parseWebviewMessage, type CountersView, type EndpointView, type HostMessage } from '../../shared/protocol';
import { POSTS_PER_SECOND } from '../../shared/limits';
import { endpointName as endpointLabel } from '../../shared/naming';
import { describeInfoError } from '../errorText';
import { readSettings } from '../settings';
import { toCountersView, toEndpointView } from './endpointView';
import { buildPanelHtml } from './html';
import { PanelRepeats } from './panelRepeats';
import { PanelRequests } from './panelRequests';
import { RATE_IDLE_MS, RateWindow } from './rateWindow';
import { panelStrings } from './strings';
import { TrafficFeed, lastReceived } from './trafficFeed';

/** The panel's view type (also the serializer's). */
export const SEND_PANEL_VIEW_TYPE = 'socketLab.sendPanel';

/** After traffic stops, one more post this much later shows the rates falling to zero. */
const RATE_SETTLE_MS = RATE_IDLE_MS + 50;
/** How often at most the header shows a growing capture file's size (the settle post shows the last one). */
const CAPTURE_POST_INTERVAL_MS = 250;

/** How a panel is opened: on a live endpoint, or restored after a reload onto an endpoint that is gone. */
export interface SendPanelOptions {
  /** The endpoint's label when the panel was saved (the title of a gone panel). */
  label?: string;
  /** The endpoint is gone: the panel shows its saved rows read-only and never looks the id up. */
  gone?: boolean;
}

/** One open panel, attached to one endpoint (or showing that it is gone). */
export class SendPanel extends Disposable {
  private readonly _feed = new TrafficFeed();
  private readonly _throttle: Throttle;
  private readonly _repeats = new PanelRepeats();
  private readonly _requests: PanelRequests;
  /** Subscriptions to the core; dropped when the endpoint goes away. */
  private _coreSubscriptions: vscode.Disposable[] = [];
  /** The webview said `ready` since it was last (re)loaded: posts reach it. */
  private _ready = false;
  /** 'gone' once the endpoint is stopped (or was already when the panel was restored); never back to 'live'. */
  private _state: 'live' | 'gone';
  private _endpointDirty = false;
  private _logDirty = false;
  private _lastPeer: string | undefined;
  /** Only a reference per record; the peer string is read at post time. */
  private _lastPeerRecord: TrafficRecord | undefined;
  private readonly _label: string;
  private _rates = new RateWindow({ bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0 }, Date.now());
  private _settleTimer: ReturnType<typeof setTimeout> | undefined;
  /** The capture's size last posted, and when: a growing capture file is shown a few times a second. */
  private _postedCaptureBytes: number | undefined;
  private _capturePostedAt = 0;

  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  /** Fires once when the panel is closed. */
  readonly onDidDispose = this._onDidDispose.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly endpointId: string,
    private readonly lab: SocketLab,
    private readonly extensionUri: vscode.Uri,
    private readonly output?: vscode.LogOutputChannel,
    options: SendPanelOptions = {},
  ) {
    super();
    const info = options.gone ? undefined : lab.get(endpointId);
    this._state = info ? 'live' : 'gone';
    this._label = info ? endpointLabel(info) : (options.label ?? endpointId);
    panel.title = this._label;
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    };
    this._throttle = this._register(new Throttle(1000 / POSTS_PER_SECOND, () => this._flush()));
    this._requests = new PanelRequests({
      endpointId,
      label: this._label,
      lab,
      feed: this._feed,
      repeats: this._repeats,
      output,
      requireEndpoint: () => this._requireEndpoint(),
      log: () => this._log(),
      resync: () => {
        this._logDirty = true;
        this._throttle.schedule();
      },
      // Looked up at each post, so that a test can watch what the panel posts.
      post: (message) => this._post(message),
    });
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
    if (info) this._subscribe(info);
    this.render();
  }

  /** Label of the endpoint when the panel was opened. */
  get label(): string {
    return this._label;
  }

  /** True once the panel's endpoint is gone (stopped, or not there when the panel was restored). */
  get isGone(): boolean {
    return this._state === 'gone';
  }

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

  // ---- the endpoint --------------------------------------------------------------------------------------

  private _subscribe(info: EndpointInfo): void {
    const endpointId = this.endpointId;
    this._rates = new RateWindow(info, Date.now());
    // A UDP socket heard from before the panel opened: an empty Destination answers that peer.
    if (info.kind === 'udp') this._lastPeerRecord = lastReceived(this._log());
    this._coreSubscriptions.push(
      this.lab.onDidTraffic((e) => {
        if (e.endpointId !== endpointId) return;
        this._feed.push(e.record);
        if (e.record.direction === 'in') this._lastPeerRecord = e.record;
        if (this._ready) this._throttle.schedule();
      }),
      this.lab.onDidChangeEndpoints((id) => {
        if (id !== endpointId) return;
        this._endpointDirty = true;
        this._logDirty = true;
        if (this._ready) this._throttle.schedule();
      }),
      this.lab.onDidEndRepeat((e) => {
        if (e.endpointId !== endpointId || !this._repeats.end(e.repeatId)) return;
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

  /** The endpoint as it is now, or undefined once it is gone. */
  private _liveInfo(): EndpointInfo | undefined {
    return this._state === 'live' ? this.lab.get(this.endpointId) : undefined;
  }

  private _requireEndpoint(): EndpointInfo {
    const info = this._liveInfo();
    if (!info) throw SocketLabError.create('unknownId', 'There is no endpoint {id}.', { id: this.endpointId });
    return info;
  }

  /** The endpoint's log (a live view, read a range at a time); empty when the endpoint is gone. */
  private _log(): TrafficLogView {
    if (this._state === 'gone') return EMPTY_TRAFFIC_LOG;
    try {
      return this.lab.trafficLog(this.endpointId);
    } catch {
      return EMPTY_TRAFFIC_LOG;
    }
  }

  private _endpointGone(): void {
    if (this._state === 'live') {
      this._state = 'gone';
      this.output?.info(
        vscode.l10n.t('send panel of {0}: the endpoint is gone; the panel stays open read-only', this.endpointId),
      );
    }
    this._dropCoreSubscriptions();
    this._post({ type: 'endpoint', endpoint: null });
  }

  private _dropCoreSubscriptions(): void {
    for (const d of this._coreSubscriptions) d.dispose();
    this._coreSubscriptions = [];
  }

  // ---- posting ---------------------------------------------------------------------------------------

  private _post(message: HostMessage): void {
    if (!this._ready || this.isDisposed) return;
    void this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }

  /** True when the capture file grew since the size last posted, and it was posted long enough ago. */
  private _captureGrew(info: EndpointInfo): boolean {
    if (info.captureBytes === undefined || info.captureBytes === this._postedCaptureBytes) return false;
    return Date.now() - this._capturePostedAt >= CAPTURE_POST_INTERVAL_MS;
  }

  private _endpointView(info: EndpointInfo | undefined): EndpointView | null {
    if (!info) return null;
    this._postedCaptureBytes = info.captureBytes;
    this._capturePostedAt = Date.now();
    if (this._lastPeerRecord) this._lastPeer = this._lastPeerRecord.peer;
    return toEndpointView(info, info.kind === 'udp' ? this._lastPeer : undefined);
  }

  /** Posts the sent count of this panel's running repeats that changed since the last post (with the coalesced posts). */
  private _postRepeatProgress(all = false): void {
    if (this._repeats.isEmpty) return;
    for (const { repeatId, sent } of this._repeats.progress(this.lab.activeRepeats(), this.endpointId, all))
      this._post({ type: 'repeat', repeatId, running: true, sent });
  }

  private _counters(info: EndpointInfo): CountersView {
    return toCountersView(info, this._rates.sample(info, Date.now()), readSettings().logCapBytes);
  }

  /** Sends the whole picture again: used after `ready` and whenever the log no longer matches the feed. */
  private _postReset(info: EndpointInfo): void {
    const records = this._feed.reset(this._log(), info.dropped);
    this._logDirty = false;
    this._post({ type: 'reset', epoch: this._feed.epoch, records, counters: this._counters(info) });
  }

  /** One coalesced post (at most POSTS_PER_SECOND a second). */
  private _flush(): void {
    if (!this._ready || this.isDisposed) return;
    const info = this._liveInfo();
    if (!info) {
      this._endpointGone();
      return;
    }
    if (this._endpointDirty || this._captureGrew(info)) {
      this._endpointDirty = false;
      this._post({ type: 'endpoint', endpoint: this._endpointView(info) });
    }
    if (this._logDirty) {
      // Only after a state change (clear, restart), never per record: is the log still what we counted?
      this._logDirty = false;
      if (!this._feed.matches(this._log(), info.dropped)) {
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

  // ---- receiving --------------------------------------------------------------------------------------

  /** Every message the webview posts is validated first; a refused request with a usable id is answered at once. */
  private _onMessage(raw: unknown): void {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.output?.warn(`send panel ${this.endpointId}: refused a message from the webview: ${parsed.error}`);
      if (parsed.id !== undefined) {
        this._post({
          type: 'response',
          id: parsed.id,
          ok: false,
          error: vscode.l10n.t(
            'The panel sent a message the extension does not understand: {0}',
            describeRefusal(parsed),
          ),
        });
      }
      return;
    }
    const message = parsed.message;
    if (message.type === 'ready') this._onReady();
    else void this._requests.answer(message);
  }

  /** The ready handshake: nothing is posted to a webview before it says it listens. */
  private _onReady(): void {
    this._ready = true;
    const info = this._liveInfo();
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
}
