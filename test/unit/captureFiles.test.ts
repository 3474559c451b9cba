/**
 * Capture files (issue 12, finding 7): a size limit after which capture stops with a clear state, an
 * existing file refused unless `append: true`, no following of symbolic links, nothing but regular files,
 * and the pcapng format through the registry (its FINs written as the sides close).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { assertSocketLabError } from '../helpers/errors';
import { figure } from '../helpers/figures';
import { unchecked, withLab } from '../helpers/lab';
import { portOf, rawConnect } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { conversations, expertProblems, fields, followTcp, hasTshark, quietPort } from '../helpers/tshark';
import { waitFor } from '../helpers/wait';

import { discardCaptureFile, openCaptureFile } from '../../src/core/captureFile';
import type { CaptureSpec } from '../../src/shared/argFields';
import { CAPTURE_DEFAULT_MAX_BYTES } from '../../src/shared/limits';
import type { StartTcpListenerArgs } from '../../src/shared/commandArgs';

/** A start argument with a capture the types of the day may not know yet (the runtime decides). */
function listenerWith(capture: Record<string, unknown>): StartTcpListenerArgs {
  return unchecked<StartTcpListenerArgs>({ port: 0, capture });
}

/** Writes 64 KiB blocks to `port` until `stop()` says so or `ms` passed; resolves with the bytes written. */
async function flood(port: number, ms: number, stop: () => boolean): Promise<number> {
  const client = await rawConnect({ host: '127.0.0.1', port });
  const block = Buffer.alloc(64 * 1024, 0x41);
  const end = Date.now() + ms;
  let sent = 0;
  try {
    while (Date.now() < end && !stop()) {
      if (!client.socket.write(block)) await new Promise((r) => client.socket.once('drain', r));
      sent += block.length;
    }
  } finally {
    client.socket.destroy();
  }
  return sent;
}

