// The send panel's log as the webview holds it (src/webview/traffic/rows.ts): record rows in seq order,
// gap rows for what the host skipped or evicted, the filter, and a gap replaced by the page fetched for it.
import * as assert from 'assert';
import type { RecordView } from '../../src/shared/protocol';
import { PREVIEW_MAX_BYTES, SAVED_ROWS_MAX } from '../../src/shared/limits';
import { PEER_CH, charsThatFit, fitHex, peerColumnCh, textCharsFor } from '../../src/webview/traffic/columns';
import { TrafficRows, matches, normalizeFilter, type Row } from '../../src/webview/traffic/rows';
import { restoreRows, saveRows } from '../../src/webview/traffic/savedRows';
import { frameMarkKey, frameTextOf, type RecordRow } from '../../src/webview/traffic/rowText';

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

  it('counts the record rows it holds and shows (the filter\'s "N of M rows") as rows come, go and are filtered', () => {
    const log = new TrafficRows();
    log.reset(1, [record(2, 'hello'), record(3, 'other')], 2);
    assert.deepStrictEqual([log.recordCount, log.shownRecordCount], [2, 2]);
    log.refilter(normalizeFilter('hello'), 'utf8');
    assert.deepStrictEqual([log.recordCount, log.shownRecordCount], [2, 1]);
    // New rows, one matching, after a gap of skipped ones (gaps are not counted).
    log.append([record(6, 'hello again'), record(7, 'no')], 2, 2, 'hello', 'utf8');
    assert.deepStrictEqual([log.recordCount, log.shownRecordCount], [4, 2]);
    // The cap evicts the first two: counted out, shown recomputed.
    log.append([record(8, 'hello 3')], 0, 4, 'hello', 'utf8');
    assert.deepStrictEqual([log.recordCount, log.shownRecordCount], [3, 2]);
    assert.strictEqual(shape(log.shown), 'gap 4-6 6 8');
    const gap = log.rows[0];
    assert.ok(gap.kind === 'gap' && log.fillGap(gap, [record(4, 'hello 4'), record(5)]));
    log.refilter(normalizeFilter('hello'), 'utf8');
    assert.deepStrictEqual([log.recordCount, log.shownRecordCount], [5, 3]);
    log.refilter('', 'utf8');
    assert.deepStrictEqual([log.recordCount, log.shownRecordCount], [5, 5]);
  });

  it('remembers the longest peer seen, for the width of the peer column', () => {
    const log = new TrafficRows();
    log.reset(1, [record(0, 'a', '127.0.0.1:1')], 0);
    assert.strictEqual(log.longestPeer, '127.0.0.1:1'.length);
    log.append([record(1, 'b', '[2001:db8::1]:65535')], 0, 0, '', 'utf8');
    assert.strictEqual(log.longestPeer, '[2001:db8::1]:65535'.length);
    assert.strictEqual(peerColumnCh(log.longestPeer), '[2001:db8::1]:65535'.length);
    assert.strictEqual(peerColumnCh(2), PEER_CH.min);
    assert.strictEqual(peerColumnCh(500), PEER_CH.max);
  });

  it('fits hex to whole bytes: as many as the column shows, then an ellipsis', () => {
    const hex = '41 42 43 44 45 …';
    assert.strictEqual(fitHex(hex, 100), hex);
    assert.strictEqual(fitHex(hex, hex.length), hex);
    assert.strictEqual(fitHex(hex, 10), '41 42 43 …');
    assert.strictEqual(fitHex('41 42 43', 7), '41 42 …');
    assert.strictEqual(fitHex('41 42 43', 3), '…');
    assert.strictEqual(fitHex('41 42 43', 0), '…');
    for (let chars = 1; chars < 30; chars++) assert.ok(fitHex('aa '.repeat(20).trim(), chars).length <= chars);
    assert.strictEqual(charsThatFit(100, 7.2), 13);
    assert.strictEqual(charsThatFit(0, 7), 0);
    assert.strictEqual(textCharsFor(100), 80);
    assert.strictEqual(textCharsFor(1000), 251);
  });

  it('saves the newest rows as one string and reads them back, numbered from 0', () => {
    const log = new TrafficRows();
    const big = Uint8Array.from({ length: PREVIEW_MAX_BYTES }, (_, i) => i & 0xff);
    const rows: RecordView[] = [
      record(4, 'first'),
      { ...record(5, ''), preview: big, length: 9000, connectionId: 'e1.c2', dir: 'out', auto: true },
    ];
    log.reset(1, rows, 4);
    const saved = saveRows(log.rows);
    assert.strictEqual(typeof saved, 'string');
    const back = restoreRows(saved);
    assert.deepStrictEqual(
      back.map((r) => [r.seq, r.dir, r.peer, r.length, r.connectionId, r.auto]),
      [
        [0, 'in', '127.0.0.1:5000', 5, undefined, undefined],
        [1, 'out', '127.0.0.1:5000', 9000, 'e1.c2', true],
      ],
    );
    assert.deepStrictEqual(Buffer.from(back[0].preview).toString(), 'first');
    assert.deepStrictEqual(back[1].preview, big);
    // At most SAVED_ROWS_MAX, the newest; gaps are not saved.
    log.reset(
      1,
      Array.from({ length: SAVED_ROWS_MAX + 50 }, (_, i) => record(i + 10)),
      0,
    );
    const many = restoreRows(saveRows(log.rows));
    assert.strictEqual(many.length, SAVED_ROWS_MAX);
    assert.strictEqual(Buffer.from(many[many.length - 1].preview).toString(), `r${SAVED_ROWS_MAX + 59}`);
  });

  it("reads back only what is a row: another version's or a damaged state gives no row, never a throw", () => {
    for (const bad of [undefined, 3, '', '{', '{}', '[1, null, "x"]', JSON.stringify([{ t: 1, d: 'sideways' }])])
      assert.deepStrictEqual(restoreRows(bad), []);
    const good = { t: 1, d: 'in', p: 'p', l: 2, b: Buffer.from('hi').toString('base64') };
    const longerPreviewThanRecord = { ...good, l: 1 };
    const notBase64 = { ...good, b: '***' };
    assert.strictEqual(
      restoreRows(JSON.stringify([good, longerPreviewThanRecord, notBase64, { ...good, l: -1 }])).length,
      1,
    );
  });
});

