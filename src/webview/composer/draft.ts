/**
 * The composer's rules that need no DOM: which payload fields a draft sends, how a history entry is
 * told apart from another, and the check of the Repeat fields. Pure, so the unit tests can check them.
 */
import type { ChecksumEndian, ChecksumName } from '../../shared/checksum';
import { REPEAT_MAX_COUNT, REPEAT_MAX_INTERVAL_MS } from '../../shared/limits';
import type { LineEnding, PayloadFormat, PayloadSpec } from '../../shared/payload';

/** What the composer edits (and the history keeps). */
export interface Draft {
  data: string;
  format: PayloadFormat;
  encoding: string;
  lineEnding: LineEnding;
  escapes: boolean;
  /** A checksum appended to the payload (any format), in its default byte order unless checksumEndian says. */
  checksum?: ChecksumName;
  checksumEndian?: ChecksumEndian;
  /** Built-ins such as {{$counter}} are expanded, anew on every send. */
  variables?: boolean;
}

/** What a draft sends: the payload fields and the composer's extras (checksum, built-ins). */
export type DraftPayload = PayloadSpec & {
  format: PayloadFormat;
  checksum?: ChecksumName;
  checksumEndian?: ChecksumEndian;
  variables?: boolean;
};

/**
 * The payload fields a draft sends: encoding, escapes and line ending only for text (hex and base64 are the
 * bytes themselves); a checksum and built-ins for any format, only when chosen.
 */
export function payloadOf(d: Draft): DraftPayload {
  const base: DraftPayload =
    d.format === 'text'
      ? { data: d.data, format: d.format, encoding: d.encoding, escapes: d.escapes, lineEnding: d.lineEnding }
      : { data: d.data, format: d.format };
  if (d.checksum) {
    base.checksum = d.checksum;
    if (d.checksumEndian) base.checksumEndian = d.checksumEndian;
  }
  if (d.variables) base.variables = true;
  return base;
}

/** Two drafts send the same bytes the same way (only the fields that apply to their format are compared). */
export function sameDraft(a: Draft, b: Draft): boolean {
  const x = payloadOf(a);
  const y = payloadOf(b);
  return (
    x.data === y.data &&
    x.format === y.format &&
    x.encoding === y.encoding &&
    x.escapes === y.escapes &&
    x.lineEnding === y.lineEnding &&
    x.checksum === y.checksum &&
    x.checksumEndian === y.checksumEndian &&
    x.variables === y.variables
  );
}

const ENDING_NAMES: Record<LineEnding, string> = { none: '', lf: 'LF', cr: 'CR', crlf: 'CRLF' };

/**
 * The badge of a history entry: 'hex', 'base64', or 'text · gbk · CRLF' (and '· no escapes' when they were off),
 * then its checksum ('crc16-modbus', with '/le' or '/be' when chosen) and '{{$}}' when built-ins are expanded.
 */
export function historyBadge(d: Draft): string {
  const extras = [
    d.checksum ? `${d.checksum}${d.checksumEndian ? `/${d.checksumEndian}` : ''}` : '',
    d.variables ? '{{$}}' : '',
  ];
  if (d.format !== 'text') return [d.format, ...extras].filter(Boolean).join(' · ');
  return ['text', d.encoding, ENDING_NAMES[d.lineEnding], d.escapes ? '' : 'no escapes', ...extras]
    .filter(Boolean)
    .join(' · ');
}

/** A problem with the Repeat fields: the string key of its sentence and the values for it. */
export interface RepeatProblem {
  field: 'interval' | 'count';
  key: 'repeatIntervalEmpty' | 'repeatIntervalInvalid' | 'repeatCountInvalid' | 'repeatNeedsCount';
  args: (string | number)[];
}

const WHOLE = /^\d+$/;

/**
 * Reads the Repeat fields as the protocol and the core take them: the interval a whole number of ms from
 * 0 to REPEAT_MAX_INTERVAL_MS (empty is a mistake, not 0); the count empty (until stopped) or a whole number
 * from 1 to REPEAT_MAX_COUNT; an interval of 0 (back to back) needs a count, so that the repeat ends.
 */
export function checkRepeat(
  intervalText: string,
  countText: string,
): { ok: true; repeat: { intervalMs: number; count?: number } } | ({ ok: false } & RepeatProblem) {
  const interval = intervalText.trim();
  const count = countText.trim();
  if (interval === '')
    return {
      ok: false,
      field: 'interval',
      key: 'repeatIntervalEmpty',
      args: [REPEAT_MAX_INTERVAL_MS.toLocaleString()],
    };
  const intervalMs = WHOLE.test(interval) ? Number(interval) : NaN;
  if (!(intervalMs <= REPEAT_MAX_INTERVAL_MS))
    return {
      ok: false,
      field: 'interval',
      key: 'repeatIntervalInvalid',
      args: [REPEAT_MAX_INTERVAL_MS.toLocaleString(), interval],
    };
  if (count === '') {
    if (intervalMs === 0)
      return { ok: false, field: 'count', key: 'repeatNeedsCount', args: [REPEAT_MAX_COUNT.toLocaleString()] };
    return { ok: true, repeat: { intervalMs } };
  }
  const n = WHOLE.test(count) ? Number(count) : NaN;
  if (!(n >= 1 && n <= REPEAT_MAX_COUNT))
    return { ok: false, field: 'count', key: 'repeatCountInvalid', args: [REPEAT_MAX_COUNT.toLocaleString(), count] };
  return { ok: true, repeat: { intervalMs, count: n } };
}

/** A short name of what a repeat sends, for its indicator: the payload (cut) and how it is sent. */
export function repeatName(d: Draft, max = 32): string {
  const data = d.data.length > max ? `${d.data.slice(0, max)}…` : d.data;
  return `"${data}" (${historyBadge(d)})`;
}
