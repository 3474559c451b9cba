/**
 * The bad-input table (RELIABILITY.md is generated from it by printBadInputTable.ts), shared by the unit
 * suite (through SocketLab and the validators the quick inputs call) and the integration suite (through
 * vscode.commands.executeCommand in the real host). Every case names the entry point, the argument, the
 * stable error code and what the sentence must say. Pure Node: no vscode import, so both suites can load it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import type { EndpointInfo } from '../../src/shared/model';
import { portOf } from './sockets';
import { tempDir } from './tempDir';
import { waitFor } from './wait';

/** What a table runs against: SocketLab methods (unit) or socketLab.* commands (integration). */
export interface Caller {
  call(command: string, args: unknown): Promise<unknown>;
  list(): EndpointInfo[];
}

/** Endpoints and files the cases point at, built once per suite through the same Caller. */
export interface Fixture {
  /** A TCP listener on 127.0.0.1 with no client. */
  tcpListener: string;
  /** A UDP socket bound on 127.0.0.1, and its port. */
  udp4: string;
  udp4Port: number;
  /** A UDP socket bound on ::1, and its port. */
  udp6: string;
  udp6Port: number;
  /** A connected UDP client (to udp4). */
  udpClient: string;
  /** A TCP client whose peer reset the connection: state 'error', still listed. */
  deadClient: string;
  dir: string;
  /** A regular file (not a socket) of 10 bytes. */
  regularFile: string;
  /** A 70,000-byte file: too big for one UDP datagram. */
  bigFile: string;
  /** A folder. */
  folder: string;
  /** A path where nothing exists. */
  missing: string;
  cleanup(): Promise<void>;
}

/** A host name the injected lookup refuses (the unit suite and the host both inject one: no DNS query leaves). */
export const UNRESOLVABLE_HOST = 'no-such-device.invalid';

/** A lookup with dns.lookup's shape that resolves only 'device.test' (to 127.0.0.1) and refuses every other name without a query. */
export function offlineLookup(
  hostname: string,
  _options: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  if (hostname === 'device.test') callback(null, '127.0.0.1', 4);
  else callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname }), '', 0);
}

