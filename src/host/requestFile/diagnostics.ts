/**
 * Problems of open request files in the Problems view, as you type: syntax, unknown variables (with the
 * environment's variables known), bad hex or base64, a bad regex, an unknown checksum, a host or path the
 * validators refuse; and an environment file that cannot be read.
 */
import * as vscode from 'vscode';
import { diagnose } from '../../core/requestFile/diagnose';
import { Disposable } from '../../core/lifecycle';
import { REQUEST_FILE_MAX_BYTES } from '../../shared/limits';
import { ENVIRONMENT_FILE } from '../../core/requestFile/environment';
import { describeError } from '../errorText';
import { environmentFor, isRequestFileDocument, localizedSentence, rangeAt } from './documents';

/** Typing pauses this long before a document is checked again. */
const CHECK_DELAY_MS = 150;

/** Keeps the diagnostics of every open request file current. */
export class RequestFileDiagnostics extends Disposable {
  private readonly _collection = this._register(vscode.languages.createDiagnosticCollection('socklab'));
  private readonly _timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor() {
    super();
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this.check(d)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this._schedule(e.document)));
    this._register(
      vscode.workspace.onDidCloseTextDocument((d) => {
        this._cancel(d.uri.toString());
        this._collection.delete(d.uri);
      }),
    );
    // Another environment, or a changed environment file, changes which variables are known.
    const envWatcher = this._register(vscode.workspace.createFileSystemWatcher(`**/${ENVIRONMENT_FILE}`));
    this._register(envWatcher.onDidChange(() => this.checkAll()));
    this._register(envWatcher.onDidCreate(() => this.checkAll()));
    this._register(envWatcher.onDidDelete(() => this.checkAll()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('socketLab.requestFileEnvironment')) this.checkAll();
      }),
    );
    this._register({ dispose: () => this._timers.forEach((t) => clearTimeout(t)) });
    this.checkAll();
  }

  /** Checks every open request file now. */
  checkAll(): void {
    for (const doc of vscode.workspace.textDocuments) this.check(doc);
  }

  /** Checks `doc` now (nothing for a document that is not a request file). */
  check(doc: vscode.TextDocument): void {
    if (!isRequestFileDocument(doc)) return;
    this._cancel(doc.uri.toString());
    this._collection.set(doc.uri, diagnosticsOf(doc));
  }

  private _schedule(doc: vscode.TextDocument): void {
    if (!isRequestFileDocument(doc)) return;
    const key = doc.uri.toString();
    this._cancel(key);
    this._timers.set(
      key,
      setTimeout(() => {
        this._timers.delete(key);
        if (!doc.isClosed) this.check(doc);
      }, CHECK_DELAY_MS),
    );
  }

  private _cancel(key: string): void {
    const timer = this._timers.get(key);
    if (timer) clearTimeout(timer);
    this._timers.delete(key);
  }
}

/** The diagnostics of a request-file document (never throws: diagnose() does not). */
export function diagnosticsOf(doc: vscode.TextDocument): vscode.Diagnostic[] {
  const text = doc.getText();
  if (text.length > REQUEST_FILE_MAX_BYTES) {
    return [
      withSource(
        new vscode.Diagnostic(
          rangeAt(doc, 1, 1),
          vscode.l10n.t(
            'This file is too large to check ({0} characters; at most {1}).',
            text.length,
            REQUEST_FILE_MAX_BYTES,
          ),
          vscode.DiagnosticSeverity.Warning,
        ),
        'fileTooLarge',
      ),
    ];
  }
  const env = environmentFor(doc.uri);
  const out = diagnose(text, { knownVariables: Object.keys(env.values) }).map((d) =>
    withSource(
      new vscode.Diagnostic(
        rangeAt(doc, d.line, d.column, d.length),
        localizedSentence(d),
        vscode.DiagnosticSeverity.Error,
      ),
      d.code,
    ),
  );
  if (env.error) {
    out.unshift(
      withSource(
        new vscode.Diagnostic(
          rangeAt(doc, 1, 1, doc.lineAt(0).text.length),
          describeError(env.error),
          vscode.DiagnosticSeverity.Error,
        ),
        env.error.code,
      ),
    );
  }
  return out;
}

function withSource(d: vscode.Diagnostic, code: string): vscode.Diagnostic {
  d.source = 'socklab';
  d.code = code;
  return d;
}
