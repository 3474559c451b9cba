/**
 * Everything the editor does for request files, wired once: diagnostics, CodeLens ("Run", "Send to…"), the
 * outline, the Testing view's controller, and the commands behind the lenses.
 */
import * as vscode from 'vscode';
import { Disposable } from '../../core/lifecycle';
import type { SocketLab } from '../../core/socketLab';
import { describeError } from '../errorText';
import type { PromptMemory } from '../prompts';
import { RUN_BLOCK_COMMAND, RequestFileCodeLens, SEND_LINE_COMMAND } from './codeLens';
import { RequestFileDiagnostics } from './diagnostics';
import { REQUEST_FILE_LANGUAGE } from './documents';
import { RequestFileOutline } from './outline';
import { RequestFileTests } from './requestFileTests';
import { sendRequestLine } from './sendLine';

/** The request-file features of the editor. */
export class RequestFileFeatures extends Disposable {
  readonly tests: RequestFileTests;
  readonly diagnostics: RequestFileDiagnostics;

  constructor(lab: SocketLab, memory: PromptMemory, output: vscode.LogOutputChannel) {
    super();
    const selector: vscode.DocumentSelector = { language: REQUEST_FILE_LANGUAGE };
    const outline = new RequestFileOutline();
    this.tests = this._register(new RequestFileTests());
    this.diagnostics = this._register(new RequestFileDiagnostics());
    this._register(vscode.languages.registerCodeLensProvider(selector, new RequestFileCodeLens()));
    this._register(vscode.languages.registerDocumentSymbolProvider(selector, outline));
    this._register(vscode.languages.registerFoldingRangeProvider(selector, outline));
    // The lenses' commands: a failure is shown (and logged), never thrown at VS Code.
    const shown =
      <A extends unknown[]>(name: string, run: (...args: A) => Promise<unknown>) =>
      async (...args: A) => {
        try {
          return await run(...args);
        } catch (err) {
          const message = describeError(err);
          output.error(`${name} failed: ${message}`);
          void vscode.window.showErrorMessage(message);
          return undefined;
        }
      };
    this._register(
      vscode.commands.registerCommand(
        RUN_BLOCK_COMMAND,
        shown(RUN_BLOCK_COMMAND, (uri: vscode.Uri, line: number) => this.tests.runFile(uri, [line])),
      ),
    );
    this._register(
      vscode.commands.registerCommand(
        SEND_LINE_COMMAND,
        shown(SEND_LINE_COMMAND, (uri: vscode.Uri, line: number) => sendRequestLine(lab, memory, uri, line)),
      ),
    );
  }
}
