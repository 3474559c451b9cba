import * as vscode from 'vscode';
import type { SocketLabApi } from '../../../src/host/api';
import type { SocketLab } from '../../../src/core/socketLab';
import type { SocketsTreeProvider, SocketNode } from '../../../src/host/socketsTree';
import type { SocketLabStatus } from '../../../src/host/statusBar';

/** The API plus the test-only accessor that activate() adds in ExtensionMode.Test. */
export type TestApi = SocketLabApi & {
  _test: {
    lab: SocketLab;
    tree: SocketsTreeProvider;
    treeView: vscode.TreeView<SocketNode>;
    status: SocketLabStatus;
    panels: unknown;
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

/** Waits until `predicate` holds, polling; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  predicate: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Expects a promise to reject; returns the error message. */
export async function rejection(p: Thenable<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected the command to reject, but it resolved');
}

/** A tree item as VS Code shows it on hover: getTreeItem, then resolveTreeItem (which adds the tooltip). */
export function resolvedItem(tree: SocketsTreeProvider, node: SocketNode): vscode.TreeItem {
  return tree.resolveTreeItem(tree.getTreeItem(node), node);
}
