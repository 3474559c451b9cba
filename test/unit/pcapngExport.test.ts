/**
 * pcapng export to files and streams when things go wrong or are left over: a full disk, a missing folder,
 * a stream that fails or is destroyed mid-export (each with its sentence), no descriptor or listener left
 * behind, slabs written while the rest is encoded, and the closes written for each kind of snapshot.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { Writable } from 'stream';
import '../helpers/noLeaks';
import { assertSocketLabError } from '../helpers/errors';
import { client, tcpListener } from '../helpers/pcapFixtures';
import { pcapngPackets, tcpFlags, tcpSourcePort } from '../helpers/pcapngReader';
import { tempDir } from '../helpers/tempDir';
import { skipOrFail } from '../helpers/require';

import { exportPcapng } from '../../src/core/pcap';
import type { ConnectionInfo, TrafficRecord } from '../../src/shared/model';

const hello: TrafficRecord = {
  time: 1_700_000_000_000,
  direction: 'out',
  peer: '127.0.0.1:61002',
  data: Buffer.from('hello'),
};

/** Descriptors of this process open on `file` (Linux /proc). */
function descriptorsOn(file: string): string[] {
  const dir = '/proc/self/fd';
  return fs.readdirSync(dir).filter((fd) => {
    try {
      return fs.readlinkSync(path.join(dir, fd)) === file;
    } catch {
      return false; // closed while listing (the listing's own descriptor)
    }
  });
}

/** The rejection of `p`, failing when it resolves. */
async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => assert.fail('expected the export to fail'),
    (err: unknown) => err,
  );
}

/** A stream that takes chunks through `take` (which may fail them) and collects what it took. */
function sinkStream(take: (stream: Writable, chunk: Buffer) => Error | undefined = () => undefined) {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      const err = take(stream, chunk);
      if (!err) chunks.push(chunk);
      callback(err);
    },
  });
  // The caller's own listener, as any owner of a stream has one.
  const seen: Error[] = [];
  stream.on('error', (e) => seen.push(e));
  return { stream, chunks, seen };
}

