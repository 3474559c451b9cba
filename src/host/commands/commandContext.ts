/** What every command handler gets from the host, and the two ways a command runs. */
import type * as vscode from 'vscode';
import type { SocketLab } from '../../core/socketLab';
import type { PromptMemory } from '../prompts';
import type { RequestFileTests } from '../requestFile/requestFileTests';
import type { SocketNode, SocketsTreeProvider } from '../socketsTree';

/** Opens the send panel of an endpoint (implemented by the panel module). */
export interface PanelOpener {
  open(endpointId: string): void;
}

/** What the command handlers need from the rest of the host. */
export interface CommandContext {
  lab: SocketLab;
  memory: PromptMemory;
  output: vscode.LogOutputChannel;
  tree: SocketsTreeProvider;
  treeView: vscode.TreeView<SocketNode>;
  panels: PanelOpener;
  /** The Testing view's request files (interactive runs show there). */
  requestFiles: RequestFileTests;
}

/**
 * A command runs interactively (no argument, or a tree node: it asks what it needs) or scripted (an
 * argument object, checked with the command's schema: it asks nothing and returns a result).
 */
export interface CommandHandler {
  interactive: (node?: SocketNode) => Promise<unknown>;
  scripted: (args: object) => Promise<unknown>;
}
