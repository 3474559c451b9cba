/**
 * Parses a `.socklab` request file: comments, `@name = value` lines, `###` blocks and their statements.
 * Never throws: every problem comes back with its line and column, so an editor can show them all and
 * the CLI can refuse to run a file that has any.
 */
import { SocketLabError } from '../errors';
import type { RequestBlock, RequestFile, Statement, VariableStatement } from './ast';
import { parseStatementLine, type RequestFileProblem } from './statements';
import { VARIABLE_NAME, parseTemplate, unknownVariable } from './variables';

export type { RequestFileProblem } from './statements';

/** A parsed file and the problems found in it (empty when the file can run). */
export interface ParseResult {
  file: RequestFile;
  problems: RequestFileProblem[];
}

/** Options of parseRequestFile. */
export interface ParseOptions {
  /**
   * Names that have a value before the file starts (--var, the chosen environment). When given, a
   * `{{name}}` that is neither one of them, nor set by an earlier `@` line or capture, is a problem.
   */
  knownVariables?: Iterable<string>;
}

/** The lines of `text`: LF or CRLF line ends (a lone CR stays in the line, as data). */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

function problemAt(statement: Statement, error: SocketLabError): RequestFileProblem {
  return { line: statement.line, column: statement.column, length: statement.kind.length, error };
}

/** Checks the order of a block's statements: one connect first, nothing sent after end, nothing after close. */
function checkBlockOrder(block: RequestBlock, problems: RequestFileProblem[]): void {
  let connect: Statement | undefined;
  let ended = false;
  let closed = false;
  for (const s of block.statements) {
    if (s.kind === 'variable' || s.kind === 'wait') continue;
    if (s.kind === 'connect') {
      if (connect) {
        problems.push(
          problemAt(
            s,
            SocketLabError.create(
              'secondConnect',
              'A block has one connect line (the first is at line {first}); start another block with ### for a second connection.',
              { first: connect.line },
            ),
          ),
        );
      }
      connect ??= s;
      continue;
    }
    if (!connect) {
      problems.push(
        problemAt(
          s,
          SocketLabError.create('noConnect', '{statement} needs a connect line before it in its block.', {
            statement: s.kind,
          }),
        ),
      );
      continue;
    }
    const udp = connect.kind === 'connect' && connect.transport === 'udp';
    if (closed) {
      problems.push(
        problemAt(
          s,
          SocketLabError.create('afterClose', '{statement} cannot follow close: the connection is closed.', {
            statement: s.kind,
          }),
        ),
      );
    } else if (udp && (s.kind === 'end' || (s.kind === 'expect' && s.match === 'closed'))) {
      problems.push(
        problemAt(
          s,
          SocketLabError.create(
            'notForUdp',
            '{statement} is for stream connections (tcp, tls, unix): UDP has no connection to close.',
            { statement: s.kind === 'end' ? 'end' : 'expect closed' },
          ),
        ),
      );
    } else if (ended && (s.kind === 'send' || s.kind === 'end')) {
      problems.push(
        problemAt(
          s,
          SocketLabError.create('afterEnd', '{statement} cannot follow end: our sending side is closed.', {
            statement: s.kind,
          }),
        ),
      );
    }
    if (s.kind === 'end') ended = true;
    if (s.kind === 'close') closed = true;
  }
}

/** The `{{name}}` references of a statement's templates, with the column each template starts at. */
function templatesOf(s: Statement): Array<{ text: string; column: number }> {
  switch (s.kind) {
    case 'variable':
      return [{ text: s.value, column: s.valueColumn }];
    case 'connect':
      return [{ text: s.target, column: s.targetColumn }];
    case 'send':
      return [{ text: s.payload, column: s.payloadColumn }];
    case 'expect':
      return [{ text: s.value, column: s.valueColumn }];
    default:
      return [];
  }
}

/**
 * Reports references to variables that have no value at their line: not in `known`, not set by an `@` line
 * above, not captured by an expect above (captures of earlier blocks count: they run first).
 */
function checkVariables(file: RequestFile, known: Set<string>, problems: RequestFileProblem[]): void {
  const defined = new Set(known);
  const visit = (s: Statement) => {
    for (const { text, column } of templatesOf(s)) {
      for (const part of parseTemplate(text).parts) {
        // References with a syntax problem are reported as such, not as unknown.
        if (part.kind === 'ref' && !part.args.length && VARIABLE_NAME.test(part.name) && !defined.has(part.name)) {
          problems.push({
            line: s.line,
            column: column + part.offset,
            length: part.length,
            error: unknownVariable(part.name),
          });
        }
      }
    }
    if (s.kind === 'variable') defined.add(s.name);
    if (s.kind === 'expect') for (const name of s.captures ?? []) defined.add(name);
  };
  file.prelude.forEach(visit);
  for (const block of file.blocks) block.statements.forEach(visit);
}

/** Parses request-file text into blocks; see ParseResult. */
export function parseRequestFile(text: string, options: ParseOptions = {}): ParseResult {
  const lines = splitLines(text);
  const problems: RequestFileProblem[] = [];
  const prelude: VariableStatement[] = [];
  const blocks: RequestBlock[] = [];
  let current: RequestBlock | undefined;
  const close = (lastLine: number) => {
    if (current) current.endLine = lastLine;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i];
    const trimmed = raw.trimStart();
    if (trimmed === '') continue;
    if (trimmed.startsWith('###')) {
      close(line - 1);
      const column = raw.length - trimmed.length + 1;
      current = { line, column, title: trimmed.replace(/^#+/, '').trim(), endLine: line, statements: [] };
      blocks.push(current);
      continue;
    }
    if (trimmed.startsWith('#')) continue;
    const { node, problems: found } = parseStatementLine(raw, line);
    problems.push(...found);
    if (!node) continue;
    if (!current && node.kind === 'variable') {
      prelude.push(node);
      continue;
    }
    if (!current) {
      // Statements before any ### form a first, untitled block (a one-request file needs no header).
      current = { line, column: node.column, title: '', endLine: line, statements: [] };
      blocks.push(current);
    }
    current.statements.push(node);
  }
  close(Math.max(1, lines.length - (lines.at(-1) === '' ? 1 : 0)));
  // A block with nothing to run (a trailing ###, a header over comments) is no test; its @ lines still count.
  const file: RequestFile = { prelude, blocks: [] };
  for (const block of blocks) {
    if (block.statements.some((s) => s.kind !== 'variable')) {
      checkBlockOrder(block, problems);
      file.blocks.push(block);
    } else if (file.blocks.length) {
      file.blocks.at(-1)!.statements.push(...block.statements);
    } else {
      file.prelude.push(...(block.statements as VariableStatement[]));
    }
  }
  if (options.knownVariables) checkVariables(file, new Set(options.knownVariables), problems);
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return { file, problems };
}
