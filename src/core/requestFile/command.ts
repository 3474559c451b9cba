/**
 * The core of `socketLab.runRequestFile { path, block?, vars?, env? }`: the argument checked with its shared
 * schema, the path taken from the caller's folder, then the file loaded and run (runRequestFileAt).
 */
import * as path from 'path';
import type { RunRequestFileArgs } from '../../shared/commandArgs';
import { parseCommandArgs } from '../commandArgs';
import { runRequestFileAt } from './load';
import type { RequestRunResult } from './runner';

/** Options of runRequestFileFromArgs. */
export interface RunRequestFileOptions {
  /** Where a relative `path` starts (the host gives the workspace folder; default: the working directory). */
  baseDir?: string;
  /** The environment of `socklab.env.json` used when the argument names none. */
  defaultEnv?: string;
  signal?: AbortSignal;
}

/** Checks `args`, then loads and runs the request file; throws SocketLabError for a bad argument or a file with problems. */
export async function runRequestFileFromArgs(
  args: RunRequestFileArgs,
  options: RunRequestFileOptions = {},
): Promise<RequestRunResult> {
  const a = parseCommandArgs('runRequestFile', args);
  const file = path.resolve(options.baseDir ?? process.cwd(), a.path);
  return await runRequestFileAt(file, {
    block: a.block,
    variables: a.vars,
    env: a.env ?? options.defaultEnv,
    signal: options.signal,
  });
}
