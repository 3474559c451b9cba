/** The command line of `socket-lab`: `run <file|dir>... [--var name=value]... [--env NAME] [--junit FILE] [--timeout MS]`. */
import { REQUEST_TIMEOUT_MAX_MS } from '../shared/limits';
import { VARIABLE_NAME } from '../shared/requestFile/variables';

/** What `socket-lab run` was asked to do. */
export interface RunArgs {
  command: 'run';
  paths: string[];
  variables: Record<string, string>;
  env?: string;
  junit?: string;
  timeoutMs?: number;
}

/** A parsed command line: a run, help, the version, or a usage error to print (exit 2). */
export type CliArgs = RunArgs | { command: 'help' } | { command: 'version' } | { command: 'usage'; error: string };

/** The help text. */
export const USAGE = `Usage: socket-lab run <file|dir>... [--var name=value]... [--env NAME] [--junit FILE] [--timeout MS]

Runs the blocks of .socklab request files (a folder: every *.socklab under it) and prints a line per block.
  --var name=value  a variable for {{name}} (repeatable); wins over the file's @name lines
  --env NAME        the environment NAME of the nearest socklab.env.json
  --junit FILE      also write the results as JUnit XML to FILE
  --timeout MS      how long an expect waits and a connect may take where the file does not say (default 5000)
Exit status: 0 every block passed, 1 a block failed, 2 bad usage or a problem in a file (file:line:col: message).`;

const VALUE_OPTIONS = ['--var', '--env', '--junit', '--timeout'];

/** Parses `argv` (without node and the script); never throws. */
export function parseArgs(argv: readonly string[]): CliArgs {
  if (argv.length === 0) return { command: 'usage', error: 'a command is needed' };
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') return { command: 'help' };
  if (argv[0] === '--version' || argv[0] === '-v') return { command: 'version' };
  if (argv[0] !== 'run')
    return { command: 'usage', error: `unknown command ${JSON.stringify(argv[0])}; the command is run` };
  const args: RunArgs = { command: 'run', paths: [], variables: {} };
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { command: 'help' };
    if (!arg.startsWith('--') || arg === '--') {
      if (arg !== '--') args.paths.push(arg);
      else args.paths.push(...argv.slice(i + 1));
      if (arg === '--') break;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!VALUE_OPTIONS.includes(name)) return { command: 'usage', error: `unknown option ${name}` };
    let value: string | undefined = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) return { command: 'usage', error: `${name} needs a value` };
    if (name === '--var') {
      const sep = value.indexOf('=');
      const varName = sep < 0 ? '' : value.slice(0, sep);
      if (!VARIABLE_NAME.test(varName)) {
        return {
          command: 'usage',
          error: `--var needs name=value with a name of letters, digits, _, . and - (got ${JSON.stringify(value)})`,
        };
      }
      args.variables[varName] = value.slice(sep + 1);
    } else if (name === '--timeout') {
      const ms = /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
      if (!(ms >= 1 && ms <= REQUEST_TIMEOUT_MAX_MS)) {
        return {
          command: 'usage',
          error: `--timeout must be a whole number of milliseconds from 1 to ${REQUEST_TIMEOUT_MAX_MS} (got ${JSON.stringify(value)})`,
        };
      }
      args.timeoutMs = ms;
    } else if (name === '--env') {
      args.env = value;
    } else {
      value = value.trim();
      if (!value) return { command: 'usage', error: '--junit needs a file name' };
      args.junit = value;
    }
  }
  if (!args.paths.length) return { command: 'usage', error: 'run needs at least one request file or folder' };
  return args;
}
