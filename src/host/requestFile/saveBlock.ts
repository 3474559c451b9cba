/**
 * "Save to request file…" of the send panel: appends a block (a `connect` for a client, the `send` with its
 * format and options) to a `.socklab` file the user picks among the workspace's, or creates; then shows it.
 */
import * as vscode from 'vscode';
import { encodePayload, toBase64 } from '../../core/codec';
import { composePayload } from '../../core/composePayload';
import { nodeBuiltins } from '../../core/requestFile/environment';
import { toHex } from '../../shared/display';
import { endpointName } from '../../shared/naming';
import type { EndpointInfo } from '../../shared/model';
import {
  connectStatementFor,
  savedBlockText,
  sendStatementFor,
  type SavablePayload,
} from '../../shared/requestFile/fromPayload';
import { REQUEST_FILE_EXCLUDE, REQUEST_FILE_GLOB } from './documents';

/** Files offered in the pick (the rest are reachable through "Choose another file…"). */
const FILES_OFFERED = 50;
/** Characters of the payload a block's title quotes. */
const TITLE_PAYLOAD_CHARS = 32;

/** What saving did: the file written, or nothing because the user cancelled. */
export interface SavedBlock {
  path?: string;
  cancelled?: boolean;
}

/** The block's text for `payload` sent through `endpoint` (to `to`, for a bound UDP socket). Throws the codec's SocketLabError. */
export function blockForPayload(
  endpoint: EndpointInfo,
  payload: SavablePayload,
  to?: { host: string; port: number },
): string {
  // Refuse what the composer could not send (a trial expansion when built-ins are on).
  composePayload(payload, payload.variables ? nodeBuiltins() : undefined);
  const data =
    payload.format === 'text'
      ? payload.data
      : payload.variables && payload.data.includes('{{')
        ? payload.data.replace(/\s+/g, ' ').trim()
        : canonical(payload);
  const send = sendStatementFor({ ...payload, data });
  const shown = payload.data.replace(/\s+/g, ' ').trim();
  const quoted = shown.length > TITLE_PAYLOAD_CHARS ? `${shown.slice(0, TITLE_PAYLOAD_CHARS)}…` : shown;
  const title = `${payload.format} "${quoted}" · ${endpointName(endpoint)}`;
  return savedBlockText(title, connectStatementFor(endpoint, to), send);
}

/** Hex or base64 data rewritten from its bytes, in one line. */
function canonical(payload: SavablePayload): string {
  const bytes = encodePayload({ data: payload.data, format: payload.format });
  return payload.format === 'hex' ? toHex(bytes) : toBase64(bytes);
}

/** Asks for the file (a workspace `.socklab` file, or another chosen or created in the save dialog). */
async function pickFile(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles(REQUEST_FILE_GLOB, REQUEST_FILE_EXCLUDE, FILES_OFFERED);
  const choose = async () =>
    vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save to request file'),
      saveLabel: vscode.l10n.t('Save Here'),
      filters: { [vscode.l10n.t('Socket Lab request files')]: ['socklab'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]
        ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, 'requests.socklab')
        : undefined,
    });
  if (!files.length) return choose();
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri };
  const items: Item[] = [
    ...files
      .sort((a, b) => a.path.localeCompare(b.path))
      .map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri, iconPath: new vscode.ThemeIcon('file') })),
    { label: vscode.l10n.t('Choose another file or create one…'), iconPath: new vscode.ThemeIcon('new-file') },
  ];
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Save to request file'),
    placeHolder: vscode.l10n.t('The block is added at the end of the file'),
  });
  if (!picked) return undefined;
  return picked.uri ?? choose();
}

/** Appends `block` to the file at `uri` (created when it does not exist), saves it and shows the new block. */
export async function appendBlock(uri: vscode.Uri, block: string): Promise<void> {
  let exists = true;
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    exists = false;
  }
  if (!exists) await vscode.workspace.fs.writeFile(uri, new Uint8Array());
  const doc = await vscode.workspace.openTextDocument(uri);
  const text = doc.getText();
  // One blank line between the blocks; a file without a final line end gets one first.
  const eol = doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
  const separator = text === '' ? '' : /\n\s*\n$/.test(text) ? '' : text.endsWith('\n') ? eol : eol + eol;
  const start = doc.positionAt(text.length);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(uri, start, separator + block.replace(/\n/g, eol));
  if (!(await vscode.workspace.applyEdit(edit)))
    throw new Error(vscode.l10n.t('The file {0} could not be changed.', uri.fsPath));
  await doc.save();
  const firstLine = doc.positionAt(text.length + separator.length).line;
  await vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.Beside,
    preserveFocus: true,
    preview: true,
    selection: new vscode.Range(firstLine, 0, firstLine, 0),
  });
}

/** Saves `payload` of the panel of `endpoint` as a block in a file the user picks. */
export async function saveToRequestFile(
  endpoint: EndpointInfo,
  payload: SavablePayload,
  to?: { host: string; port: number },
): Promise<SavedBlock> {
  const block = blockForPayload(endpoint, payload, to);
  const uri = await pickFile();
  if (!uri) return { cancelled: true };
  await appendBlock(uri, block);
  return { path: uri.fsPath };
}
