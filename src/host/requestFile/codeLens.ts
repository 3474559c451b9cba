/**
 * CodeLens of request files: "Run" above each block (it runs in the Testing view) and "Send to…" above each
 * `send` line (it sends that payload through an open endpoint the user picks, REST Client's gesture).
 */
import * as vscode from 'vscode';
import { parseRequestFile } from '../../shared/requestFile/parser';

/** The command behind "Run": runs the block whose `###` is on a line, `(uri, line)`. */
export const RUN_BLOCK_COMMAND = 'socketLab.requestFile.runBlock';
/** The command behind "Send to…": sends the payload of the `send` on a line, `(uri, line)`. */
export const SEND_LINE_COMMAND = 'socketLab.requestFile.sendLine';

/** The lenses of a request-file document. */
export class RequestFileCodeLens implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): vscode.CodeLens[] {
    if (token.isCancellationRequested) return [];
    const { blocks } = parseRequestFile(doc.getText()).file;
    const lenses: vscode.CodeLens[] = [];
    for (const block of blocks) {
      const line = new vscode.Range(block.line - 1, 0, block.line - 1, 0);
      lenses.push(
        new vscode.CodeLens(line, {
          title: `$(play) ${vscode.l10n.t('Run')}`,
          tooltip: vscode.l10n.t('Run this block; the result shows in the Testing view'),
          command: RUN_BLOCK_COMMAND,
          arguments: [doc.uri, block.line],
        }),
      );
      for (const s of block.statements) {
        if (s.kind !== 'send') continue;
        lenses.push(
          new vscode.CodeLens(new vscode.Range(s.line - 1, 0, s.line - 1, 0), {
            title: `$(send) ${vscode.l10n.t('Send to…')}`,
            tooltip: vscode.l10n.t('Send this payload through an open socket you pick'),
            command: SEND_LINE_COMMAND,
            arguments: [doc.uri, s.line],
          }),
        );
      }
    }
    return lenses;
  }
}
