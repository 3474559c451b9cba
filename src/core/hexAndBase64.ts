/** Payloads written as hex or base64, read strictly into bytes: every refusal names the position and what is allowed. */
import { SocketLabError } from '../shared/errors';

/** The value of a hex digit's character code, or -1 when it is none. */
export function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) {
    return code - 0x30;
  }
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) {
    return lower - 0x61 + 10;
  }
  return -1;
}

function hexError(
  code: 'hexOddDigits' | 'hexBadChar',
  data: string,
  position: number,
  groupStart?: number,
): SocketLabError {
  if (code === 'hexOddDigits') {
    const group = data.slice(groupStart!, position - 1);
    return SocketLabError.create(
      'hexOddDigits',
      'Hex payload has an odd number of digits in {quotedGroup} at position {position}; every byte needs two digits (write 0f, not f).',
      { position: groupStart! + 1, group, quotedGroup: JSON.stringify(group) },
    );
  }
  const char = String.fromCodePoint(data.codePointAt(position - 1)!);
  return SocketLabError.create(
    'hexBadChar',
    "Hex payload has the character {quotedChar} at position {position}; allowed are hex digits, spaces, newlines, ':', '-', ',' and a 0x prefix per byte.",
    { position, char, quotedChar: JSON.stringify(char) },
  );
}

/**
 * Parses hex: digits in either case; whitespace, ':', '-' and ',' separate groups; a `0x`/`0X`
 * prefix may start any byte. Each separated group must have an even number of digits, so "1 2" is
 * refused rather than guessed as 0x12 or 01 02.
 */
export function decodeHex(data: string): Uint8Array {
  const out = new Uint8Array(data.length >> 1);
  let length = 0;
  let high = -1;
  let groupStart = 0;
  for (let i = 0; i < data.length; i++) {
    const code = data.charCodeAt(i);
    const value = hexValue(code);
    if (value >= 0) {
      if (high < 0) {
        if (value === 0 && (data.charCodeAt(i + 1) | 0x20) === 0x78 /* x */) {
          // A 0x prefix: it must be followed by a digit, or it is a typo worth reporting.
          if (hexValue(data.charCodeAt(i + 2)) < 0) {
            throw hexError('hexBadChar', data, i + 2);
          }
          i++;
          groupStart = i + 1;
          continue;
        }
        high = value;
      } else {
        out[length++] = high * 16 + value;
        high = -1;
      }
    } else if (
      code === 0x20 ||
      code === 0x09 ||
      code === 0x0a ||
      code === 0x0d ||
      code === 0x3a ||
      code === 0x2d ||
      code === 0x2c
    ) {
      if (high >= 0) {
        throw hexError('hexOddDigits', data, i + 1, groupStart);
      }
      groupStart = i + 1;
    } else {
      throw hexError('hexBadChar', data, i + 1);
    }
  }
  if (high >= 0) {
    throw hexError('hexOddDigits', data, data.length + 1, groupStart);
  }
  return out.slice(0, length);
}

const BASE64_VALUES = (() => {
  const table = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  for (let i = 0; i < alphabet.length; i++) {
    table[alphabet.charCodeAt(i)] = i;
  }
  return table;
})();

/**
 * Strict base64 (RFC 4648): the standard alphabet (+ /) or the URL-safe one (- _), not mixed;
 * whitespace anywhere is ignored; '=' padding is optional, but when present it must complete the
 * last group of four; a last group of one character, or unused bits that are not zero (a sign of a
 * truncated or edited string), is refused.
 */
export function decodeBase64(data: string): Uint8Array {
  const out = new Uint8Array(Math.ceil((data.length * 3) / 4));
  let length = 0;
  let alphabet: 'standard' | 'url' | undefined;
  let accumulator = 0;
  let count = 0;
  let padding = 0;
  let lastPosition = 0;
  for (let i = 0; i < data.length; i++) {
    const code = data.charCodeAt(i);
    if (code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) {
      continue;
    }
    const position = i + 1;
    if (code === 0x3d /* = */) {
      padding++;
      if (count % 4 < 2 || (count % 4) + padding > 4) {
        throw SocketLabError.create(
          'base64Invalid',
          "Base64 payload has misplaced '=' padding at position {position}; padding may only complete the last group of four characters.",
          { position, char: '=' },
        );
      }
      continue;
    }
    let value = code < 128 ? BASE64_VALUES[code] : -1;
    let kind: 'standard' | 'url' | undefined;
    if (code === 0x2b || code === 0x2f) {
      value = code === 0x2b ? 62 : 63;
      kind = 'standard';
    } else if (code === 0x2d || code === 0x5f) {
      value = code === 0x2d ? 62 : 63;
      kind = 'url';
    }
    if (value < 0) {
      const char = String.fromCodePoint(data.codePointAt(i)!);
      throw SocketLabError.create(
        'base64Invalid',
        "Base64 payload has the character {quotedChar} at position {position}; allowed are A-Z, a-z, 0-9, + and / (or - and _), whitespace and '=' padding at the end.",
        { position, char, quotedChar: JSON.stringify(char) },
      );
    }
    if (padding > 0) {
      throw SocketLabError.create(
        'base64Invalid',
        "Base64 payload has data after '=' padding at position {position}; padding may only end the payload.",
        { position, char: data[i] },
      );
    }
    if (kind) {
      if (alphabet && alphabet !== kind) {
        throw SocketLabError.create(
          'base64Invalid',
          'Base64 payload mixes the standard (+ /) and URL-safe (- _) alphabets at position {position}; use one of them.',
          { position, char: data[i] },
        );
      }
      alphabet = kind;
    }
    accumulator = ((accumulator << 6) | value) & 0xffffff;
    count++;
    lastPosition = position;
    if (count % 4 === 0) {
      out[length++] = (accumulator >> 16) & 0xff;
      out[length++] = (accumulator >> 8) & 0xff;
      out[length++] = accumulator & 0xff;
    }
  }
  const rest = count % 4;
  if (rest === 1) {
    throw SocketLabError.create(
      'base64Invalid',
      'Base64 payload ends with a single character in its last group at position {position}; a group needs at least two characters.',
      { position: lastPosition },
    );
  }
  if (padding > 0 && rest + padding !== 4) {
    throw SocketLabError.create(
      'base64Invalid',
      "Base64 payload has incomplete '=' padding; the last group of four characters needs {needed} '='.",
      { position: data.length, needed: 4 - rest },
    );
  }
  if (rest === 2) {
    if ((accumulator & 0x0f) !== 0) {
      throw SocketLabError.create(
        'base64Invalid',
        'Base64 payload has non-zero unused bits in its last character at position {position}; the string looks truncated or edited.',
        { position: lastPosition },
      );
    }
    out[length++] = (accumulator >> 4) & 0xff;
  } else if (rest === 3) {
    if ((accumulator & 0x03) !== 0) {
      throw SocketLabError.create(
        'base64Invalid',
        'Base64 payload has non-zero unused bits in its last character at position {position}; the string looks truncated or edited.',
        { position: lastPosition },
      );
    }
    out[length++] = (accumulator >> 10) & 0xff;
    out[length++] = (accumulator >> 2) & 0xff;
  }
  return out.slice(0, length);
}
