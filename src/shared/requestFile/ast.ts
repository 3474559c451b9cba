/**
 * The shape of a parsed `.socklab` request file. Every node knows where it starts (1-based line and
 * column), so an editor can underline it and the CLI can print `file:line:col`.
 */
import type { ChecksumEndian, ChecksumName } from '../checksum';
import type { LineEnding, PayloadFormat } from '../payload';
import type { FramingSpec } from './framingOption';

/** Where something starts in the file: 1-based line and column (columns count UTF-16 units, as editors do). */
export interface SourcePosition {
  line: number;
  column: number;
}

/** How a block connects. */
export type Transport = 'tcp' | 'udp' | 'unix' | 'tls';

/** What an `expect` line waits for. */
export type ExpectKind = 'text' | 'hex' | 'contains' | 'regex' | 'closed' | 'silence';

/** `@name = value`: assigns a variable for the lines after it (`@timeout` also sets the default `within`). */
export interface VariableStatement extends SourcePosition {
  kind: 'variable';
  name: string;
  /** The value as written (it may use earlier variables). */
  value: string;
  valueColumn: number;
}

/** `connect tcp|udp|tls HOST:PORT` or `connect unix PATH`, with its options. */
export interface ConnectStatement extends SourcePosition {
  kind: 'connect';
  transport: Transport;
  /** 'host:port', '[v6]:port' or a Unix path, as written (it may use variables). */
  target: string;
  targetColumn: number;
  /** `timeout=MS`: how long the connect may take. */
  timeoutMs?: number;
  /** `framing=...`: how the received stream is cut into messages (tcp, tls, unix). */
  framing?: FramingSpec;
  /** TLS: `servername=NAME` (SNI and the name the certificate must carry). */
  servername?: string;
  /** TLS: `ca=PATH`, a PEM file of trusted certificates (relative paths start at the request file's folder). */
  ca?: string;
  /** TLS: `insecure=true` accepts any certificate. */
  insecure?: boolean;
}

/** `send FORMAT[;key=value]* PAYLOAD`. */
export interface SendStatement extends SourcePosition {
  kind: 'send';
  format: PayloadFormat;
  /** Text encoding (text only). */
  encoding?: string;
  /** Line ending appended after the payload and its checksum. */
  eol?: Exclude<LineEnding, 'none'>;
  checksum?: ChecksumName;
  /** Byte order of the checksum; without it, the checksum's own default (MODBUS low byte first). */
  checksumEndian?: ChecksumEndian;
  /** The payload as written, after the one space that follows the spec. */
  payload: string;
  payloadColumn: number;
}

/** `expect KIND[;key=value]* [VALUE]`. */
export interface ExpectStatement extends SourcePosition {
  kind: 'expect';
  match: ExpectKind;
  /** text: escaped text; hex: hex digits; contains: escaped text; regex: a pattern; '' for closed and silence. */
  value: string;
  valueColumn: number;
  /** Text encoding used to encode text/contains and to decode for regex. */
  encoding?: string;
  /** `within=MS`: how long to wait (default `@timeout`, else the run's default). */
  withinMs?: number;
  /** regex: variables set from groups 1, 2... */
  captures?: string[];
  /** regex: flags among i, m, s, u. */
  flags?: string;
  /** silence: how long nothing may arrive. */
  forMs?: number;
}

/** `wait MS`. */
export interface WaitStatement extends SourcePosition {
  kind: 'wait';
  ms: number;
}

/** `end`: half-close (FIN), our side sends nothing more. */
export interface EndStatement extends SourcePosition {
  kind: 'end';
}

/** `close`: closes the connection now. */
export interface CloseStatement extends SourcePosition {
  kind: 'close';
}

/** One line that does something. */
export type Statement =
  | VariableStatement
  | ConnectStatement
  | SendStatement
  | ExpectStatement
  | WaitStatement
  | EndStatement
  | CloseStatement;

/** A block: a named test with its own connection. `line` is its `###` line (or its first line when the file starts without one). */
export interface RequestBlock extends SourcePosition {
  /** The title after `###`, trimmed; '' when there is none. */
  title: string;
  /** The last line that belongs to the block (the line before the next `###`, or the file's last line). */
  endLine: number;
  statements: Statement[];
}

/** A parsed request file: the variable lines before the first block, then the blocks in file order. */
export interface RequestFile {
  prelude: VariableStatement[];
  blocks: RequestBlock[];
}
