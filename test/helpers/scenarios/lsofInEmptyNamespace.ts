/**
 * Run by systemPortsEdgeCases.test.ts inside a fresh network namespace, where lsof finds no socket and exits
 * with 1: lists the ports the macOS way and prints the rows, or the error, as one JSON object.
 */
import { readSystemPorts } from '../../../src/core/ports';

readSystemPorts({ platform: 'darwin' }).then(
  (rows) => process.stdout.write(JSON.stringify({ rows })),
  (err: Error) => process.stdout.write(JSON.stringify({ error: err.message })),
);
