/** Helpers for the request-file tests: parsing with every check on, and nodes without their positions. */
import * as assert from 'assert';
import * as path from 'path';
import { parseRequestFile, type ParseResult, type RequestFileProblem } from '../../src/shared/requestFile/parser';
import type { BuiltinContext } from '../../src/shared/requestFile/variables';
import { PEERS_DIR, startPeer, waitForOutput, type Peer } from './peers';
import { freePort } from './sockets';
import { waitFor } from './wait';

const POSITION_KEYS = new Set(['line', 'column', 'endLine', 'valueColumn', 'targetColumn', 'payloadColumn']);

/** A deep copy of `value` without position fields and undefined properties (what round trips must keep). */
export function withoutPositions<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (key, v) => (POSITION_KEYS.has(key) ? undefined : v)));
}

/** Parses with unknown variables reported (no variables known from outside). */
export function parseStrict(text: string, known: string[] = []): ParseResult {
  return parseRequestFile(text, { knownVariables: known });
}

/** Parses `text` and fails the test when it has a problem. */
export function parseClean(text: string, known: string[] = []): ParseResult {
  const result = parseStrict(text, known);
  assert.deepStrictEqual(describeProblems(result.problems), [], 'expected no problems');
  return result;
}

/** `line:column code: message` of each problem, for readable assertion diffs. */
export function describeProblems(problems: readonly RequestFileProblem[]): string[] {
  return problems.map((p) => `${p.line}:${p.column} ${p.error.code}: ${p.error.message}`);
}

/** Built-ins with a fixed clock, a fixed "random" and a given environment, counting from 1. */
export function fixedBuiltins(
  env: Record<string, string> = {},
  now = Date.UTC(2026, 0, 2, 3, 4, 5, 6),
): BuiltinContext {
  let counter = 0;
  return {
    nextCounter: () => ++counter,
    now: () => now,
    randomInt: (min) => min,
    uuid: () => '00000000-0000-4000-8000-000000000000',
    env: (name) => env[name],
  };
}

/** A python peer script started with `args`; resolves once it printed its port. */
export async function pythonPeer(script: string, args: string[]): Promise<{ peer: Peer; port: number }> {
  const peer = startPeer('python3', [path.join(PEERS_DIR, script), ...args]);
  const port = Number((await waitForOutput(peer, /^(\d+)\n/))[1]);
  return { peer, port };
}

/** The seed's PHP server (one client) on a fresh port; resolves once it listens. */
export async function seedServer(): Promise<{ peer: Peer; port: number }> {
  const port = await freePort();
  const peer = startPeer('php', [path.join(PEERS_DIR, 'seed_server.php'), String(port)]);
  await waitForOutput(peer, /listening/);
  return { peer, port };
}

/** ncat with `args` (which must include -l); resolves once it says it listens. */
export async function ncatListening(args: string[], input?: string): Promise<Peer> {
  const peer = startPeer('ncat', ['-v', ...args], input);
  await waitFor(`ncat listening (stderr: ${peer.stderr()})`, () => /Listening on/.test(peer.stderr()), 5000);
  return peer;
}
