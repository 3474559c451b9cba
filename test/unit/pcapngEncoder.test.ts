/**
 * The packets the pcapng encoder synthesises, read back field by field: the handshake, sequence and
 * acknowledgement numbers, the ACK before a side sends again, FIN and RST, skipped records, UDP datagrams,
 * timestamps, direction flags, IP ids, and the bound on the flows it remembers.
 */
import * as assert from 'assert';
import '../helpers/noLeaks';
import { client, endpointBase, tcpListener } from '../helpers/pcapFixtures';
import { PcapngPacket, pcapngPackets } from '../helpers/pcapngReader';

import { ByteBatch } from '../../src/core/pcap/byteBatch';
import { describeFlow } from '../../src/core/pcap/packetFlows';
import { PcapngEncoder } from '../../src/core/pcap/pcapngEncoder';
import { PCAP_MAX_FLOWS } from '../../src/shared/limits';
import type { EndpointInfo, TrafficRecord } from '../../src/shared/model';

/** An encoder for `endpoint` writing into a batch; `file()` is everything written so far. */
function encoderOf(endpoint: EndpointInfo, initialSequence?: (key: string) => [number, number]) {
  const chunks: Buffer[] = [];
  const batch = new ByteBatch((c) => chunks.push(Buffer.from(c)));
  const encoder = new PcapngEncoder(
    batch,
    { interfaceName: 'test' },
    (r) => describeFlow(endpoint, r),
    initialSequence,
  );
  const file = () => {
    const rest = batch.take();
    if (rest) chunks.push(Buffer.from(rest));
    return Buffer.concat(chunks);
  };
  return { encoder, file };
}

/** An IPv4 TCP packet as 'port flags seq ack payload' (flags in hex), the fields these tests compare. */
function segment(p: PcapngPacket): string {
  const t = 20;
  const b = p.packet;
  const payload = b.subarray(t + 20).toString('latin1');
  const flags = b[t + 13].toString(16).padStart(2, '0');
  return `${b.readUInt16BE(t)} ${flags} ${b.readUInt32BE(t + 4)} ${b.readUInt32BE(t + 8)}${payload ? ` ${payload}` : ''}`;
}

const out = (data: string, time = 1): TrafficRecord => ({ time, direction: 'out', peer: '', data: Buffer.from(data) });
const inn = (data: string, time = 1): TrafficRecord => ({ time, direction: 'in', peer: '', data: Buffer.from(data) });

