/**
 * Opening a capture file safely: peer bytes go into it, so it is never a file that already exists (unless
 * the caller asked to append), never reached through a symbolic link, and never anything but a regular
 * file (a FIFO would hang the open, a device would swallow or spread the bytes).
 */
import * as fs from 'fs';
import { promisify } from 'util';
import type { CaptureSpec } from '../shared/commandArgs';
import { SocketLabError, isSocketLabError } from '../shared/errors';
import { PCAPNG_MAGIC } from './pcap/pcapngCapture';
import { toSocketLabError } from './systemErrors';

/** A capture file opened for writing. */
export interface OpenedCaptureFile {
  /** The descriptor; the capture writer's stream closes it. */
  fd: number;
  path: string;
  /** Its size when opened (0 for a new file). */
  size: number;
  /** True when this open created it (a failed start then removes it again). */
  created: boolean;
  /** Its device and inode, so it is removed only while it is still this file. */
  dev: number;
  ino: number;
  /** Its first bytes when appending (up to 4): a pcapng capture appends only to a pcapng file. */
  head: Buffer;
}

const C = fs.constants;
// Windows has no O_NOFOLLOW or O_NONBLOCK for files: there the lstat check below is what refuses links.
const NO_FOLLOW = C.O_NOFOLLOW ?? 0;
const NON_BLOCK = C.O_NONBLOCK ?? 0;

/**
 * Opens `spec.path` for a capture: a new file (O_EXCL, which never follows a link), or with
 * `spec.append` an existing regular file or a new one (O_APPEND | O_NOFOLLOW | O_NONBLOCK, so a FIFO
 * fails instead of waiting for a reader). Refuses with a sentence naming the path and what to do.
 */
export async function openCaptureFile(spec: CaptureSpec): Promise<OpenedCaptureFile> {
  const path = spec.path;
  if (process.platform === 'win32') await refuseLink(path);
  // Appending creates the file when it is missing: remember whether it was, to remove only what we created.
  const existed =
    spec.append &&
    (await fs.promises.lstat(path).then(
      () => true,
      () => false,
    ));
  const flags = spec.append
    ? C.O_RDWR | C.O_APPEND | C.O_CREAT | NO_FOLLOW | NON_BLOCK
    : C.O_WRONLY | C.O_CREAT | C.O_EXCL | NO_FOLLOW;
  let fd: number;
  try {
    fd = await openFd(path, flags, 0o644);
  } catch (err) {
    throw await openError(err, path);
  }
  try {
    const st = await fstat(fd);
    if (!st.isFile()) {
      throw SocketLabError.create(
        'captureNotAFile',
        '{path} is not a regular file; capture writes only to regular files.',
        { path, field: 'capture.path' },
      );
    }
    const head = Buffer.alloc(4);
    const n = spec.append && st.size > 0 ? await readAt(fd, head, 0) : 0;
    if (spec.format === 'pcapng' && n > 0 && !head.subarray(0, n).equals(PCAPNG_MAGIC.subarray(0, n))) {
      throw SocketLabError.create(
        'captureNotPcapng',
        '{path} already holds data that is not pcapng; choose a new file for a pcapng capture.',
        { path, field: 'capture.path' },
      );
    }
    return {
      fd,
      path,
      size: st.size,
      created: !existed,
      dev: st.dev,
      ino: st.ino,
      head: head.subarray(0, n),
    };
  } catch (err) {
    fs.close(fd, () => undefined);
    throw isSocketLabError(err) ? err : await openError(err, path);
  }
}

// Bare descriptors (not FileHandles): the capture's write stream takes the descriptor over and closes it.
const openFd = promisify(fs.open);
const fstat = promisify(fs.fstat);
function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.read(fd, buffer, 0, buffer.length, position, (err, n) => (err ? reject(err) : resolve(n))),
  );
}

/**
 * Closes a capture file that no capture took over (its endpoint failed to start) and removes it when this
 * open created it and nothing has been written, so a failed start leaves nothing behind.
 */
export function discardCaptureFile(file: OpenedCaptureFile): void {
  try {
    fs.closeSync(file.fd);
  } catch {
    // Already closed.
  }
  if (!file.created) return;
  try {
    const st = fs.lstatSync(file.path);
    if (st.isFile() && st.dev === file.dev && st.ino === file.ino && st.size === 0) fs.unlinkSync(file.path);
  } catch {
    // Gone already, or not ours to remove.
  }
}

async function refuseLink(path: string): Promise<void> {
  const st = await fs.promises.lstat(path).catch(() => undefined);
  if (st?.isSymbolicLink()) throw symlinkError(path);
}

function symlinkError(path: string): SocketLabError {
  return SocketLabError.create(
    'captureSymlink',
    '{path} is a symbolic link; capture does not follow links: give the path of the file itself.',
    { path, field: 'capture.path' },
  );
}

/** The sentence of a refused open: the file exists, is a link, its folder is missing, or a system error. */
async function openError(err: unknown, path: string): Promise<SocketLabError> {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ELOOP' || code === 'EMLINK') return symlinkError(path);
  if (code === 'EEXIST') {
    // O_EXCL also fails on a link (dangling or not) at the path: say which it is.
    const st = await fs.promises.lstat(path).catch(() => undefined);
    if (st?.isSymbolicLink()) return symlinkError(path);
    return SocketLabError.create(
      'captureFileExists',
      '{path} already exists; choose a new file, or pass append: true to add to it.',
      { path, field: 'capture.path' },
      code,
    );
  }
  if (code === 'ENXIO') {
    return SocketLabError.create(
      'captureNotAFile',
      '{path} is not a regular file; capture writes only to regular files.',
      { path, field: 'capture.path' },
      code,
    );
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return SocketLabError.create(
      'fileNotFound',
      'The folder of {path} does not exist; create it or choose another path.',
      { path, field: 'capture.path', systemCode: code },
      code,
    );
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR') {
    return toSocketLabError(err, { operation: 'write file', path });
  }
  return SocketLabError.create('captureFailed', 'Opening the capture file {path} failed ({detail}).', {
    path,
    detail: code ?? (err instanceof Error ? err.message : String(err)),
  });
}