const withCode = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('pcapng export, failures and leftovers', function () {
  this.timeout(30000);
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it('a full disk fails with the path and ENOSPC, and the file is closed', async function () {
    if (!fs.existsSync('/dev/full')) skipOrFail(this, 'no /dev/full to fill');
    const err = await rejectionOf(exportPcapng(client, [hello], '/dev/full'));
    assertSocketLabError(err, 'exportFailed', { path: '/dev/full', detail: 'ENOSPC' });
    assert.strictEqual((err as Error).message, 'Writing the pcapng file /dev/full failed (ENOSPC).');
    assert.deepStrictEqual(descriptorsOn('/dev/full'), []);
  });

  it('a written file is closed, and a path under a file or a folder is refused with its sentence', async () => {
    const file = path.join(t.dir, 'ok.pcapng');
    const r = await exportPcapng(client, [hello], file);
    assert.deepStrictEqual(descriptorsOn(file), []);
    assert.deepStrictEqual([r.records, r.packets, r.bytes], [1, 4, fs.statSync(file).size]);

    const underFile = path.join(file, 'x.pcapng');
    const notDir = await rejectionOf(exportPcapng(client, [], underFile));
    assertSocketLabError(notDir, 'fileNotFound', { path: underFile, systemCode: 'ENOTDIR' });
    assert.strictEqual(
      (notDir as Error).message,
      `The folder of ${underFile} does not exist; create it or choose another path.`,
    );
    const folder = await rejectionOf(exportPcapng(client, [], t.dir));
    assertSocketLabError(folder, 'isDirectory', { path: t.dir, operation: 'write file', systemCode: 'EISDIR' });
    assert.strictEqual((folder as Error).message, `${t.dir} is a folder, not a file.`);
  });

  it('a path it may not write is refused with the permission sentence', async function () {
    // A read-only folder refuses an ordinary user; root writes anywhere, but not into sysfs attributes.
    const readOnly = path.join(t.dir, 'read-only');
    fs.mkdirSync(readOnly, { mode: 0o555 });
    const denied = [path.join(readOnly, 'x.pcapng'), '/sys/kernel/notes'].find((candidate) => {
      try {
        fs.closeSync(fs.openSync(candidate, 'a'));
        return false;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'EACCES';
      }
    });
    if (!denied) skipOrFail(this, 'no path here refuses this user with EACCES');
    const err = await rejectionOf(exportPcapng(client, [hello], denied));
    assertSocketLabError(err, 'permissionDenied', { path: denied, operation: 'write file', systemCode: 'EACCES' });
    assert.strictEqual(
      (err as Error).message,
      `Permission denied for ${denied}; choose a path in a folder you may write to.`,
    );
  });

  it('a stream that fails a write: the sentence names the stream and the code (or the message), no listener left', async () => {
    const broken = sinkStream(() => withCode('write EPIPE', 'EPIPE'));
    const err = await rejectionOf(exportPcapng(client, [hello], broken.stream));
    assertSocketLabError(err, 'exportFailed', { path: 'stream', detail: 'EPIPE' });
    assert.strictEqual((err as Error).message, 'Writing the pcapng file stream failed (EPIPE).');
    assert.strictEqual(broken.stream.listenerCount('error'), 1, "only the caller's own listener is left");

    const noCode = sinkStream(() => new Error('disk on fire'));
    const err2 = await rejectionOf(exportPcapng(client, [hello], noCode.stream));
    assert.strictEqual((err2 as Error).message, 'Writing the pcapng file stream failed (disk on fire).');
  });

  it('a stream destroyed after taking a chunk fails the export with the reason it was destroyed', async () => {
    const reset = withCode('read ECONNRESET', 'ECONNRESET');
    // Destroyed once the first chunk is taken, as a socket whose peer resets it.
    const destroyAfterFirst = (stream: Writable) => {
      process.nextTick(() => stream.destroy(reset));
      return undefined;
    };
    // Several slabs: the next write finds the stream failed.
    const big: TrafficRecord[] = [0, 1, 2].map((i) => ({
      ...hello,
      time: hello.time + i,
      data: Buffer.alloc(700_000, i),
    }));
    const many = sinkStream(destroyAfterFirst);
    const err = await rejectionOf(exportPcapng(client, big, many.stream));
    assert.strictEqual((err as Error).message, 'Writing the pcapng file stream failed (ECONNRESET).');
    assert.strictEqual(many.chunks.length, 1);
    // One slab: every write was taken, the failure comes before the export says it is done.
    const one = sinkStream(destroyAfterFirst);
    const err2 = await rejectionOf(exportPcapng(client, [hello], one.stream));
    assert.strictEqual((err2 as Error).message, 'Writing the pcapng file stream failed (ECONNRESET).');
    assert.strictEqual(one.stream.listenerCount('error'), 1);
    assert.deepStrictEqual(one.seen, [reset]);
  });

  it('writes each full slab while the later records are still to be encoded', async () => {
    let encoded = 0;
    let encodedAtFirstWrite = -1;
    const records: TrafficRecord[] = [0, 1, 2, 3].map((i) => ({
      time: hello.time + i,
      direction: 'out',
      peer: hello.peer,
      get data() {
        encoded = Math.max(encoded, i + 1);
        return Buffer.alloc(600_000, i);
      },
    }));
    const out = sinkStream(() => {
      if (encodedAtFirstWrite < 0) encodedAtFirstWrite = encoded;
      return undefined;
    });
    await exportPcapng(client, records, out.stream);
    assert.ok(
      encodedAtFirstWrite > 0 && encodedAtFirstWrite < records.length,
      `first write after ${encodedAtFirstWrite} records`,
    );
    out.stream.destroy();
  });

  it("closes: none for a listener's connection no longer listed; a closed client that half-closed sends its FIN first", async () => {
    const listener = tcpListener('e2');
    const gone = path.join(t.dir, 'gone.pcapng');
    await exportPcapng(listener, [{ ...hello, peer: '127.0.0.1:40000', connectionId: 'e2.c1', direction: 'in' }], gone);
    const flagsOf = (file: string) =>
      pcapngPackets(fs.readFileSync(file)).map((p) => [tcpSourcePort(p.packet), tcpFlags(p.packet)]);
    assert.deepStrictEqual(flagsOf(gone), [
      [40000, 0x02],
      [5000, 0x12],
      [40000, 0x10],
      [40000, 0x18],
    ]);

    const closed = path.join(t.dir, 'closed.pcapng');
    await exportPcapng({ ...client, state: 'closed', peerEnded: true, localEnded: true }, [hello], closed);
    assert.deepStrictEqual(flagsOf(closed).slice(4), [
      [61001, 0x11], // our FIN first: a client half-closes
      [61002, 0x10],
      [61002, 0x11],
      [61001, 0x10],
    ]);

    // A listed connection of a listener that both sides ended: the peer's FIN first.
    const connection: ConnectionInfo = {
      id: 'e2.c1',
      remote: { address: '127.0.0.1', port: 40000 },
      local: { address: '127.0.0.1', port: 5000 },
      state: 'closed',
      peerEnded: true,
      localEnded: true,
      bytesIn: 5,
      bytesOut: 0,
      messagesIn: 1,
      messagesOut: 0,
    };
    const listed = path.join(t.dir, 'listed.pcapng');
    await exportPcapng(
      { ...listener, connections: [connection] },
      [{ ...hello, peer: '127.0.0.1:40000', connectionId: 'e2.c1', direction: 'in' }],
      listed,
    );
    assert.deepStrictEqual(flagsOf(listed).slice(4), [
      [40000, 0x11],
      [5000, 0x10],
      [5000, 0x11],
      [40000, 0x10],
    ]);
  });
});
