/**
 * Problems of a request file as an editor shows them (the Problems view, squiggles): the parser's syntax
 * problems, unknown variables, and what only the core can check: payloads the codec refuses (bad hex,
 * base64, escapes, characters an encoding lacks) and hosts or paths the validators refuse.
 */
import { isSocketLabError, type ErrorValues, type SocketLabError } from '../../shared/errors';
import type { RequestFile, Statement } from '../../shared/requestFile/ast';
import { parseRequestFile, type RequestFileProblem } from '../../shared/requestFile/parser';
import { splitHostPort } from '../../shared/requestFile/statements';
import { hasReferences } from '../../shared/requestFile/variables';
import { parseHost, parseUnixPath } from '../../shared/validate';
import { expectedBytes, sendBytes } from './payloads';

/** One problem, ready for an editor: 1-based line and column, length in UTF-16 units, the sentence and its template. */
export interface RequestFileDiagnostic {
  line: number;
  column: number;
  length: number;
  message: string;
  code: string;
  template?: string;
  values?: ErrorValues;
}

/** Options of diagnose. */
export interface DiagnoseOptions {
  /** Variables with a value from outside the file (the environment's, `--var`'s); others are reported as unknown. */
  knownVariables?: Iterable<string>;
}

function toDiagnostic(p: RequestFileProblem): RequestFileDiagnostic {
  return {
    line: p.line,
    column: p.column,
    length: p.length,
    message: p.error.message,
    code: p.error.code,
    template: p.error.template,
    values: p.error.values,
  };
}

/** Runs `check`; a SocketLabError it throws becomes a problem at the column its `position` value points to. */
function attempt(
  problems: RequestFileProblem[],
  line: number,
  column: number,
  length: number,
  check: () => unknown,
): void {
  try {
    check();
  } catch (err) {
    if (!isSocketLabError(err)) throw err;
    const position = typeof err.values.position === 'number' ? err.values.position : undefined;
    problems.push({
      line,
      column: position === undefined ? column : column + position - 1,
      length: position === undefined ? length : 1,
      error: err as SocketLabError,
    });
  }
}

/** The checks of one statement whose text has no variables (with variables, the run checks it). */
function checkStatement(s: Statement, problems: RequestFileProblem[]): void {
  if (s.kind === 'send' && !hasReferences(s.payload)) {
    attempt(problems, s.line, s.payloadColumn, s.payload.length, () => sendBytes(s, s.payload));
  } else if (s.kind === 'expect' && ['text', 'hex', 'contains'].includes(s.match) && !hasReferences(s.value)) {
    attempt(problems, s.line, s.valueColumn, s.value.length, () => expectedBytes(s, s.value));
  } else if (s.kind === 'connect' && !hasReferences(s.target)) {
    if (s.transport === 'unix') {
      attempt(problems, s.line, s.targetColumn, s.target.length, () =>
        parseUnixPath(s.target, 'path', process.platform),
      );
    } else {
      const split = splitHostPort(s.target);
      // A target without HOST:PORT is already a syntax problem.
      if (split && split.host !== '') {
        attempt(problems, s.line, s.targetColumn, split.host.length, () => parseHost(split.host, 'host'));
      }
    }
  }
}

/**
 * The problems of a parsed file that only the core can find: payloads and expected values the codec
 * refuses, hosts and Unix paths the validators refuse (lines with variables are checked when they run).
 */
export function coreProblems(file: RequestFile): RequestFileProblem[] {
  const problems: RequestFileProblem[] = [];
  for (const s of [...file.prelude, ...file.blocks.flatMap((b) => b.statements)]) {
    try {
      checkStatement(s, problems);
    } catch {
      // An unexpected failure of one check must not hide the others (editors call this on every keystroke).
    }
  }
  return problems;
}

/** Every problem of `text`, sorted by position; never throws (an internal failure yields what was found so far). */
export function diagnose(text: string, options: DiagnoseOptions = {}): RequestFileDiagnostic[] {
  const problems: RequestFileProblem[] = [];
  try {
    const parsed = parseRequestFile(text, { knownVariables: options.knownVariables ?? [] });
    problems.push(...parsed.problems, ...coreProblems(parsed.file));
  } catch {
    // Same: return what was found.
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column).map(toDiagnostic);
}