/** Builds the fixture through `caller`; a Node server resets the client so it ends in 'error'. */
export async function buildFixture(caller: Caller): Promise<Fixture> {
  const { dir } = tempDir('sl-h-');
  const regularFile = path.join(dir, 'plain.txt');
  fs.writeFileSync(regularFile, '0123456789');
  const bigFile = path.join(dir, 'big.bin');
  fs.writeFileSync(bigFile, Buffer.alloc(70_000, 0x41));
  const folder = path.join(dir, 'folder');
  fs.mkdirSync(folder);
  const idOf = (x: unknown) => (x as EndpointInfo).id;

  const tcp = await caller.call('startTcpListener', { port: 0 });
  const u4 = await caller.call('startUdpListener', { host: '127.0.0.1', port: 0 });
  const u6 = await caller.call('startUdpListener', { host: '::1', port: 0 });
  const uc = await caller.call('openUdpClient', { host: '127.0.0.1', port: portOf(u4 as EndpointInfo) });

  // The peer resets once the client is connected (a reset during the handshake would fail the connect).
  const accepted: net.Socket[] = [];
  const resetter = net.createServer((s) => {
    s.on('error', () => undefined);
    accepted.push(s);
  });
  await new Promise<void>((r) => resetter.listen(0, '127.0.0.1', r));
  let dead: unknown;
  try {
    dead = await caller.call('connectTcp', { host: '127.0.0.1', port: (resetter.address() as net.AddressInfo).port });
    await waitFor('the client accepted', () => accepted.length > 0, 5000);
    accepted[0].resetAndDestroy();
    await waitFor(
      'the reset client in state error',
      () => caller.list().find((e) => e.id === idOf(dead))?.state === 'error',
      5000,
    );
  } finally {
    for (const s of accepted) s.destroy();
    await new Promise((r) => resetter.close(r));
  }

  return {
    tcpListener: idOf(tcp),
    udp4: idOf(u4),
    udp4Port: portOf(u4 as EndpointInfo),
    udp6: idOf(u6),
    udp6Port: portOf(u6 as EndpointInfo),
    udpClient: idOf(uc),
    deadClient: idOf(dead),
    dir,
    regularFile,
    bigFile,
    folder,
    missing: path.join(dir, 'missing'),
    cleanup: async () => {
      for (const id of [idOf(tcp), idOf(u4), idOf(u6), idOf(uc), idOf(dead)])
        await Promise.resolve()
          .then(() => caller.call('stop', { id }))
          .catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One bad argument of one command. */
export interface CommandCase {
  /** What is wrong, in the words of the issue. */
  name: string;
  command: string;
  args: (f: Fixture) => unknown;
  /** The stable error code. */
  code: string;
  /** The sentence names the field and what is allowed. */
  says: RegExp;
  /** Refused by syntax: the host-name lookup must not even be asked. */
  noLookup?: boolean;
  /** Only the commands (the host layer) have this entry point, or only the core has it. */
  only?: 'host' | 'core';
}

const PORT_RANGE = /^Port must be a whole number from 0 to 65535/;
const longName = `${'a'.repeat(60)}.`.repeat(5).slice(0, 300);

/** Bad command arguments. */
export const COMMAND_CASES: CommandCase[] = [
  // ---- ports
  { name: 'port -1', command: 'startTcpListener', args: () => ({ port: -1 }), code: 'invalidPort', says: PORT_RANGE },
  {
    name: 'port 65536',
    command: 'startTcpListener',
    args: () => ({ port: 65536 }),
    code: 'invalidPort',
    says: PORT_RANGE,
  },
  { name: 'port 1.5', command: 'startTcpListener', args: () => ({ port: 1.5 }), code: 'invalidPort', says: PORT_RANGE },
  { name: 'port ""', command: 'startTcpListener', args: () => ({ port: '' }), code: 'invalidPort', says: PORT_RANGE },
  {
    name: 'port "80a"',
    command: 'startTcpListener',
    args: () => ({ port: '80a' }),
    code: 'invalidPort',
    says: PORT_RANGE,
  },
  {
    name: 'port " 80 "',
    command: 'startTcpListener',
    args: () => ({ port: ' 80 ' }),
    code: 'invalidPort',
    says: /^Port must be a whole number from 0 to 65535, without spaces/,
  },
  {
    name: 'port missing',
    command: 'startTcpListener',
    args: () => ({}),
    code: 'invalidPort',
    says: /^Port must be .* \(got nothing\)/,
  },
  { name: 'port NaN', command: 'startUdpListener', args: () => ({ port: NaN }), code: 'invalidPort', says: PORT_RANGE },
  {
    name: 'port 70000 (UDP)',
    command: 'startUdpListener',
    args: () => ({ port: 70000 }),
    code: 'invalidPort',
    says: PORT_RANGE,
  },
  {
    name: 'port 0 to connect',
    command: 'connectTcp',
    args: () => ({ port: 0 }),
    code: 'invalidArgument',
    says: /^port must be 1-65535 to connect/,
  },
  {
    name: 'UDP client port -1',
    command: 'openUdpClient',
    args: () => ({ port: -1 }),
    code: 'invalidPort',
    says: PORT_RANGE,
  },
  {
    name: 'localPort "abc"',
    command: 'connectTcp',
    args: () => ({ port: 9, localPort: 'abc' }),
    code: 'invalidPort',
    says: /^Local port \(localPort\) must be a whole number from 0 to 65535/,
  },
  // ---- hosts
  {
    name: 'host ""',
    command: 'startTcpListener',
    args: () => ({ host: '', port: 0 }),
    code: 'invalidHost',
    says: /^Host must be an IPv4 address, an IPv6 address or a host name \(got ""\)/,
    noLookup: true,
  },
  {
    name: 'host "999.1.1.1"',
    command: 'startTcpListener',
    args: () => ({ host: '999.1.1.1', port: 0 }),
    code: 'invalidHost',
    says: /^Host must be a valid IPv4 address: four numbers from 0 to 255/,
    noLookup: true,
  },
  {
    name: 'host "::g"',
    command: 'connectTcp',
    args: () => ({ host: '::g', port: 9 }),
    code: 'invalidHost',
    says: /^Host must be a valid IPv6 address/,
    noLookup: true,
  },
  {
    name: 'host of 300 characters',
    command: 'connectTcp',
    args: () => ({ host: longName, port: 9 }),
    code: 'invalidHost',
    says: /^Host must be a host name of at most 253 characters/,
    noLookup: true,
  },
  {
    name: 'host with a space',
    command: 'startUdpListener',
    args: () => ({ host: 'my host', port: 0 }),
    code: 'invalidHost',
    says: /without spaces/,
    noLookup: true,
  },
  {
    name: 'host "1.2.3" (IPv4 attempt)',
    command: 'openUdpClient',
    args: () => ({ host: '1.2.3', port: 9 }),
    code: 'invalidHost',
    says: /valid IPv4 address/,
    noLookup: true,
  },
  {
    name: 'host label of 64 characters',
    command: 'connectTcp',
    args: () => ({ host: `${'b'.repeat(64)}.test`, port: 9 }),
    code: 'invalidHost',
    says: /labels have 1 to 63 characters/,
    noLookup: true,
  },
  {
    name: 'host "01.2.3.4" (octal-looking)',
    command: 'connectTcp',
    args: () => ({ host: '01.2.3.4', port: 9 }),
    code: 'invalidHost',
    says: /without leading zeros/,
    noLookup: true,
  },
  {
    name: 'host a number',
    command: 'connectTcp',
    args: () => ({ host: 127001, port: 9 }),
    code: 'invalidHost',
    says: /^Host must be text/,
    noLookup: true,
  },
  {
    name: 'a name that does not resolve',
    command: 'connectTcp',
    args: () => ({ host: UNRESOLVABLE_HOST, port: 9 }),
    code: 'hostNotFound',
    says: new RegExp(
      `^Host name '${UNRESOLVABLE_HOST.replace(/\./g, '\\.')}' could not be resolved \\(ENOTFOUND\\); check the spelling or use an IP address\\.$`,
    ),
  },
  {
    name: 'listener on a name that does not resolve',
    command: 'startTcpListener',
    args: () => ({ host: UNRESOLVABLE_HOST, port: 0 }),
    code: 'hostNotFound',
    says: /could not be resolved/,
  },
  {
    name: 'external bind 0.0.0.0 without allowExternal',
    command: 'startTcpListener',
    args: () => ({ host: '0.0.0.0', port: 0 }),
    code: 'externalBindNotAllowed',
    says: /^Binding 0\.0\.0\.0 makes the port reachable from the network; pass allowExternal: true/,
  },
  {
    name: 'external bind :: without allowExternal (UDP)',
    command: 'startUdpListener',
    args: () => ({ host: '::', port: 0 }),
    code: 'externalBindNotAllowed',
    says: /^Binding :: makes the port reachable/,
  },
  {
    name: 'allowExternal "yes"',
    command: 'startTcpListener',
    args: () => ({ port: 0, allowExternal: 'yes' }),
    code: 'invalidArgument',
    says: /^allowExternal must be true or false\.$/,
  },
  // ---- other listener/client fields
  {
    name: 'backlog 0',
    command: 'startTcpListener',
    args: () => ({ port: 0, backlog: 0 }),
    code: 'invalidBacklog',
    says: /^Backlog must be a whole number from 1 to 65535/,
  },
  {
    name: 'timeoutMs -5',
    command: 'connectTcp',
    args: () => ({ port: 9, timeoutMs: -5 }),
    code: 'invalidTimeout',
    says: /^Timeout \(timeoutMs\) must be a whole number of milliseconds from 1 to 600000/,
  },
  {
    name: 'multicastGroups not addresses',
    command: 'startUdpListener',
    args: () => ({ port: 0, multicastGroups: ['not-an-ip'] }),
    code: 'invalidMulticastGroup',
    says: /^multicastGroups\[0\] must be a multicast group address: IPv4 224\.0\.0\.0 to 239\.255\.255\.255 or IPv6 ff00::\/8/,
  },
  {
    name: 'multicastGroups a unicast address',
    command: 'startUdpListener',
    args: () => ({ port: 0, multicastGroups: ['239.1.2.3', '10.0.0.1'] }),
    code: 'invalidMulticastGroup',
    says: /^multicastGroups\[1\] must be a multicast group address.*\(got "10\.0\.0\.1"\)\.$/,
  },
  {
    name: 'multicastTtl 256',
    command: 'startUdpListener',
    args: () => ({ port: 0, multicastTtl: 256 }),
    code: 'invalidMulticastTtl',
    says: /must be a whole number from 0 to 255 \(got 256\)\.$/,
  },
  {
    name: 'joinMulticast group ff::1 (first group 00ff, not ff00::/8)',
    command: 'joinMulticast',
    args: () => ({ id: 'e1', group: 'ff::1' }),
    code: 'invalidMulticastGroup',
    says: /^group must be a multicast group address/,
  },
  {
    name: 'setMulticastOptions loopback "yes"',
    command: 'setMulticastOptions',
    args: () => ({ id: 'e1', loopback: 'yes' }),
    code: 'invalidArgument',
    says: /^loopback must be true or false\.$/,
  },
  {
    name: 'unknown field',
    command: 'startTcpListener',
    args: () => ({ port: 0, prot: 1 }),
    code: 'unknownField',
    says: /^startTcpListener has no field 'prot'; its fields are host, port/,
  },
  {
    name: 'autoReply mode "parrot"',
    command: 'startTcpListener',
    args: () => ({ port: 0, autoReply: { mode: 'parrot' } }),
    code: 'invalidAutoReply',
    says: /autoReply\.mode.*off, echo, fixed, rules/,
  },
  {
    name: 'autoReply regex that does not compile',
    command: 'startUdpListener',
    args: () => ({ port: 0, autoReply: { mode: 'rules', rules: [{ regex: '(', reply: { data: 'x' } }] } }),
    code: 'invalidAutoReply',
    says: /autoReply\.rules\[0\]\.regex/,
  },
  {
    name: 'argument a string',
    command: 'startTcpListener',
    args: () => '8080',
    code: 'invalidArgument',
    says: /argument object/,
  },
  {
    name: 'argument an array',
    command: 'connectTcp',
    args: () => [9],
    code: 'invalidArgument',
    says: /argument object/,
  },
  // ---- Unix paths
  {
    name: 'Unix path too long',
    command: 'startUnixListener',
    args: (f) => ({ path: path.join(f.dir, 'x'.repeat(120)) }),
    code: 'unixPathTooLong',
    says: /^Path must be at most 107 bytes in UTF-8 on this system \(got \d+ bytes\); choose a shorter path/,
  },
  {
    name: 'TLS listener: an empty ALPN list',
    command: 'startTlsListener',
    args: () => ({ port: 0, alpn: [] }),
    code: 'invalidArgument',
    says: /^alpn must be a list of 1 to 32 protocol names/,
    noLookup: true,
  },
  {
    name: 'TLS listener: a certificate file that does not exist',
    command: 'startTlsListener',
    args: (f) => ({ port: 0, cert: f.missing, key: f.missing }),
    code: 'fileNotFound',
    says: /missing/,
  },
  {
    name: 'TLS client: an IP address as the server name',
    command: 'connectTls',
    args: () => ({ host: '127.0.0.1', port: 443, servername: '127.0.0.1' }),
    code: 'invalidArgument',
    says: /^servername must be a host name, not an IP address/,
    noLookup: true,
  },
  {
    name: 'TLS client: insecure not a boolean',
    command: 'connectTls',
    args: () => ({ host: '127.0.0.1', port: 443, insecure: 'yes' }),
    code: 'invalidArgument',
    says: /insecure/,
    noLookup: true,
  },
  {
    name: 'relay without an upstream',
    command: 'startRelay',
    args: () => ({ listen: { port: 0 } }),
    code: 'invalidArgument',
    says: /upstream/,
    noLookup: true,
  },
  {
    name: 'relay: upstream port 0',
    command: 'startRelay',
    args: () => ({ listen: { port: 0 }, upstream: { host: '127.0.0.1', port: 0 } }),
    code: 'invalidArgument',
    says: /^upstream\.port must be 1-65535 to connect/,
    noLookup: true,
  },
  {
    name: 'relay: UDP on a Unix path',
    command: 'startRelay',
    args: (f) => ({
      listen: { path: path.join(f.dir, 'r.sock') },
      upstream: { host: '127.0.0.1', port: 9 },
      protocol: 'udp',
    }),
    code: 'invalidArgument',
    says: /^listen must be \{ host, port \} for a UDP relay/,
    noLookup: true,
  },
  {
    name: 'relay: tls.listen not a boolean',
    command: 'startRelay',
    args: () => ({ listen: { port: 0 }, upstream: { host: '127.0.0.1', port: 9 }, tls: { listen: 'yes' } }),
    code: 'invalidArgument',
    says: /^tls\.listen must be true or false/,
    noLookup: true,
  },
  {
    name: 'send: a direction to something that is not a relay',
    command: 'send',
    args: (f) => ({ target: f.tcpListener, data: 'x', direction: 'toClient' }),
    code: 'invalidArgument',
    says: /^direction is only for relays/,
  },
  {
    name: 'Unix path empty',
    command: 'startUnixListener',
    args: () => ({ path: '' }),
    code: 'invalidPath',
    says: /^Path must be a non-empty socket path/,
  },
  {
    name: 'Unix path with NUL',
    command: 'connectUnix',
    args: (f) => ({ path: `${f.dir}/a\0b` }),
    code: 'invalidPath',
    says: /must not contain a NUL character/,
  },
  {
    name: 'Unix path a directory',
    command: 'startUnixListener',
    args: (f) => ({ path: f.folder }),
    code: 'pathNotSocket',
    says: /already exists and is a folder; Socket Lab never deletes it, choose another path\.$/,
  },
  {
    name: 'Unix path a regular file (listen)',
    command: 'startUnixListener',
    args: (f) => ({ path: f.regularFile }),
    code: 'pathNotSocket',
    says: /already exists and is not a socket; Socket Lab never deletes it/,
  },
  {
    name: 'Unix path a regular file (connect)',
    command: 'connectUnix',
    args: (f) => ({ path: f.regularFile }),
    code: 'connectionRefused',
    says: /^Nothing is listening at .*plain\.txt \(connection refused\); start the server first or check the path\.$/,
  },
  {
    name: 'Unix path that does not exist (connect)',
    command: 'connectUnix',
    args: (f) => ({ path: f.missing }),
    code: 'noSuchSocket',
    says: /^There is no socket at .*missing; start the listener first or check the path\.$/,
  },
  {
    name: 'Unix path in a missing folder (listen)',
    command: 'startUnixListener',
    args: (f) => ({ path: path.join(f.missing, 's.sock') }),
    code: 'fileNotFound',
    says: /^The folder .*missing does not exist, so .*s\.sock cannot be created; create the folder or choose another path\.$/,
  },
  {
    name: 'Unix path under a regular file',
    command: 'startUnixListener',
    args: (f) => ({ path: path.join(f.regularFile, 's.sock') }),
    code: 'fileNotFound',
    says: /^A part of .*plain\.txt\/s\.sock is not a folder \(ENOTDIR\); check the path\.$/,
  },
  {
    name: 'Unix path ending with /',
    command: 'startUnixListener',
    args: (f) => ({ path: `${f.folder}/` }),
    code: 'invalidPath',
    says: /must name a socket file, not end with '\/'/,
  },
  // ---- send: target and data
  {
    name: 'unknown endpoint id',
    command: 'send',
    args: () => ({ target: 'e9999', data: 'x' }),
    code: 'unknownId',
    says: /^There is no endpoint, connection or peer e9999\.$/,
  },
  {
    name: 'unknown connection id',
    command: 'send',
    args: (f) => ({ target: `${f.tcpListener}.c999`, data: 'x' }),
    code: 'unknownId',
    says: /^There is no endpoint, connection or peer e\d+\.c999\.$/,
  },
  {
    name: 'target ""',
    command: 'send',
    args: () => ({ target: '', data: 'x' }),
    code: 'invalidArgument',
    says: /^target must be a non-empty string\.$/,
  },
  {
    name: 'target missing',
    command: 'send',
    args: () => ({ data: 'x' }),
    code: 'invalidArgument',
    says: /^target must be a non-empty string\.$/,
  },
  {
    name: 'data a number',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 42 }),
    code: 'invalidArgument',
    says: /^data must be a string \(text, hex or base64 according to format\)\.$/,
  },
  {
    name: 'hex with an odd number of digits',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: '123', format: 'hex' }),
    code: 'hexOddDigits',
    says: /^Hex payload has an odd number of digits in "123" at position 1; every byte needs two digits/,
  },
  {
    name: 'hex "zz"',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'zz', format: 'hex' }),
    code: 'hexBadChar',
    says: /^Hex payload has the character "z" at position 1; allowed are hex digits, spaces/,
  },
  {
    name: 'hex separator at the edge hiding a lone digit',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: '12 3:', format: 'hex' }),
    code: 'hexOddDigits',
    says: /odd number of digits in "3" at position 4/,
  },
  {
    name: 'hex 0x prefix then a separator',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: '0x:12', format: 'hex' }),
    code: 'hexBadChar',
    says: /character "x" at position 2/,
  },
  {
    name: 'base64 with misplaced padding',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'SGVsbG8===', format: 'base64' }),
    code: 'base64Invalid',
    says: /^Base64 payload has misplaced '=' padding at position 9/,
  },
  {
    name: 'base64 that is only padding',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: '====', format: 'base64' }),
    code: 'base64Invalid',
    says: /misplaced '=' padding at position 1/,
  },
  {
    name: 'base64 with a bad character',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'SGV$bG8=', format: 'base64' }),
    code: 'base64Invalid',
    says: /^Base64 payload has the character "\$" at position 4; allowed are A-Z, a-z, 0-9, \+ and \//,
  },
  {
    name: 'base64 with a truncated last group',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'SGVsb', format: 'base64' }),
    code: 'base64Invalid',
    says: /ends with a single character in its last group/,
  },
  {
    name: 'unknown encoding',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', encoding: 'klingon' }),
    code: 'unknownEncoding',
    says: /^Encoding must be one of utf8, ascii, latin1, utf16le, gbk, gb18030, big5, shift_jis \(got "klingon"\)\.$/,
  },
  {
    name: 'unknown format',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', format: 'binary' }),
    code: 'unknownFormat',
    says: /^Payload format must be one of text, hex, base64 \(got "binary"\)\.$/,
  },
  {
    name: 'unknown line ending',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', lineEnding: 'crlf2' }),
    code: 'unknownLineEnding',
    says: /^Line ending must be one of none, lf, cr, crlf/,
  },
  {
    name: 'escapes "yes"',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', escapes: 'yes' }),
    code: 'invalidArgument',
    says: /^escapes must be true or false\.$/,
  },
  {
    name: 'checksum "crc99"',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: '01', format: 'hex', checksum: 'crc99' }),
    code: 'unknownChecksum',
    says: /^Checksum must be one of sum8, xor8, crc16-modbus, .*crc32 \(got "crc99"\)\.$/,
  },
  {
    name: 'checksumEndian "little"',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: '01', format: 'hex', checksum: 'crc32', checksumEndian: 'little' }),
    code: 'unknownChecksumEndian',
    says: /^Checksum byte order must be le \(low byte first\) or be \(high byte first\) \(got "little"\)\.$/,
  },
  {
    name: 'checksumEndian without checksum',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: '01', format: 'hex', checksumEndian: 'le' }),
    code: 'invalidArgument',
    says: /^checksumEndian applies only with checksum\.$/,
  },
  {
    name: 'variables "yes"',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', variables: 'yes' }),
    code: 'invalidArgument',
    says: /^variables must be true or false\.$/,
  },
  {
    name: 'variables with a name that is not a built-in',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'n={{host}}', variables: true }),
    code: 'notBuiltinVariable',
    says: /^Only built-in variables have a value in a payload \(.*\); \{\{host\}\} at position 3 is not one\.$/,
  },
  {
    name: 'unknown escape \\q',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'a\\q' }),
    code: 'badEscape',
    says: /unknown escape "\\q" at position 2; allowed escapes are/,
  },
  {
    name: 'character the encoding cannot represent',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'é', encoding: 'ascii' }),
    code: 'notEncodable',
    says: /which the ascii encoding cannot represent; choose another encoding or write raw bytes as \\xHH\.$/,
  },
  // ---- send: repeat and wait
  {
    name: 'repeat interval negative',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', repeat: { intervalMs: -1 } }),
    code: 'invalidRepeat',
    says: /^Repeat interval \(intervalMs\) must be a whole number of milliseconds from 0 to 86400000 \(got -1\)\.$/,
  },
  {
    name: 'repeat interval 0 without a count',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', repeat: { intervalMs: 0 } }),
    code: 'repeatNeedsCount',
    says: /^Count must be given, from 1 to 10000000, when the repeat interval is 0 ms/,
  },
  {
    name: 'repeat count huge (1e12)',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', repeat: { intervalMs: 10, count: 1e12 } }),
    code: 'invalidRepeat',
    says: /^Repeat count \(count\) must be a whole number from 1 to 10000000 \(got 1000000000000\)\.$/,
  },
  {
    name: 'repeat count 0',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', repeat: { intervalMs: 10, count: 0 } }),
    code: 'invalidRepeat',
    says: /Repeat count \(count\) must be a whole number from 1/,
  },
  {
    name: 'repeat interval over a day',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', repeat: { intervalMs: 100_000_000 } }),
    code: 'invalidRepeat',
    says: /from 0 to 86400000/,
  },
  {
    name: 'repeat not an object',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', repeat: 'often' }),
    code: 'invalidRepeat',
    says: /^Repeat must be an object with intervalMs and an optional count/,
  },
  {
    name: 'waitMs with repeat',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', repeat: { intervalMs: 10, count: 2 }, waitMs: 10 }),
    code: 'invalidArgument',
    says: /^waitMs cannot be combined with repeat/,
  },
  {
    name: 'waitMs 700000',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', waitMs: 700000 }),
    code: 'invalidWait',
    says: /^Wait time \(waitMs\) must be a whole number of milliseconds from 0 to 600000/,
  },
  {
    name: 'repeat to a listener without clients',
    command: 'send',
    args: (f) => ({ target: f.tcpListener, data: 'x', repeat: { intervalMs: 10 } }),
    code: 'noConnections',
    says: /^TCP 127\.0\.0\.1:\d+ has no connected clients to send to\.$/,
  },
  // ---- send: UDP sizes and destinations
  {
    name: 'UDP payload of 65,508 bytes over IPv4',
    command: 'send',
    args: (f) => ({ target: f.udp4, data: 'A'.repeat(65_508), to: { host: '127.0.0.1', port: f.udp4Port } }),
    code: 'payloadTooLarge',
    says: /^A UDP datagram to 127\.0\.0\.1:\d+ can carry at most 65507 bytes over IPv4; this payload has 65508\.$/,
  },
  {
    name: 'UDP payload of 65,528 bytes over IPv6',
    command: 'send',
    args: (f) => ({ target: f.udp6, data: 'A'.repeat(65_528), to: { host: '::1', port: f.udp6Port } }),
    code: 'payloadTooLarge',
    says: /^A UDP datagram to \[::1\]:\d+ can carry at most 65527 bytes over IPv6; this payload has 65528\.$/,
  },
  {
    name: 'UDP payload of 65,508 bytes on a connected client',
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: '41'.repeat(65_508), format: 'hex' }),
    code: 'payloadTooLarge',
    says: /at most 65507 bytes over IPv4/,
  },
  {
    name: 'UDP socket without a destination',
    command: 'send',
    args: (f) => ({ target: f.udp4, data: 'x' }),
    code: 'missingTo',
    says: /is a UDP socket: give 'to' \{ host, port \} or a peer id as target\.$/,
  },
  {
    name: "'to' on a TCP listener",
    command: 'send',
    args: (f) => ({ target: f.tcpListener, data: 'x', to: { host: '127.0.0.1', port: 9 } }),
    code: 'toNotAllowed',
    says: /^'to' is only for UDP sockets/,
  },
  {
    name: "'to' on a connected UDP client",
    command: 'send',
    args: (f) => ({ target: f.udpClient, data: 'x', to: { host: '127.0.0.1', port: 9 } }),
    code: 'toNotAllowed',
    says: /^UDP → 127\.0\.0\.1:\d+ is a connected UDP client; it cannot send elsewhere \('to' is refused\)\.$/,
  },
  {
    name: 'to.port 0',
    command: 'send',
    args: (f) => ({ target: f.udp4, data: 'x', to: { host: '127.0.0.1', port: 0 } }),
    code: 'invalidArgument',
    says: /^to\.port must be 1-65535\.$/,
  },
  {
    name: 'to.host "999.1.1.1"',
    command: 'send',
    args: (f) => ({ target: f.udp4, data: 'x', to: { host: '999.1.1.1', port: 9 } }),
    code: 'invalidHost',
    says: /^to\.host must be a valid IPv4 address/,
    noLookup: true,
  },
  {
    name: 'to a name that does not resolve',
    command: 'send',
    args: (f) => ({ target: f.udp4, data: 'x', to: { host: UNRESOLVABLE_HOST, port: 9 } }),
    code: 'hostNotFound',
    says: /could not be resolved \(ENOTFOUND\)/,
  },
  {
    name: 'a listener without clients',
    command: 'send',
    args: (f) => ({ target: f.tcpListener, data: 'x' }),
    code: 'noConnections',
    says: /has no connected clients to send to\.$/,
  },
  {
    name: 'sending on an endpoint reset by its peer',
    command: 'send',
    args: (f) => ({ target: f.deadClient, data: 'x' }),
    code: 'endpointClosed',
    says: /^TCP → 127\.0\.0\.1:\d+ is in error \(The connection to 127\.0\.0\.1:\d+ was reset by the peer \(ECONNRESET\)\.\); restart it first\.$/,
  },
  // ---- sendFile
  {
    name: 'file to send missing',
    command: 'sendFile',
    args: (f) => ({ target: f.udpClient, path: f.missing }),
    code: 'fileNotFound',
    says: /missing does not exist \(or its folder does not\); check the path\.$/,
  },
  {
    name: 'file to send is a directory',
    command: 'sendFile',
    args: (f) => ({ target: f.udpClient, path: f.folder }),
    code: 'isDirectory',
    says: /folder is a folder, not a file\.$/,
  },
  {
    name: 'file over one UDP datagram',
    command: 'sendFile',
    args: (f) => ({ target: f.udpClient, path: f.bigFile }),
    code: 'payloadTooLarge',
    says: /has 70000 bytes but one UDP datagram can carry at most 65507; send a smaller file\.$/,
  },
  {
    name: 'file path ""',
    command: 'sendFile',
    args: (f) => ({ target: f.udpClient, path: '' }),
    code: 'invalidArgument',
    says: /^path must be the path of a file to send\.$/,
  },
  {
    name: 'file to an unknown endpoint',
    command: 'sendFile',
    args: (f) => ({ target: 'e9999', path: f.regularFile }),
    code: 'unknownId',
    says: /There is no endpoint, connection or peer e9999\./,
  },
  {
    name: 'file on an endpoint reset by its peer',
    command: 'sendFile',
    args: (f) => ({ target: f.deadClient, path: f.regularFile }),
    code: 'endpointClosed',
    says: /restart it first\.$/,
  },
  // ---- managing
  {
    name: 'stop an unknown id',
    command: 'stop',
    args: () => ({ id: 'e9999' }),
    code: 'unknownId',
    says: /There is no endpoint, connection or peer e9999\./,
  },
  {
    name: 'stop without id',
    command: 'stop',
    args: () => ({}),
    code: 'invalidArgument',
    says: /^id must be a non-empty string/,
  },
  {
    name: 'stopRepeat an unknown repeat',
    command: 'stopRepeat',
    args: () => ({ repeatId: 'r9999' }),
    code: 'unknownId',
    says: /^There is no running repeat r9999\.$/,
  },
  {
    name: 'clearLog an unknown id',
    command: 'clearLog',
    args: () => ({ id: 'e9999' }),
    code: 'unknownId',
    says: /e9999/,
  },
  {
    name: 'restart an unknown id',
    command: 'restart',
    args: () => ({ id: 'e9999' }),
    code: 'unknownId',
    says: /^There is no endpoint e9999\.$/,
  },
  {
    name: 'stopAll with a field',
    command: 'stopAll',
    args: () => ({ force: true }),
    code: 'unknownField',
    says: /^stopAll takes no fields; pass \{\}\.$/,
    only: 'host',
  },
  // ---- framing (TCP/Unix start, connect and setFraming; UDP refuses it)
  {
    name: 'framing with a 3-byte length field',
    command: 'startTcpListener',
    args: () => ({ port: 0, framing: { mode: 'length', bytes: 3 } }),
    code: 'invalidFraming',
    says: /^framing\.bytes must be 1, 2 or 4 \(got 3\)\.$/,
  },
  {
    name: 'framing delimiter "zz" as hex',
    command: 'connectTcp',
    args: () => ({ host: '127.0.0.1', port: 9, framing: { mode: 'delimiter', delimiter: 'zz', format: 'hex' } }),
    code: 'invalidFraming',
    says: /^framing\.delimiter: .*character "z"/,
  },
  {
    name: 'framing with a field of another mode',
    command: 'startUnixListener',
    args: (f) => ({ path: path.join(f.dir, 'framed.sock'), framing: { mode: 'line', size: 4 } }),
    code: 'unknownField',
    says: /^framing\.size is not a field of line framing; its fields are mode, eol, maxFrameBytes\.$/,
  },
  {
    name: 'framing idle without gapMs',
    command: 'connectUnix',
    args: (f) => ({ path: f.missing, framing: { mode: 'idle' } }),
    code: 'invalidFraming',
    says: /^framing\.gapMs must be a whole number of milliseconds from 1 to 60000 \(got nothing\)\.$/,
  },
  {
    name: 'line framing on a UDP listener',
    command: 'startUdpListener',
    args: () => ({ port: 0, framing: { mode: 'line' } }),
    code: 'framingNotForUdp',
    says: /^framing is only for TCP and Unix streams; a UDP socket keeps one record per datagram \(got line framing\)\.$/,
  },
  {
    name: 'setFraming on a UDP socket',
    command: 'setFraming',
    args: (f) => ({ id: f.udp4, framing: { mode: 'line' } }),
    code: 'framingNotForUdp',
    says: /^UDP 127\.0\.0\.1:\d+ is a UDP socket: framing is only for TCP and Unix streams/,
  },
  {
    name: 'setFraming maxFrameBytes over 64 MiB',
    command: 'setFraming',
    args: (f) => ({ id: f.tcpListener, framing: { mode: 'line', maxFrameBytes: 67_108_865 } }),
    code: 'invalidFraming',
    says: /^framing\.maxFrameBytes must be a whole number from 1 to 67108864 \(got 67108865\)\.$/,
  },
  {
    name: 'setFraming without a framing',
    command: 'setFraming',
    args: (f) => ({ id: f.tcpListener }),
    code: 'invalidFraming',
    says: /^framing must be an object whose mode is none, line, delimiter, length, fixed or idle \(got nothing\)\.$/,
  },
  {
    name: 'setFraming an unknown id',
    command: 'setFraming',
    args: () => ({ id: 'e9999', framing: { mode: 'line' } }),
    code: 'unknownId',
    says: /^There is no endpoint e9999\.$/,
  },
  {
    name: 'copyAddress an unknown id',
    command: 'copyAddress',
    args: () => ({ id: 'e9999' }),
    code: 'unknownId',
    says: /^There is no endpoint or connection e9999\.$/,
    only: 'host',
  },
  {
    name: 'openPanel an unknown id',
    command: 'openPanel',
    args: () => ({ id: 'e9999' }),
    code: 'unknownId',
    says: /^There is no endpoint e9999\.$/,
    only: 'host',
  },
];

