/**
 * System ports matched to what Socket Lab knows: which listed sockets are its own endpoints (by kind, state,
 * address and pid), which listed socket holds a port a start wanted, and when an EADDRINUSE sentence is
 * reworded to name it (on real errors of real sockets).
 */
import * as assert from 'assert';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { tempDir } from '../helpers/tempDir';

import {
  SystemPort,
  conflictRank,
  findPortHolder,
  matchOwnEndpoints,
  pickPortHolder,
  withPortHolder,
} from '../../src/core/ports';
import { toSocketLabError } from '../../src/core/systemErrors';
import type { EndpointInfo } from '../../src/shared/model';
import type { SocketLabError } from '../../src/shared/errors';

/** An endpoint snapshot as list() gives it, with no traffic. */
function endpoint(
  id: string,
  kind: EndpointInfo['kind'],
  state: EndpointInfo['state'],
  local?: EndpointInfo['local'],
): EndpointInfo {
  const noTraffic = { bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0, dropped: 0, connections: [] };
  return { id, kind, state, local, ...noTraffic };
}

const at = (address: string, port: number): EndpointInfo['local'] => ({ address, port });

/** The error a second listen on `options` gets while another server listens there (a real EADDRINUSE), as Socket Lab words it. */
async function addressInUse(
  options: net.ListenOptions,
  ctx: { address?: string; port?: number; path?: string },
): Promise<SocketLabError> {
  const second = net.createServer();
  const err = await new Promise<Error>((resolve) => {
    second.once('error', resolve);
    second.listen(options, () => resolve(new Error('the second listen was not refused')));
  });
  if (second.listening) await new Promise<void>((resolve) => second.close(() => resolve()));
  return toSocketLabError(err, { operation: 'listen', ...ctx });
}

