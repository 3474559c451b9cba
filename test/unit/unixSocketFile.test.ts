// The socket file of a Unix listener: what prepareUnixPath may delete (only the very stale socket file it probed)
// and what checkParentFolder says instead of libuv's EACCES for a missing folder.
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { assertSocketLabError, rejectionError } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { PEERS_DIR, startPeer, waitForOutput } from '../helpers/peers';
import { tempDir } from '../helpers/tempDir';
import { makeStaleSocketFile, withMoveAt } from '../helpers/unixSocketFiles';

import { checkParentFolder, prepareUnixPath } from '../../src/core/endpoints/unixSocketFile';

describe('Unix socket files: what may be deleted before listening', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it('deletes a stale socket file, and leaves a missing path alone', async () => {
    const file = path.join(t.dir, 's.sock');
    await prepareUnixPath(file);
    assert.strictEqual(fs.existsSync(file), false);
    makeStaleSocketFile(file);
    await prepareUnixPath(file);
    assert.strictEqual(fs.existsSync(file), false);
  });

  it('never deletes a socket file put in place of the stale one while it was probed', async () => {
    const file = path.join(t.dir, 's.sock');
    makeStaleSocketFile(file);
    // Another process's socket file, made while the stale one still exists so that its inode differs.
    const theirs = makeStaleSocketFile(path.join(t.dir, 'theirs.sock'));
    const err = await rejectionError(
      withMoveAt(
        'lstat',
        1,
        'after',
        () => fs.renameSync(path.join(t.dir, 'theirs.sock'), file),
        () => prepareUnixPath(file),
      ),
    );
    const e = assertSocketLabError(err, 'pathInUse', { path: file });
    assert.strictEqual(
      e.message,
      `${file} was replaced while Socket Lab checked it; choose another path or try again.`,
    );
    const now = fs.lstatSync(file);
    assert.ok(now.isSocket() && now.ino === theirs, 'their socket file is still there');
  });

  it('a stale socket file somebody else deleted before the probe leaves nothing to do (not "a live socket")', async () => {
    const file = path.join(t.dir, 's.sock');
    makeStaleSocketFile(file);
    await withMoveAt(
      'lstat',
      1,
      'after',
      () => fs.unlinkSync(file),
      () => prepareUnixPath(file),
    );
    assert.strictEqual(fs.existsSync(file), false);
  });

  it('a stale socket file somebody else deleted after it refused the probe leaves nothing to do', async () => {
    const file = path.join(t.dir, 's.sock');
    makeStaleSocketFile(file);
    await withMoveAt(
      'lstat',
      2,
      'before',
      () => fs.unlinkSync(file),
      () => prepareUnixPath(file),
    );
    assert.strictEqual(fs.existsSync(file), false);
  });

  it('a folder of the path turned into a file after the probe: ENOTDIR naming the path, nothing deleted', async () => {
    const sub = path.join(t.dir, 'sub');
    fs.mkdirSync(sub);
    const file = path.join(sub, 's.sock');
    makeStaleSocketFile(file);
    const err = await rejectionError(
      withMoveAt(
        'lstat',
        2,
        'before',
        () => {
          fs.renameSync(sub, path.join(t.dir, 'moved'));
          fs.writeFileSync(sub, 'a file now');
        },
        () => prepareUnixPath(file),
      ),
    );
    const e = assertSocketLabError(err, 'fileNotFound', { operation: 'listen', target: file, path: file });
    assert.strictEqual(e.systemCode, 'ENOTDIR');
    assert.ok(fs.lstatSync(path.join(t.dir, 'moved', 's.sock')).isSocket(), 'the probed file was not deleted');
  });

  it('a socket file somebody else deleted just before the unlink is not an error', async () => {
    const file = path.join(t.dir, 's.sock');
    makeStaleSocketFile(file);
    await withMoveAt(
      'unlink',
      1,
      'before',
      () => fs.unlinkSync(file),
      () => prepareUnixPath(file),
    );
    assert.strictEqual(fs.existsSync(file), false);
  });

  it('a folder put in place just before the unlink is reported (EISDIR) and left alone', async () => {
    const file = path.join(t.dir, 's.sock');
    makeStaleSocketFile(file);
    const err = await rejectionError(
      withMoveAt(
        'unlink',
        1,
        'before',
        () => {
          fs.unlinkSync(file);
          fs.mkdirSync(file);
        },
        () => prepareUnixPath(file),
      ),
    );
    const e = assertSocketLabError(err, 'isDirectory', { operation: 'listen', target: file });
    assert.strictEqual(e.systemCode, 'EISDIR');
    assert.ok(fs.statSync(file).isDirectory());
  });

  it('a regular file where a folder of the path should be: ENOTDIR from the first look, naming the path', async () => {
    const notFolder = path.join(t.dir, 'notes.txt');
    fs.writeFileSync(notFolder, 'keep me');
    const file = path.join(notFolder, 's.sock');
    const e = assertSocketLabError(await rejectionError(prepareUnixPath(file)), 'fileNotFound', {
      operation: 'listen',
      target: file,
    });
    assert.strictEqual(e.systemCode, 'ENOTDIR');
    assert.strictEqual(fs.readFileSync(notFolder, 'utf8'), 'keep me');
  });

  it('a regular file or a folder at the path is refused with the path in the sentence', async () => {
    const file = path.join(t.dir, 'notes.txt');
    fs.writeFileSync(file, 'keep me');
    let e = assertSocketLabError(await rejectionError(prepareUnixPath(file)), 'pathNotSocket', { path: file });
    assert.strictEqual(
      e.message,
      `${file} already exists and is not a socket; Socket Lab never deletes it, choose another path.`,
    );
    const dir = path.join(t.dir, 'folder');
    fs.mkdirSync(dir);
    e = assertSocketLabError(await rejectionError(prepareUnixPath(dir)), 'pathNotSocket', { path: dir });
    assert.strictEqual(
      e.message,
      `${dir} already exists and is a folder; Socket Lab never deletes it, choose another path.`,
    );
  });

  it('a socket somebody listens on is refused as EADDRINUSE and kept', async () => {
    const file = path.join(t.dir, 'live.sock');
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(file, r));
    try {
      const e = assertSocketLabError(await rejectionError(prepareUnixPath(file)), 'addressInUse', { path: file });
      assert.strictEqual(e.systemCode, 'EADDRINUSE');
      assert.ok(fs.lstatSync(file).isSocket());
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a live datagram socket is refused naming the errno of the probe (EPROTOTYPE)', async () => {
    const file = path.join(t.dir, 'dgram.sock');
    const owner = startPeer('python3', [path.join(PEERS_DIR, 'live_unix_socket.py'), 'dgram', file]);
    try {
      await waitForOutput(owner, /ready/);
      const e = assertSocketLabError(await rejectionError(prepareUnixPath(file)), 'pathInUse', {
        path: file,
        reason: 'EPROTOTYPE',
      });
      assert.strictEqual(e.systemCode, 'EPROTOTYPE');
      assert.ok(fs.lstatSync(file).isSocket());
    } finally {
      await owner.kill();
    }
  });
});

