import * as vscode from 'vscode';
import { SocketLab } from './core/socketLab';
import { PublicApi, type SocketLabApi } from './host/api';
import { registerCommands } from './host/commands/registerCommands';
import { OutputLog } from './host/outputLog';
import { SendPanelManager } from './host/panel/sendPanelManager';
import { PromptMemory } from './host/prompts';
import { readSettings, type SocketLabSettings } from './host/settings';
import { SocketsTreeProvider, type SocketNode } from './host/socketsTree';
import { SocketLabStatus } from './host/statusBar';

let lab: SocketLab | undefined;

/** Wires the core to VS Code; returns the public API (see the README). */
export function activate(context: vscode.ExtensionContext): SocketLabApi {
  const output = vscode.window.createOutputChannel('Socket Lab', { log: true });
  context.subscriptions.push(output);

  // Every value is checked and clamped by readSettings, so this cannot throw; a bad one is said once.
  const warn = (message: string) => {
    output.warn(message);
    void vscode.window.showWarningMessage(message);
  };
  const coreOptions = (s: SocketLabSettings) => ({
    logCapBytes: s.logCapBytes,
    defaultHost: s.defaultHost,
    connectTimeoutMs: s.connectTimeoutMs,
    maxConnections: s.maxConnections,
  });
  lab = new SocketLab(coreOptions(readSettings(warn)));
  const core = lab;
  context.subscriptions.push(core);
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('socketLab')) return;
      core.setOptions(coreOptions(readSettings(warn)));
    }),
  );

  const tree = new SocketsTreeProvider(core);
  const treeView = vscode.window.createTreeView<SocketNode>('socketLab.sockets', {
    treeDataProvider: tree,
    showCollapseAll: true,
  });
  const status = new SocketLabStatus(core, treeView);
  const panels = new SendPanelManager(context, core, output);
  const api = new PublicApi(core);
  context.subscriptions.push(tree, treeView, status, panels, api, new OutputLog(core, output));
  context.subscriptions.push(
    ...registerCommands({ lab: core, memory: new PromptMemory(context.globalState), output, tree, treeView, panels }),
  );
  output.info(`Socket Lab ${context.extension.packageJSON.version} activated`);

  const exported: SocketLabApi = {
    list: () => api.list(),
    traffic: (id: string) => api.traffic(id),
    onDidChange: api.onDidChange,
    onDidReceive: api.onDidReceive,
  };
  if (context.extensionMode === vscode.ExtensionMode.Test) {
    // Tests reach the view's provider, the status bar and the panels through this; never in production.
    Object.assign(exported, { _test: { lab: core, tree, treeView, status, panels } });
  }
  return exported;
}

/** Closes every socket (VS Code also disposes context.subscriptions; this covers a host that is shutting down fast). */
export function deactivate(): void {
  lab?.dispose();
  lab = undefined;
}
