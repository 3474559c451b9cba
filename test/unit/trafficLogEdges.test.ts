/**
 * The traffic log at its edges: record slots growing while the oldest record sits mid-ring, a record that costs
 * exactly the cap, data of exactly SMALL_DATA_MAX_BYTES, and the empty view of a gone endpoint.
 */
import * as assert from 'assert';
import '../helpers/noLeaks';
import { EMPTY_TRAFFIC_LOG, RECORD_OVERHEAD_BYTES, SMALL_DATA_MAX_BYTES, TrafficLog } from '../../src/core/trafficLog';
import type { TrafficRecord } from '../../src/shared/model';

function rec(n: number): TrafficRecord {
  return { time: 1, direction: 'in', peer: '127.0.0.1:1', data: new Uint8Array(n) };
}

describe('TrafficLog edges', () => {
  it('grows its record slots past 1024 held records while the oldest is mid-ring, losing nothing', () => {
    const log = new TrafficLog(64 << 20, 64);
    const model: TrafficRecord[] = [];
    const cost = (r: TrafficRecord) => r.data.byteLength + RECORD_OVERHEAD_BYTES;
    const add = (i: number) => {
      // Sizes cross the ring/by-reference line (0, small, exactly SMALL_DATA_MAX_BYTES, larger).
      const size = [0, 3, 200, SMALL_DATA_MAX_BYTES, SMALL_DATA_MAX_BYTES + 1][i % 5];
      const r: TrafficRecord = {
        time: i,
        direction: i % 3 ? 'in' : 'out',
        peer: `p${i % 7}`,
        data: Buffer.alloc(size, i % 251),
        ...(i % 2 ? { connectionId: `c${i % 4}` } : {}),
        ...(i % 6 === 0 ? { autoReply: true } : {}),
        ...(i % 4 === 0 ? { delimiterBytes: 2 } : i % 4 === 1 ? { headerBytes: 4, partial: true } : {}),
      };
      log.append(r);
      model.push({ ...r, data: Buffer.from(r.data) });
    };
    const shown = (r: TrafficRecord) => ({ ...r, data: Buffer.from(r.data).toString('hex') });
    for (let i = 0; i < 900; i++) add(i);
    // Evict the oldest 600, so the head sits in the middle of the slots when they next grow.
    log.capBytes = model.slice(600).reduce((n, r) => n + cost(r), 0);
    model.splice(0, 600);
    log.capBytes = 64 << 20;
    for (let i = 900; i < 3500; i++) add(i);
    assert.strictEqual(log.size, model.length);
    assert.strictEqual(log.dropped, 600);
    assert.deepStrictEqual(log.records().map(shown), model.map(shown));
    assert.deepStrictEqual(log.records('c1').map(shown), model.filter((r) => r.connectionId === 'c1').map(shown));
  });

  it('holds a record that costs exactly the cap, and copies data of exactly SMALL_DATA_MAX_BYTES', () => {
    const log = new TrafficLog(100 + RECORD_OVERHEAD_BYTES);
    log.append(rec(100));
    assert.deepStrictEqual([log.size, log.dropped, log.heldBytes], [1, 0, 100 + RECORD_OVERHEAD_BYTES]);
    log.append(rec(101));
    assert.deepStrictEqual([log.size, log.dropped, log.heldBytes], [0, 2, 0]);
    const roomy = new TrafficLog();
    const edge = { ...rec(0), data: Buffer.alloc(SMALL_DATA_MAX_BYTES, 0x61) };
    roomy.append(edge);
    edge.data.fill(0x7a); // the sender reuses its buffer
    assert.ok(Buffer.from(roomy.records()[0].data).equals(Buffer.alloc(SMALL_DATA_MAX_BYTES, 0x61)));
  });

  it('the view of a gone endpoint holds nothing', () => {
    assert.deepStrictEqual(
      [EMPTY_TRAFFIC_LOG.size, EMPTY_TRAFFIC_LOG.dropped, EMPTY_TRAFFIC_LOG.last, EMPTY_TRAFFIC_LOG.slice(0, 10)],
      [0, 0, undefined, []],
    );
  });
});