describe('Unix socket files: the folder a listener binds in', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => (t = tempDir()));
  afterEach(() => t.remove());

  it('a listener in a missing folder says the folder does not exist (not permission denied)', () =>
    withLab(async (lab) => {
      const folder = path.join(t.dir, 'missing');
      const file = path.join(folder, 's.sock');
      const e = assertSocketLabError(await rejectionError(lab.startUnixListener({ path: file })), 'fileNotFound', {
        path: file,
        folder,
      });
      assert.strictEqual(
        e.message,
        `The folder ${folder} does not exist, so ${file} cannot be created; create the folder or choose another path.`,
      );
      assert.deepStrictEqual(lab.list(), []);
    }));

  it('a folder that is a regular file, or lies under one, is named as such', async () => {
    const notFolder = path.join(t.dir, 'notes.txt');
    fs.writeFileSync(notFolder, 'keep me');
    const file = path.join(notFolder, 's.sock');
    let e = assertSocketLabError(await rejectionError(checkParentFolder(file)), 'fileNotFound', {
      path: file,
      folder: notFolder,
    });
    assert.strictEqual(e.message, `${notFolder} is not a folder, so ${file} cannot be created; check the path.`);
    const deeper = path.join(notFolder, 'sub', 's.sock');
    e = assertSocketLabError(await rejectionError(checkParentFolder(deeper)), 'fileNotFound', {
      path: deeper,
      folder: path.join(notFolder, 'sub'),
    });
    assert.match(e.message, /^The folder .*notes\.txt\/sub does not exist, so /);
    await checkParentFolder(path.join(t.dir, 's.sock'));
  });
});
