/**
 * A payload as the `send` command and the panel's composer send it: built-ins such as `{{$counter}}`
 * expanded when asked (a fresh value on every send), the payload encoded, its checksum appended, then the
 * line ending. The order is a request file's `send` line's too, so a composer draft saved as a line sends
 * the same bytes.
 */
import { appendChecksum, type ChecksumEndian, type ChecksumName } from '../shared/checksum';
import { SocketLabError } from '../shared/errors';
import type { PayloadSpec } from '../shared/payload';
import {
  BUILTIN_VARIABLES,
  expandTemplate,
  hasReferences,
  parseTemplate,
  type BuiltinContext,
} from '../shared/requestFile/variables';
import { encodePayload } from './codec';

/** A payload with the composer's extras: a checksum after it, built-ins expanded in it. */
export interface ComposedPayloadSpec extends PayloadSpec {
  checksum?: ChecksumName;
  /** Byte order of the checksum (default: the checksum's own, MODBUS low byte first). */
  checksumEndian?: ChecksumEndian;
  /** Expand `{{$counter}}`, `{{$timestamp}}`… in the data before encoding it. */
  variables?: boolean;
}

/** The built-ins' names as the sentences list them: {{$counter}}, {{$timestamp}}… */
const BUILTIN_LIST = Object.keys(BUILTIN_VARIABLES)
  .map((name) => `{{${name}}}`)
  .join(', ');

/**
 * `data` with its built-in references expanded by `context`. Only built-ins have a value here: a
 * `{{name}}` of a request-file variable is refused, as is a reference with a syntax problem (at its position).
 */
export function expandBuiltins(data: string, context: BuiltinContext): string {
  if (!hasReferences(data)) return data;
  const { parts, problems } = parseTemplate(data);
  const first = problems[0];
  if (first) throw positioned(first.error, first.offset);
  const expansion = expandTemplate(parts, () => undefined, context);
  if ('error' in expansion) {
    const part = parts.find((p) => p.kind === 'ref' && p.offset === expansion.offset);
    if (part?.kind === 'ref' && !part.name.startsWith('$')) {
      throw SocketLabError.create(
        'notBuiltinVariable',
        'Only built-in variables have a value in a payload ({builtins}); {reference} at position {position} is not one.',
        { builtins: BUILTIN_LIST, reference: `{{${part.name}}}`, position: expansion.offset + 1 },
      );
    }
    throw positioned(expansion.error, expansion.offset);
  }
  return expansion.text;
}

/** `error` with the 1-based position in the payload it was found at (the composer points there). */
function positioned(error: SocketLabError, offset: number): SocketLabError {
  return SocketLabError.create(
    error.code,
    '{problem} (at position {position} of the payload).',
    { ...error.values, problem: error.message.replace(/\.$/, ''), position: offset + 1 },
    undefined,
    error,
  );
}

/**
 * The bytes of `spec`: data (built-ins expanded by `context` when `spec.variables`), checksum, line ending.
 * Without the extras it is encodePayload itself. Throws the codec's or the variables' SocketLabError.
 */
export function composePayload(spec: ComposedPayloadSpec, context?: BuiltinContext): Uint8Array {
  const data = spec.variables && context ? expandBuiltins(spec.data, context) : spec.data;
  if (spec.checksumEndian !== undefined && spec.checksum === undefined) {
    throw SocketLabError.create('invalidArgument', '{field} applies only with checksum.', {
      field: 'checksumEndian',
    });
  }
  const plain: PayloadSpec = {
    data,
    format: spec.format,
    encoding: spec.encoding,
    escapes: spec.escapes,
    lineEnding: spec.lineEnding,
  };
  if (!spec.checksum) return encodePayload(plain);
  // The checksum covers the payload alone; the line ending follows it (as on a request file's send line).
  const body = appendChecksum(encodePayload({ ...plain, lineEnding: 'none' }), spec.checksum, spec.checksumEndian);
  if (!spec.lineEnding || spec.lineEnding === 'none') return body;
  const ending = encodePayload({
    data: '',
    format: 'text',
    encoding: (spec.format ?? 'text') === 'text' ? spec.encoding : 'latin1',
    lineEnding: spec.lineEnding,
  });
  const out = new Uint8Array(body.length + ending.length);
  out.set(body);
  out.set(ending, body.length);
  return out;
}
