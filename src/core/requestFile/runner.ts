/**
 * Runs a parsed request file: blocks in file order, each on its own connection that is closed at the
 * block's end. A failing block does not stop the next; variables (`@` lines, captures) carry over to
 * later blocks. Cancellable with an AbortSignal; no socket or timer outlives the run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SocketLabError, isSocketLabError, type ErrorValues } from '../../shared/errors';
import { REQUEST_DEFAULT_TIMEOUT_MS, REQUEST_SILENCE_DEFAULT_MS, REQUEST_TIMEOUT_MAX_MS } from '../../shared/limits';
import type { ConnectStatement, RequestBlock, RequestFile, Statement } from '../../shared/requestFile/ast';
import { splitHostPort } from '../../shared/requestFile/statements';
import { expandTemplate, hasReferences, parseTemplate, type BuiltinContext } from '../../shared/requestFile/variables';
import { parseHost, parseInteger, parsePort, parseUnixPath } from '../../shared/validate';
import { BlockConnection, type ConnectTarget } from './connection';
import { nodeBuiltins } from './environment';
import { runExpect } from './expect';
import { sendBytes } from './payloads';
import { Transcript, type TranscriptEntry } from './transcript';

export type { TranscriptEntry } from './transcript';

/** Why a block failed: the line, the sentence (with its template for translation) and, for expects, both sides. */
export interface BlockFailure {
  line: number;
  column: number;
  message: string;
  code: string;
  template?: string;
  values?: ErrorValues;
  expected?: string;
  actual?: string;
}

/** The outcome of one block. */
export interface BlockResult {
  /** The block's title ('' when its `###` has none). */
  title: string;
  /** The block's first line (its `###`). */
  line: number;
  passed: boolean;
  durationMs: number;
  failure?: BlockFailure;
  /** What was sent and received, in order (bounded: see droppedTranscriptBytes). */
  transcript: TranscriptEntry[];
  /** Bytes left out of the transcript once it reached REQUEST_TRANSCRIPT_MAX_BYTES. */
  droppedTranscriptBytes?: number;
  /** UDP datagrams dropped because REQUEST_RECEIVE_MAX_BYTES of them were waiting for expects. */
  droppedDatagrams?: number;
}

/** The outcome of a run. */
export interface RequestRunResult {
  passed: number;
  failed: number;
  blocks: BlockResult[];
}

/** Options of runRequestFile. */
export interface RequestRunOptions {
  /** The request file's folder: relative Unix paths and `ca=` files start there (default: the working directory). */
  baseDir?: string;
  /** Variables given from outside (`--var`); they win over the file's `@` lines. */
  variables?: Record<string, string>;
  /** The chosen environment's variables; the file's `@` lines and captures win over them. */
  environment?: Record<string, string>;
  /** `within`/`timeout` where neither the line nor `@timeout` says (default REQUEST_DEFAULT_TIMEOUT_MS). */
  defaultTimeoutMs?: number;
  /** Runs only the blocks this accepts (the others' `@` lines still apply). */
  selectBlock?: (block: RequestBlock, index: number) => boolean;
  signal?: AbortSignal;
  /** The platform of the built-ins (tests pass a fixed clock); default: the real one, with process.env. */
  builtins?: BuiltinContext;
  onBlockStart?: (block: RequestBlock, index: number) => void;
  onBlockEnd?: (result: BlockResult, block: RequestBlock, index: number) => void;
}

/** The state a run carries from line to line and block to block. */
class RunScope {
  readonly assigned = new Map<string, string>();
  timeoutMs: number;
  constructor(
    readonly options: RequestRunOptions,
    readonly builtins: BuiltinContext,
  ) {
    this.timeoutMs = options.defaultTimeoutMs ?? REQUEST_DEFAULT_TIMEOUT_MS;
  }

  lookup = (name: string): string | undefined =>
    this.assigned.get(name) ?? this.options.variables?.[name] ?? this.options.environment?.[name];

  /** Expands a template written at `column`; throws a StepError at the failing reference. */
  expand(text: string, column: number): string {
    if (!hasReferences(text)) return text;
    const expansion = expandTemplate(parseTemplate(text).parts, this.lookup, this.builtins);
    if ('error' in expansion) throw new StepError(expansion.error, column + expansion.offset);
    return expansion.text;
  }

