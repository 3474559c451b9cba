/**
 * Which process holds which socket inode, read from /proc/<pid>/fd (links named 'socket:[inode]') and
 * /proc/<pid>/comm, without running any program. Another user's processes cannot be looked into without
 * privileges: their sockets stay without an owner, as `ss` shows them.
 */
import * as fs from 'fs';

/** The process holding a socket. */
export interface SocketOwner {
  pid: number;
  process?: string;
}

/** A socket whose owner a full scan did not find is looked for again only after this long. */
export const HIDDEN_OWNER_RECHECK_MS = 10_000;

/**
 * Where each socket was found last time, so a refresh checks one link per socket instead of every link
 * of every process; and which sockets a full scan could not place (another user's, another PID
 * namespace's), so they do not force a full scan on every refresh. Holds only the sockets last asked for.
 */
export class SocketOwnerCache {
  /** inode -> the pid and fd it was found at. */
  found = new Map<number, { pid: number; fd: string }>();
  /** inode -> when a full scan last failed to find it. */
  hidden = new Map<number, number>();
}

/**
 * The lowest pid holding each of `inodes` (a socket inherited by children is held by several; the
 * parent, started first, usually has the lowest), with its name. With a cache, sockets found before are
 * checked where they were, and only the others are looked for in every process (stopping once all are found).
 */
export function findSocketOwners(
  inodes: ReadonlySet<number>,
  procRoot = '/proc',
  cache = new SocketOwnerCache(),
  now = Date.now(),
): Map<number, SocketOwner> {
  const where = new Map<number, { pid: number; fd: string }>();
  const missing = new Set<number>();
  for (const inode of inodes) {
    const known = cache.found.get(inode);
    if (known && readLink(`${procRoot}/${known.pid}/fd/${known.fd}`) === `socket:[${inode}]`) {
      where.set(inode, known);
    } else if (known || now - (cache.hidden.get(inode) ?? -Infinity) >= HIDDEN_OWNER_RECHECK_MS) {
      missing.add(inode);
    }
  }
  if (missing.size) scanProcesses(procRoot, missing, where);
  const hidden = new Map<number, number>();
  for (const inode of inodes) {
    if (where.has(inode)) continue;
    hidden.set(inode, missing.has(inode) ? now : cache.hidden.get(inode)!);
  }
  cache.found = where;
  cache.hidden = hidden;

  const owners = new Map<number, SocketOwner>();
  const names = new Map<number, string | undefined>();
  for (const [inode, { pid }] of where) {
    if (!names.has(pid)) names.set(pid, readComm(procRoot, pid));
    const name = names.get(pid);
    owners.set(inode, name === undefined ? { pid } : { pid, process: name });
  }
  return owners;
}

/** Looks through every process's descriptors, lowest pid first, until each of `missing` is found. */
function scanProcesses(
  procRoot: string,
  missing: ReadonlySet<number>,
  where: Map<number, { pid: number; fd: string }>,
): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(procRoot);
  } catch {
    return;
  }
  const pids = entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .sort((a, b) => a - b);
  let left = missing.size;
  for (const pid of pids) {
    const fdDir = `${procRoot}/${pid}/fd`;
    let fds: string[];
    try {
      fds = fs.readdirSync(fdDir);
    } catch {
      continue; // Another user's process (EACCES), or it exited meanwhile (ENOENT).
    }
    for (const fd of fds) {
      const link = readLink(`${fdDir}/${fd}`);
      if (link === undefined || !link.startsWith('socket:[')) continue;
      const inode = Number(link.slice(8, -1));
      if (missing.has(inode) && !where.has(inode)) {
        where.set(inode, { pid, fd });
        left--;
      }
    }
    if (left === 0) break;
  }
}

function readLink(path: string): string | undefined {
  try {
    return fs.readlinkSync(path);
  } catch {
    return undefined; // Closed, or the process exited.
  }
}

function readComm(procRoot: string, pid: number): string | undefined {
  try {
    return fs.readFileSync(`${procRoot}/${pid}/comm`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
