import * as vscode from 'vscode';
import type { SocketLab } from '../../core/socketLab';
import { Disposable } from '../../core/lifecycle';

/** Placeholder until the send panel lands: says so instead of pretending. */
export class SendPanelManager extends Disposable {
  constructor(
    _context: vscode.ExtensionContext,
    private readonly lab: SocketLab,
  ) {
    super();
  }

  open(endpointId: string): void {
    void this.lab;
    void vscode.window.showInformationMessage(vscode.l10n.t('The send panel of {0} is not built yet.', endpointId));
  }
}
