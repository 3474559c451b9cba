/**
 * The parts of the pcapng writer on their own: the Internet checksum, address bytes, the closes a snapshot
 * implies, sequence numbers wrapping past 2^32, and that the tshark checks used elsewhere do catch a bad file.
 */
import * as assert from 'assert';
import * as fc from 'fast-check';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { client, tcpListener } from '../helpers/pcapFixtures';
import { requirePeer } from '../helpers/require';
import { tempDir } from '../helpers/tempDir';
import { badChecksums, expertProblems, fields, followTcp } from '../helpers/tshark';

import { bytesToIp, ipToBytes } from '../../src/core/ipAddressBytes';
import { internetChecksum } from '../../src/core/pcap/internetChecksum';
import { ByteBatch } from '../../src/core/pcap/byteBatch';
import { closesOf, exportPcapng } from '../../src/core/pcap/exportPcapng';
import { describeFlow } from '../../src/core/pcap/packetFlows';
import { PcapngEncoder } from '../../src/core/pcap/pcapngEncoder';
import type { TrafficRecord } from '../../src/shared/model';

describe('pcapng parts', () => {
  it('the Internet checksum of the RFC 1071 example, odd lengths padded with zero', () => {
    // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (after the carry), checksum 220d.
    assert.strictEqual(internetChecksum(Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7)), 0x220d);
    assert.strictEqual(internetChecksum(Uint8Array.of(0xab)), ~0xab00 & 0xffff);
    // Split into parts (even lengths first) or summed at once: the same.
    const data = Uint8Array.from({ length: 1001 }, (_, i) => (i * 37) & 0xff);
    assert.strictEqual(internetChecksum(data.subarray(0, 500), data.subarray(500)), internetChecksum(data));
  });

  it('address bytes and text agree with how Node writes socket addresses (property)', () => {
    const word = fc.oneof(fc.constant(0), fc.constant(0xffff), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(word, { minLength: 8, maxLength: 8 }), (words) => {
        const bytes = Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
        const expanded = words.map((w) => w.toString(16)).join(':');
        const node = new net.SocketAddress({ address: expanded, family: 'ipv6' }).address;
        assert.strictEqual(bytesToIp(bytes), node);
        assert.deepStrictEqual(ipToBytes(node), bytes);
      }),
      { numRuns: 2000 },
    );
    assert.deepStrictEqual(ipToBytes('127.0.0.1'), Uint8Array.of(127, 0, 0, 1));
    assert.deepStrictEqual(ipToBytes('fe80::1%lo'), ipToBytes('fe80::1'));
    assert.strictEqual(ipToBytes('not an address'), undefined);
    assert.strictEqual(bytesToIp(Uint8Array.of(10, 0, 0, 255)), '10.0.0.255');
  });

  it('the closes a snapshot implies: FINs in the likely order, our FIN on a close without one, RST on a reset', () => {
    const fin = (side: string) => ({ side, kind: 'fin' });
    // A listener's connection: the peer's FIN came first (the listener answers it).
    assert.deepStrictEqual(closesOf({ state: 'closed', peerEnded: true, localEnded: true }, true), [
      fin('remote'),
      fin('local'),
    ]);
    // A client that half-closed: its FIN first.
    assert.deepStrictEqual(closesOf({ state: 'closed', peerEnded: true, localEnded: true }, false), [
      fin('local'),
      fin('remote'),
    ]);
    assert.deepStrictEqual(closesOf({ state: 'connected', peerEnded: true }, false), [fin('remote')]);
    assert.deepStrictEqual(closesOf({ state: 'connected' }, true), []);
    // Stopped by the user: our socket closed (a FIN), the peer's end unknown.
    assert.deepStrictEqual(closesOf({ state: 'closed' }, true), [fin('local')]);
    assert.deepStrictEqual(closesOf({ state: 'error', errorValues: { systemCode: 'ECONNRESET' } }, false), [
      { side: 'remote', kind: 'rst' },
    ]);
  });

  it('a listener on 0.0.0.0 or :: shows the loopback address its loopback peers reached; IPv4-mapped peers as IPv4', () => {
    const listener = (address: string) => tcpListener('e1', address);
    const record = (peer: string): TrafficRecord => ({
      time: 1,
      direction: 'in',
      peer,
      data: new Uint8Array(1),
      connectionId: 'e1.c1',
    });
    const text = (f: ReturnType<typeof describeFlow>) => [bytesToIp(f.local.address), bytesToIp(f.remote.address)];
    assert.deepStrictEqual(text(describeFlow(listener('0.0.0.0'), record('127.0.0.5:40000'))), [
      '127.0.0.1',
      '127.0.0.5',
    ]);
    assert.deepStrictEqual(text(describeFlow(listener('::'), record('[::1]:40000'))), ['::1', '::1']);
    assert.deepStrictEqual(text(describeFlow(listener('::'), record('[::ffff:127.0.0.1]:40000'))), [
      '127.0.0.1',
      '127.0.0.1',
    ]);
    // The connection's own addresses win when it is known.
    const connection = {
      remote: { address: '::ffff:10.1.2.3', port: 40000 },
      local: { address: '::ffff:10.1.2.4', port: 5000 },
    };
    assert.deepStrictEqual(text(describeFlow(listener('::'), record('ignored:1'), connection)), [
      '10.1.2.4',
      '10.1.2.3',
    ]);
  });

  describe('read back by tshark', function () {
    this.timeout(30000);
    let t: ReturnType<typeof tempDir>;
    before(function () {
      requirePeer(this, 'tshark');
    });
    beforeEach(() => (t = tempDir()));
    afterEach(() => t.remove());

    it('sequence numbers wrap past 2^32 and the streams still rebuild exactly', () => {
      const file = path.join(t.dir, 'wrap.pcapng');
      const chunks: Buffer[] = [];
      const batch = new ByteBatch((c) => chunks.push(c), 64 * 1024);
      // Both sides start 100,000 bytes below the wrap; each sends 3 x 70,000 bytes.
      const start = 2 ** 32 - 100_000;
      const encoder = new PcapngEncoder(
        batch,
        { interfaceName: 'test' },
        (r) => describeFlow(client, r),
        () => [start, start + 1],
      );
      const sent = { out: [] as Buffer[], in: [] as Buffer[] };
      for (let i = 0; i < 6; i++) {
        const direction = i % 2 ? 'in' : 'out';
        const data = Buffer.alloc(70_000, 0x30 + i);
        sent[direction].push(data);
        encoder.write({ time: 1_700_000_000_000 + i, direction, peer: '127.0.0.1:61002', data });
      }
      encoder.close('', 'local', 'fin', 1_700_000_000_010);
      encoder.close('', 'remote', 'fin', 1_700_000_000_010);
      chunks.push(batch.take()!);
      fs.writeFileSync(file, Buffer.concat(chunks));
      const raw = fields(file, ['tcp.seq_raw'], 'tcp.len > 0').map((r) => Number(r[0]));
      assert.ok(
        raw.some((s) => s < 100_000),
        'no segment started after the wrap',
      );
      const f = followTcp(file, 0);
      assert.deepStrictEqual(f.from0, Buffer.concat(sent.out));
      assert.deepStrictEqual(f.from1, Buffer.concat(sent.in));
      assert.deepStrictEqual(expertProblems(file), []);
      assert.deepStrictEqual(badChecksums(file), []);
    });

    it('the checks catch a damaged file: a changed payload byte or IP header byte fails its checksum', async () => {
      const file = path.join(t.dir, 'good.pcapng');
      const data = Buffer.from('checksummed payload');
      await exportPcapng(client, [{ time: 1_700_000_000_000, direction: 'out', peer: '127.0.0.1:61002', data }], file);
      assert.deepStrictEqual(badChecksums(file), []);
      const bytes = fs.readFileSync(file);
      const at = bytes.indexOf(data);
      const damaged = path.join(t.dir, 'damaged.pcapng');
      const payloadChanged = Buffer.from(bytes);
      payloadChanged[at] ^= 0x01;
      fs.writeFileSync(damaged, payloadChanged);
      assert.deepStrictEqual(
        badChecksums(damaged).map((r) => r.slice(2, 3)),
        [['0']],
        'a bad TCP checksum (status 0) in one packet',
      );
      const ttlChanged = Buffer.from(bytes);
      ttlChanged[at - 40 + 8] ^= 0x01; // the TTL of the same packet's IPv4 header
      fs.writeFileSync(damaged, ttlChanged);
      assert.deepStrictEqual(
        badChecksums(damaged).map((r) => r[1]),
        ['0'],
        'a bad IPv4 header checksum in one packet',
      );
    });
  });
});