describe('pcapng encoder', () => {
  it('TCP: handshake, data with exact sequence and ack numbers, an ACK before a side sends again, FINs, then a new handshake', () => {
    const { encoder, file } = encoderOf(client, () => [1000, 5000]);
    encoder.write(out('abc'));
    encoder.write(out('de'));
    encoder.write(inn('xyz'));
    encoder.close('', 'local', 'fin', 2);
    encoder.close('', 'local', 'fin', 2); // a side closes once
    encoder.close('', 'remote', 'fin', 2);
    encoder.close('', 'remote', 'fin', 2); // the connection is over: nothing more
    encoder.write(out('again'));
    assert.deepStrictEqual(pcapngPackets(file()).map(segment), [
      '61001 02 1000 0', // SYN (no ACK flag: ack field 0)
      '61002 12 5000 1001', // SYN-ACK
      '61001 10 1001 5001', // ACK
      '61001 18 1001 5001 abc',
      '61002 10 5001 1004', // the peer acknowledges 'abc' before we send again
      '61001 18 1004 5001 de',
      '61002 18 5001 1006 xyz', // the peer's data acknowledges 'de'
      '61001 11 1006 5004', // our FIN
      '61002 10 5004 1007',
      '61002 11 5004 1007', // the peer's FIN
      '61001 10 1007 5005',
      '61001 02 1000 0', // both sides closed: the flow starts over
      '61002 12 5000 1001',
      '61001 10 1001 5001',
      '61001 18 1001 5001 again',
    ]);
    assert.deepStrictEqual(encoder.counts, { records: 4, packets: 15 });
    // Closes carry the time they were given, in microseconds.
    assert.deepStrictEqual(
      pcapngPackets(file()).map((p) => p.timestampLow),
      [1000, 1000, 1000, 1000, 1000, 1000, 1000, 2000, 2000, 2000, 2000, 1000, 1000, 1000, 1000],
    );
  });

  it('TCP: a listener is opened by its peer; a RST ends the connection and the next record opens a new one', () => {
    const listener = tcpListener('e2');
    const { encoder, file } = encoderOf(listener, () => [7, 9]);
    const r = (data: string, direction: 'in' | 'out'): TrafficRecord => ({
      time: 1,
      direction,
      peer: '127.0.0.1:40000',
      connectionId: 'e2.c1',
      data: Buffer.from(data),
    });
    encoder.close('e2.c1', 'remote', 'fin', 1); // never written: nothing
    encoder.write(r('q', 'in'));
    encoder.close('e2.c1', 'remote', 'rst', 2);
    encoder.close('e2.c1', 'local', 'fin', 2); // forgotten after the RST: nothing
    encoder.write(r('z', 'out'));
    assert.deepStrictEqual(pcapngPackets(file()).map(segment), [
      '40000 02 9 0',
      '5000 12 7 10',
      '40000 10 10 8',
      '40000 18 10 8 q',
      '40000 14 11 8', // RST-ACK from the peer
      '40000 02 9 0',
      '5000 12 7 10',
      '40000 10 10 8',
      '5000 18 8 10 z',
    ]);
  });

  it('a skipped record moves its side on by its length once the flow is open; before that it is ignored', () => {
    const { encoder, file } = encoderOf(client, () => [100, 200]);
    encoder.skip(out('lost before the handshake'));
    encoder.write(out('a'));
    encoder.skip(out('12345'));
    encoder.skip(inn('123'));
    encoder.write(inn('b'));
    assert.deepStrictEqual(pcapngPackets(file()).map(segment).slice(3), [
      '61001 18 101 201 a',
      '61002 18 204 107 b', // 3 + 5 bytes never written: the numbers jump past them
    ]);
    assert.deepStrictEqual(encoder.counts, { records: 2, packets: 5 });
  });

  it('timestamps in microseconds (rounded) across both words, direction flags, IP ids counting up from the flow', () => {
    const { encoder, file } = encoderOf(client, () => [0x12345, 0x54321]);
    encoder.write(out('a', 1_700_000_000_123 + 0.4567));
    encoder.write(inn('b', 1_700_000_000_124.25));
    const packets = pcapngPackets(file());
    const us = (p: PcapngPacket) => p.timestampHigh * 2 ** 32 + p.timestampLow;
    assert.deepStrictEqual(
      packets.map(us),
      [
        1_700_000_000_123_457, 1_700_000_000_123_457, 1_700_000_000_123_457, 1_700_000_000_123_457,
        1_700_000_000_124_250,
      ],
    );
    assert.strictEqual(packets[0].timestampHigh, 395812);
    // epb_flags: inbound 1, outbound 2, as the packets' senders say.
    assert.deepStrictEqual(
      packets.map((p) => p.options.map((o) => [o.code, o.value.readUInt32LE(0)])),
      [[[2, 2]], [[2, 1]], [[2, 2]], [[2, 2]], [[2, 1]]],
    );
    const first = (0x12345 ^ 0x54321) & 0xffff;
    assert.deepStrictEqual(
      packets.map((p) => p.packet.readUInt16BE(4)),
      [0, 1, 2, 3, 4].map((i) => first + i),
    );
    assert.deepStrictEqual(
      packets.map((p) => [p.capturedLength, p.originalLength, p.interfaceId]),
      [
        [40, 40, 0],
        [40, 40, 0],
        [40, 40, 0],
        [41, 41, 0],
        [41, 41, 0],
      ],
    );
  });

  it('the initial sequence numbers come from the key: the same log exports the same, each side and flow its own', () => {
    const first = encoderOf(client);
    first.encoder.write(out('a'));
    const again = encoderOf(client);
    again.encoder.write(out('a'));
    assert.deepStrictEqual(first.file(), again.file());
    const [syn, synAck] = pcapngPackets(first.file()).map(segment);
    // FNV-1a of '' and its mix: pinned, so a change of where numbers start is a deliberate one.
    assert.strictEqual(syn, `61001 02 ${0x811c9dc5} 0`);
    assert.strictEqual(synAck, `61002 12 ${Math.imul(0x811c9dc5 ^ 0x5bd1e995, 0x27d4eb2d) >>> 0} ${0x811c9dc5 + 1}`);
  });

  it('UDP: one packet per record, cut at 65,507 bytes, never a handshake or a close', () => {
    const udp: EndpointInfo = {
      ...endpointBase,
      id: 'e3',
      kind: 'udp',
      state: 'listening',
      local: { address: '127.0.0.1', port: 7000 },
    };
    const { encoder, file } = encoderOf(udp);
    const r = (length: number, direction: 'in' | 'out'): TrafficRecord => ({
      time: 1,
      direction,
      peer: '127.0.0.1:7001',
      connectionId: 'e3.p1',
      data: Buffer.alloc(length, 0x75),
    });
    encoder.write(r(70_000, 'in'));
    encoder.write(r(65_507, 'out'));
    encoder.skip(r(10, 'in'));
    encoder.close('e3.p1', 'local', 'fin', 2);
    encoder.close('e3.p1', 'remote', 'rst', 2);
    encoder.write(r(0, 'in'));
    const packets = pcapngPackets(file());
    assert.deepStrictEqual(
      packets.map((p) => [p.packet[9], p.packet.readUInt16BE(20), p.packet.readUInt16BE(24), p.capturedLength]),
      [
        [17, 7001, 65_515, 65_535],
        [17, 7000, 65_515, 65_535],
        [17, 7001, 8, 28],
      ],
    );
    assert.ok(packets[0].packet.subarray(28).equals(Buffer.alloc(65_507, 0x75)));
    // epb_flags inbound (1) or outbound (2); IP ids counting up.
    assert.deepStrictEqual(
      packets.map((p) => p.options.map((o) => o.value.readUInt32LE(0))),
      [[1], [2], [1]],
    );
    const id = packets[0].packet.readUInt16BE(4);
    assert.deepStrictEqual(
      packets.map((p) => p.packet.readUInt16BE(4)),
      [id, (id + 1) & 0xffff, (id + 2) & 0xffff],
    );
    assert.deepStrictEqual(encoder.counts, { records: 3, packets: 3 });
  });

  it(`remembers at most ${PCAP_MAX_FLOWS} flows: the one seen first is forgotten and opens anew when it comes back`, function () {
    this.timeout(60000);
    const listener = tcpListener('e4');
    let handshakes = 0;
    const chunks: Buffer[] = [];
    const batch = new ByteBatch((c) => chunks.push(Buffer.from(c)));
    const encoder = new PcapngEncoder(batch, { interfaceName: 'test' }, (r) => {
      handshakes++;
      return describeFlow(listener, r);
    });
    const r = (n: number): TrafficRecord => ({
      time: 1,
      direction: 'in',
      peer: `127.0.0.1:${10_000 + (n % 50_000)}`,
      connectionId: `e4.c${n}`,
      data: new Uint8Array(0),
    });
    for (let n = 1; n <= PCAP_MAX_FLOWS; n++) encoder.write(r(n));
    encoder.write(r(2)); // still known
    assert.strictEqual(handshakes, PCAP_MAX_FLOWS);
    encoder.write(r(PCAP_MAX_FLOWS + 1)); // one too many: e4.c1 is forgotten
    encoder.write(r(2));
    assert.strictEqual(handshakes, PCAP_MAX_FLOWS + 1);
    encoder.write(r(1));
    assert.strictEqual(handshakes, PCAP_MAX_FLOWS + 2);
    assert.strictEqual(encoder.counts.packets, 3 * (PCAP_MAX_FLOWS + 2));
  });
});