describe('send panel framed rows', () => {
  const enc = new TextEncoder();
  const row = (data: RecordView['preview'], extra: Partial<RecordView> = {}, length = data.byteLength): RecordRow => ({
    kind: 'rec',
    r: { seq: 0, time: 0, dir: 'in', peer: 'p', length, preview: data, ...extra },
  });

  it('splits a frame into its header, body and delimiter, each escaped on its own', () => {
    assert.deepStrictEqual(frameTextOf(row(enc.encode('a\r\n'), { delimiterBytes: 2 }), 'utf8'), {
      header: '',
      body: 'a',
      delimiter: '\\r\\n',
    });
    const modbus = Uint8Array.from([0, 1, 0, 0, 0, 2, 0x41, 0x42]);
    assert.deepStrictEqual(frameTextOf(row(modbus, { headerBytes: 6 }), 'utf8'), {
      header: '\\0\\x01\\0\\0\\0\\x02',
      body: 'AB',
      delimiter: '',
    });
    // A record longer than its preview: its delimiter is not in the preview, so the row is plain text.
    const long = row(enc.encode('abc'), { delimiterBytes: 1 }, PREVIEW_MAX_BYTES * 2);
    assert.strictEqual(frameTextOf(long, 'utf8'), undefined);
    assert.deepStrictEqual(frameTextOf({ ...long, r: { ...long.r, headerBytes: 1 } }, 'utf8'), {
      header: 'a',
      body: 'bc…',
      delimiter: '',
    });
    assert.strictEqual(frameTextOf(row(enc.encode('plain')), 'utf8'), undefined);
  });

  it('keeps the frame fields of the rows it saves, so a reloaded panel still tells message from framing', () => {
    const log = new TrafficRows();
    log.reset(
      1,
      [
        { ...record(1, 'a\r\n'), delimiterBytes: 2 },
        { ...record(2, '\x00\x03abc'), headerBytes: 2 },
        { ...record(3, 'cut'), length: 9000, truncated: true },
        { ...record(4, 'par'), partial: true },
      ],
      0,
    );
    const back = restoreRows(saveRows(log.rows));
    assert.deepStrictEqual(
      back.map((r) => [r.delimiterBytes, r.headerBytes, r.truncated, r.partial]),
      [
        [2, undefined, undefined, undefined],
        [undefined, 2, undefined, undefined],
        [undefined, undefined, true, undefined],
        [undefined, undefined, undefined, true],
      ],
    );
    assert.deepStrictEqual(frameTextOf({ kind: 'rec', r: back[0] }, 'utf8'), {
      header: '',
      body: 'a',
      delimiter: '\\r\\n',
    });
    // A byte count that is not one (or longer than the record) is left out, the row kept.
    const good = { t: 1, d: 'in', p: 'p', l: 2, b: Buffer.from('hi').toString('base64') };
    const odd = restoreRows(
      JSON.stringify([
        { ...good, dl: 3, hb: -1 },
        { ...good, dl: '2', hb: 1.5, tr: true, pa: 'yes' },
      ]),
    );
    assert.deepStrictEqual(
      odd.map((r) => [r.delimiterBytes, r.headerBytes, r.truncated, r.partial]),
      [
        [undefined, undefined, undefined, undefined],
        [undefined, undefined, undefined, undefined],
      ],
    );
  });

  it('marks a frame cut at its limit or ended by a close', () => {
    assert.strictEqual(frameMarkKey(row(enc.encode('x'), { truncated: true }).r), 'frameCut');
    assert.strictEqual(frameMarkKey(row(enc.encode('x'), { partial: true }).r), 'framePartial');
    assert.strictEqual(frameMarkKey(row(enc.encode('x')).r), undefined);
  });
});
