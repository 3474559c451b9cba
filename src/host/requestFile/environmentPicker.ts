/**
 * Choosing the environment of `socklab.env.json` that editor runs and diagnostics use (the Testing run
 * profile's gear): the names found in the workspace's environment files, or `$shared` alone.
 */
import * as vscode from 'vscode';
import { ENVIRONMENT_FILE, SHARED_ENVIRONMENT, readEnvironmentFile } from '../../core/requestFile/environment';
import { describeError } from '../errorText';
import { readSettings } from '../settings';
import { REQUEST_FILE_EXCLUDE } from './documents';

/** Environment files read to offer their names. */
const ENVIRONMENT_FILES_MAX = 50;

/** Asks which environment to use and stores it in the workspace's `socketLab.requestFileEnvironment`. */
export async function pickEnvironment(): Promise<string | undefined> {
  const files = await vscode.workspace.findFiles(`**/${ENVIRONMENT_FILE}`, REQUEST_FILE_EXCLUDE, ENVIRONMENT_FILES_MAX);
  const names = new Set<string>();
  for (const file of files) {
    if (file.scheme !== 'file') continue;
    try {
      for (const name of Object.keys(readEnvironmentFile(file.fsPath)))
        if (name !== SHARED_ENVIRONMENT) names.add(name);
    } catch (err) {
      void vscode.window.showWarningMessage(describeError(err));
    }
  }
  const current = readSettings().requestFileEnvironment;
  const items: (vscode.QuickPickItem & { name: string })[] = [
    { label: vscode.l10n.t('No environment ($shared only)'), name: '' },
    ...[...names].sort().map((name) => ({ label: name, name })),
  ].map((i) => (i.name === current ? { ...i, description: vscode.l10n.t('current') } : i));
  if (!names.size && !files.length) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'No {0} was found in the workspace; request files then use their own variables only.',
        ENVIRONMENT_FILE,
      ),
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Environment for request files run in the editor'),
  });
  if (!picked) return undefined;
  await vscode.workspace
    .getConfiguration('socketLab')
    .update(
      'requestFileEnvironment',
      picked.name,
      vscode.workspace.workspaceFolders?.length
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global,
    );
  return picked.name;
}
