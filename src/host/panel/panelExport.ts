/** Export of a panel's log to a file the user picks: JSON Lines, readable text, the raw bytes, or pcapng. */
import * as vscode from 'vscode';
import { decodeText, toBase64 } from '../../core/codec';
import { escapeForDisplay, formatTime } from '../../shared/display';
import type { TrafficRecord } from '../../shared/model';
import type { ExportFormat, ResultOf } from '../../shared/protocol';

const EXTENSIONS: Record<ExportFormat, string> = { jsonl: 'jsonl', text: 'txt', raw: 'bin', pcapng: 'pcapng' };
const FILTERS: Record<ExportFormat, Record<string, string[]>> = {
  jsonl: { 'JSON Lines': ['jsonl'] },
  text: { Text: ['txt', 'log'] },
  raw: { Binary: ['bin'] },
  pcapng: { pcapng: ['pcapng'] },
};

/** Asks where to save the traffic of the endpoint `label` in `format`; undefined when cancelled. */
export async function askExportFile(label: string, format: ExportFormat): Promise<vscode.Uri | undefined> {
  const safeName = label.replace(/[^A-Za-z0-9._-]+/g, '_');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  return vscode.window.showSaveDialog({
    title: vscode.l10n.t('Export the traffic of {0}', label),
    saveLabel: vscode.l10n.t('Export'),
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${safeName}.${EXTENSIONS[format]}`) } : {}),
    filters: FILTERS[format],
  });
}

/**
 * Asks where to save `records` of the endpoint `label` and writes them; 0 records and no path when
 * cancelled. pcapng is written by the core's exporter (SocketLab.exportPcapng), not here.
 */
export async function exportTraffic(
  label: string,
  records: readonly TrafficRecord[],
  format: Exclude<ExportFormat, 'pcapng'>,
  encoding: string,
): Promise<ResultOf<'export'>> {
  const uri = await askExportFile(label, format);
  if (!uri) return { records: 0 };
  await vscode.workspace.fs.writeFile(uri, exportBytes(records, format, encoding));
  return { path: uri.fsPath, records: records.length };
}

/** The log as a file: JSON Lines (one record per line, data in base64), readable text, or the raw bytes concatenated. */
export function exportBytes(
  records: readonly TrafficRecord[],
  format: Exclude<ExportFormat, 'pcapng'>,
  encoding: string,
): Uint8Array {
  if (format === 'raw') {
    const total = records.reduce((n, r) => n + r.data.byteLength, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const r of records) {
      out.set(r.data, at);
      at += r.data.byteLength;
    }
    return out;
  }
  const line = format === 'jsonl' ? jsonLine : (r: TrafficRecord) => textLine(r, encoding);
  const lines = records.map(line);
  return new TextEncoder().encode(lines.length ? `${lines.join('\n')}\n` : '');
}

function jsonLine(r: TrafficRecord): string {
  return JSON.stringify({
    time: new Date(r.time).toISOString(),
    direction: r.direction,
    peer: r.peer,
    ...(r.connectionId ? { connectionId: r.connectionId } : {}),
    length: r.data.byteLength,
    ...(r.truncated ? { truncated: true } : {}),
    ...(r.partial ? { partial: true } : {}),
    ...(r.delimiterBytes ? { delimiterBytes: r.delimiterBytes } : {}),
    ...(r.headerBytes ? { headerBytes: r.headerBytes } : {}),
    base64: toBase64(r.data),
  });
}

function textLine(r: TrafficRecord, encoding: string): string {
  const arrow = r.direction === 'in' ? '<-' : '->';
  return `${formatTime(r.time, true)} ${arrow} ${r.peer} ${r.data.byteLength} B  ${escapeForDisplay(decodeText(r.data, encoding))}`;
}
