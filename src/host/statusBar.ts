/** The status bar item ('1 listener · 2 connections') and the Sockets view's badge. */
import * as vscode from 'vscode';
import type { SocketLab } from '../core/socketLab';
import { Disposable } from '../core/lifecycle';
import { isClient, isLive } from '../shared/naming';
import { Throttle } from '../shared/throttle';
import { statusText } from './labels';

/**
 * Counts of what is open, shared by the status bar and the view badge. `connections` are accepted stream
 * connections that are open; UDP peers are not connections (a UDP socket never knows a peer has gone).
 */
export function countOpen(lab: SocketLab): { listeners: number; clients: number; connections: number } {
  let listeners = 0;
  // Listeners here are every endpoint that is not a client: TCP and Unix listeners and bound UDP sockets.
  let clients = 0;
  let connections = 0;
  for (const e of lab.list()) {
    if (!isLive(e.state)) continue;
    if (isClient(e)) clients++;
    else listeners++;
    if (e.kind !== 'udp') for (const c of e.connections) if (c.state === 'connected') connections++;
  }
  return { listeners, clients, connections };
}

/** Status bar item with the count of listeners and connections, and the view badge; click reveals the view. */
export class SocketLabStatus extends Disposable {
  private readonly _item = this._register(
    vscode.window.createStatusBarItem('socketLab.status', vscode.StatusBarAlignment.Left, 10),
  );
  private readonly _throttle = this._register(new Throttle(250, () => this._update()));

  constructor(
    private readonly _lab: SocketLab,
    private readonly _view: vscode.TreeView<unknown>,
  ) {
    super();
    this._item.name = vscode.l10n.t('Socket Lab');
    this._item.command = 'socketLab.sockets.focus';
    this._register(_lab.onDidChangeEndpoints(() => this._throttle.schedule()));
    this._update();
  }

  /** The text shown now (tests read it). */
  get text(): string {
    return this._item.text;
  }

  /** What a screen reader says for the item now (tests read it). */
  get accessibleName(): string | undefined {
    return this._item.accessibilityInformation?.label;
  }

  private _update(): void {
    const { listeners, clients, connections } = countOpen(this._lab);
    // Live connections = accepted connections + connected clients, the same number in the status bar and the badge.
    const live = connections + clients;
    if (listeners + clients === 0) {
      this._item.hide();
    } else {
      const words = statusText({ listeners, connections: live });
      this._item.text = `$(plug) ${words}`;
      // The same words, without the icon's name: what a screen reader says (it changes only with the counts).
      this._item.accessibilityInformation = { label: vscode.l10n.t('Socket Lab: {0}', words.replace(' · ', ', ')) };
      this._item.tooltip = [
        vscode.l10n.t('Socket Lab'),
        listeners === 1 ? vscode.l10n.t('1 listener') : vscode.l10n.t('{0} listeners', listeners),
        clients === 1 ? vscode.l10n.t('1 client socket') : vscode.l10n.t('{0} client sockets', clients),
        liveText(live),
        vscode.l10n.t('Click to show the Sockets view.'),
      ].join('\n');
      this._item.show();
    }
    this._view.badge = live ? { value: live, tooltip: liveText(live) } : undefined;
  }
}

function liveText(live: number): string {
  return live === 1
    ? vscode.l10n.t('1 live connection (accepted or client)')
    : vscode.l10n.t('{0} live connections (accepted or client)', live);
}
