/**
 * Turns traffic records into pcapng packets: per TCP connection a SYN / SYN-ACK / ACK, data segments whose
 * sequence and acknowledgement numbers follow the bytes, an ACK before a side sends again with data
 * unacknowledged (so no segment ever overruns the advertised window), FIN or RST when a side closed; per
 * UDP datagram one packet. Records over MAX_SEGMENT_BYTES become several segments.
 */
import { PCAP_MAX_FLOWS } from '../../shared/limits';
import { TrafficRecord } from '../../shared/model';
import { ByteBatch } from './byteBatch';
import {
  MAX_SEGMENT_BYTES,
  PacketRoute,
  TCP_ACK,
  TCP_FIN,
  TCP_PSH,
  TCP_RST,
  TCP_SYN,
  headerLength,
  writeTcpHeaders,
  writeUdpHeaders,
} from './ipPackets';
import { Flow, flowKey, fnv1a } from './packetFlows';
import { commentOption, interfaceDescriptionBlock, sectionHeaderBlock, writePacketBlock } from './pcapngBlocks';

/** Socket Lab's side of a flow (0) or the other program's (1). */
type Side = 0 | 1;
const LOCAL: Side = 0;
const REMOTE: Side = 1;

/** Largest UDP payload a synthesised IPv4 datagram can carry; bigger ones are cut (no real datagram is). */
const MAX_UDP_PAYLOAD = 65_507;

interface FlowState {
  flow: Flow;
  /** Routes from side 0 and from side 1. */
  routes: [PacketRoute, PacketRoute];
  comment?: Buffer;
  /** TCP: the handshake has been written. */
  opened: boolean;
  /** TCP: the next sequence number of each side. */
  seq: [number, number];
  /** TCP: everything side s sent has been acknowledged by the other side. */
  acked: [boolean, boolean];
  /** TCP: side s sent its FIN. */
  ended: [boolean, boolean];
  ipId: number;
}

/** How a side closed: FIN (orderly) or RST (reset). */
export type CloseKind = 'fin' | 'rst';

/** What the file says about itself. */
export interface EncoderHeader {
  /** The section comment (shown by Wireshark as the capture file comment). */
  comment?: string;
  /** The interface name (e.g. the endpoint's name). */
  interfaceName: string;
}

/** Packets written so far. */
export interface EncoderCounts {
  packets: number;
  records: number;
}

/** Writes pcapng blocks for one endpoint's records into a ByteBatch. */
export class PcapngEncoder {
  private readonly _flows = new Map<string, FlowState>();
  private readonly _counts: EncoderCounts = { packets: 0, records: 0 };

  /**
   * Writes the section header and the interface at once; `describe` names the flow of a record the first
   * time its key is seen. `initialSequence` only changes where sequence numbers start (tests start them
   * just below 2^32 to exercise wrapping); by default they come from the flow's key.
   */
  constructor(
    private readonly _batch: ByteBatch,
    header: EncoderHeader,
    private readonly _describe: (record: TrafficRecord) => Flow,
    private readonly _initialSequence: (key: string) => [number, number] = hashedSequence,
  ) {
    _batch.append(sectionHeaderBlock('Socket Lab', header.comment));
    _batch.append(interfaceDescriptionBlock(header.interfaceName));
  }

  /** Packets and records written so far. */
  get counts(): Readonly<EncoderCounts> {
    return this._counts;
  }

  /** Writes the packets of one record (and the handshake before the first record of a TCP connection). */
  write(record: TrafficRecord): void {
    const state = this._state(record);
    const timeUs = Math.round(record.time * 1000);
    const side: Side = record.direction === 'out' ? LOCAL : REMOTE;
    this._counts.records++;
    if (state.flow.transport === 'udp') {
      const data = record.data.length > MAX_UDP_PAYLOAD ? record.data.subarray(0, MAX_UDP_PAYLOAD) : record.data;
      this._udp(state, side, data, timeUs);
      return;
    }
    if (!state.opened) this._open(state, timeUs);
    const data = record.data;
    for (let at = 0; at < data.length; at += MAX_SEGMENT_BYTES) {
      if (!state.acked[side]) this._tcp(state, (1 - side) as Side, TCP_ACK, timeUs);
      this._tcp(state, side, TCP_PSH | TCP_ACK, timeUs, data.subarray(at, at + MAX_SEGMENT_BYTES));
    }
  }

