/**
 * Reads what a TLS client asks for (the SNI name and the ALPN list of its ClientHello) before the handshake
 * runs, so that a relay can ask its upstream for the same before it answers the client. The bytes read are
 * put back on the socket, and the TLS socket that wraps it later replays them.
 */
import * as net from 'net';

/** What a ClientHello asks for. */
export interface ClientHelloRequest {
  /** The host name of the SNI extension. */
  servername?: string;
  /** The ALPN protocols offered, most wanted first. */
  alpn?: string[];
}

/** A TLS record carries at most 2^14 bytes of plaintext (RFC 8446 5.1); a ClientHello fits in one. */
const MAX_RECORD = 5 + 16384;
const HANDSHAKE_RECORD = 0x16;
const CLIENT_HELLO = 0x01;
const SERVER_NAME_EXTENSION = 0x0000;
const ALPN_EXTENSION = 0x0010;

/**
 * Parses the first TLS record of `data`: 'incomplete' while more bytes are needed, undefined when it is not
 * a ClientHello that fits in one record (the caller then lets the handshake run as it would anyway).
 */
export function parseClientHello(data: Uint8Array): ClientHelloRequest | 'incomplete' | undefined {
  if (data.length >= 1 && data[0] !== HANDSHAKE_RECORD) return undefined;
  if (data.length < 5) return 'incomplete';
  const recordEnd = 5 + ((data[3] << 8) | data[4]);
  if (recordEnd > MAX_RECORD) return undefined;
  if (data.length < recordEnd) return 'incomplete';
  const view = Buffer.from(data.buffer, data.byteOffset, recordEnd);
  try {
    return readHello(view);
  } catch {
    // A truncated or malformed hello: the handshake itself will say what is wrong with it.
    return undefined;
  }
}

function readHello(record: Buffer): ClientHelloRequest | undefined {
  if (record[5] !== CLIENT_HELLO) return undefined;
  const helloEnd = 9 + record.readUIntBE(6, 3);
  if (helloEnd > record.length) return undefined;
  let at = 9 + 2 + 32; // legacy_version, random
  at += 1 + record[at]; // legacy_session_id
  at += 2 + record.readUInt16BE(at); // cipher_suites
  at += 1 + record[at]; // legacy_compression_methods
  const request: ClientHelloRequest = {};
  if (at + 2 > helloEnd) return request;
  const extensionsEnd = Math.min(helloEnd, at + 2 + record.readUInt16BE(at));
  at += 2;
  while (at + 4 <= extensionsEnd) {
    const type = record.readUInt16BE(at);
    const end = at + 4 + record.readUInt16BE(at + 2);
    if (end > extensionsEnd) return undefined;
    if (type === SERVER_NAME_EXTENSION) request.servername = readServerName(record, at + 4, end);
    if (type === ALPN_EXTENSION) request.alpn = readAlpn(record, at + 4, end);
    at = end;
  }
  return request;
}

function readServerName(record: Buffer, start: number, end: number): string | undefined {
  const listEnd = Math.min(end, start + 2 + record.readUInt16BE(start));
  for (let at = start + 2; at + 3 <= listEnd;) {
    const length = record.readUInt16BE(at + 1);
    if (record[at] === 0 && at + 3 + length <= listEnd) return record.toString('latin1', at + 3, at + 3 + length);
    at += 3 + length;
  }
  return undefined;
}

function readAlpn(record: Buffer, start: number, end: number): string[] {
  const listEnd = Math.min(end, start + 2 + record.readUInt16BE(start));
  const protocols: string[] = [];
  for (let at = start + 2; at < listEnd && at + 1 + record[at] <= listEnd; at += 1 + record[at]) {
    protocols.push(record.toString('latin1', at + 1, at + 1 + record[at]));
  }
  return protocols;
}

/**
 * Waits (at most `timeoutMs`) for the ClientHello on `raw`, a socket paused on connect, and puts every byte
 * read back. Resolves undefined when the client sends something else, goes away or takes too long: the
 * handshake that follows then fails the way it always would.
 */
export function peekClientHello(raw: net.Socket, timeoutMs: number): Promise<ClientHelloRequest | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const done = (request: ClientHelloRequest | undefined) => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('close', onEnd);
      raw.pause();
      // After the client's end there is nothing to put back into: its handshake fails either way.
      if (length > 0 && !raw.destroyed && !raw.readableEnded) raw.unshift(Buffer.concat(chunks, length));
      resolve(request);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      const parsed = parseClientHello(chunks.length === 1 ? chunk : Buffer.concat(chunks, length));
      if (parsed !== 'incomplete') done(parsed);
    };
    const onEnd = () => done(undefined);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    raw.on('data', onData);
    raw.once('end', onEnd);
    raw.once('close', onEnd);
    raw.resume();
  });
}
