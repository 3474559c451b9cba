/** Socket Lab inside the real extension host (integration suite only: it imports vscode). */
import * as dns from 'dns';
import * as vscode from 'vscode';
import type { SocketLab } from '../../src/core/socketLab';
import type { SocketLabApi } from '../../src/host/api';
import type { RequestFileFeatures } from '../../src/host/requestFile/requestFileFeatures';
import type { SocketNode, SocketsTreeProvider } from '../../src/host/socketsTree';
import type { SocketLabStatus } from '../../src/host/statusBar';
import { UNRESOLVABLE_HOST, offlineLookup } from './badInputCases';

/** The API plus the test-only accessor that activate() adds in ExtensionMode.Test. */
export type TestApi = SocketLabApi & {
  _test: {
    lab: SocketLab;
    tree: SocketsTreeProvider;
    treeView: vscode.TreeView<SocketNode>;
    status: SocketLabStatus;
    panels: unknown;
    requestFiles: RequestFileFeatures;
  };
};

/** Activates Socket Lab in this real extension host and returns its API. */
export async function socketLab(): Promise<TestApi> {
  const ext = vscode.extensions.getExtension<TestApi>('socket-lab.socket-lab');
  if (!ext) throw new Error('Socket Lab is not loaded in this host');
  const api = await ext.activate();
  if (!api._test) throw new Error('activate() did not expose the test accessor: is the host in test mode?');
  return api;
}

/** Runs a Socket Lab command with an argument object. */
export function run<T = unknown>(command: string, args: unknown): Thenable<T> {
  return vscode.commands.executeCommand<T>(`socketLab.${command}`, args);
}

/** A tree item as VS Code shows it on hover: getTreeItem, then resolveTreeItem (which adds the tooltip). */
export function resolvedItem(tree: SocketsTreeProvider, node: SocketNode): vscode.TreeItem {
  return tree.resolveTreeItem(tree.getTreeItem(node), node);
}

/** Names must never leave the machine: the one unresolvable name is refused without a query, the rest resolve as before. */
export function useOfflineLookup(api: TestApi): void {
  api._test.lab.setOptions({
    lookup: ((
      host: string,
      options: dns.LookupOptions,
      cb: (e: NodeJS.ErrnoException | null, a: string, f: number) => void,
    ) =>
      host === UNRESOLVABLE_HOST ? offlineLookup(host, options, cb) : dns.lookup(host, options, cb as never)) as never,
  });
}

/** The ids of the tree's roots, as the provider builds them. */
export function treeRoots(api: TestApi): string[] {
  return api._test.tree.getChildren().map((n) => n.id);
}
