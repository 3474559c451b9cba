/**
 * The Testing view's controller for request files: it finds the workspace's `.socklab` files (and watches
 * them and the open editors), shows each file with its blocks, and runs what a request includes (minus what
 * it excludes) on the core's runner, cancellable. The CodeLens "Run" and the palette's Run Request File go
 * through it too, so every editor run shows in the Testing view.
 */
import * as vscode from 'vscode';
import { coreProblems } from '../../core/requestFile/diagnose';
import { runRequestFile, type RequestRunResult } from '../../core/requestFile/runner';
import { Disposable } from '../../core/lifecycle';
import { REQUEST_FILES_DISCOVER_MAX } from '../../shared/limits';
import { parseRequestFile } from '../../shared/requestFile/parser';
import { describeError } from '../errorText';
import {
  REQUEST_FILE_EXCLUDE,
  REQUEST_FILE_GLOB,
  environmentFor,
  folderOf,
  isRequestFileDocument,
  localizedSentence,
  rangeAt,
  openDocument,
  requestFileText,
} from './documents';
import { pickEnvironment } from './environmentPicker';
import { RunReport, type RunRecord } from './runReport';
import { RequestFileItems, blockKeys } from './testItems';

/** Runs kept in the record the exports show (the newest last). */
const RUNS_KEPT = 10;
/** Edits pause this long before an open file's items are rebuilt. */
const UPDATE_DELAY_MS = 300;

/** What to run in one file. */
interface FileSelection {
  uri: vscode.Uri;
  /** Every block, or those with these keys. */
  keys: Set<string> | 'all';
}