async function withListener<T>(options: net.ListenOptions, fn: (server: net.Server) => Promise<T>): Promise<T> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(options, resolve));
  try {
    return await fn(server);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe("system ports: Socket Lab's own endpoints in a listing", () => {
  const ports: SystemPort[] = [
    { protocol: 'tcp', address: '127.0.0.1', port: 5000, pid: 100 },
    { protocol: 'udp', address: '127.0.0.1', port: 5000, pid: 100 },
    { protocol: 'tcp', address: '::1', port: 5001 },
    { protocol: 'udp', address: '::1', port: 5002, pid: 100 },
    { protocol: 'tcp', address: '0.0.0.0', port: 5003, pid: 100 },
    { protocol: 'tcp', address: '127.0.0.1', port: 5004, pid: 100 },
  ];

  it('only listening TCP listeners and UDP sockets (an errored UDP socket is still bound) are ours', () => {
    const endpoints = [
      endpoint('client', 'tcp-client', 'connected', at('127.0.0.1', 5000)),
      endpoint('pending', 'tcp-listener', 'error'), // refused before it was bound: no local address
      endpoint('unix', 'unix-listener', 'listening', { path: 'x.sock' }),
      endpoint('v6', 'tcp-listener', 'listening', at('0:0:0:0:0:0:0:1', 5001)),
      endpoint('udp-err', 'udp', 'error', at('::1', 5002)),
      endpoint('tcp-err', 'tcp-listener', 'error', at('0.0.0.0', 5003)),
      endpoint('closed', 'tcp-listener', 'closed', at('127.0.0.1', 5004)),
    ];
    assert.deepStrictEqual(
      matchOwnEndpoints(ports, endpoints).map((p) => p.endpointId),
      [undefined, undefined, 'v6', 'udp-err', undefined, undefined],
    );
    // Rows that are not ours carry no endpointId key at all.
    assert.deepStrictEqual(matchOwnEndpoints(ports, endpoints)[0], ports[0]);
  });

  it('the pids decide only when both are known; an earlier match is dropped when it no longer holds', () => {
    const endpoints = [endpoint('l', 'tcp-listener', 'listening', at('127.0.0.1', 5000))];
    const row = (pid?: number, endpointId?: string): SystemPort =>
      pid === undefined
        ? { protocol: 'tcp', address: '127.0.0.1', port: 5000, ...(endpointId ? { endpointId } : {}) }
        : { protocol: 'tcp', address: '127.0.0.1', port: 5000, pid, ...(endpointId ? { endpointId } : {}) };
    assert.deepStrictEqual(matchOwnEndpoints([row(100)], endpoints, 100), [row(100, 'l')]);
    assert.deepStrictEqual(matchOwnEndpoints([row(101)], endpoints, 100), [row(101)]);
    // Another user's socket hides its pid; this process's pid unknown: the address and port alone decide.
    assert.deepStrictEqual(matchOwnEndpoints([row(undefined)], endpoints, 100), [row(undefined, 'l')]);
    assert.deepStrictEqual(matchOwnEndpoints([row(101)], endpoints), [row(101, 'l')]);
    assert.deepStrictEqual(matchOwnEndpoints([row(100, 'l')], [], 100), [row(100)]);
  });
});

describe('system ports: the holder of a port a start wanted', () => {
  it("IPv4-mapped addresses are IPv4 ('::ffff:…'), an IPv6 address holding 'ffff' further on is IPv6", () => {
    assert.strictEqual(conflictRank('::ffff:127.0.0.1', '0.0.0.0'), 2);
    assert.strictEqual(conflictRank('::ffff:127.0.0.1', '::'), 1);
    assert.strictEqual(conflictRank('fd00::ffff:1', '::'), 2);
    assert.strictEqual(conflictRank('fd00::ffff:1', '0.0.0.0'), 0);
  });

  it('among equally strong holders the one with a visible pid, else the first (lowest pid); no conflict, no holder', () => {
    const hidden: SystemPort = { protocol: 'tcp', address: '0.0.0.0', port: 8880 };
    const parent: SystemPort = { protocol: 'tcp', address: '0.0.0.0', port: 8880, pid: 7 };
    const child: SystemPort = { protocol: 'tcp', address: '0.0.0.0', port: 8880, pid: 8 };
    assert.strictEqual(pickPortHolder([hidden, parent, child], 'tcp', '127.0.0.1', 8880), parent);
    assert.strictEqual(pickPortHolder([child, hidden], 'tcp', '127.0.0.1', 8880), child);
    const elsewhere: SystemPort = { protocol: 'tcp', address: '127.0.0.2', port: 8880, pid: 9 };
    assert.strictEqual(pickPortHolder([elsewhere], 'tcp', '127.0.0.1', 8880), undefined);
  });

  it('findPortHolder lists for the platform it is given: this process on Linux, nobody where ports cannot be listed', async function () {
    if (process.platform !== 'linux') this.skip();
    await withListener({ host: '127.0.0.1', port: 0 }, async (server) => {
      const port = (server.address() as net.AddressInfo).port;
      assert.strictEqual((await findPortHolder('tcp', '127.0.0.1', port))?.pid, process.pid);
      assert.strictEqual(await findPortHolder('tcp', '127.0.0.1', port, { platform: 'aix' }), undefined);
    });
  });

  it('a holder seen without a name is named by its pid in the sentence', async () => {
    await withListener({ host: '127.0.0.1', port: 0 }, async (server) => {
      const port = (server.address() as net.AddressInfo).port;
      const err = await addressInUse({ host: '127.0.0.1', port }, { address: '127.0.0.1', port });
      const named = withPortHolder(err, { protocol: 'tcp', address: '127.0.0.1', port, pid: 4242 });
      assert.strictEqual(
        named.message,
        `127.0.0.1:${port} is already in use by the process with pid 4242; choose another port or stop that process.`,
      );
      assert.deepStrictEqual(
        [named.code, named.systemCode, named.values.pid, named.values.process],
        ['addressInUse', 'EADDRINUSE', 4242, 'pid 4242'],
      );
    });
  });

  it('other errors, and a Unix path in use (no port), keep their sentence', async () => {
    const holder: SystemPort = { protocol: 'tcp', address: '127.0.0.1', port: 1, pid: 4242, process: 'php' };
    const port = await withListener(
      { host: '127.0.0.1', port: 0 },
      async (server) => (server.address() as net.AddressInfo).port,
    );
    const refused = await new Promise<Error>((resolve) => net.connect(port, '127.0.0.1').once('error', resolve));
    const notInUse = toSocketLabError(refused, { operation: 'connect', address: '127.0.0.1', port });
    assert.strictEqual(notInUse.code, 'connectionRefused');
    assert.strictEqual(withPortHolder(notInUse, { ...holder, port }), notInUse);
    const t = tempDir();
    try {
      const file = path.join(t.dir, 'l.sock');
      await withListener({ path: file }, async () => {
        const inUse = await addressInUse({ path: file }, { path: file });
        assert.strictEqual(inUse.code, 'addressInUse');
        assert.strictEqual(withPortHolder(inUse, holder), inUse);
      });
    } finally {
      t.remove();
    }
  });
});
