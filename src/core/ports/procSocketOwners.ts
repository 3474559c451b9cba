/**
 * Which process holds which socket inode, read from /proc/<pid>/fd (links named 'socket:[inode]') and
 * /proc/<pid>/comm, without running any program. Another user's processes cannot be looked into without
 * privileges: their sockets stay without an owner, as `ss` shows them.
 */
import * as fs from 'fs';
import * as path from 'path';

/** The process holding a socket. */
export interface SocketOwner {
  pid: number;
  process?: string;
}

/**
 * The lowest pid holding each of `inodes` (a socket inherited by children is held by several; the
 * parent, started first, usually has the lowest), with its name. Stops reading once every inode is found.
 */
export function findSocketOwners(inodes: ReadonlySet<number>, procRoot = '/proc'): Map<number, SocketOwner> {
  const owners = new Map<number, SocketOwner>();
  if (inodes.size === 0) return owners;
  let entries: string[];
  try {
    entries = fs.readdirSync(procRoot);
  } catch {
    return owners;
  }
  const pids = entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    const fdDir = path.join(procRoot, String(pid), 'fd');
    let fds: string[];
    try {
      fds = fs.readdirSync(fdDir);
    } catch {
      continue; // Another user's process (EACCES), or it exited meanwhile (ENOENT).
    }
    for (const fd of fds) {
      let link: string;
      try {
        link = fs.readlinkSync(path.join(fdDir, fd));
      } catch {
        continue; // Closed meanwhile.
      }
      if (!link.startsWith('socket:[')) continue;
      const inode = Number(link.slice(8, -1));
      if (inodes.has(inode) && !owners.has(inode)) owners.set(inode, { pid });
    }
    if (owners.size === inodes.size) break;
  }
  const names = new Map<number, string | undefined>();
  for (const owner of owners.values()) {
    if (!names.has(owner.pid)) names.set(owner.pid, readComm(procRoot, owner.pid));
    const name = names.get(owner.pid);
    if (name !== undefined) owner.process = name;
  }
  return owners;
}

function readComm(procRoot: string, pid: number): string | undefined {
  try {
    return fs.readFileSync(path.join(procRoot, String(pid), 'comm'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
