/** The socket file of a Unix listener: what may be replaced before listening, and what is reported instead of a bare errno. */
import * as fs from 'fs';
import * as net from 'net';
import * as nodePath from 'path';
import { SocketLabError } from '../../shared/errors';
import { toSocketLabError } from '../systemErrors';

/**
 * Makes `path` free for a Unix listener: nothing there is fine; a stale socket file (nobody listening)
 * is removed; a live socket, a regular file or a folder is refused with a clear error.
 */
export async function prepareUnixPath(path: string): Promise<void> {
  if (process.platform === 'win32') {
    return; // A named pipe is no file: the OS itself refuses a name in use.
  }
  let st: fs.Stats;
  try {
    st = await fs.promises.lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw toSocketLabError(err, { operation: 'listen', path });
  }
  if (!st.isSocket()) {
    throw st.isDirectory()
      ? SocketLabError.create(
          'pathNotSocket',
          '{path} already exists and is a folder; Socket Lab never deletes it, choose another path.',
          { path },
        )
      : SocketLabError.create(
          'pathNotSocket',
          '{path} already exists and is not a socket; Socket Lab never deletes it, choose another path.',
          { path },
        );
  }
  if (await isSomebodyListening(path)) {
    throw SocketLabError.create(
      'addressInUse',
      '{path} is already in use by another listening process; choose another path or stop that process.',
      { path },
      'EADDRINUSE',
    );
  }
  try {
    await fs.promises.unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toSocketLabError(err, { operation: 'listen', path });
  }
}

/**
 * libuv reports bind() of a socket path in a missing folder as EACCES (for Windows compatibility), which
 * would read "permission denied"; say what is really wrong instead.
 */
export async function checkParentFolder(path: string): Promise<void> {
  if (process.platform === 'win32') return;
  const folder = nodePath.dirname(path);
  try {
    const st = await fs.promises.stat(folder);
    if (!st.isDirectory()) {
      throw SocketLabError.create(
        'fileNotFound',
        '{folder} is not a folder, so {path} cannot be created; check the path.',
        { path, folder },
      );
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw SocketLabError.create(
        'fileNotFound',
        'The folder {folder} does not exist, so {path} cannot be created; create the folder or choose another path.',
        { path, folder },
      );
    }
    if (!(err instanceof SocketLabError)) return; // EACCES and the like: let listen() report it with the path.
    throw err;
  }
}

function isSomebodyListening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    // ECONNREFUSED means a stale file; any other failure also means nobody answers on it.
    probe.once('error', () => {
      probe.destroy();
      resolve(false);
    });
  });
}
