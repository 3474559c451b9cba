/**
 * The newest rows of the log as the panel saves them with its state, so that they are still there after a
 * window reload (which stops every socket: the host has no log to send any more). One JSON string of at most
 * SAVED_ROWS_MAX rows with their previews in base64, read back defensively. Pure (no DOM).
 */
import { PANEL_NAME_MAX_CHARS, PREVIEW_MAX_BYTES, SAVED_ROWS_MAX } from '../../shared/limits';
import type { CountersView, RecordView } from '../../shared/protocol';
import type { Row } from './rows';

/** What the panel's state keeps of its log. */
export interface SavedLog {
  /** The endpoint the rows are from. */
  endpointId: string;
  /** JSON: the rows, oldest first. */
  rows: string;
  counters?: CountersView;
}

/**
 * A saved row: time, direction, peer, connection, length, auto-reply, preview in base64, and a frame's marks
 * (cut at its limit, partial, delimiter bytes, length-header bytes).
 */
interface SavedRow {
  t: number;
  d: 'in' | 'out';
  p: string;
  c?: string;
  l: number;
  a?: 1;
  b: string;
  tr?: 1;
  pa?: 1;
  dl?: number;
  hb?: number;
}

/** The newest `max` record rows of `rows` as the JSON string the state keeps. */
export function saveRows(rows: readonly Row[], max = SAVED_ROWS_MAX): string {
  const picked: SavedRow[] = [];
  for (let i = rows.length - 1; i >= 0 && picked.length < max; i--) {
    const row = rows[i];
    if (row.kind !== 'rec') continue;
    const r = row.r;
    const saved: SavedRow = { t: r.time, d: r.dir, p: r.peer, l: r.length, b: toBase64(r.preview) };
    if (r.connectionId !== undefined) saved.c = r.connectionId;
    if (r.auto) saved.a = 1;
    if (r.truncated) saved.tr = 1;
    if (r.partial) saved.pa = 1;
    if (r.delimiterBytes) saved.dl = r.delimiterBytes;
    if (r.headerBytes) saved.hb = r.headerBytes;
    picked.push(saved);
  }
  return JSON.stringify(picked.reverse());
}

/**
 * The records of a saved string, numbered from 0 (a restored log asks the host for nothing, so the numbers only
 * order the rows); a row that does not read as one is left out.
 */
export function restoreRows(json: unknown): RecordView[] {
  let raw: unknown;
  try {
    raw = typeof json === 'string' ? JSON.parse(json) : undefined;
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  const records: RecordView[] = [];
  for (const x of raw.slice(-SAVED_ROWS_MAX)) {
    const r = readRow(x);
    if (r) records.push({ ...r, seq: records.length });
  }
  return records;
}

function readRow(x: unknown): Omit<RecordView, 'seq'> | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const s = x as Partial<SavedRow>;
  if (typeof s.t !== 'number' || (s.d !== 'in' && s.d !== 'out') || typeof s.p !== 'string') return undefined;
  if (typeof s.l !== 'number' || !Number.isSafeInteger(s.l) || s.l < 0 || typeof s.b !== 'string') return undefined;
  const preview = fromBase64(s.b);
  if (!preview || preview.byteLength > Math.min(PREVIEW_MAX_BYTES, s.l)) return undefined;
  const r: Omit<RecordView, 'seq'> = {
    time: s.t,
    dir: s.d,
    peer: s.p.slice(0, PANEL_NAME_MAX_CHARS),
    length: s.l,
    preview,
  };
  if (typeof s.c === 'string') r.connectionId = s.c.slice(0, 256);
  if (s.a === 1) r.auto = true;
  if (s.tr === 1) r.truncated = true;
  if (s.pa === 1) r.partial = true;
  // Frame byte counts are within the record (the row splits its preview by them).
  if (isByteCount(s.dl, s.l)) r.delimiterBytes = s.dl;
  if (isByteCount(s.hb, s.l)) r.headerBytes = s.hb;
  return r;
}

function isByteCount(n: unknown, length: number): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 && n <= length;
}

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes));
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
