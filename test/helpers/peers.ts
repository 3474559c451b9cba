/** Real peer programs (ncat, socat, php, python3 and the scripts in test/peers) run for a test, with a bounded lifetime. */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as path from 'path';
import { waitFor } from './wait';

/** The peer scripts (test/peers, from out/test/helpers). */
export const PEERS_DIR = path.join(__dirname, '..', '..', '..', 'test', 'peers');

/** True when `cmd` can be run. */
export function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

/** A running child process whose output is collected. */
export interface Peer {
  child: ChildProcess;
  stdout: () => Buffer;
  stderr: () => string;
  /** Resolves with the exit code (kills it after `timeoutMs`). */
  exited: (timeoutMs?: number) => Promise<number | null>;
  kill: () => Promise<void>;
}

/** Spawns a peer program (ncat, socat, php, python3) with bounded lifetime. */
export function startPeer(cmd: string, args: string[], input?: string | Buffer): Peer {
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin!.on('error', () => undefined);
  if (input !== undefined) child.stdin!.end(input);
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => Buffer.concat(out),
    stderr: () => err,
    exited: async (timeoutMs = 5000) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
  };
}

/**
 * Waits until `peer`'s stdout matches `re`, returns the match. The default bound is generous: a python3 or php
 * peer took over 5 s to print its port on a 2-core machine at load 18.
 */
export async function waitForOutput(peer: Peer, re: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return waitFor(`output ${re} (stderr: ${peer.stderr()})`, () => peer.stdout().toString().match(re), timeoutMs);
}
