/** Unix socket files for tests: a stale one left by a process that exited, and another process's move timed into a check. */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';

/** Leaves a socket file nobody listens on (a process that bound it and exited without unlinking); returns its inode. */
export function makeStaleSocketFile(file: string): number {
  const r = spawnSync('python3', [
    '-c',
    'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])',
    file,
  ]);
  assert.strictEqual(r.status, 0, r.stderr.toString());
  const st = fs.lstatSync(file);
  assert.ok(st.isSocket());
  return st.ino;
}

type RacedCall = 'lstat' | 'stat' | 'unlink';

/**
 * Runs `fn` while the `nth` call (1-based) of fs.promises[call] has `move` happen next to it (`when` 'before' or
 * 'after' the real call): another process changing the path at that very moment, which no real scheduling can
 * hit on purpose. The real function is always called and restored afterwards.
 */
export async function withMoveAt<T>(
  call: RacedCall,
  nth: number,
  when: 'before' | 'after',
  move: () => void,
  fn: () => Promise<T>,
): Promise<T> {
  const real = fs.promises[call] as (...args: unknown[]) => Promise<unknown>;
  let calls = 0;
  let moved = false;
  (fs.promises as unknown as Record<RacedCall, unknown>)[call] = async (...args: unknown[]) => {
    const ours = ++calls === nth;
    const moveNow = (at: 'before' | 'after') => {
      if (ours && when === at) {
        moved = true;
        move();
      }
    };
    moveNow('before');
    try {
      return await real(...args);
    } finally {
      moveNow('after');
    }
  };
  try {
    return await fn();
  } finally {
    assert.ok(moved, `fs.promises.${call} was called ${calls} times, never a ${nth}th time`);
    (fs.promises as unknown as Record<RacedCall, unknown>)[call] = real;
  }
}
