/**
 * Where request-file variables come from outside the file: named environments in `socklab.env.json`
 * (the nearest one above the request file, REST Client's layout: `{ "$shared": {...}, "ci": {...} }`),
 * and the built-ins' platform (clock, randomness, uuid, the process environment) for a run.
 */
import { randomInt, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { SocketLabError } from '../../shared/errors';
import { describeValue } from '../../shared/payload';
import type { BuiltinContext } from '../../shared/requestFile/variables';
import { VARIABLE_NAME } from '../../shared/requestFile/variables';

/** The environment file's name. */
export const ENVIRONMENT_FILE = 'socklab.env.json';
/** The environment whose values every other one starts from. */
export const SHARED_ENVIRONMENT = '$shared';

/** Variables of the chosen environment, and the file they came from. */
export interface LoadedEnvironment {
  /** The environment file, when there is one. */
  file?: string;
  /** `$shared`, overlaid with the chosen environment. */
  values: Record<string, string>;
  /** The environments the file names (without `$shared`). */
  names: string[];
}

/** The nearest `socklab.env.json` in `dir` or a folder above it, or undefined. */
export function findEnvironmentFile(dir: string): string | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const candidate = path.join(current, ENVIRONMENT_FILE);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(current) === current) return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads and checks an environment file: an object of environments, each an object of string (or number/boolean) values. */
export function readEnvironmentFile(file: string): Record<string, Record<string, string>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw SocketLabError.create('invalidEnvironmentFile', '{file} is not readable JSON: {reason}.', {
      file,
      reason: (err as Error).message.replace(/\.$/, ''),
    });
  }
  if (!isRecord(parsed)) {
    throw SocketLabError.create(
      'invalidEnvironmentFile',
      '{file} must hold an object of named environments (got {value}).',
      { file, value: describeValue(parsed) },
    );
  }
  const out: Record<string, Record<string, string>> = {};
  for (const [env, vars] of Object.entries(parsed)) {
    if (!isRecord(vars)) {
      throw SocketLabError.create(
        'invalidEnvironmentFile',
        '{file}: environment {name} must be an object of variables (got {value}).',
        { file, name: env, value: describeValue(vars) },
      );
    }
    out[env] = {};
    for (const [name, value] of Object.entries(vars)) {
      if (!VARIABLE_NAME.test(name) || !['string', 'number', 'boolean'].includes(typeof value)) {
        throw SocketLabError.create(
          'invalidEnvironmentFile',
          '{file}: variable {name} of environment {env} must have a valid name and a string, number or true/false value (got {value}).',
          { file, env, name, value: describeValue(value) },
        );
      }
      out[env][name] = String(value);
    }
  }
  return out;
}

/**
 * The variables for a request file in `dir`: `$shared` of the nearest environment file, overlaid with
 * environment `name` when given. Naming an environment that does not exist (or without a file) is an error.
 */
export function loadEnvironment(dir: string, name?: string): LoadedEnvironment {
  const file = findEnvironmentFile(dir);
  const envs = file ? readEnvironmentFile(file) : {};
  const names = Object.keys(envs).filter((n) => n !== SHARED_ENVIRONMENT);
  if (name !== undefined && !names.includes(name)) {
    throw file
      ? SocketLabError.create('unknownEnvironment', 'Environment {name} is not in {file}; it has {names}.', {
          name,
          file,
          names: names.length ? names.join(', ') : 'none',
        })
      : SocketLabError.create(
          'unknownEnvironment',
          'Environment {name} was asked for, but there is no {fileName} in {dir} or a folder above it.',
          { name, fileName: ENVIRONMENT_FILE, dir },
        );
  }
  return { file, names, values: { ...envs[SHARED_ENVIRONMENT], ...(name !== undefined ? envs[name] : {}) } };
}

/** The built-ins' platform for one run: the counter starts at 1. */
export function nodeBuiltins(processEnv: Record<string, string | undefined> = process.env): BuiltinContext {
  let counter = 0;
  return {
    nextCounter: () => ++counter,
    now: () => Date.now(),
    // crypto.randomInt takes ranges below 2^48; wider ones (rare in a payload) fall back to Math.random.
    randomInt: (min, max) =>
      max - min < 2 ** 48 ? randomInt(min, max) : Math.floor(min + Math.random() * (max - min)),
    uuid: () => randomUUID(),
    env: (name) => (Object.prototype.hasOwnProperty.call(processEnv, name) ? processEnv[name] : undefined),
  };
}
