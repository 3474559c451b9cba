import * as vscode from 'vscode';
import { SocketLab } from './core/socketLab';
import { PublicApi, type SocketLabApi } from './host/api';
import { registerCommands } from './host/commands/registerCommands';
import { OutputLog } from './host/outputLog';
import { SendPanelManager } from './host/panel/sendPanelManager';
import { PromptMemory } from './host/prompts';
import { RequestFileFeatures } from './host/requestFile/requestFileFeatures';
import { EndpointRestorer } from './host/restore';
import { readSettings, type SocketLabSettings } from './host/settings';
import { confirmExternal } from './host/commands/open';
import { SocketsTreeProvider, type SocketNode } from './host/socketsTree';
import { SocketLabStatus } from './host/statusBar';
import { createSystemPortsView } from './host/systemPortsView';

let lab: SocketLab | undefined;
let restorer: EndpointRestorer | undefined;

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
    // The generated TLS CA is kept per workspace (so the clients told to trust it keep trusting it).
    tlsFolder: vscode.Uri.joinPath(context.storageUri ?? context.globalStorageUri, 'tls').fsPath,
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
  tree.watchVisibility(treeView);
  const status = new SocketLabStatus(core, treeView);
  restorer = new EndpointRestorer({
    lab: core,
    state: context.workspaceState,
    output,
    enabled: () => readSettings().restoreEndpoints,
    confirmExternal,
  });
  const panels = new SendPanelManager(context, core, output, restorer.ready);
  const api = new PublicApi(core);
  const memory = new PromptMemory(context.globalState);
  const requestFiles = new RequestFileFeatures(core, memory, output);
  context.subscriptions.push(tree, treeView, status, panels, api, new OutputLog(core, output), requestFiles, restorer);
  context.subscriptions.push(
    ...registerCommands({ lab: core, memory, output, tree, treeView, panels, requestFiles: requestFiles.tests }),
  );
  const systemPorts = createSystemPortsView(core, output, async (id) => {
    const node = tree.nodeFor(id);
    if (node) await treeView.reveal(node, { select: true, focus: true });
  });
  context.subscriptions.push(...systemPorts.disposables);
  output.info(vscode.l10n.t('Socket Lab {0} activated', String(context.extension.packageJSON.version)));
  void restorer.restore();

  const exported: SocketLabApi = {
    list: () => api.list(),
    traffic: (id: string) => api.traffic(id),
    onDidChange: api.onDidChange,
    onDidReceive: api.onDidReceive,
  };
  if (context.extensionMode === vscode.ExtensionMode.Test) {
    // Tests reach the view's provider, the status bar and the panels through this; never in production.
    Object.assign(exported, {
      _test: { lab: core, tree, treeView, status, panels, requestFiles, restorer, systemPorts: systemPorts.provider },
    });
  }
  return exported;
}

/** Closes every socket (VS Code also disposes context.subscriptions; this covers a host that is shutting down fast). */
export function deactivate(): void {
  // Closing the sockets must not empty the list the next extension host restores.
  restorer?.freeze();
  restorer = undefined;
  lab?.dispose();
  lab = undefined;
}
