/**
 * The composer's Format switch: the payload written in one format rewritten in another, the same bytes
 * (text <-> hex <-> base64, like NetAssist), or the sentence saying why it cannot be. The line ending is a
 * text option added when sending, so it is never part of the converted bytes.
 */
import { decodeText, encodePayload, toBase64 } from '../../core/codec';
import { decodeEscaped, toHex } from '../../shared/display';
import { SocketLabError } from '../../shared/errors';
import { PAYLOAD_MAX_CHARS } from '../../shared/limits';
import type { PayloadFormat } from '../../shared/payload';
import type { RequestOf } from '../../shared/protocol';

/** What a conversion takes: the payload as the composer holds it and the format to rewrite it in. */
export type ConvertRequest = Omit<RequestOf<'convert'>, 'type' | 'id'>;

/** The payload rewritten in `into`; throws the sentence of why it cannot be (not valid as written, or not text). */
export function convertPayload(request: ConvertRequest): string {
  const { data, format, into } = request;
  const encoding = request.encoding ?? 'utf8';
  const escapes = request.escapes ?? true;
  if (format === into || data === '') return data;
  const bytes = encodePayload({ data, format, encoding, escapes, lineEnding: 'none' });
  const converted = into === 'text' ? asText(bytes, encoding, escapes) : written(bytes, into);
  if (converted.length > PAYLOAD_MAX_CHARS)
    throw SocketLabError.create(
      'invalidArgument',
      'The payload written as {format} would be longer than {max} characters; it was not converted.',
      { format: into, max: PAYLOAD_MAX_CHARS.toLocaleString('en-US') },
    );
  return converted;
}

function written(bytes: Uint8Array, into: Exclude<PayloadFormat, 'text'>): string {
  return into === 'hex' ? toHex(bytes) : toBase64(bytes);
}

/**
 * The bytes as text that encodes back to them: with escapes, control characters and bytes that are no
 * character of `encoding` are written as escapes (\n, \xff); without, only text that needs none converts.
 */
function asText(bytes: Uint8Array, encoding: string, escapes: boolean): string {
  const text = escapes
    ? decodeEscaped(bytes, encoding, (run) => decodeText(run, encoding))
    : decodeText(bytes, encoding);
  const needsEscapes = !escapes && /[\p{Cc}\p{Cf}\p{Cs}\uFFFD]/u.test(text.replace(/[\r\n\t]/g, ''));
  const back = needsEscapes ? undefined : encodePayload({ data: text, format: 'text', encoding, escapes });
  if (!back || Buffer.compare(back, bytes) !== 0) {
    throw escapes
      ? SocketLabError.create(
          'invalidArgument',
          'These bytes do not read back the same as {encoding} text; they were not converted.',
          { encoding },
        )
      : SocketLabError.create(
          'invalidArgument',
          'These bytes are not plain {encoding} text (they hold control characters or invalid bytes); turn on Escapes to convert them.',
          { encoding },
        );
  }
  return text;
}
