/**
 * Send-and-wait's reply collection (ReplyCollector) on plain values: which connection's bytes count, the
 * reply limit (cut exactly there, flagged truncated, the wait ends), a frame as the reply (copied, partial
 * frames skipped), the partial flag of a framed wait without a frame, and that the wait settles once.
 */
import * as assert from 'assert';
import '../helpers/noLeaks';
import type { CollectedReply } from '../../src/core/endpoints/replyCollector';
import { ReplyCollector } from '../../src/core/endpoints/replyCollector';

/** A collector with a long wait (the tests end it themselves), counting how often it reports itself done. */
function collector(options: { connectionId?: string; framed?: boolean; limit?: number } = {}): {
  col: ReplyCollector;
  doneCalls: () => number;
} {
  let done = 0;
  const col = new ReplyCollector(
    options.connectionId,
    60_000,
    () => options.framed === true,
    () => done++,
    options.limit,
  );
  return { col, doneCalls: () => done };
}

/** The reply as text with its flags, for exact comparison. */
async function outcome(col: ReplyCollector): Promise<{ text: string; flags: Omit<CollectedReply, 'reply'> }> {
  const { reply, ...flags } = await col.result;
  return { text: Buffer.from(reply).toString('latin1'), flags };
}

const bytes = (s: string): Uint8Array => Buffer.from(s, 'latin1');

describe('send-and-wait reply collection (ReplyCollector)', () => {
  it('a wait on one connection wants only that connection; a wait on the endpoint wants every one', () => {
    const one = collector({ connectionId: 'e1.c2' });
    assert.strictEqual(one.col.wants('e1.c2'), true);
    assert.strictEqual(one.col.wants('e1.c3'), false);
    const any = collector();
    assert.strictEqual(any.col.wants('e1.c3'), true);
    one.col.finish();
    any.col.finish();
  });

  it('reads in several chunks are joined in order; finishing unframed gives them with no flag', async () => {
    const { col, doneCalls } = collector();
    col.read(bytes('ab'));
    col.read(bytes('cde'));
    col.read(bytes('f'));
    col.finish();
    assert.deepStrictEqual(await outcome(col), { text: 'abcdef', flags: {} });
    assert.strictEqual(doneCalls(), 1);
  });

  it('a framed wait that ends without a complete frame is partial, with what arrived', async () => {
    const { col } = collector({ framed: true });
    col.read(bytes('half a fr'));
    col.finish();
    assert.deepStrictEqual(await outcome(col), { text: 'half a fr', flags: { partial: true } });
  });

  it('the wait ends by itself after waitMs with what was read', async () => {
    let done = 0;
    const col = new ReplyCollector(
      undefined,
      1,
      () => false,
      () => done++,
    );
    col.read(bytes('late'));
    assert.deepStrictEqual(await outcome(col), { text: 'late', flags: {} });
    assert.strictEqual(done, 1);
  });

  it('a read over the limit is cut exactly at it, flagged truncated, and ends the wait at once', async () => {
    const { col, doneCalls } = collector({ limit: 5, framed: true });
    col.read(bytes('abc'));
    col.read(bytes('defg'));
    assert.strictEqual(doneCalls(), 1, 'reaching past the limit ends the wait');
    col.read(bytes('ignored'));
    assert.deepStrictEqual(await outcome(col), { text: 'abcde', flags: { truncated: true } });
  });

  it('a first read over the limit keeps only the limit', async () => {
    const { col } = collector({ limit: 4 });
    col.read(bytes('0123456789'));
    assert.deepStrictEqual(await outcome(col), { text: '0123', flags: { truncated: true } });
  });

  it('filling the limit exactly is no truncation and keeps waiting; the next byte ends it truncated', async () => {
    const exact = collector({ limit: 4 });
    exact.col.read(bytes('ab'));
    exact.col.read(bytes('cd'));
    assert.strictEqual(exact.doneCalls(), 0, 'exactly full: still waiting');
    exact.col.finish();
    assert.deepStrictEqual(await outcome(exact.col), { text: 'abcd', flags: {} });

    const over = collector({ limit: 4 });
    over.col.read(bytes('abcd'));
    assert.strictEqual(over.doneCalls(), 0, 'exactly full: still waiting');
    over.col.read(bytes('e'));
    assert.strictEqual(over.doneCalls(), 1);
    assert.deepStrictEqual(await outcome(over.col), { text: 'abcd', flags: { truncated: true } });
  });

  it('a complete frame is the reply (a copy), ending the wait; partial frames before it do not count', async () => {
    const { col, doneCalls } = collector({ framed: true });
    col.read(bytes('frame one|fra'));
    col.frame(bytes('fra'), { partial: true });
    assert.strictEqual(doneCalls(), 0, 'a partial frame does not end the wait');
    const frame = bytes('frame one');
    col.frame(frame, {});
    frame.fill(0x21);
    assert.strictEqual(doneCalls(), 1);
    col.frame(bytes('frame two'), {});
    col.finish();
    assert.strictEqual(doneCalls(), 1, 'the wait settles once');
    assert.deepStrictEqual(await outcome(col), { text: 'frame one', flags: {} });
  });

  it('a frame cut at maxFrameBytes is the reply with the truncated flag', async () => {
    const { col } = collector({ framed: true });
    col.frame(bytes('cut fra'), { truncated: true });
    assert.deepStrictEqual(await outcome(col), { text: 'cut fra', flags: { truncated: true } });
  });

  it('finishing twice settles once', async () => {
    const { col, doneCalls } = collector();
    col.read(bytes('x'));
    col.finish();
    col.finish();
    assert.strictEqual(doneCalls(), 1);
    assert.deepStrictEqual(await outcome(col), { text: 'x', flags: {} });
  });
});