/** The Testing view's controller of request files. */
export class RequestFileTests extends Disposable {
  readonly controller: vscode.TestController;
  readonly items: RequestFileItems;
  readonly runProfile: vscode.TestRunProfile;
  private readonly _runs: RunRecord[] = [];
  private readonly _onDidEndRun = this._register(new vscode.EventEmitter<RunRecord>());
  /** Fires when a run ended, with its record. */
  readonly onDidEndRun = this._onDidEndRun.event;
  private readonly _timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor() {
    super();
    this.controller = this._register(
      vscode.tests.createTestController('socketLab.requestFiles', vscode.l10n.t('Socket Lab request files')),
    );
    this.items = new RequestFileItems(this.controller);
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    this.controller.refreshHandler = () => this.discover();
    this.runProfile = this.controller.createRunProfile(
      vscode.l10n.t('Run'),
      vscode.TestRunProfileKind.Run,
      (request, token) => this.run(request, token).then(() => undefined),
      true,
    );
    // The gear of the profile chooses the environment of socklab.env.json that editor runs use.
    this.runProfile.configureHandler = () => void pickEnvironment();

    const watcher = this._register(vscode.workspace.createFileSystemWatcher(REQUEST_FILE_GLOB));
    this._register(watcher.onDidCreate((uri) => void this._updateFromDisk(uri)));
    this._register(watcher.onDidChange((uri) => (openDocument(uri) ? undefined : void this._updateFromDisk(uri))));
    this._register(watcher.onDidDelete((uri) => this.items.remove(uri)));
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this._updateFromDocument(d)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this._schedule(e.document)));
    this._register({ dispose: () => this._timers.forEach((t) => clearTimeout(t)) });
    for (const doc of vscode.workspace.textDocuments) this._updateFromDocument(doc);
  }

  /** The records of the last runs, newest last (tests read them through the extension's exports). */
  get runs(): readonly RunRecord[] {
    return this._runs;
  }

  /** Finds the workspace's request files (at most REQUEST_FILES_DISCOVER_MAX) and their blocks. */
  async discover(): Promise<void> {
    const uris = await vscode.workspace.findFiles(REQUEST_FILE_GLOB, REQUEST_FILE_EXCLUDE, REQUEST_FILES_DISCOVER_MAX);
    await Promise.all(uris.map((uri) => this._updateFromDisk(uri)));
  }

  /** Runs `request` in a new TestRun and resolves with each file's result (by its URI), when it ran. */
  async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<Map<string, RequestRunResult>> {
    const report = new RunReport(this.controller.createTestRun(request));
    const results = new Map<string, RequestRunResult>();
    try {
      const excluded = new Set((request.exclude ?? []).map((i) => i.id));
      for (const selection of this._selections(request, excluded)) {
        if (token.isCancellationRequested) break;
        const result = await this._runFile(report, selection, excluded, token);
        if (result) results.set(selection.uri.toString(), result);
      }
    } catch (err) {
      report.output(`${describeError(err)}\r\n`);
    } finally {
      report.end();
      this._runs.push(report.record);
      if (this._runs.length > RUNS_KEPT) this._runs.shift();
      this._onDidEndRun.fire(report.record);
    }
    return results;
  }

  /** Runs a whole file (or the blocks whose `###` lines are given) in the Testing view; resolves with its result. */
  async runFile(
    uri: vscode.Uri,
    lines?: number[],
    token?: vscode.CancellationToken,
  ): Promise<RequestRunResult | undefined> {
    const { file, blocks } = this.items.update(uri, await requestFileText(uri));
    const include = lines ? blocks.filter((b) => lines.includes(b.block.line)).map((b) => b.item) : [file];
    const source = token ? undefined : new vscode.CancellationTokenSource();
    try {
      const results = await this.run(
        new vscode.TestRunRequest(include, undefined, this.runProfile),
        token ?? source!.token,
      );
      return results.get(uri.toString());
    } finally {
      source?.dispose();
    }
  }

  /** The files (and blocks in them) a request includes: all files when it names none. */
  private _selections(request: vscode.TestRunRequest, excluded: Set<string>): FileSelection[] {
    const byFile = new Map<string, FileSelection>();
    const include: vscode.TestItem[] = request.include ? [...request.include] : [];
    if (!request.include) this.controller.items.forEach((i) => include.push(i));
    for (const item of include) {
      if (excluded.has(item.id) || !item.uri) continue;
      const block = this.items.blockOf(item);
      const key = item.uri.toString();
      const selection = byFile.get(key) ?? { uri: item.uri, keys: new Set<string>() };
      byFile.set(key, selection);
      if (!block) selection.keys = 'all';
      else if (selection.keys !== 'all') selection.keys.add(block.key);
    }
    return [...byFile.values()];
  }

  private async _runFile(
    report: RunReport,
    selection: FileSelection,
    excluded: Set<string>,
    token: vscode.CancellationToken,
  ): Promise<RequestRunResult | undefined> {
    const { uri } = selection;
    let text: string;
    try {
      text = await requestFileText(uri);
    } catch (err) {
      const message = describeError(err);
      this.items.markUnreadable(uri, message);
      report.errored(this.items.fileItem(uri), message);
      return undefined;
    }
    const { blocks } = this.items.update(uri, text);
    const keys = blockKeys(blocks.map((b) => b.block));
    const chosen = blocks.map(
      (b, i) => (selection.keys === 'all' || selection.keys.has(keys[i])) && !excluded.has(b.item.id),
    );
    blocks.forEach((b, i) => chosen[i] && report.enqueued(b.item));
    const chosenItems = blocks.filter((_, i) => chosen[i]).map((b) => b.item);
    if (!chosenItems.length) return undefined;

    const env = environmentFor(uri);
    if (env.error) {
      for (const item of chosenItems) report.errored(item, describeError(env.error));
      return undefined;
    }
    const parsed = parseRequestFile(text, { knownVariables: Object.keys(env.values) });
    const problems = [...parsed.problems, ...coreProblems(parsed.file)].sort(
      (a, b) => a.line - b.line || a.column - b.column,
    );
    if (problems.length) {
      // As the CLI: a file with a problem runs nothing (a later block may need what a broken line sets).
      const first = problems[0];
      const message = vscode.l10n.t(
        'This file has {0} problem(s), so nothing was run; the first, at line {1} column {2}: {3}',
        problems.length,
        first.line,
        first.column,
        localizedSentence(first.error),
      );
      const location = new vscode.Location(uri, rangeAt(openDocument(uri), first.line, first.column, first.length));
      for (const item of chosenItems) report.errored(item, message, location);
      return undefined;
    }
    const abort = new AbortController();
    const cancel = token.onCancellationRequested(() => abort.abort());
    try {
      return await runRequestFile(parsed.file, {
        baseDir: folderOf(uri),
        environment: env.values,
        selectBlock: (_, i) => chosen[i],
        signal: abort.signal,
        onBlockStart: (_, i) => report.started(blocks[i].item),
        onBlockEnd: (result, _, i) => report.block(blocks[i].item, uri, result),
      });
    } finally {
      cancel.dispose();
    }
  }

  private async _updateFromDisk(uri: vscode.Uri): Promise<void> {
    try {
      this.items.update(uri, await requestFileText(uri));
    } catch (err) {
      this.items.markUnreadable(uri, describeError(err));
    }
  }

  private _updateFromDocument(doc: vscode.TextDocument): void {
    if (!isRequestFileDocument(doc) || doc.uri.scheme === 'git') return;
    this.items.update(doc.uri, doc.getText());
  }

  private _schedule(doc: vscode.TextDocument): void {
    if (!isRequestFileDocument(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this._timers.get(key));
    this._timers.set(
      key,
      setTimeout(() => {
        this._timers.delete(key);
        if (!doc.isClosed) this._updateFromDocument(doc);
      }, UPDATE_DELAY_MS),
    );
  }
}
