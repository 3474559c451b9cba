import * as vscode from 'vscode';
import type { SocketLab } from '../core/socketLab';
import { Disposable } from '../core/lifecycle';
import { Throttle } from '../shared/throttle';

/** Counts of what is open, shared by the status bar and the view badge. */
export function countOpen(lab: SocketLab): { listeners: number; clients: number; connections: number } {
  let listeners = 0;
  let clients = 0;
  let connections = 0;
  for (const e of lab.list()) {
    const live = e.state === 'listening' || e.state === 'connected' || e.state === 'connecting';
    if (!live) continue;
    if (e.kind === 'tcp-listener' || e.kind === 'unix-listener' || (e.kind === 'udp' && !e.remote)) listeners++;
    else clients++;
    for (const c of e.connections) if (c.state === 'connected') connections++;
  }
  return { listeners, clients, connections };
}

/** Status bar item with the count of listeners and connections, and the view badge; click reveals the view. */
export class SocketLabStatus extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('socketLab.status', vscode.StatusBarAlignment.Left, 10));
  private readonly throttle = this._register(new Throttle(250, () => this.update()));

  constructor(
    private readonly lab: SocketLab,
    private readonly view: vscode.TreeView<unknown>,
  ) {
    super();
    this.item.name = vscode.l10n.t('Socket Lab');
    this.item.command = 'socketLab.sockets.focus';
    this._register(lab.onDidChangeEndpoints(() => this.throttle.schedule()));
    this.update();
  }

  /** The text shown now (tests read it). */
  get text(): string {
    return this.item.text;
  }

  private update(): void {
    const { listeners, clients, connections } = countOpen(this.lab);
    if (listeners + clients === 0) {
      this.item.hide();
    } else {
      this.item.text = `$(plug) ${listeners + clients} · ${connections}`;
      this.item.tooltip = vscode.l10n.t('Socket Lab: {0} listeners, {1} clients, {2} live connections. Click to show the Sockets view.', listeners, clients, connections);
      this.item.show();
    }
    const live = connections + clients;
    this.view.badge = live ? { value: live, tooltip: vscode.l10n.t('{0} live connections', live) } : undefined;
  }
}