  /** An `@name = value` line: `--var` values win, `@timeout` also sets the default wait. */
  assign(s: Extract<Statement, { kind: 'variable' }>): void {
    if (this.options.variables && Object.prototype.hasOwnProperty.call(this.options.variables, s.name)) return;
    const value = this.expand(s.value, s.valueColumn);
    if (s.name === 'timeout') {
      this.timeoutMs = parseInteger(value, 'timeoutMs', 1, REQUEST_TIMEOUT_MAX_MS, 'invalidTimeout');
    }
    this.assigned.set(s.name, value);
  }
}

/** A statement's error and the column it points at. */
class StepError {
  constructor(
    readonly error: SocketLabError,
    readonly column?: number,
    readonly sides?: { expected?: string; actual?: string },
  ) {}
}

function asSocketLabError(err: unknown): SocketLabError {
  if (isSocketLabError(err)) return err;
  return SocketLabError.create('unexpected', 'Unexpected error: {reason}.', {
    reason: err instanceof Error ? err.message : String(err),
  });
}

/** The failure of statement `s`: expect sentences name their line already; others are prefixed with it. */
function failureOf(s: Statement, step: StepError): BlockFailure {
  const inner = step.error;
  const error =
    inner.code === 'expectFailed' || inner.code === 'regexTooSlow' || inner.code === 'cancelled'
      ? inner
      : SocketLabError.create(
          'stepFailed',
          '{statement} at line {line}: {problem}',
          {
            ...inner.values,
            statement: s.kind === 'variable' ? `@${s.name}` : s.kind,
            line: s.line,
            problem: inner.message,
            cause: inner.code,
          },
          inner.systemCode,
          inner,
        );
  return {
    line: s.line,
    column: step.column ?? s.column,
    message: error.message,
    code: inner.code,
    template: error.template,
    values: error.values,
    ...step.sides,
  };
}

/** Where a connect line goes, its template expanded and checked. */
function connectTarget(s: ConnectStatement, scope: RunScope): ConnectTarget {
  const target = scope.expand(s.target, s.targetColumn);
  const base = scope.options.baseDir ?? process.cwd();
  const common = { transport: s.transport, timeoutMs: s.timeoutMs ?? scope.timeoutMs, framing: s.framing };
  try {
    if (s.transport === 'unix') {
      return { ...common, path: parseUnixPath(path.resolve(base, target), 'path', process.platform) };
    }
    const split = splitHostPort(target);
    if (!split) {
      throw SocketLabError.create(
        'badTarget',
        'connect {transport} needs HOST:PORT with a port from 1 to 65535, IPv6 in brackets as [::1]:PORT (got {value}).',
        { transport: s.transport, value: JSON.stringify(target) },
      );
    }
    const out: ConnectTarget = { ...common, host: parseHost(split.host, 'host'), port: parsePort(split.port, 'port') };
    if (s.transport === 'tls') {
      out.servername = s.servername;
      out.insecure = s.insecure;
      if (s.ca !== undefined) out.ca = readCa(path.resolve(base, s.ca));
    }
    return out;
  } catch (err) {
    throw new StepError(asSocketLabError(err), s.targetColumn);
  }
}

