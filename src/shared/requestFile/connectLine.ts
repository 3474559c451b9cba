/** Parses `connect tcp|udp|tls HOST:PORT` and `connect unix PATH` lines with their options. */
import { SocketLabError } from '../errors';
import { describeValue } from '../payload';
import type { ConnectStatement, Transport } from './ast';
import { parseFramingOption } from './framingOption';
import { LineContext, checkTemplate, milliseconds, readOptions, words } from './lineReader';
import { hasReferences } from './variables';

/** How a block may connect. */
export const TRANSPORTS: readonly Transport[] = ['tcp', 'udp', 'unix', 'tls'];

/** 'host:port' or '[v6]:port' split in two, or undefined when it has neither form. */
export function splitHostPort(text: string): { host: string; port: string } | undefined {
  const m = /^\[([^\]]*)\]:([^:]*)$/.exec(text) ?? /^([^:[\]]*):([^:]*)$/.exec(text);
  return m ? { host: m[1], port: m[2] } : undefined;
}

/** A connect line's node (or undefined when its transport or target is missing), its problems reported to `ctx`. */
export function parseConnect(ctx: LineContext, body: string, indent: number): ConnectStatement | undefined {
  const [, transportWord, targetWord, ...rest] = words(body, indent);
  if (!transportWord || !TRANSPORTS.includes(transportWord.text as Transport)) {
    ctx.report(
      transportWord?.column ?? indent + 8,
      transportWord?.text.length ?? 1,
      SocketLabError.create('unknownTransport', 'connect needs a transport, one of {allowed} (got {value}).', {
        allowed: TRANSPORTS.join(', '),
        value: describeValue(transportWord?.text),
      }),
    );
    return undefined;
  }
  const transport = transportWord.text as Transport;
  if (!targetWord) {
    ctx.report(
      transportWord.column + transport.length + 1,
      1,
      transport === 'unix'
        ? SocketLabError.create('missingTarget', 'connect unix needs a socket path.')
        : SocketLabError.create('missingTarget', 'connect {transport} needs HOST:PORT ([v6]:PORT for IPv6).', {
            transport,
          }),
    );
    return undefined;
  }
  const node: ConnectStatement = {
    kind: 'connect',
    line: ctx.line,
    column: indent + 1,
    transport,
    target: targetWord.text,
    targetColumn: targetWord.column,
  };
  checkTemplate(ctx, node.target, node.targetColumn);
  if (transport !== 'unix' && !hasReferences(node.target)) {
    const split = splitHostPort(node.target);
    if (!split || split.host === '' || !/^[0-9]{1,5}$/.test(split.port) || +split.port < 1 || +split.port > 65535) {
      ctx.report(
        node.targetColumn,
        node.target.length,
        SocketLabError.create(
          'badTarget',
          'connect {transport} needs HOST:PORT with a port from 1 to 65535, IPv6 in brackets as [::1]:PORT (got {value}).',
          { transport, value: describeValue(node.target) },
        ),
      );
    }
  }
  const allowed = [
    'timeout',
    ...(transport === 'udp' ? [] : ['framing']),
    ...(transport === 'tls' ? ['servername', 'ca', 'insecure'] : []),
  ];
  const options = readOptions(ctx, rest, allowed, `connect ${transport}`);
  const timeout = options.get('timeout');
  const timeoutMs = timeout && milliseconds(ctx, 'timeout', timeout.value, timeout.column + 8, 1);
  if (timeoutMs !== undefined) node.timeoutMs = timeoutMs;
  const framing = options.get('framing');
  if (framing) {
    try {
      node.framing = parseFramingOption(framing.value);
    } catch (err) {
      // The short-form parser says where in the value the refused part starts.
      const index = (err as SocketLabError).values?.index;
      const at = typeof index === 'number' ? index : 0;
      ctx.report(framing.column + 8 + at, framing.value.length - at, err as SocketLabError);
    }
  }
  const servername = options.get('servername');
  if (servername) node.servername = servername.value;
  const ca = options.get('ca');
  if (ca) node.ca = ca.value;
  const insecure = options.get('insecure');
  if (insecure) {
    if (insecure.value === 'true' || insecure.value === 'false') {
      node.insecure = insecure.value === 'true';
    } else {
      ctx.report(
        insecure.column + 9,
        insecure.value.length,
        SocketLabError.create('invalidBoolean', '{option} must be true or false (got {value}).', {
          option: 'insecure',
          value: describeValue(insecure.value),
        }),
      );
    }
  }
  return node;
}
