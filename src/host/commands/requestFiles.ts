/** Run Request File: with `{ path, block?, vars?, env? }` it runs and returns the result; without, it asks for a file and runs it in the Testing view. */
import * as path from 'path';
import * as vscode from 'vscode';
import { runRequestFileFromArgs } from '../../core/requestFile/command';
import { REQUEST_FILE_EXCLUDE, REQUEST_FILE_GLOB, REQUEST_FILE_LANGUAGE } from '../requestFile/documents';
import { toRequestFileOutcome } from '../requestFile/publicResult';
import { readSettings } from '../settings';
import type { CommandContext, CommandHandler } from './commandContext';

/** Files the pick lists (the rest are reachable through "Open a file…"). */
const FILES_OFFERED = 200;

/** Asks for a request file: the active editor's first, then the workspace's, then any file on disk. */
async function pickRequestFile(): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  const found = await vscode.workspace.findFiles(REQUEST_FILE_GLOB, REQUEST_FILE_EXCLUDE, FILES_OFFERED);
  const uris = found.sort((a, b) => a.path.localeCompare(b.path));
  if (active?.languageId === REQUEST_FILE_LANGUAGE) {
    uris.splice(0, uris.length, active.uri, ...uris.filter((u) => u.toString() !== active.uri.toString()));
  }
  const open = async () =>
    (
      await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: vscode.l10n.t('Run'),
        filters: { [vscode.l10n.t('Socket Lab request files')]: ['socklab'] },
      })
    )?.[0];
  if (!uris.length) return open();
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri };
  const items: Item[] = [
    ...uris.map((uri) => ({
      label: vscode.workspace.asRelativePath(uri),
      uri,
      iconPath: new vscode.ThemeIcon('file'),
    })),
    { label: vscode.l10n.t('Open a file…'), iconPath: new vscode.ThemeIcon('folder-opened') },
  ];
  const picked = await vscode.window.showQuickPick(items, { title: vscode.l10n.t('Run Request File') });
  if (!picked) return undefined;
  return picked.uri ?? open();
}

/** Where a relative `path` starts: the first workspace folder on disk. */
function workspaceDir(): string | undefined {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  return folder?.uri.fsPath;
}

/** socketLab.runRequestFile. */
export function runRequestFileCommand(ctx: CommandContext): CommandHandler {
  return {
    interactive: async () => {
      const uri = await pickRequestFile();
      if (!uri) return undefined;
      const result = await ctx.requestFiles.runFile(uri);
      const name = path.basename(uri.path);
      if (!result) {
        void vscode.window.showWarningMessage(vscode.l10n.t('{0} was not run: the Testing view says why.', name));
        return undefined;
      }
      const summary = vscode.l10n.t('{0}: {1} passed, {2} failed', name, result.passed, result.failed);
      if (result.failed) void vscode.window.showWarningMessage(summary);
      else void vscode.window.showInformationMessage(summary);
      return toRequestFileOutcome(result);
    },
    scripted: async (args) =>
      toRequestFileOutcome(
        await runRequestFileFromArgs(args as never, {
          baseDir: workspaceDir(),
          defaultEnv: readSettings().requestFileEnvironment || undefined,
        }),
      ),
  };
}
