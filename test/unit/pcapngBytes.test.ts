/**
 * The exact bytes of the pcapng writer's pieces, read back field by field: the section header and interface
 * blocks, the slab that batches them, the flows (addresses, ports, who opened) packets are built from, and
 * the small functions under them (FNV-1a, the checksum fold, address text).
 */
import * as assert from 'assert';
import { PassThrough } from 'stream';
import '../helpers/noLeaks';
import { client, endpointBase, tcpListener } from '../helpers/pcapFixtures';
import { pcapngBlocks } from '../helpers/pcapngReader';

import { bytesToIp, ipToBytes, isLoopbackAddress, unmapIpv4 } from '../../src/core/ipAddressBytes';
import { ByteBatch } from '../../src/core/pcap/byteBatch';
import { exportComment, exportPcapng } from '../../src/core/pcap/exportPcapng';
import { internetChecksum } from '../../src/core/pcap/internetChecksum';
import { Flow, describeFlow, flowKey, fnv1a } from '../../src/core/pcap/packetFlows';
import { PcapngEncoder } from '../../src/core/pcap/pcapngEncoder';
import type { EndpointInfo, TrafficRecord } from '../../src/shared/model';

/** The text of a flow's addresses, to compare whole flows readably. */
function flowText(f: Flow): Omit<Flow, 'local' | 'remote'> & { local: string; remote: string } {
  return {
    ...f,
    local: `${bytesToIp(f.local.address)}/${f.local.port}`,
    remote: `${bytesToIp(f.remote.address)}/${f.remote.port}`,
  };
}

const record = (fields: Partial<TrafficRecord>): TrafficRecord => ({
  time: 1,
  direction: 'in',
  peer: '127.0.0.1:1',
  data: new Uint8Array(1),
  ...fields,
});

