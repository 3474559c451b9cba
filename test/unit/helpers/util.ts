/** Small helpers for socket tests: waiting, temp dirs, free-running peers. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { ChildProcess, spawn, spawnSync } from 'child_process';
import { isSocketLabError } from '../../../src/shared/errors';

/** Polls `cond` every 10 ms until true; fails after `timeoutMs` with `what`. */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A fresh temp directory (short, so Unix socket paths fit) and its remover. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-'));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

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

/** Waits until a line of `peer`'s stdout matches `re`, returns the match. */
export async function waitForOutput(peer: Peer, re: RegExp, timeoutMs = 5000): Promise<RegExpMatchArray> {
  let m: RegExpMatchArray | null = null;
  await waitFor(
    () => (m = peer.stdout().toString().match(re)) !== null,
    `output ${re} (stderr: ${peer.stderr()})`,
    timeoutMs,
  );
  return m!;
}

/** Asserts that `p` rejects (or `p()` throws) a SocketLabError with `code`, and a message matching `message`. */
export async function rejectsWith(
  p: Promise<unknown> | (() => unknown),
  code: string,
  message?: RegExp,
): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    assert.ok(isSocketLabError(err), `not a SocketLabError: ${err}`);
    assert.strictEqual(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return;
  }
  assert.fail(`expected error ${code}`);
}

/** A loopback port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * Fills the accept queue of a server that never accepts (test/peers/no_accept.py), so that further
 * SYNs are dropped and connects hang. Pushes the filler sockets into `fillers` (the caller destroys
 * them) and fails when the queue could not be filled within 16 connects.
 */
export async function fillAcceptQueue(port: number, fillers: net.Socket[]): Promise<void> {
  let hanging = false;
  for (let i = 0; i < 16 && !hanging; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    fillers.push(s);
    hanging = !(await Promise.race([
      new Promise<boolean>((r) => s.once('connect', () => r(true))),
      sleep(300).then(() => false),
    ]));
  }
  assert.ok(hanging, 'could not fill the accept queue');
}

/** A value passed where the types refuse it, to check that the runtime refuses it too (callers of the API pass unknown data). */
export function unchecked<T>(value: unknown): T {
  return value as T;
}
