/** The socket file of a Unix listener: what may be replaced before listening, and what is reported instead of a bare errno. */
import * as fs from 'fs';
import * as net from 'net';
import * as nodePath from 'path';
import { SocketLabError } from '../../shared/errors';
import { toSocketLabError } from '../systemErrors';

/**
 * Makes `path` free for a Unix listener: nothing there is fine; a stale socket file (a probe is refused) is
 * removed if it is still the same file; a live socket (any other probe result), a regular file or a folder
 * is refused with a clear error.
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
  const probe = await probeSocketFile(path);
  if (probe === 'listening') {
    throw SocketLabError.create(
      'addressInUse',
      '{path} is already in use by another listening process; choose another path or stop that process.',
      { path },
      'EADDRINUSE',
    );
  }
  // Deleted by somebody else since the first look: nothing is left to remove, and listen() creates the file.
  if (probe === 'ENOENT') return;
  if (probe !== 'refused') {
    // A full backlog (EAGAIN) or a datagram socket (EPROTOTYPE) belongs to a live process: never delete it.
    throw SocketLabError.create(
      'pathInUse',
      '{path} is a live socket that did not refuse a connection ({reason}); Socket Lab deletes only a socket file nobody listens on, so choose another path.',
      { path, reason: probe },
      probe,
    );
  }
  // The file may have been replaced while probing: delete only the very socket file that refused.
  let now: fs.Stats;
  try {
    now = await fs.promises.lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw toSocketLabError(err, { operation: 'listen', path });
  }
  if (now.dev !== st.dev || now.ino !== st.ino) {
    throw SocketLabError.create(
      'pathInUse',
      '{path} was replaced while Socket Lab checked it; choose another path or try again.',
      { path },
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

/** Connects to `path` once: 'listening', 'refused' (ECONNREFUSED: a stale file) or the errno of any other failure. */
function probeSocketFile(path: string): Promise<string> {
  return new Promise((resolve) => {
    const probe = net.connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve('listening');
    });
    probe.once('error', (err: NodeJS.ErrnoException) => {
      probe.destroy();
      resolve(err.code === 'ECONNREFUSED' ? 'refused' : (err.code ?? 'unknown'));
    });
  });
}
