/**
 * What a Testing run of request files reports, to VS Code (a vscode.TestRun: states, durations, failure
 * messages at their line with expected/actual for the diff, the transcript in the output with CRLF) and to
 * a plain record the extension keeps for its exports (the public API cannot read test results).
 */
import * as vscode from 'vscode';
import type { BlockResult } from '../../core/requestFile/runner';
import { transcriptLines } from '../../core/requestFile/transcript';
import { REQUEST_RUN_OUTPUT_MAX_CHARS, REQUEST_TRANSCRIPT_LINE_MAX_CHARS } from '../../shared/limits';
import { localizedSentence } from './documents';

/** The outcome of one item in a run, as the record keeps it. */
export interface ItemRecord {
  label: string;
  state: 'enqueued' | 'started' | 'passed' | 'failed' | 'errored' | 'skipped';
  durationMs?: number;
  message?: string;
  expected?: string;
  actual?: string;
  /** The 1-based line the message points at. */
  line?: number;
}

/** A run as the record keeps it: every item by id, the output as written, and whether it ended. */
export interface RunRecord {
  items: Record<string, ItemRecord>;
  output: string;
  ended: boolean;
}

/** Reports into one vscode.TestRun and its record. */
export class RunReport {
  readonly record: RunRecord = { items: {}, output: '', ended: false };
  private readonly _items = new Map<string, vscode.TestItem>();

  constructor(readonly run: vscode.TestRun) {}

  enqueued(item: vscode.TestItem): void {
    this.run.enqueued(item);
    this._set(item, { state: 'enqueued' });
  }

  started(item: vscode.TestItem): void {
    this.run.started(item);
    this._set(item, { state: 'started' });
  }

  skipped(item: vscode.TestItem): void {
    this.run.skipped(item);
    this._set(item, { state: 'skipped' });
  }

  /** An item that could not run at all (the file has a problem, its environment cannot be read). */
  errored(item: vscode.TestItem, message: string, location?: vscode.Location): void {
    const m = new vscode.TestMessage(message);
    m.location = location;
    this.run.errored(item, m);
    this._set(item, { state: 'errored', message, line: location ? location.range.start.line + 1 : undefined });
  }

  /** A block's outcome: passed, failed at its line (with a diff when the expect had two sides), or skipped when cancelled. */
  block(item: vscode.TestItem, uri: vscode.Uri, result: BlockResult): void {
    this.output(blockOutput(item.label, result), item);
    const f = result.failure;
    if (!f) {
      this.run.passed(item, result.durationMs);
      this._set(item, { state: 'passed', durationMs: result.durationMs });
      return;
    }
    if (f.code === 'cancelled') {
      this.skipped(item);
      return;
    }
    const message = localizedSentence(f);
    const m =
      f.expected !== undefined || f.actual !== undefined
        ? vscode.TestMessage.diff(message, f.expected ?? '', f.actual ?? '')
        : new vscode.TestMessage(message);
    m.location = new vscode.Location(uri, new vscode.Position(f.line - 1, Math.max(0, f.column - 1)));
    this.run.failed(item, m, result.durationMs);
    this._set(item, {
      state: 'failed',
      durationMs: result.durationMs,
      message,
      expected: f.expected,
      actual: f.actual,
      line: f.line,
    });
  }

  /** Appends to the run's output (lines end in CRLF, as the output terminal needs). */
  output(text: string, item?: vscode.TestItem): void {
    this.run.appendOutput(text, undefined, item);
    if (this.record.output.length < REQUEST_RUN_OUTPUT_MAX_CHARS) {
      this.record.output += text.slice(0, REQUEST_RUN_OUTPUT_MAX_CHARS - this.record.output.length);
    }
  }

  /** Ends the run: items still waiting for an outcome (a cancelled run) are skipped. */
  end(): void {
    for (const [id, r] of Object.entries(this.record.items)) {
      if (r.state === 'enqueued' || r.state === 'started') this.skipped(this._items.get(id)!);
    }
    this.run.end();
    this.record.ended = true;
  }

  private _set(item: vscode.TestItem, change: Omit<ItemRecord, 'label'>): void {
    this._items.set(item.id, item);
    this.record.items[item.id] = { label: item.label, ...change };
  }
}

/** A block's part of the output: its name, the transcript (`> sent`, `< received`) and the outcome, in CRLF lines. */
export function blockOutput(label: string, result: BlockResult): string {
  const lines = [`### ${label}`, ...transcriptLines(result, REQUEST_TRANSCRIPT_LINE_MAX_CHARS)];
  const ms = Math.round(result.durationMs);
  if (result.failure) {
    lines.push(vscode.l10n.t('✗ failed ({0} ms): {1}', ms, localizedSentence(result.failure)));
    if (result.failure.expected !== undefined) lines.push(vscode.l10n.t('  expected: {0}', result.failure.expected));
    if (result.failure.actual !== undefined) lines.push(vscode.l10n.t('  actual:   {0}', result.failure.actual));
  } else {
    lines.push(vscode.l10n.t('✓ passed ({0} ms)', ms));
  }
  // Each line ends in CRLF: the run output is a terminal, where a bare LF does not return to the first column.
  return lines.map((l) => l.replace(/\r?\n/g, '\r\n')).join('\r\n') + '\r\n\r\n';
}
