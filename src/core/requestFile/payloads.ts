/**
 * Bytes of request-file lines: what a `send` puts on the wire (payload, then its checksum, then the line
 * ending) and what a text/hex/contains `expect` compares against, with the payload codec's own sentences.
 */
import { appendChecksum } from '../../shared/checksum';
import type { ExpectStatement, SendStatement } from '../../shared/requestFile/ast';
import { encodePayload } from '../codec';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text in `encoding` as bytes. UTF-8 text without escapes (the common case, e.g. every line of a long
 * conversation) is encoded directly, as the codec would (a unit test holds them equal on any string);
 * everything else goes through the codec's escapes and encodings.
 */
export function encodeText(data: string, encoding: string | undefined): Uint8Array {
  if ((encoding === undefined || encoding === 'utf8') && !data.includes('\\') && !LONE_SURROGATE.test(data)) {
    return Buffer.from(data, 'utf8');
  }
  return encodePayload({ data, format: 'text', encoding });
}

/**
 * The bytes of a send line whose payload is already expanded. The checksum covers the payload alone and
 * the line ending comes after it, as protocols with both (a terminator after a checksum) lay them out.
 * Throws the codec's SocketLabError (bad hex, bad escape, a character the encoding lacks...).
 */
export function sendBytes(s: SendStatement, payload: string): Uint8Array {
  const body =
    s.format === 'text' ? encodeText(payload, s.encoding) : encodePayload({ data: payload, format: s.format });
  const summed = s.checksum ? appendChecksum(body, s.checksum, s.checksumEndian) : body;
  if (!s.eol) return summed;
  const ending = encodePayload({
    data: '',
    format: 'text',
    encoding: s.format === 'text' ? s.encoding : 'latin1',
    lineEnding: s.eol,
  });
  const out = new Uint8Array(summed.length + ending.length);
  out.set(summed);
  out.set(ending, summed.length);
  return out;
}

/** The bytes an `expect text|hex|contains` line (value already expanded) looks for. Throws the codec's SocketLabError. */
export function expectedBytes(s: ExpectStatement, value: string): Uint8Array {
  return s.match === 'hex' ? encodePayload({ data: value, format: 'hex' }) : encodeText(value, s.encoding);
}
