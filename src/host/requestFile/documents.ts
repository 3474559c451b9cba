/**
 * Request files as the editor sees them: which documents are request files, their text (an open editor's,
 * unsaved edits included, else the file's), the environment variables for them, and where their problems
 * and failures are in the document.
 */
import * as path from 'path';
import * as vscode from 'vscode';
import { loadEnvironment } from '../../core/requestFile/environment';
import { readRequestFileText } from '../../core/requestFile/load';
import { SocketLabError, isSocketLabError, type ErrorValues } from '../../shared/errors';
import { REQUEST_FILE_MAX_BYTES } from '../../shared/limits';
import { describeError, describeInfoError } from '../errorText';
import { readSettings } from '../settings';

/** The language id of `*.socklab`. */
export const REQUEST_FILE_LANGUAGE = 'socklab';
/** Where request files are found in a workspace. */
export const REQUEST_FILE_GLOB = '**/*.socklab';
/** Folders never searched for request files. */
export const REQUEST_FILE_EXCLUDE = '**/{node_modules,.git}/**';

/** True for a document in the request-file language. */
export function isRequestFileDocument(doc: vscode.TextDocument): boolean {
  return doc.languageId === REQUEST_FILE_LANGUAGE;
}

/** The open document of `uri`, if an editor has it. */
export function openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
  const key = uri.toString();
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
}

/** The text to run or check: the open document's (what the user sees), else the file's (bounded). */
export async function requestFileText(uri: vscode.Uri): Promise<string> {
  const open = openDocument(uri);
  if (open) return open.getText();
  if (uri.scheme === 'file') return readRequestFileText(uri.fsPath);
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.size > REQUEST_FILE_MAX_BYTES) {
    throw SocketLabError.create('fileTooLarge', 'The request file {file} is {size} bytes; at most {max} are read.', {
      file: uri.toString(),
      size: stat.size,
      max: REQUEST_FILE_MAX_BYTES,
    });
  }
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)).replace(/^\uFEFF/, '');
}

/** The folder a request file's relative paths start at (Unix sockets, `ca=`), and the environment file's search. */
export function folderOf(uri: vscode.Uri): string | undefined {
  return uri.scheme === 'file' ? path.dirname(uri.fsPath) : undefined;
}

/** Variables of `socklab.env.json` for a request file, or the error that keeps them from being read. */
export interface EditorEnvironment {
  values: Record<string, string>;
  /** The environment named by the setting (or `name`), when one is. */
  name?: string;
  error?: SocketLabError;
}

/**
 * The variables of the environment the editor runs with (the `socketLab.requestFileEnvironment` setting,
 * or `name`): `$shared` of the nearest `socklab.env.json` overlaid with that environment. Never throws.
 */
export function environmentFor(uri: vscode.Uri, name?: string): EditorEnvironment {
  const chosen = name ?? (readSettings().requestFileEnvironment || undefined);
  const dir = folderOf(uri);
  if (!dir) return { values: {}, name: chosen };
  try {
    return { values: loadEnvironment(dir, chosen).values, name: chosen };
  } catch (err) {
    return { values: {}, name: chosen, error: err as SocketLabError };
  }
}

/** A range on 1-based `line` from 1-based `column`, `length` characters long (at least one), within the document. */
export function rangeAt(doc: vscode.TextDocument | undefined, line: number, column: number, length = 1): vscode.Range {
  const l = Math.max(0, line - 1);
  const start = Math.max(0, column - 1);
  const lineLength = doc && l < doc.lineCount ? doc.lineAt(l).text.length : start + Math.max(1, length);
  const from = Math.min(start, lineLength);
  const to = Math.max(from, Math.min(lineLength, start + Math.max(1, length)));
  return new vscode.Range(l, from, l, to);
}

/** The localized sentence of an error, or of a problem or failure that carries the template and values of one. */
export function localizedSentence(p: {
  code: string;
  message: string;
  template?: string;
  values?: ErrorValues;
}): string {
  if (isSocketLabError(p)) return describeError(p);
  return describeInfoError({ error: p.message, errorTemplate: p.template, errorValues: p.values }) ?? p.message;
}