  /**
   * Accounts for a record that could not be written (the disk fell behind): later segments keep their
   * true sequence numbers, so Wireshark shows the gap instead of a rewritten stream.
   */
  skip(record: TrafficRecord): void {
    const state = this._flows.get(flowKey(record));
    if (!state || state.flow.transport === 'udp' || !state.opened) return;
    const side: Side = record.direction === 'out' ? LOCAL : REMOTE;
    state.seq[side] = (state.seq[side] + record.data.length) >>> 0;
  }

  /**
   * Writes the close of one side of the TCP connection `key` (a record's connectionId, '' for a client's
   * own): a FIN acknowledged by the other side, or a RST that ends the connection. Nothing for UDP, for a
   * connection never written, or a side already closed.
   */
  close(key: string, side: 'local' | 'remote', kind: CloseKind, timeMs: number): void {
    const state = this._flows.get(key);
    if (!state || state.flow.transport === 'udp' || !state.opened) return;
    const s: Side = side === 'local' ? LOCAL : REMOTE;
    if (state.ended[s]) return;
    const timeUs = Math.round(timeMs * 1000);
    if (kind === 'rst') {
      this._tcp(state, s, TCP_RST | TCP_ACK, timeUs);
      this._flows.delete(key);
      return;
    }
    this._tcp(state, s, TCP_FIN | TCP_ACK, timeUs);
    state.ended[s] = true;
    this._tcp(state, (1 - s) as Side, TCP_ACK, timeUs);
    if (state.ended[1 - s]) this._flows.delete(key);
  }

  private _state(record: TrafficRecord): FlowState {
    const key = flowKey(record);
    const known = this._flows.get(key);
    if (known) return known;
    const flow = this._describe(record);
    const { local, remote } = flow;
    const seq = this._initialSequence(key);
    const state: FlowState = {
      flow,
      routes: [
        { src: local.address, dst: remote.address, srcPort: local.port, dstPort: remote.port },
        { src: remote.address, dst: local.address, srcPort: remote.port, dstPort: local.port },
      ],
      comment: commentOption(flow.comment),
      opened: false,
      seq: [seq[0] >>> 0, seq[1] >>> 0],
      acked: [true, true],
      ended: [false, false],
      ipId: (seq[0] ^ seq[1]) & 0xffff,
    };
    if (this._flows.size >= PCAP_MAX_FLOWS) {
      // Bounded memory over a long capture: forget the flow seen first (it gets a new handshake if it comes back).
      this._flows.delete(this._flows.keys().next().value as string);
    }
    this._flows.set(key, state);
    return state;
  }

  private _open(state: FlowState, timeUs: number): void {
    const client: Side = state.flow.localOpened ? LOCAL : REMOTE;
    const server = (1 - client) as Side;
    this._tcp(state, client, TCP_SYN, timeUs);
    this._tcp(state, server, TCP_SYN | TCP_ACK, timeUs);
    this._tcp(state, client, TCP_ACK, timeUs);
    state.opened = true;
  }

  /** Writes one TCP segment from `side` and advances the state by what it carries. */
  private _tcp(state: FlowState, side: Side, flags: number, timeUs: number, payload: Uint8Array = EMPTY): void {
    const other = (1 - side) as Side;
    const route = state.routes[side];
    const fields = { seq: state.seq[side], ack: state.seq[other], flags };
    const ipId = state.ipId++ & 0xffff;
    writePacketBlock(
      this._batch,
      timeUs,
      side === LOCAL ? 'out' : 'in',
      headerLength(route, 'tcp'),
      payload,
      (out, at) => writeTcpHeaders(out, at, route, fields, payload, ipId),
      state.comment,
    );
    this._counts.packets++;
    const consumed = payload.length + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
    state.seq[side] = (state.seq[side] + consumed) >>> 0;
    if (consumed) state.acked[side] = false;
    if (flags & TCP_ACK) state.acked[other] = true;
  }

  private _udp(state: FlowState, side: Side, payload: Uint8Array, timeUs: number): void {
    const route = state.routes[side];
    const ipId = state.ipId++ & 0xffff;
    writePacketBlock(
      this._batch,
      timeUs,
      side === LOCAL ? 'out' : 'in',
      headerLength(route, 'udp'),
      payload,
      (out, at) => writeUdpHeaders(out, at, route, payload, ipId),
      state.comment,
    );
    this._counts.packets++;
  }
}

const EMPTY = new Uint8Array(0);

/** Initial sequence numbers from the key: exports of the same log come out the same. */
function hashedSequence(key: string): [number, number] {
  const h = fnv1a(key);
  return [h, Math.imul(h ^ 0x5bd1e995, 0x27d4eb2d) >>> 0];
}