/** One value typed into a quick input, checked by the function the prompt's validateInput calls. */
export interface PromptCase {
  name: string;
  /** Which prompt: host/port of start and connect, the Unix path, the payload data (with its format). */
  prompt: 'port' | 'host' | 'unixPath' | 'payload';
  value: string;
  format?: 'text' | 'hex' | 'base64';
  encoding?: string;
  code: string;
  says: RegExp;
}

/** What users type into the quick inputs (the prompt passes the raw string). */
export const PROMPT_CASES: PromptCase[] = [
  { name: 'port "-1"', prompt: 'port', value: '-1', code: 'invalidPort', says: PORT_RANGE },
  { name: 'port "65536"', prompt: 'port', value: '65536', code: 'invalidPort', says: PORT_RANGE },
  { name: 'port "1.5"', prompt: 'port', value: '1.5', code: 'invalidPort', says: PORT_RANGE },
  { name: 'port ""', prompt: 'port', value: '', code: 'invalidPort', says: PORT_RANGE },
  { name: 'port "80a"', prompt: 'port', value: '80a', code: 'invalidPort', says: PORT_RANGE },
  { name: 'port " 80 "', prompt: 'port', value: ' 80 ', code: 'invalidPort', says: /without spaces/ },
  { name: 'port "0x50"', prompt: 'port', value: '0x50', code: 'invalidPort', says: PORT_RANGE },
  {
    name: 'host ""',
    prompt: 'host',
    value: '',
    code: 'invalidHost',
    says: /^Host must be an IPv4 address, an IPv6 address or a host name/,
  },
  { name: 'host "999.1.1.1"', prompt: 'host', value: '999.1.1.1', code: 'invalidHost', says: /valid IPv4 address/ },
  { name: 'host "::g"', prompt: 'host', value: '::g', code: 'invalidHost', says: /valid IPv6 address/ },
  {
    name: 'host of 300 characters',
    prompt: 'host',
    value: longName,
    code: 'invalidHost',
    says: /at most 253 characters/,
  },
  {
    name: 'host "[::1" (unclosed bracket)',
    prompt: 'host',
    value: '[::1',
    code: 'invalidHost',
    says: /valid IPv6 address, with or without \[brackets\]/,
  },
  {
    name: 'host "-bad.test"',
    prompt: 'host',
    value: '-bad.test',
    code: 'invalidHost',
    says: /no label starting or ending with '-'/,
  },
  {
    name: 'Unix path of 200 bytes',
    prompt: 'unixPath',
    value: `/tmp/${'p'.repeat(195)}`,
    code: 'unixPathTooLong',
    says: /at most 107 bytes/,
  },
  {
    name: 'Unix path of 40 CJK characters (120 bytes)',
    prompt: 'unixPath',
    value: `/tmp/${'路'.repeat(40)}`,
    code: 'unixPathTooLong',
    says: /at most 107 bytes in UTF-8 on this system \(got 125 bytes\)/,
  },
  { name: 'Unix path ""', prompt: 'unixPath', value: '', code: 'invalidPath', says: /non-empty socket path/ },
  {
    name: 'payload hex "abc"',
    prompt: 'payload',
    format: 'hex',
    value: 'abc',
    code: 'hexOddDigits',
    says: /odd number of digits/,
  },
  {
    name: 'payload hex "zz"',
    prompt: 'payload',
    format: 'hex',
    value: 'zz',
    code: 'hexBadChar',
    says: /character "z"/,
  },
  {
    name: 'payload base64 "SGVsbG8==="',
    prompt: 'payload',
    format: 'base64',
    value: 'SGVsbG8===',
    code: 'base64Invalid',
    says: /misplaced '=' padding/,
  },
  {
    name: 'payload base64 "SGV$bG8="',
    prompt: 'payload',
    format: 'base64',
    value: 'SGV$bG8=',
    code: 'base64Invalid',
    says: /character "\$"/,
  },
  {
    name: 'payload text with "\\x4"',
    prompt: 'payload',
    format: 'text',
    value: 'a\\x4',
    code: 'badEscape',
    says: /bad or unfinished escape/,
  },
  {
    name: 'payload text in an encoding that cannot carry it',
    prompt: 'payload',
    format: 'text',
    encoding: 'gbk',
    value: '😀',
    code: 'notEncodable',
    says: /gbk encoding cannot represent/,
  },
];

/** Asserts that `message` is one clear sentence matching `says`. */
export function assertSentence(message: unknown, says: RegExp, what: string): void {
  assert.strictEqual(typeof message, 'string', `${what}: no message`);
  const m = message as string;
  assert.ok(!/[\n\r]/.test(m), `${what}: the sentence has a line break: ${JSON.stringify(m)}`);
  assert.ok(m.length >= 10 && m.length <= 400, `${what}: sentence of ${m.length} characters`);
  assert.match(m, /[.)]$/, `${what}: not a finished sentence: ${m}`);
  assert.ok(
    !/\bundefined\b|\[object Object\]|\bNaN\b(?!\))/.test(m),
    `${what}: the sentence leaks a placeholder: ${m}`,
  );
  assert.match(m, says, `${what}: ${m}`);
}

/** Hex dump without pointer-sized changes: list() with counters, for before/after comparison. */
export function listSnapshot(list: EndpointInfo[]): string {
  return JSON.stringify(list);
}
