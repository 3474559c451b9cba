// The send panel's log as the webview holds it (src/webview/traffic/rows.ts): record rows in seq order,
// gap rows for what the host skipped or evicted, the filter, and a gap replaced by the page fetched for it.
import * as assert from 'assert';
import type { RecordView } from '../../src/shared/protocol';
import { TrafficRows, matches, normalizeFilter, type Row } from '../../src/webview/traffic/rows';

const record = (seq: number, text = `r${seq}`, peer = '127.0.0.1:5000'): RecordView => {
  const preview = Uint8Array.from(Buffer.from(text));
  return { seq, time: seq, dir: 'in', peer, length: preview.byteLength, preview };
};
const shape = (rows: readonly Row[]) =>
  rows.map((r) => (r.kind === 'rec' ? r.r.seq : `gap ${r.after}-${r.before}`)).join(' ');

describe('send panel traffic rows', () => {
  it('starts from a reset, with a gap on top for the older records it was not given', () => {
    const log = new TrafficRows();
    log.reset(3, [record(5), record(6)], 2);
    assert.strictEqual(log.epoch, 3);
    assert.strictEqual(shape(log.rows), 'gap 2-5 5 6');
    assert.strictEqual(log.shown, log.rows);
  });

  it('appends batches, a gap for what the host skipped, and cuts what the cap evicted', () => {
    const log = new TrafficRows();
    log.reset(1, [record(0), record(1)], 0);
    assert.strictEqual(log.append([record(2)], 0, 0, '', 'utf8'), 0);
    // Three records were skipped before seq 6.
    assert.strictEqual(log.append([record(6)], 3, 0, '', 'utf8'), 0);
    assert.strictEqual(shape(log.rows), '0 1 2 gap 3-6 6');
    assert.strictEqual(log.skipped, 3);
    // Only skipped records: a gap at the end.
    log.append([], 2, 0, '', 'utf8');
    assert.strictEqual(shape(log.rows), '0 1 2 gap 3-6 6 gap 7-9');
    // The cap evicted seqs below 2: two rows are cut from the top.
    assert.strictEqual(log.append([record(9)], 0, 2, '', 'utf8'), 2);
    assert.strictEqual(shape(log.rows), '2 gap 3-6 6 gap 7-9 9');
    // Evicted past the first gap's start: the gap shrinks, no row is left below dropped.
    log.append([], 0, 4, '', 'utf8');
    assert.strictEqual(shape(log.rows), 'gap 4-6 6 gap 7-9 9');
  });

  it('filters by text, hex and peer, keeps gaps, and adds only matching new rows to what is shown', () => {
    const log = new TrafficRows();
    log.reset(1, [record(0, 'hello'), record(1, 'other', '[::1]:7')], 0);
    log.append([record(3, 'HELLO again')], 1, 0, '', 'utf8');
    log.refilter(normalizeFilter('  Hello '), 'utf8');
    assert.strictEqual(shape(log.shown), '0 gap 2-3 3');
    log.refilter(normalizeFilter('6f 74'), 'utf8');
    assert.strictEqual(shape(log.shown), '1 gap 2-3');
    log.refilter(normalizeFilter('::1'), 'utf8');
    assert.strictEqual(shape(log.shown), '1 gap 2-3');
    log.append([record(4, 'no'), record(5, 'yes', '[::1]:7')], 0, 0, '::1', 'utf8');
    assert.strictEqual(shape(log.shown), '1 gap 2-3 5');
    log.refilter('', 'utf8');
    assert.strictEqual(log.shown, log.rows);
    assert.ok(matches({ kind: 'gap', after: 0, before: 1 }, 'anything', 'utf8'));
  });

  it('puts a fetched page in place of its gap, leaving a smaller gap for what is still older', () => {
    const log = new TrafficRows();
    log.reset(1, [record(10)], 0);
    const gap = log.rows[0];
    assert.ok(gap.kind === 'gap');
    assert.ok(log.fillGap(gap, [record(7), record(8), record(9)]));
    assert.strictEqual(shape(log.rows), 'gap 0-7 7 8 9 10');
    // A gap that is no longer there (a reset came in between) is left alone.
    assert.strictEqual(log.fillGap(gap, [record(1)]), false);
    const top = log.rows[0];
    assert.ok(
      top.kind === 'gap' &&
        log.fillGap(top, [record(0), record(1), record(2), record(3), record(4), record(5), record(6)]),
    );
    assert.strictEqual(shape(log.rows), '0 1 2 3 4 5 6 7 8 9 10');
  });

  it('decodes a row once, and again in another encoding after forgetText', () => {
    const log = new TrafficRows();
    const gbk = Uint8Array.from([0xce, 0xd2]);
    log.reset(1, [{ seq: 0, time: 0, dir: 'in', peer: 'p', length: 2, preview: gbk }], 0);
    assert.ok(!matches(log.rows[0], '我', 'utf8'));
    // Cached: the same text until the rows forget it.
    assert.ok(!matches(log.rows[0], '我', 'gbk'));
    log.forgetText();
    assert.ok(matches(log.rows[0], '我', 'gbk'));
  });
});
