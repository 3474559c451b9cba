/**
 * A request file from disk, ready to run: read (bounded), its environment loaded, parsed with the
 * variables known from outside. What the CLI does per file and what `socketLab.runRequestFile` will do.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SocketLabError } from '../../shared/errors';
import { REQUEST_FILE_MAX_BYTES } from '../../shared/limits';
import type { RequestFile } from '../../shared/requestFile/ast';
import { parseRequestFile, type RequestFileProblem } from '../../shared/requestFile/parser';
import { coreProblems } from './diagnose';
import { loadEnvironment, type LoadedEnvironment } from './environment';
import { runRequestFile, type RequestRunOptions, type RequestRunResult } from './runner';

/** A read and parsed request file. */
export interface LoadedRequestFile {
  path: string;
  file: RequestFile;
  /** Syntax problems, unknown variables and what the codec or validators refuse; a file with any is not run. */
  problems: RequestFileProblem[];
  environment: LoadedEnvironment;
}

/** Options of loadRequestFile and runRequestFileAt. */
export interface LoadOptions {
  /** The environment of `socklab.env.json` to use (its `$shared` values apply in any case). */
  env?: string;
  /** Variables from outside (`--var`). */
  variables?: Record<string, string>;
}

/** The text of a request file (UTF-8, a BOM dropped); refuses a file over REQUEST_FILE_MAX_BYTES or one that cannot be read. */
export function readRequestFileText(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    throw SocketLabError.create('fileUnreadable', 'The request file {file} cannot be read ({reason}).', {
      file,
      reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message,
    });
  }
  if (!stat.isFile()) {
    throw SocketLabError.create('isDirectory', 'The request file {file} is a folder, not a file.', { file });
  }
  if (stat.size > REQUEST_FILE_MAX_BYTES) {
    throw SocketLabError.create('fileTooLarge', 'The request file {file} is {size} bytes; at most {max} are read.', {
      file,
      size: stat.size,
      max: REQUEST_FILE_MAX_BYTES,
    });
  }
  return fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
}

/** Reads, loads the environment for, and parses `file`. Throws SocketLabError for an unreadable file or environment. */
export function loadRequestFile(file: string, options: LoadOptions = {}): LoadedRequestFile {
  const text = readRequestFileText(file);
  const environment = loadEnvironment(path.dirname(path.resolve(file)), options.env);
  const known = [...Object.keys(environment.values), ...Object.keys(options.variables ?? {})];
  const { file: parsed, problems } = parseRequestFile(text, { knownVariables: known });
  problems.push(...coreProblems(parsed));
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { path: file, file: parsed, problems, environment };
}

/** Options of runRequestFileAt. */
export interface RunAtOptions
  extends LoadOptions, Omit<RequestRunOptions, 'variables' | 'environment' | 'baseDir' | 'selectBlock'> {
  /** Runs only the block with this title (or whose `###` is on this line number). */
  block?: string;
}

/**
 * Loads and runs the request file at `file` (the `socketLab.runRequestFile` command's core). Throws
 * SocketLabError 'requestFileProblems' quoting the first problem (`line:column: sentence`) when the
 * file has any, and 'noSuchBlock' when `block` names none.
 */
export async function runRequestFileAt(file: string, options: RunAtOptions = {}): Promise<RequestRunResult> {
  const loaded = loadRequestFile(file, options);
  const first = loaded.problems[0];
  if (first) {
    throw SocketLabError.create(
      'requestFileProblems',
      '{file} has {count} problem(s); the first, at line {line} column {column}: {problem}',
      { file, count: loaded.problems.length, line: first.line, column: first.column, problem: first.error.message },
      undefined,
      first.error,
    );
  }
  const wanted = options.block;
  const selectBlock =
    wanted === undefined
      ? undefined
      : (b: { title: string; line: number }) => b.title === wanted || String(b.line) === wanted;
  if (selectBlock && !loaded.file.blocks.some(selectBlock)) {
    throw SocketLabError.create('noSuchBlock', '{file} has no block titled {block}.', {
      file,
      block: JSON.stringify(wanted),
    });
  }
  return runRequestFile(loaded.file, {
    ...options,
    baseDir: path.dirname(path.resolve(file)),
    environment: loaded.environment.values,
    selectBlock,
  });
}