describe('pcapng bytes', () => {
  it('a file opens with a section header (magic, version 1.0, unknown length, comment, application) and one RAW interface', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    await exportPcapng({ ...client, dropped: 3 }, [], stream);
    stream.destroy();
    const [shb, idb, ...rest] = pcapngBlocks(Buffer.concat(chunks));
    assert.strictEqual(rest.length, 0);
    assert.strictEqual(shb.type, 0x0a0d0d0a);
    assert.strictEqual(shb.head.toString('hex'), '4d3c2b1a' + '0100' + '0000' + 'ffffffff' + 'ffffffff');
    assert.deepStrictEqual(
      shb.options.map((o) => [o.code, o.value.toString('utf8')]),
      [
        [
          1,
          'Socket Lab traffic of TCP → 127.0.0.1:61002 (e1). The payloads and times are the logged ones; the IP, ' +
            'TCP and UDP headers, handshakes, ACKs and FINs are synthesised (Unix sockets are shown as TCP on 127.x ' +
            'addresses). 3 older records had been dropped by the log cap and are not in it.',
        ],
        [4, 'Socket Lab'],
      ],
    );
    assert.strictEqual(idb.type, 1);
    assert.strictEqual(idb.head.toString('hex'), '6500' + '0000' + '00000000', 'LINKTYPE_RAW, no snapshot limit');
    assert.deepStrictEqual(
      idb.options.map((o) => [o.code, o.value.toString('hex')]),
      [
        [2, Buffer.from('socket-lab e1').toString('hex')],
        [9, '06'],
      ],
    );
  });

  it('the file comment says nothing of dropped records when none were dropped', () => {
    assert.strictEqual(
      exportComment({ id: 'e2', kind: 'udp', local: { address: '::1', port: 5000 }, dropped: 0 }),
      'Socket Lab traffic of UDP [::1]:5000 (e2). The payloads and times are the logged ones; the IP, TCP and UDP ' +
        'headers, handshakes, ACKs and FINs are synthesised (Unix sockets are shown as TCP on 127.x addresses).',
    );
  });

  it('a section comment longer than an option can hold is cut to 60,000 bytes; one of 60,000 is kept whole', () => {
    for (const [length, kept] of [
      [70_000, 60_000],
      [60_000, 60_000],
    ]) {
      const batch = new ByteBatch(() => assert.fail('one slab holds the header'));
      new PcapngEncoder(batch, { comment: 'c'.repeat(length), interfaceName: 'test' }, () => assert.fail('no record'));
      const [shb] = pcapngBlocks(batch.take()!);
      assert.deepStrictEqual(
        shb.options.map((o) => [o.code, o.value.length]),
        [
          [1, kept],
          [4, 10],
        ],
      );
      assert.ok(shb.options[0].value.equals(Buffer.alloc(kept, 'c')));
    }
  });

  it('a batch hands out what was written since the last take, and a new slab only when the next block does not fit', () => {
    const full: Buffer[] = [];
    const batch = new ByteBatch((c) => full.push(Buffer.from(c)), 8);
    assert.strictEqual(batch.take(), undefined, 'nothing written yet');
    assert.strictEqual(batch.pending, 0);
    // Writing goes on in the same slab after a take: pending counts from there.
    batch.append(Buffer.from('ab'));
    assert.strictEqual(batch.take()!.toString(), 'ab');
    batch.append(Buffer.from('c'));
    assert.strictEqual(batch.pending, 1);
    assert.strictEqual(batch.take()!.toString(), 'c');
    // A first block larger than a slab gets a slab of its own; nothing was pending, so nothing is handed on.
    batch.append(Buffer.from('0123456789'));
    assert.strictEqual(full.length, 0);
    assert.strictEqual(batch.pending, 10);
    assert.strictEqual(batch.take()!.toString(), '0123456789');
    assert.strictEqual(batch.take(), undefined, 'taken once');
    batch.append(Buffer.from('abc'));
    batch.append(Buffer.from('de'));
    assert.strictEqual(batch.pending, 5);
    assert.strictEqual(full.length, 0, 'the slab still has room');
    batch.append(Buffer.from('fghij'));
    // 'fghij' did not fit after 'abcde' in an 8-byte slab: the pending bytes went out whole.
    assert.deepStrictEqual(
      full.map((c) => c.toString()),
      ['abcde'],
    );
    // A slab is filled up to its last byte before it is handed on.
    batch.append(Buffer.from('klm'));
    assert.strictEqual(full.length, 1, 'an exactly full slab is not handed on');
    assert.strictEqual(batch.take()!.toString(), 'fghijklm');
  });

  it('32-bit FNV-1a of the reference strings', () => {
    // The FNV-1a test vectors of draft-eastlake-fnv.
    assert.strictEqual(fnv1a(''), 0x811c9dc5);
    assert.strictEqual(fnv1a('a'), 0xe40c292c);
    assert.strictEqual(fnv1a('foobar'), 0xbf9cf968);
  });

  it('a checksum whose words sum to exactly 0xffff folds to 0', () => {
    assert.strictEqual(internetChecksum(Uint8Array.of(0xff, 0xff)), 0);
    assert.strictEqual(internetChecksum(Uint8Array.of(0xf0, 0x0f, 0x0f, 0xf0)), 0);
  });

  it('address text: mapped IPv4 only after ::ffff, zones dropped, loopback only 127/8 and ::1', () => {
    assert.strictEqual(
      bytesToIp(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 20, 30, 40)),
      '::ffff:10.20.30.40',
    );
    assert.strictEqual(
      bytesToIp(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe, 10, 20, 30, 40)),
      '::fffe:a14:1e28',
    );
    assert.strictEqual(bytesToIp(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 20, 30, 40)), '::10.20.30.40');
    assert.deepStrictEqual(
      ipToBytes('::ffff:10.20.30.40%eth0'),
      Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 20, 30, 40),
    );
    assert.strictEqual(unmapIpv4('::ffff:10.20.30.40'), '10.20.30.40');
    assert.strictEqual(unmapIpv4('::FFFF:127.0.0.1'), '127.0.0.1');
    assert.strictEqual(unmapIpv4('1::ffff:10.20.30.40'), undefined);
    assert.strictEqual(unmapIpv4('::10.20.30.40'), undefined);
    assert.deepStrictEqual(
      ['127.0.0.1', '127.9.8.7', '::1', '::ffff:127.0.0.1', '::2', '10.0.0.1', '::', '0.0.0.0'].map(isLoopbackAddress),
      [true, true, true, true, false, false, false, false],
    );
  });

  describe('flows', () => {
    it("a client's own records have the key '', a connection's or peer's records their id", () => {
      assert.strictEqual(flowKey(record({})), '');
      assert.strictEqual(flowKey(record({ connectionId: 'e1.c2' })), 'e1.c2');
    });

    it('a TCP client opened its connection; its peer comes from the endpoint', () => {
      assert.deepStrictEqual(flowText(describeFlow(client, record({ peer: 'somewhere:1' }))), {
        transport: 'tcp',
        local: '127.0.0.1/61001',
        remote: '127.0.0.1/61002',
        localOpened: true,
      });
    });

    it("UDP: a connected socket opened the conversation; a record of another peer shows that peer, not the socket's remote", () => {
      const connected: EndpointInfo = {
        ...endpointBase,
        id: 'e3',
        kind: 'udp',
        state: 'connected',
        local: { address: '127.0.0.1', port: 7000 },
        remote: { address: '127.0.0.2', port: 7001 },
      };
      assert.deepStrictEqual(flowText(describeFlow(connected, record({ peer: '127.0.0.2:7001' }))), {
        transport: 'udp',
        local: '127.0.0.1/7000',
        remote: '127.0.0.2/7001',
        localOpened: true,
      });
      assert.deepStrictEqual(
        flowText(describeFlow(connected, record({ peer: '127.0.0.9:7002', connectionId: 'e3.p1' }))),
        { transport: 'udp', local: '127.0.0.1/7000', remote: '127.0.0.9/7002', localOpened: true },
      );
      const bound = { ...connected, remote: undefined };
      assert.deepStrictEqual(flowText(describeFlow(bound, record({ peer: '[::1]:7003', connectionId: 'e3.p2' }))), {
        transport: 'udp',
        local: '::1/7000',
        remote: '::1/7003',
        localOpened: false,
      });
    });

    it('a peer label that is not host:port shows as port 0 on the zero address of its family', () => {
      const listener = tcpListener('e4');
      const remoteOf = (peer: string) => flowText(describeFlow(listener, record({ peer, connectionId: 'e4.c1' })));
      const tcp = (remote: string, local = '127.0.0.1/5000') => ({
        transport: 'tcp',
        local,
        remote,
        localOpened: false,
      });
      assert.deepStrictEqual(remoteOf('not a label'), tcp('0.0.0.0/0'));
      assert.deepStrictEqual(remoteOf('fe80::1:80'), tcp('0.0.0.0/0'), 'IPv6 without brackets is not a label');
      assert.deepStrictEqual(remoteOf('localhost:80'), tcp('0.0.0.0/80'));
      assert.deepStrictEqual(remoteOf('x[::1]:80'), tcp('0.0.0.0/0'), 'text before the bracket');
      assert.deepStrictEqual(remoteOf('127.0.0.1:80x'), tcp('0.0.0.0/0'), 'text after the port');
      assert.deepStrictEqual(remoteOf('[::1]:80x'), tcp('0.0.0.0/0'), 'text after the bracketed port');
      assert.deepStrictEqual(remoteOf('[not:an:ip]:81'), tcp('::/81', '::/5000'));
    });

    it('a local address of the other family, or a wildcard before a non-loopback peer, shows as the family default', () => {
      const listener = (address: string) => tcpListener('e5', address);
      const local = (address: string, peer: string) =>
        bytesToIp(describeFlow(listener(address), record({ peer, connectionId: 'e5.c1' })).local.address);
      assert.strictEqual(local('::1', '127.0.0.3:1'), '127.0.0.1');
      assert.strictEqual(local('127.0.0.2', '[::1]:1'), '::1');
      assert.strictEqual(local('127.0.0.2', '127.0.0.3:1'), '127.0.0.2');
      assert.strictEqual(local('0.0.0.0', '10.0.0.5:1'), '0.0.0.0');
      assert.strictEqual(local('::', '[2001:db8::5]:1'), '::');
    });

    it('Unix: listener 127.a.b.1:40000, client n on 127.a.b.2:50000+n, the path from either end in every comment', () => {
      const path = '/tmp/lab.sock';
      // 127.a.b: a = 1 + FNV-1a(path) % 254, b = its second byte.
      const net = '127.104.18';
      const unixListener: EndpointInfo = {
        ...endpointBase,
        id: 'e6',
        kind: 'unix-listener',
        state: 'listening',
        local: { path },
      };
      assert.deepStrictEqual(flowText(describeFlow(unixListener, record({ connectionId: 'e6.c12' }))), {
        transport: 'tcp',
        local: `${net}.1/40000`,
        remote: `${net}.2/50012`,
        localOpened: false,
        comment: `Unix socket ${path}, connection e6.c12`,
      });
      assert.deepStrictEqual(
        flowText(describeFlow(unixListener, record({ connectionId: 'e6.c7000' }))).remote,
        `${net}.2/50001`,
      );
      const unixClient: EndpointInfo = {
        ...endpointBase,
        id: 'e7',
        kind: 'unix-client',
        state: 'connected',
        remote: { path },
      };
      assert.deepStrictEqual(flowText(describeFlow(unixClient, record({}))), {
        transport: 'tcp',
        local: `${net}.2/50000`,
        remote: `${net}.1/40000`,
        localOpened: true,
        comment: `Unix socket ${path}`,
      });
      const nowhere: EndpointInfo = { ...endpointBase, id: 'e8', kind: 'unix-client', state: 'connected' };
      assert.deepStrictEqual(flowText(describeFlow(nowhere, record({}))), {
        transport: 'tcp',
        local: '127.132.157.2/50000',
        remote: '127.132.157.1/40000',
        localOpened: true,
        comment: 'Unix socket ',
      });
    });
  });
});
