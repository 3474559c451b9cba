/**
 * Send File reads regular files only (issue 12, finding 8): a device that never ends (/dev/zero) or a FIFO
 * with no writer is refused at once from the opened handle, and a datagram never reads more than fits.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import '../helpers/noLeaks';
import { assertSocketLabError, rejectsWith } from '../helpers/errors';
import { waitFor } from '../helpers/wait';
import { withLab } from '../helpers/lab';
import { portOf, rawServer } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';

const NOT_REGULAR =
  /is not a regular file \(it is a device, a pipe or a socket\); Send File sends regular files only\.$/;

describe('Send File refuses what is not a regular file', function () {
  if (process.platform === 'win32') return;
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it('over UDP: /dev/zero and a FIFO with no writer are refused without reading, memory stays flat', () =>
    withLab(async (lab) => {
      const fifo = path.join(t.dir, 'no-writer.fifo');
      assert.strictEqual(spawnSync('mkfifo', [fifo]).status, 0);
      const sink = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const to = { host: '127.0.0.1', port: portOf(sink) };
      const rss = process.memoryUsage().rss;
      await rejectsWith(lab.sendFile({ target: u.id, path: '/dev/zero', to }), 'notRegularFile', NOT_REGULAR);
      // Four at once: before, each took a libuv thread forever (all four of the pool).
      for (const r of await Promise.allSettled(
        [1, 2, 3, 4].map(() => lab.sendFile({ target: u.id, path: fifo, to })),
      )) {
        assert.strictEqual(r.status, 'rejected');
        assert.match((r as PromiseRejectedResult).reason.message, NOT_REGULAR);
      }
      // The threadpool is free: an ordinary file still goes out.
      const file = path.join(t.dir, 'small.bin');
      fs.writeFileSync(file, 'hello');
      assert.deepStrictEqual(await lab.sendFile({ target: u.id, path: file, to }), { bytes: 5 });
      assert.ok(process.memoryUsage().rss - rss < 64 * 1024 * 1024, 'nothing big was read');
      assert.strictEqual(lab.get(u.id)!.bytesOut, 5);
    }));

  it('over TCP: /dev/zero and a FIFO are refused before a byte is sent', () =>
    withLab(async (lab) => {
      const fifo = path.join(t.dir, 'no-writer.fifo');
      assert.strictEqual(spawnSync('mkfifo', [fifo]).status, 0);
      const server = await rawServer();
      try {
        const c = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        await rejectsWith(lab.sendFile({ target: c.id, path: '/dev/zero' }), 'notRegularFile', NOT_REGULAR);
        await rejectsWith(lab.sendFile({ target: c.id, path: fifo }), 'notRegularFile', NOT_REGULAR);
        assert.strictEqual(lab.get(c.id)!.bytesOut, 0);
      } finally {
        await server.close();
      }
    }));
});

describe('Send File: the datagram limit of the destination, the sentences of its refusals, the file closed', function () {
  if (process.platform !== 'linux') return;
  this.timeout(20000);
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  /** A file of `size` bytes in the test's folder. */
  const fileOf = (name: string, size: number): string => {
    const file = path.join(t.dir, name);
    fs.writeFileSync(file, Buffer.alloc(size, 0x61));
    return file;
  };
  const openFiles = () => fs.readdirSync('/proc/self/fd').length;

  it('over IPv4 UDP a file of 65507 bytes is one datagram; a larger one is refused with its whole size', () =>
    withLab(async (lab) => {
      const sink = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const to = { host: '127.0.0.1', port: portOf(sink) };
      assert.deepStrictEqual(await lab.sendFile({ target: u.id, path: fileOf('max.bin', 65507), to }), {
        bytes: 65507,
      });
      const over = fileOf('over.bin', 70000);
      const err = await lab.sendFile({ target: u.id, path: over, to }).catch((e: unknown) => e);
      assertSocketLabError(err, 'payloadTooLarge', { path: over, size: 70000, limit: 65507 });
      assert.strictEqual(
        (err as Error).message,
        `${over} has 70000 bytes but one UDP datagram can carry at most 65507; send a smaller file.`,
      );
      await waitFor('the one datagram at the sink', () => lab.get(sink.id)!.bytesIn === 65507);
      assert.strictEqual(lab.get(u.id)!.bytesOut, 65507);
    }));

  it("over IPv6 UDP the limit is 65527, whether the destination is 'to' or the client's remote", () =>
    withLab(async (lab) => {
      const sink = await lab.startUdpListener({ host: '::1', port: 0 });
      const u = await lab.startUdpListener({ host: '::1', port: 0 });
      const file = fileOf('v6max.bin', 65527);
      const to = { host: '::1', port: portOf(sink) };
      assert.deepStrictEqual(await lab.sendFile({ target: u.id, path: file, to }), { bytes: 65527 });
      const client = await lab.openUdpClient({ host: '::1', port: portOf(sink) });
      assert.deepStrictEqual(await lab.sendFile({ target: client.id, path: file }), { bytes: 65527 });
      await waitFor('both datagrams at the sink', () => lab.get(sink.id)!.bytesIn === 2 * 65527);
    }));

  it("a UDP socket given neither 'to' nor a peer is refused with the sentence of a send, not a crash", () =>
    withLab(async (lab) => {
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const name = `UDP 127.0.0.1:${portOf(u)}`;
      const err = await lab.sendFile({ target: u.id, path: fileOf('small.bin', 3) }).catch((e: unknown) => e);
      assertSocketLabError(err, 'missingTo', { id: u.id, endpoint: name });
      assert.strictEqual(
        (err as Error).message,
        `${name} is a UDP socket: give 'to' { host, port } or a peer id as target.`,
      );
      assert.strictEqual(lab.get(u.id)!.bytesOut, 0);
    }));

  it('a file that reads longer than its size said (a /proc file) is cut at one byte over the limit and refused', () =>
    withLab(async (lab) => {
      const sink = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const to = { host: '127.0.0.1', port: portOf(sink) };
      // /proc/kallsyms: fstat says 0 bytes, reading gives megabytes.
      const err = await lab.sendFile({ target: u.id, path: '/proc/kallsyms', to }).catch((e: unknown) => e);
      assertSocketLabError(err, 'payloadTooLarge', { path: '/proc/kallsyms', size: 65508, limit: 65507 });
      assert.strictEqual(lab.get(u.id)!.bytesOut, 0);
    }));

  it('a read error names the file and the operation, over TCP and over UDP, and nothing is sent', async () => {
    const server = await rawServer();
    try {
      await withLab(async (lab) => {
        // Reading /proc/self/mem at offset 0 fails with EIO: a regular file that cannot be read.
        const c = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        const tcpErr = await lab.sendFile({ target: c.id, path: '/proc/self/mem' }).catch((e: unknown) => e);
        assertSocketLabError(tcpErr, 'systemError', { path: '/proc/self/mem', operation: 'read file' });
        assert.strictEqual((tcpErr as Error).message, 'Reading /proc/self/mem failed (EIO).');
        const sink = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
        const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
        const to = { host: '127.0.0.1', port: portOf(sink) };
        const udpErr = await lab.sendFile({ target: u.id, path: '/proc/self/mem', to }).catch((e: unknown) => e);
        assertSocketLabError(udpErr, 'systemError', { path: '/proc/self/mem', operation: 'read file' });
        assert.strictEqual((udpErr as Error).message, 'Reading /proc/self/mem failed (EIO).');
        assert.strictEqual(lab.get(c.id)!.bytesOut, 0);
        assert.strictEqual(lab.get(u.id)!.bytesOut, 0);
      });
    } finally {
      await server.close();
    }
  });

  it('a folder, a device and a missing file are refused with sentences naming the path', () =>
    withLab(async (lab) => {
      const sink = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const to = { host: '127.0.0.1', port: portOf(sink) };
      const refusal = (p: string) => lab.sendFile({ target: u.id, path: p, to }).catch((e: unknown) => e);
      const folder = assertSocketLabError(await refusal(t.dir), 'isDirectory', { path: t.dir });
      assert.strictEqual(folder.message, `${t.dir} is a folder, not a file.`);
      const device = assertSocketLabError(await refusal('/dev/zero'), 'notRegularFile', { path: '/dev/zero' });
      assert.strictEqual(
        device.message,
        '/dev/zero is not a regular file (it is a device, a pipe or a socket); Send File sends regular files only.',
      );
      const missing = path.join(t.dir, 'missing.bin');
      const gone = assertSocketLabError(await refusal(missing), 'fileNotFound', {
        path: missing,
        operation: 'read file',
      });
      assert.strictEqual(gone.message, `${missing} does not exist (or its folder does not); check the path.`);
    }));

  it('closes the file it opened, whether the send went out or was refused', async () => {
    const server = await rawServer();
    try {
      await withLab(async (lab) => {
        const c = await lab.connectTcp({ host: '127.0.0.1', port: server.port });
        const sink = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
        const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
        const to = { host: '127.0.0.1', port: portOf(sink) };
        const small = fileOf('small.bin', 1000);
        const over = fileOf('over.bin', 70000);
        const before = openFiles();
        for (let i = 0; i < 5; i++) {
          assert.deepStrictEqual(await lab.sendFile({ target: c.id, path: small }), { bytes: 1000 });
          assert.deepStrictEqual(await lab.sendFile({ target: u.id, path: small, to }), { bytes: 1000 });
          await assert.rejects(lab.sendFile({ target: u.id, path: over, to }), { code: 'payloadTooLarge' });
          await assert.rejects(lab.sendFile({ target: c.id, path: '/dev/zero' }), { code: 'notRegularFile' });
        }
        assert.strictEqual(openFiles(), before);
        await waitFor('the five TCP sends at the peer', () => server.received().length === 5000);
      });
    } finally {
      await server.close();
    }
  });
});
