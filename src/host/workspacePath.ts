/** Where a relative path the user gives (a Unix socket, a capture file) is taken from. */
import * as os from 'os';
import * as nodePath from 'path';
import * as vscode from 'vscode';

/** The folder relative paths are resolved in: the first workspace folder, else the temp folder. */
export function workspaceBase(): string {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.tmpdir();
}

/**
 * `p` made absolute against workspaceBase(), not against the extension host's working directory, which
 * users never see. Absolute paths and Windows pipe names stay as they are.
 */
export function resolveWorkspacePath(p: string): string {
  if (nodePath.isAbsolute(p) || p.startsWith('\\\\')) return p;
  return nodePath.resolve(workspaceBase(), p);
}

/** A start or connect argument whose `capture.path`, when relative, is resolved as above (the rest untouched). */
export function withResolvedCapture(args: object): object {
  const capture = (args as { capture?: unknown }).capture;
  if (typeof capture !== 'object' || capture === null || Array.isArray(capture)) return args;
  const path = (capture as { path?: unknown }).path;
  if (typeof path !== 'string' || path === '') return args;
  return { ...args, capture: { ...capture, path: resolveWorkspacePath(path) } };
}