function readCa(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw SocketLabError.create('caUnreadable', 'The ca= file {file} cannot be read ({reason}).', {
      file,
      reason: (err as NodeJS.ErrnoException).code ?? (err as Error).message,
    });
  }
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(SocketLabError.create('cancelled', 'The run was cancelled.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function runBlock(block: RequestBlock, scope: RunScope, signal: AbortSignal): Promise<BlockResult> {
  const started = performance.now();
  const transcript = new Transcript();
  let connection: BlockConnection | undefined;
  let failure: BlockFailure | undefined;
  // One cancel hook per block rather than one per expect: the waiting expect learns of it through its inbox.
  const onAbort = () => connection?.inbox.interrupt();
  signal.addEventListener('abort', onAbort, { once: true });
  for (const s of block.statements) {
    try {
      if (signal.aborted) throw SocketLabError.create('cancelled', 'The run was cancelled.');
      // Only steps that wait return a promise: a send the socket takes at once costs no extra tick.
      const pending = runStatement(s);
      if (pending) await pending;
    } catch (err) {
      failure = failureOf(s, err instanceof StepError ? err : new StepError(asSocketLabError(err)));
      break;
    }
  }
  signal.removeEventListener('abort', onAbort);
  connection?.close();
  return {
    title: block.title,
    line: block.line,
    passed: !failure,
    durationMs: performance.now() - started,
    ...(failure ? { failure } : {}),
    transcript: transcript.entries,
    ...(transcript.droppedBytes ? { droppedTranscriptBytes: transcript.droppedBytes } : {}),
    ...(connection?.inbox.dropped ? { droppedDatagrams: connection.inbox.dropped } : {}),
  };

  function runStatement(s: Statement): Promise<void> | void {
    switch (s.kind) {
      case 'variable':
        scope.assign(s);
        return;
      case 'connect':
        return BlockConnection.open(connectTarget(s, scope), transcript.tap, signal).then((c) => {
          connection = c;
        });
      case 'send': {
        const payload = scope.expand(s.payload, s.payloadColumn);
        let bytes: Uint8Array;
        try {
          bytes = sendBytes(s, payload);
        } catch (err) {
          const e = asSocketLabError(err);
          // Codec positions are 1-based in the payload; without variables they map onto the line.
          const at =
            typeof e.values.position === 'number' && payload === s.payload
              ? s.payloadColumn + e.values.position - 1
              : s.payloadColumn;
          throw new StepError(e, at);
        }
        return connection!.send(bytes, signal);
      }
      case 'expect': {
        const value = scope.expand(s.value, s.valueColumn);
        const within = s.withinMs ?? scope.timeoutMs;
        return runExpect(s, value, connection!.inbox, within, s.forMs ?? REQUEST_SILENCE_DEFAULT_MS).then((outcome) => {
          if (!outcome.passed) {
            throw new StepError(outcome.error, s.column, { expected: outcome.expected, actual: outcome.actual });
          }
          if (outcome.captures)
            for (const [name, captured] of Object.entries(outcome.captures)) scope.assigned.set(name, captured);
        });
      }
      case 'wait':
        return delay(s.ms, signal);
      case 'end':
        connection!.end();
        return;
      case 'close':
        connection!.close();
        return;
    }
  }
}

/** Runs `file`'s blocks in order and resolves with every block's outcome; never rejects. */
export async function runRequestFile(file: RequestFile, options: RequestRunOptions = {}): Promise<RequestRunResult> {
  const scope = new RunScope(options, options.builtins ?? nodeBuiltins());
  const signal = options.signal ?? new AbortController().signal;
  const result: RequestRunResult = { passed: 0, failed: 0, blocks: [] };
  // Every block depends on the lines before the first one: if one cannot be expanded, each block fails with it.
  let preludeFailure: BlockFailure | undefined;
  for (const s of file.prelude) {
    try {
      scope.assign(s);
    } catch (err) {
      preludeFailure ??= failureOf(s, err instanceof StepError ? err : new StepError(asSocketLabError(err)));
    }
  }
  for (const [index, block] of file.blocks.entries()) {
    // Cancelled: the blocks not started yet are not run (and not reported).
    if (signal.aborted) break;
    if (options.selectBlock && !options.selectBlock(block, index)) {
      for (const s of block.statements) if (s.kind === 'variable') tryAssign(scope, s);
      continue;
    }
    options.onBlockStart?.(block, index);
    const outcome: BlockResult = preludeFailure
      ? { title: block.title, line: block.line, passed: false, durationMs: 0, failure: preludeFailure, transcript: [] }
      : await runBlock(block, scope, signal);
    if (outcome.passed) result.passed++;
    else result.failed++;
    result.blocks.push(outcome);
    options.onBlockEnd?.(outcome, block, index);
  }
  return result;
}

/** An `@` line of a block that is not run: it may need that block's captures, so failing leaves the variable unset. */
function tryAssign(scope: RunScope, s: Extract<Statement, { kind: 'variable' }>): void {
  try {
    scope.assign(s);
  } catch {
    // A later use of the variable says it has no value, at that use.
  }
}
