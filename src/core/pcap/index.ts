/** pcapng for Wireshark: export of an endpoint's log, and capture as a stream. */
export * from './exportPcapng';
export * from './pcapngCapture';
export * from './pcapngEncoder';
export * from './packetFlows';
export { LINKTYPE_RAW } from './pcapngBlocks';
export { MAX_SEGMENT_BYTES } from './ipPackets';
