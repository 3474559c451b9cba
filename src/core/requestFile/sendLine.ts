/**
 * The bytes of one `send` line on its own, for "Send to…": the payload with its variables from the
 * environment and the `@` lines above it (captures exist only in a run, so a reference to one is refused),
 * built-ins evaluated now, then encoded as the runner would (checksum, line ending).
 */
import { SocketLabError } from '../../shared/errors';
import type { RequestFile, SendStatement } from '../../shared/requestFile/ast';
import { expandTemplate, parseTemplate, type BuiltinContext } from '../../shared/requestFile/variables';
import { nodeBuiltins } from './environment';
import { sendBytes } from './payloads';

/** The `send` statement on 1-based `line`, or undefined. */
export function sendStatementAt(file: RequestFile, line: number): SendStatement | undefined {
  for (const block of file.blocks) {
    for (const s of block.statements) if (s.kind === 'send' && s.line === line) return s;
  }
  return undefined;
}

/**
 * The bytes the `send` on `line` sends, expanded with `environment` and the `@` lines before it (in file
 * order). Throws SocketLabError: no send on that line, a variable without a value, a payload the codec refuses.
 */
export function sendLineBytes(
  file: RequestFile,
  line: number,
  environment: Record<string, string> = {},
  builtins: BuiltinContext = nodeBuiltins(),
): Uint8Array {
  const send = sendStatementAt(file, line);
  if (!send) throw SocketLabError.create('noSendLine', 'Line {line} is not a send line.', { line });
  const values = new Map(Object.entries(environment));
  const lookup = (name: string) => values.get(name);
  for (const s of [...file.prelude, ...file.blocks.flatMap((b) => b.statements)]) {
    if (s.kind !== 'variable' || s.line >= line) continue;
    const value = expandTemplate(parseTemplate(s.value).parts, lookup, builtins);
    // A value that needs a capture (or another unknown) stays unset: its use says so, at the send.
    if ('text' in value) values.set(s.name, value.text);
  }
  const payload = expandTemplate(parseTemplate(send.payload).parts, lookup, builtins);
  if ('error' in payload) {
    throw SocketLabError.create(
      payload.error.code,
      'send at line {line}, column {column}: {problem}',
      { ...payload.error.values, line, column: send.payloadColumn + payload.offset, problem: payload.error.message },
      undefined,
      payload.error,
    );
  }
  return sendBytes(send, payload.text);
}
