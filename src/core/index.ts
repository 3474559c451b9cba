/** The pure-Node core of Socket Lab: the registry, endpoints, codecs, traffic log and errors. */
export * from '../shared/model';
export * from '../shared/errors';
export * from '../shared/valueWords';
export * from './lifecycle';
export * from './event';
export * from './trafficLog';
export * from './capture';
export * from './systemErrors';
export * from './codec';
export * from './validate';
export * from './autoReply';
export * from './endpoint';
export * from './tcpListener';
export * from './tcpClient';
export * from './udpSocket';
export * from './repeat';
export * from './socketLab';
