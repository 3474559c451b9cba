import * as vscode from 'vscode';
import type { SocketLab } from '../../core/socketLab';
import { Disposable, toDisposable } from '../../core/lifecycle';
import { parsePanelState } from '../../shared/protocol';
import { endpointName as endpointLabel } from '../../shared/naming';
import { SEND_PANEL_VIEW_TYPE, SendPanel } from './sendPanel';

/** One send panel per endpoint: opening again reveals it; panels come back after a window reload. */
export class SendPanelManager extends Disposable {
  private readonly _panels = new Map<string, SendPanel>();
  private readonly _all = new Set<SendPanel>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly lab: SocketLab,
    private readonly output?: vscode.LogOutputChannel,
    /** Resolves once the endpoints of before a reload are back: a restored panel looks for its endpoint then. */
    private readonly endpointsReady: Promise<void> = Promise.resolve(),
  ) {
    super();
    this._register(
      vscode.window.registerWebviewPanelSerializer(SEND_PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, state) => this._restore(panel, state),
      }),
    );
    this._register(toDisposable(() => [...this._all].forEach((p) => p.dispose())));
  }

  /** Opens (or reveals) the panel of an endpoint. */
  open(endpointId: string): void {
    const existing = this._panels.get(endpointId);
    if (existing) {
      existing.reveal();
      return;
    }
    const info = this.lab.get(endpointId);
    const panel = vscode.window.createWebviewPanel(
      SEND_PANEL_VIEW_TYPE,
      info ? endpointLabel(info) : endpointId,
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview')],
      },
    );
    this._track(new SendPanel(panel, endpointId, this.lab, this.context.extensionUri, this.output), true);
  }

  /** The open panels (tests read them). */
  get panels(): readonly SendPanel[] {
    return [...this._all];
  }

  private async _restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    await this.endpointsReady;
    const header = parsePanelState(state);
    const info = header ? this.lab.get(header.endpointId) : undefined;
    // Ids restart from e1 in a new extension host: attach only when it is really the same endpoint.
    const same = info !== undefined && header?.label === endpointLabel(info) && !this._panels.has(info.id);
    const id = same ? info.id : (header?.endpointId ?? '?');
    this._track(
      new SendPanel(panel, id, this.lab, this.context.extensionUri, this.output, { label: header?.label, gone: !same }),
      same,
    );
  }

  /** `revealable`: `open` of the same id reveals this panel (never a restored panel of an endpoint that is gone). */
  private _track(panel: SendPanel, revealable: boolean): void {
    this._all.add(panel);
    if (revealable) this._panels.set(panel.endpointId, panel);
    panel.onDidDispose(() => {
      this._all.delete(panel);
      if (this._panels.get(panel.endpointId) === panel) this._panels.delete(panel.endpointId);
    });
  }
}
