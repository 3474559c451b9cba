import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import * as tls from 'tls';
import '../helpers/noLeaks';
import { SocketLabError } from '../../src/shared/errors';
import { KEYLOG_BUFFER_MAX_BYTES } from '../../src/shared/limits';
import { KeylogWriter } from '../../src/core/tls/keylog';
import { makeCa, makeLeaf } from '../helpers/certs';
import { tempDir } from '../helpers/tempDir';

/** Resolves the error `p` rejects with (fails when it resolves). */
async function rejection(p: Promise<unknown>): Promise<SocketLabError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof SocketLabError, String(err));
    return err;
  }
  assert.fail('expected a rejection');
}

describe('TLS key log: KeylogWriter', function () {
  this.timeout(20000);
  let dir: string;
  let remove: () => void;
  beforeEach(() => ({ dir, remove } = tempDir()));
  afterEach(() => remove());

  it('writes every key line of a real TLS 1.3 session, server and client, exactly as Node gives them, owner-only', async () => {
    const ca = await makeCa('Keylog CA');
    const leaf = await makeLeaf(['127.0.0.1'], { issuer: ca });
    const file = path.join(dir, 'keys.log');
    const writer = await KeylogWriter.open(file);
    const server = tls.createServer({ cert: leaf.cert, key: leaf.key });
    const serverLines: Buffer[] = [];
    const clientLines: Buffer[] = [];
    server.on('keylog', (line: Buffer) => serverLines.push(line));
    const fromServer = writer.attach(server);
    server.on('secureConnection', (s) => s.end('hello'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = tls.connect({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port, ca: ca.cert });
    client.on('keylog', (line: Buffer) => clientLines.push(line));
    const fromClient = writer.attach(client);
    const received: Buffer[] = [];
    client.on('data', (d: Buffer) => received.push(d));
    await new Promise<void>((resolve) => client.once('end', resolve));
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fromServer.dispose();
    fromClient.dispose();
    // Detached: only the test's own listeners are left.
    assert.deepStrictEqual([server.listenerCount('keylog'), client.listenerCount('keylog')], [1, 1]);
    await writer.flush();
    assert.strictEqual(Buffer.concat(received).toString(), 'hello');

    const text = fs.readFileSync(file, 'utf8');
    const lines = text.split('\n').slice(0, -1);
    // TLS 1.3: five secrets on each side, named by label, for the same client random.
    const labels = [
      'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
      'CLIENT_TRAFFIC_SECRET_0',
      'EXPORTER_SECRET',
      'SERVER_HANDSHAKE_TRAFFIC_SECRET',
      'SERVER_TRAFFIC_SECRET_0',
    ];
    assert.deepStrictEqual(lines.map((l) => l.split(' ')[0]).sort(), [...labels, ...labels].sort());
    assert.strictEqual(new Set(lines.map((l) => l.split(' ')[1])).size, 1, 'one session');
    for (const l of lines) assert.match(l, /^[A-Z_0-9]+ [0-9a-f]{64} [0-9a-f]{64,96}$/);
    // Each side's lines, whole (the two sides interleave as their events came).
    const all = Buffer.concat([...serverLines, ...clientLines]).toString();
    assert.deepStrictEqual(text.split('\n').sort(), all.split('\n').sort());
    assert.deepStrictEqual([writer.lines, writer.dropped], [10, 0]);
    assert.strictEqual(fs.statSync(file).mode & 0o777, 0o600);

    await writer.close();
  });

  it('appends to a file that exists, and drops (counts) the lines written after close', async () => {
    const file = path.join(dir, 'shared.log');
    fs.writeFileSync(file, '# earlier session\n');
    const writer = await KeylogWriter.open(file);
    assert.strictEqual(writer.path, file);
    writer.write(Buffer.from('CLIENT_RANDOM aa bb\n'));
    await writer.flush();
    assert.strictEqual(fs.readFileSync(file, 'utf8'), '# earlier session\nCLIENT_RANDOM aa bb\n');
    await writer.close();
    writer.write(Buffer.from('CLIENT_RANDOM cc dd\n'));
    await writer.flush();
    await writer.close();
    assert.deepStrictEqual([writer.lines, writer.dropped], [1, 1]);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), '# earlier session\nCLIENT_RANDOM aa bb\n');
  });

  it('flush waits until everything queued is in the file (and the queue is empty again)', async () => {
    const file = path.join(dir, 'big.log');
    const writer = await KeylogWriter.open(file);
    writer.write(Buffer.alloc(KEYLOG_BUFFER_MAX_BYTES, 0x41));
    writer.write(Buffer.from('B\n')); // now more than the limit is queued
    await writer.flush();
    // Queue empty: this line is taken, not dropped as it would be while the megabyte still waited.
    writer.write(Buffer.from('C\n'));
    assert.deepStrictEqual([writer.lines, writer.dropped], [3, 0]);
    await writer.close();
    assert.strictEqual(fs.statSync(file).size, KEYLOG_BUFFER_MAX_BYTES + 4);
  });

  it('drops lines while more than KEYLOG_BUFFER_MAX_BYTES wait for the disk, and takes them again at exactly the limit', async () => {
    const file = path.join(dir, 'slow.log');
    const writer = await KeylogWriter.open(file);
    // Written synchronously, so nothing has reached the disk between these calls.
    writer.write(Buffer.alloc(KEYLOG_BUFFER_MAX_BYTES, 0x41)); // queued: exactly the limit
    writer.write(Buffer.from('B\n')); // still taken: the limit is not exceeded
    writer.write(Buffer.from('C\n')); // over the limit: dropped
    assert.deepStrictEqual([writer.lines, writer.dropped], [2, 1]);
    await writer.close();
    assert.strictEqual(fs.statSync(file).size, KEYLOG_BUFFER_MAX_BYTES + 2);
    assert.ok(fs.readFileSync(file, 'utf8').endsWith('AB\n'));
  });

  it('a file that fails while writing fires onDidFail once, with the reason, and drops the lines after', async () => {
    // /dev/full opens, then refuses every write with ENOSPC.
    const writer = await KeylogWriter.open('/dev/full');
    const failures: SocketLabError[] = [];
    writer.onDidFail((e) => failures.push(e));
    const failed = new Promise<void>((resolve) => writer.onDidFail(() => resolve()));
    writer.write(Buffer.from('CLIENT_RANDOM aa bb\n'));
    await failed;
    writer.write(Buffer.from('CLIENT_RANDOM cc dd\n'));
    await writer.flush();
    await writer.close();
    assert.deepStrictEqual(
      failures.map((e) => [e.code, e.message, e.systemCode]),
      [['fileUnwritable', 'Key log file (keylogPath) /dev/full cannot be written (ENOSPC).', 'ENOSPC']],
    );
    assert.deepStrictEqual([writer.lines, writer.dropped], [1, 1]);
  });

  it('refuses a path it cannot write with a sentence naming the field and the reason', async () => {
    const missing = path.join(dir, 'no', 'keys.log');
    const notFound = await rejection(KeylogWriter.open(missing));
    assert.deepStrictEqual(
      [notFound.code, notFound.message, notFound.systemCode],
      [
        'fileNotFound',
        `Key log file (keylogPath) ${missing} cannot be created: its folder does not exist; check the path.`,
        'ENOENT',
      ],
    );
    const file = path.join(dir, 'plain');
    fs.writeFileSync(file, '');
    const underFile = await rejection(KeylogWriter.open(path.join(file, 'keys.log')));
    assert.deepStrictEqual([underFile.code, underFile.systemCode], ['fileNotFound', 'ENOTDIR']);

    const folder = await rejection(KeylogWriter.open(dir));
    assert.deepStrictEqual(
      [folder.code, folder.message, folder.systemCode],
      ['isDirectory', `Key log file (keylogPath) ${dir} is a folder; give the path of a file.`, 'EISDIR'],
    );

    // sysfs refuses new files, to root too (EACCES, or EROFS where it is mounted read-only).
    const denied = await rejection(KeylogWriter.open('/sys/keys.log'));
    assert.strictEqual(denied.code, 'permissionDenied');
    assert.ok(['EACCES', 'EPERM', 'EROFS'].includes(denied.systemCode ?? ''), denied.systemCode);
    assert.strictEqual(
      denied.message,
      'Key log file (keylogPath) /sys/keys.log cannot be written (permission denied); choose a file in a folder you may write to.',
    );

    const long = path.join(dir, 'k'.repeat(300));
    const tooLong = await rejection(KeylogWriter.open(long));
    assert.deepStrictEqual(
      [tooLong.code, tooLong.message, tooLong.systemCode],
      ['fileUnwritable', `Key log file (keylogPath) ${long} cannot be written (ENAMETOOLONG).`, 'ENAMETOOLONG'],
    );
  });
});
