/**
 * Writes request-file nodes back as text, in one canonical spelling (options in a fixed order), so that
 * parsing the printed text gives the same nodes. "Save to request file…" builds its lines with it.
 */
import type { RequestBlock, RequestFile, Statement } from './ast';
import { formatFramingOption } from './framingOption';

function spec(head: string, options: Array<[string, string | number | undefined]>): string {
  return [head, ...options.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`)].join(';');
}

/** With a value, `head value`; without, just `head` (the parser reads both back the same). */
function withValue(head: string, value: string): string {
  return value === '' ? head : `${head} ${value}`;
}

/**
 * One statement as a line. Values are written verbatim, so a value that starts or ends with spaces
 * (an `@` line's) or holds a line break cannot be printed faithfully: the caller keeps such values out.
 */
export function printStatement(s: Statement): string {
  switch (s.kind) {
    case 'variable':
      return `@${s.name} = ${s.value}`.trimEnd();
    case 'connect': {
      const options = [
        s.timeoutMs !== undefined ? `timeout=${s.timeoutMs}` : '',
        s.framing ? `framing=${formatFramingOption(s.framing)}` : '',
        s.servername !== undefined ? `servername=${s.servername}` : '',
        s.ca !== undefined ? `ca=${s.ca}` : '',
        s.insecure !== undefined ? `insecure=${s.insecure}` : '',
      ].filter((o) => o !== '');
      return ['connect', s.transport, s.target, ...options].join(' ');
    }
    case 'send':
      return withValue(
        `send ${spec(s.format, [
          ['encoding', s.encoding],
          ['eol', s.eol],
          ['checksum', s.checksum],
          ['checksum-endian', s.checksumEndian],
        ])}`,
        s.payload,
      );
    case 'expect':
      return withValue(
        `expect ${spec(s.match, [
          ['within', s.withinMs],
          ['for', s.forMs],
          ['encoding', s.encoding],
          ['capture', s.captures?.join(',')],
          ['flags', s.flags],
        ])}`,
        s.value,
      );
    case 'wait':
      return `wait ${s.ms}`;
    case 'end':
    case 'close':
      return s.kind;
  }
}

/** A block as lines: its `###` header (with the title, if any) and its statements. */
export function printBlock(block: Pick<RequestBlock, 'title' | 'statements'>): string {
  return [withValue('###', block.title), ...block.statements.map(printStatement)].join('\n') + '\n';
}

/** A whole file: the prelude's `@` lines, then every block separated by a blank line. */
export function printRequestFile(file: RequestFile): string {
  const prelude = file.prelude.map(printStatement);
  const parts = [...(prelude.length ? [prelude.join('\n') + '\n'] : []), ...file.blocks.map(printBlock)];
  return parts.join('\n');
}
