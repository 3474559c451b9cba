// How endpoints, connections and addresses are named in every layer (src/shared/naming.ts).
import * as assert from 'assert';
import { isSocketLabError } from '../../src/shared/errors';
import type { EndpointKind, EndpointState } from '../../src/shared/model';
import {
  connectionLabel,
  endpointName,
  formatAddress,
  isClient,
  isListener,
  isLive,
  parseHostPort,
} from '../../src/shared/naming';

describe('naming', () => {
  it('formats addresses of every family', () => {
    assert.strictEqual(formatAddress({ address: '127.0.0.1', port: 8880 }), '127.0.0.1:8880');
    assert.strictEqual(formatAddress({ address: '::1', port: 80 }), '[::1]:80');
    assert.strictEqual(formatAddress({ path: '/tmp/a.sock' }), '/tmp/a.sock');
    assert.strictEqual(formatAddress(undefined), '');
  });

  describe('connectionLabel', () => {
    it('tells accepted Unix connections apart by their Sockets view label, and shows peers by address', () => {
      assert.strictEqual(connectionLabel({ id: 'e3.c2', remote: { path: '/tmp/a.sock' } }, true), '#c2 /tmp/a.sock');
      assert.notStrictEqual(
        connectionLabel({ id: 'e3.c1', remote: { path: '/tmp/a.sock' } }, true),
        connectionLabel({ id: 'e3.c2', remote: { path: '/tmp/a.sock' } }, true),
      );
      assert.strictEqual(
        connectionLabel({ id: 'e1.c1', remote: { address: '127.0.0.1', port: 5000 } }, true),
        '127.0.0.1:5000',
      );
      assert.strictEqual(connectionLabel({ id: 'e3.c2', remote: { path: '/tmp/a.sock' } }), '#c2'); // as the Sockets view names it
    });
  });

  it('names each kind of endpoint by the address users know it by, and by its id until it has one', () => {
    const local = { address: '127.0.0.1', port: 8880 };
    const remote = { address: '::1', port: 80 };
    assert.strictEqual(endpointName({ id: 'e1', kind: 'tcp-listener', local }), 'TCP 127.0.0.1:8880');
    assert.strictEqual(endpointName({ id: 'e2', kind: 'tcp-client', local, remote }), 'TCP → [::1]:80');
    assert.strictEqual(endpointName({ id: 'e3', kind: 'udp', local }), 'UDP 127.0.0.1:8880');
    assert.strictEqual(endpointName({ id: 'e4', kind: 'udp', local, remote }), 'UDP → [::1]:80');
    assert.strictEqual(
      endpointName({ id: 'e5', kind: 'unix-listener', local: { path: '/tmp/a.sock' } }),
      'Unix /tmp/a.sock',
    );
    assert.strictEqual(
      endpointName({ id: 'e6', kind: 'unix-client', remote: { path: '/tmp/a.sock' } }),
      'Unix → /tmp/a.sock',
    );
    assert.strictEqual(endpointName({ id: 'e7', kind: 'tcp-listener' }), 'e7');
    assert.strictEqual(endpointName({ id: 'e8', kind: 'tcp-client', local }), 'e8');
  });

  it('tells listeners, clients and live states apart', () => {
    const kinds: EndpointKind[] = ['tcp-listener', 'tcp-client', 'udp', 'unix-listener', 'unix-client'];
    assert.deepStrictEqual(
      kinds.filter((kind) => isListener(kind)),
      ['tcp-listener', 'unix-listener'],
    );
    const remote = { address: '127.0.0.1', port: 9 };
    assert.deepStrictEqual(
      kinds.filter((kind) => isClient({ kind })),
      ['tcp-client', 'unix-client'],
    );
    assert.strictEqual(isClient({ kind: 'udp', remote }), true, 'a connected UDP client');
    assert.strictEqual(isClient({ kind: 'udp' }), false, 'a bound UDP socket');
    const states: EndpointState[] = ['listening', 'connecting', 'connected', 'closed', 'error'];
    assert.deepStrictEqual(
      states.filter((state) => isLive(state)),
      ['listening', 'connecting', 'connected'],
    );
  });

  it("reads 'host:port' and '[IPv6]:port' back, and refuses anything else with the field's sentence", () => {
    assert.deepStrictEqual(parseHostPort('127.0.0.1:9000'), { host: '127.0.0.1', port: 9000 });
    assert.deepStrictEqual(parseHostPort('[::1]:53'), { host: '::1', port: 53 });
    assert.deepStrictEqual(parseHostPort('device.test:7'), { host: 'device.test', port: 7 });
    assert.deepStrictEqual(parseHostPort(formatAddress({ address: 'fe80::1', port: 80 })), {
      host: 'fe80::1',
      port: 80,
    });
    const refused: Array<[string, string, RegExp]> = [
      ['127.0.0.1', 'invalidDestination', /^Write the destination as host:port, or \[IPv6\]:port\.$/],
      ['::1:53', 'invalidDestination', /^Write the destination as host:port/],
      ['127.0.0.1:0', 'invalidPort', /^Port must be a whole number from 1 to 65535 \(got "0"\)\.$/],
      ['127.0.0.1:70000', 'invalidPort', /^Port must be a whole number from 1 to 65535/],
      ['999.1.1.1:80', 'invalidHost', /^Host must be a valid IPv4 address/],
      ['[::g]:80', 'invalidHost', /^Host must be a valid IPv6 address/],
    ];
    for (const [value, code, says] of refused) {
      const result = parseHostPort(value);
      assert.ok(isSocketLabError(result), `${value} was accepted`);
      assert.strictEqual(result.code, code, result.message);
      assert.match(result.message, says);
    }
  });
});