describe('capture files (finding 7)', function () {
  this.timeout(60000);
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it('stops at maxBytes with a clear state, and the socket keeps receiving', () =>
    withLab(async (lab) => {
      const file = path.join(t.dir, 'flood.bin');
      const maxBytes = 1024 * 1024;
      const l = await lab.startTcpListener(listenerWith({ path: file, format: 'raw', maxBytes }));
      const started = Date.now();
      const sent = await flood(portOf(l), 3000, () => lab.get(l.id)!.captureStopped !== undefined);
      await waitFor('the capture to stop', () => lab.get(l.id)!.captureStopped);
      const info = lab.get(l.id)!;
      // What was handed to the file before the limit reaches it once the stream has flushed.
      await waitFor('the file to hold what was written', () => fs.statSync(file).size === info.captureBytes);
      figure('capture flood', {
        sentMB: +(sent / 1e6).toFixed(1),
        ms: Date.now() - started,
        fileBytes: fs.statSync(file).size,
      });
      assert.ok(fs.statSync(file).size <= maxBytes, `the file grew to ${fs.statSync(file).size} bytes`);
      assert.strictEqual(info.captureBytes, fs.statSync(file).size);
      assert.match(
        info.captureStopped!,
        new RegExp(`^Capture to .*flood\\.bin stopped at its limit of ${maxBytes} bytes \\(maxBytes\\)`),
      );
      assert.strictEqual(info.captureStoppedValues?.maxBytes, maxBytes);
      assert.strictEqual(info.state, 'listening');
      assert.strictEqual(info.error, undefined, 'a full capture is not an error of the listener');

      // The listener still works, and nothing more reaches the file.
      const size = fs.statSync(file).size;
      const c = await lab.connectTcp({ port: portOf(l) });
      await lab.send({ target: c.id, data: 'after the limit' });
      await waitFor('received after the limit', () => lab.get(l.id)!.connections.some((x) => x.bytesIn === 15));
      assert.strictEqual(fs.statSync(file).size, size);
    }));

  it('defaults maxBytes to 1 GiB and says so in list()', () =>
    withLab(async (lab) => {
      const l = await lab.startTcpListener(listenerWith({ path: path.join(t.dir, 'd.jsonl') }));
      assert.strictEqual(CAPTURE_DEFAULT_MAX_BYTES, 1024 ** 3);
      assert.strictEqual(l.captureMaxBytes, CAPTURE_DEFAULT_MAX_BYTES);
      assert.strictEqual(l.captureFormat, 'jsonl');
      assert.strictEqual(l.captureBytes, 0);
    }));

  it('refuses an existing file (neither appended to nor overwritten) unless append: true', () =>
    withLab(async (lab) => {
      const file = path.join(t.dir, 'notes.jsonl');
      fs.writeFileSync(file, 'my notes\n');
      const err = await lab.startTcpListener(listenerWith({ path: file })).then(
        () => undefined,
        (e: unknown) => e,
      );
      assertSocketLabError(err, 'captureFileExists', { path: file, field: 'capture.path' });
      assert.match(String((err as Error).message), /already exists; choose a new file, or pass append: true/);
      assert.deepStrictEqual(lab.list(), [], 'a refused capture opens no socket');
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'my notes\n');

      const l = await lab.startTcpListener(listenerWith({ path: file, append: true }));
      const c = await lab.connectTcp({ port: portOf(l) });
      await lab.send({ target: c.id, data: 'hello' });
      await waitFor('captured', () => lab.get(l.id)!.captureBytes! > 'my notes\n'.length);
      await lab.setCapture(l.id, undefined);
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      assert.strictEqual(lines[0], 'my notes');
      assert.strictEqual(Buffer.from(JSON.parse(lines[1]).data, 'base64').toString(), 'hello');
    }));

  it('never follows a symbolic link, with or without append', () =>
    withLab(async (lab) => {
      const victim = path.join(t.dir, 'victim.txt');
      fs.writeFileSync(victim, 'precious\n');
      const link = path.join(t.dir, 'capture.jsonl');
      fs.symlinkSync(victim, link);
      const dangling = path.join(t.dir, 'dangling.jsonl');
      fs.symlinkSync(path.join(t.dir, 'would-be-created'), dangling);
      for (const capture of [
        { path: link },
        { path: link, append: true },
        { path: dangling },
        { path: dangling, append: true },
      ]) {
        const err = await lab.startTcpListener(listenerWith(capture)).then(
          () => undefined,
          (e: unknown) => e,
        );
        assertSocketLabError(err, 'captureSymlink', { path: capture.path, field: 'capture.path' });
        assert.match(String((err as Error).message), /is a symbolic link; capture does not follow links/);
      }
      assert.deepStrictEqual(lab.list(), []);
      assert.strictEqual(fs.readFileSync(victim, 'utf8'), 'precious\n');
      assert.ok(!fs.existsSync(path.join(t.dir, 'would-be-created')));
    }));

  it('refuses what is not a regular file (a FIFO with no reader) at once', () =>
    withLab(async (lab) => {
      const fifo = path.join(t.dir, 'pipe');
      assert.strictEqual(spawnSync('mkfifo', [fifo]).status, 0);
      const err = await lab.startTcpListener(listenerWith({ path: fifo, append: true })).then(
        () => undefined,
        (e: unknown) => e,
      );
      assertSocketLabError(err, 'captureNotAFile', { path: fifo });
      assert.deepStrictEqual(lab.list(), []);
    }));

  it('a start that fails leaves no capture file behind; a restart appends to its own file', () =>
    withLab(async (lab) => {
      const holder = net.createServer();
      await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
      const taken = (holder.address() as net.AddressInfo).port;
      const file = path.join(t.dir, 'x.jsonl');
      try {
        await assert.rejects(lab.startTcpListener({ port: taken, capture: { path: file } }));
        assert.ok(!fs.existsSync(file), 'the failed start left its capture file');
      } finally {
        holder.close();
      }
      const l = await lab.startTcpListener(listenerWith({ path: file }));
      const c1 = await lab.connectTcp({ port: portOf(l) });
      await lab.send({ target: c1.id, data: 'one' });
      await waitFor('one captured', () => lab.get(l.id)!.captureBytes! > 0);
      const one = await waitFor('one in the file', () => fs.statSync(file).size);
      const restarted = await lab.restart({ id: l.id });
      const c2 = await lab.connectTcp({ port: portOf(restarted) });
      await lab.send({ target: c2.id, data: 'two' });
      await waitFor('two captured', () => lab.get(l.id)!.captureBytes! > one);
      await lab.setCapture(l.id, undefined);
      const data = fs
        .readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => Buffer.from(JSON.parse(line).data, 'base64').toString());
      assert.deepStrictEqual(data, ['one', 'two']);
    }));

  it('pcapng through the registry: tshark follows both directions and sees both FINs', async function () {
    if (!hasTshark()) this.skip();
    await withLab(async (lab) => {
      const file = path.join(t.dir, 'cap.pcapng');
      const port = await quietPort('tcp', '127.0.0.1');
      const l = await lab.startTcpListener(
        unchecked<StartTcpListenerArgs>({
          port,
          capture: { path: file, format: 'pcapng' },
          autoReply: { mode: 'echo' },
        }),
      );
      const clientPort = await quietPort('tcp', '127.0.0.1');
      const client = net.connect({ host: '127.0.0.1', port, localPort: clientPort, allowHalfOpen: true });
      const got: Buffer[] = [];
      client.on('data', (d) => got.push(d));
      await new Promise((r) => client.once('connect', r));
      client.write('ping over pcapng');
      await waitFor('the echo', () => Buffer.concat(got).toString() === 'ping over pcapng');
      client.end();
      await waitFor('closed', () => lab.get(l.id)!.connections[0]?.state === 'closed');
      client.destroy();
      await lab.setCapture(l.id, undefined);
      assert.deepStrictEqual(conversations(file, 'tcp'), [[`127.0.0.1:${clientPort}`, `127.0.0.1:${port}`].sort()]);
      const stream = followTcp(file, 0);
      assert.deepStrictEqual(stream.from0, Buffer.from('ping over pcapng'));
      assert.deepStrictEqual(stream.from1, Buffer.from('ping over pcapng'));
      const fins = fields(file, ['tcp.srcport'], 'tcp.flags.fin == 1').map((r) => Number(r[0]));
      assert.deepStrictEqual(fins, [clientPort, port]);
      assert.deepStrictEqual(expertProblems(file), []);
    });
  });
});

