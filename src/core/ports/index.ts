/** System ports: who listens on which port of this machine, and who holds a port a start found in use. */
export * from './systemPort';
export * from './readSystemPorts';
export * from './matchOwnEndpoints';
export * from './portHolder';
export { readLinuxPorts } from './linuxPorts';
export { parseLsof } from './lsofParser';
export { parseNetstat, parseTasklist, nameProcesses } from './windowsNetstat';
export { parseProcNet } from './procNetParser';
