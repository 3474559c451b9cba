/**
 * Run by systemPorts.test.ts as another user (setpriv): lists the system ports through the real core and
 * prints its uid and the rows of the ports named in argv[2] (JSON [{protocol, port}]) as one JSON object.
 */
import { readSystemPorts } from '../../../src/core/ports';

const wanted = JSON.parse(process.argv[2]) as { protocol: string; port: number }[];
readSystemPorts().then(
  (ports) => {
    const rows = ports.filter((p) => wanted.some((w) => w.protocol === p.protocol && w.port === p.port));
    process.stdout.write(JSON.stringify({ uid: process.getuid?.(), rows }));
  },
  (err: Error) => process.stdout.write(JSON.stringify({ error: err.message })),
);