describe('capture files: opening and discarding, one refusal per reason', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  const spec = (file: string, more: Partial<CaptureSpec> = {}): CaptureSpec => ({
    path: file,
    format: 'jsonl',
    maxBytes: CAPTURE_DEFAULT_MAX_BYTES,
    append: false,
    ...more,
  });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => assert.fail('opened'),
      (e: unknown) => e,
    );

  it('a missing folder, and a path under a regular file, are named with what to do', async () => {
    const missing = path.join(t.dir, 'no-such-folder', 'x.jsonl');
    for (const append of [false, true]) {
      const err = assertSocketLabError(await refusal(openCaptureFile(spec(missing, { append }))), 'fileNotFound', {
        path: missing,
        field: 'capture.path',
        systemCode: 'ENOENT',
      });
      assert.strictEqual(err.message, `The folder of ${missing} does not exist; create it or choose another path.`);
    }
    const plain = path.join(t.dir, 'plain.txt');
    fs.writeFileSync(plain, 'x');
    const under = path.join(plain, 'x.jsonl');
    assertSocketLabError(await refusal(openCaptureFile(spec(under))), 'fileNotFound', {
      path: under,
      systemCode: 'ENOTDIR',
    });
  });

  it('appending to a folder is the system sentence about writing that path', async () => {
    const folder = path.join(t.dir, 'folder');
    fs.mkdirSync(folder);
    const err = assertSocketLabError(await refusal(openCaptureFile(spec(folder, { append: true }))), 'isDirectory', {
      path: folder,
      operation: 'write file',
      systemCode: 'EISDIR',
    });
    assert.strictEqual(err.message, `${folder} is a folder, not a file.`);
  });

  it('pcapng appends only to a pcapng file: other data is refused, an empty file is taken', async () => {
    const notes = path.join(t.dir, 'notes.pcapng');
    fs.writeFileSync(notes, 'my notes\n');
    const err = assertSocketLabError(
      await refusal(openCaptureFile(spec(notes, { format: 'pcapng', append: true }))),
      'captureNotPcapng',
      { path: notes, field: 'capture.path' },
    );
    assert.strictEqual(
      err.message,
      `${notes} already holds data that is not pcapng; choose a new file for a pcapng capture.`,
    );
    const empty = path.join(t.dir, 'empty.pcapng');
    fs.writeFileSync(empty, '');
    const opened = await openCaptureFile(spec(empty, { format: 'pcapng', append: true }));
    assert.deepStrictEqual([opened.size, opened.created, opened.head.length], [0, false, 0]);
    discardCaptureFile(opened);
    assert.ok(fs.existsSync(empty), 'a file that was there before is never removed');
  });

  it('appending reads the first bytes of an existing file and says it was there', async () => {
    const file = path.join(t.dir, 'a.jsonl');
    fs.writeFileSync(file, 'abcdef');
    const opened = await openCaptureFile(spec(file, { append: true }));
    assert.deepStrictEqual([opened.size, opened.created, opened.head.toString()], [6, false, 'abcd']);
    discardCaptureFile(opened);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'abcdef');
    const fresh = path.join(t.dir, 'fresh.jsonl');
    const created = await openCaptureFile(spec(fresh, { append: true }));
    assert.deepStrictEqual([created.size, created.created, created.head.length], [0, true, 0]);
    discardCaptureFile(created);
    assert.ok(!fs.existsSync(fresh), 'a file this open created, still empty, is removed');
  });

  it('discard removes the file it created only while it is still that file and still empty', async () => {
    const written = path.join(t.dir, 'written.jsonl');
    const a = await openCaptureFile(spec(written));
    fs.writeSync(a.fd, 'data');
    discardCaptureFile(a);
    assert.strictEqual(fs.readFileSync(written, 'utf8'), 'data', 'bytes were written: kept');

    const replaced = path.join(t.dir, 'replaced.jsonl');
    const b = await openCaptureFile(spec(replaced));
    fs.unlinkSync(replaced);
    fs.writeFileSync(replaced, ''); // somebody else's empty file, another inode, at the same path
    discardCaptureFile(b);
    assert.ok(fs.existsSync(replaced), "somebody else's file at the path: kept");

    const linked = path.join(t.dir, 'linked.jsonl');
    const c = await openCaptureFile(spec(linked));
    const target = path.join(t.dir, 'target');
    fs.writeFileSync(target, '');
    fs.unlinkSync(linked);
    fs.symlinkSync(target, linked);
    discardCaptureFile(c);
    assert.ok(fs.lstatSync(linked).isSymbolicLink(), 'a link put in its place: kept');
  });
});
