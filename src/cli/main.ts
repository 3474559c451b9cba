/**
 * `socket-lab`, the command line for request files in CI: checks every file first (a problem anywhere
 * exits 2 before anything connects), then runs the blocks file by file, a line per block, a summary, and
 * optionally JUnit XML. Exit status 0 all passed, 1 a block failed, 2 usage or file problems.
 */
import * as fs from 'fs';
import * as path from 'path';
import { isSocketLabError } from '../shared/errors';
import { loadRequestFile, type LoadedRequestFile } from '../core/requestFile/load';
import { runRequestFile } from '../core/requestFile/runner';
import { USAGE, parseArgs, type RunArgs } from './args';
import { blockName, failureText, junitXml, type FileResults } from './junit';

/** Where the CLI writes; tests pass their own. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  signal?: AbortSignal;
}

const REQUEST_FILE_EXTENSION = '.socklab';

/** The request files under `dir` (skipping node_modules and dot folders), sorted. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) {
      out.push(...filesUnder(full));
    } else if (entry.isFile() && entry.name.endsWith(REQUEST_FILE_EXTENSION)) {
      out.push(full);
    }
  }
  return out;
}

/** Files named on the command line, folders expanded; throws a usage sentence for a path that is neither. */
function collectFiles(paths: readonly string[], cwd: string): string[] {
  const files: string[] = [];
  for (const p of paths) {
    const full = path.resolve(cwd, p);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(full);
    } catch {
      throw new Error(`no such file or folder: ${p}`);
    }
    if (stat.isDirectory()) {
      const found = filesUnder(full);
      if (!found.length) throw new Error(`no ${REQUEST_FILE_EXTENSION} files under ${p}`);
      files.push(...found);
    } else {
      files.push(full);
    }
  }
  return [...new Set(files)];
}

/** Runs the CLI with `argv` (without node and the script) and resolves with the exit status. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  if (args.command === 'help') {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (args.command === 'version') {
    io.out(`${cliVersion()}\n`);
    return 0;
  }
  if (args.command === 'usage') {
    io.err(`socket-lab: ${args.error}\n${USAGE}\n`);
    return 2;
  }
  return run(args, io);
}

function cliVersion(): string {
  // The bundle and the compiled tests sit at different depths: look upwards for the package.json.
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) return `socket-lab ${JSON.parse(fs.readFileSync(file, 'utf8')).version}`;
  }
  return 'socket-lab';
}

async function run(args: RunArgs, io: CliIo): Promise<number> {
  const shown = (file: string) => {
    // Relative to where the command runs when the file is below it, else the whole path.
    const relative = path.relative(io.cwd, file);
    return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
  };
  let files: string[];
  try {
    files = collectFiles(args.paths, io.cwd);
  } catch (err) {
    io.err(`socket-lab: ${(err as Error).message}\n`);
    return 2;
  }
  const loaded: LoadedRequestFile[] = [];
  let problems = 0;
  for (const file of files) {
    try {
      const l = loadRequestFile(file, { env: args.env, variables: args.variables });
      for (const p of l.problems) io.err(`${shown(file)}:${p.line}:${p.column}: ${p.error.message}\n`);
      problems += l.problems.length;
      loaded.push(l);
    } catch (err) {
      io.err(`${shown(file)}: ${isSocketLabError(err) ? err.message : String(err)}\n`);
      problems++;
    }
  }
  if (problems) {
    io.err(`socket-lab: ${problems} problem(s); nothing was run.\n`);
    return 2;
  }
  const started = Date.now();
  const results: FileResults[] = [];
  let index = 0;
  for (const l of loaded) {
    if (io.signal?.aborted) break;
    const fileResults: FileResults = { path: shown(l.path), blocks: [], startedAt: Date.now() };
    results.push(fileResults);
    await runRequestFile(l.file, {
      baseDir: path.dirname(l.path),
      variables: args.variables,
      environment: l.environment.values,
      defaultTimeoutMs: args.timeoutMs,
      signal: io.signal,
      onBlockEnd: (b) => {
        fileResults.blocks.push(b);
        const head = `${b.passed ? 'ok' : 'not ok'} ${++index} - ${fileResults.path}:${b.line} ${blockName(b)} (${Math.round(b.durationMs)} ms)`;
        const detail = b.failure
          ? failureText(b)
              .split('\n')
              .map((line) => `  # ${line}\n`)
              .join('')
          : '';
        io.out(`${head}\n${detail}`);
      },
    });
  }
  const blocks = results.flatMap((r) => r.blocks);
  const failed = blocks.filter((b) => !b.passed).length;
  const totalMs = Date.now() - started;
  io.out(
    `1..${blocks.length}\n# ${blocks.length} block(s) in ${results.length} file(s): ${blocks.length - failed} passed, ${failed} failed (${(totalMs / 1000).toFixed(1)} s)${io.signal?.aborted ? ', cancelled' : ''}\n`,
  );
  if (args.junit) {
    try {
      fs.writeFileSync(path.resolve(io.cwd, args.junit), junitXml(results, totalMs));
    } catch (err) {
      io.err(`socket-lab: cannot write ${args.junit}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  return failed ? 1 : 0;
}

if (require.main === module) {
  const controller = new AbortController();
  // Ctrl+C: stop the run (every socket closes), still print the summary, exit 130.
  process.once('SIGINT', () => controller.abort());
  main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    signal: controller.signal,
  }).then(
    (code) => (process.exitCode = controller.signal.aborted ? 130 : code),
    (err) => {
      process.stderr.write(`socket-lab: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
