/** Lists this machine's listening TCP and bound UDP sockets the way its OS allows: /proc, lsof, or netstat + tasklist. */
import { execFile } from 'child_process';
import { SocketLabError } from '../../shared/errors';
import { readLinuxPorts } from './linuxPorts';
import { parseLsof } from './lsofParser';
import { SystemPort, sortPorts } from './systemPort';
import { nameProcesses, parseNetstat, parseTasklist } from './windowsNetstat';

/** A listing command that does not answer within this time is stopped and reported. */
export const PORTS_COMMAND_TIMEOUT_MS = 10_000;
/** Most output read from one listing command. */
const PORTS_COMMAND_MAX_BYTES = 32 * 1024 * 1024;

/** Options of a listing; `protocols` narrows it (findPortHolder reads only what it needs). */
export interface ReadPortsOptions {
  protocols?: ReadonlyArray<'tcp' | 'udp'>;
  /** The OS to list for (default process.platform); tests ask for another to see its refusal. */
  platform?: NodeJS.Platform;
}

/**
 * The listening TCP and bound UDP sockets of this machine (of its network namespace on Linux), sorted by
 * port, with the owning process where this user may see it. Rejects with a SocketLabError on an OS it
 * cannot list, or when the listing command fails.
 */
export async function readSystemPorts(options: ReadPortsOptions = {}): Promise<SystemPort[]> {
  const protocols = options.protocols ?? ['tcp', 'udp'];
  const platform = options.platform ?? process.platform;
  switch (platform) {
    case 'linux':
    case 'android':
      return readLinuxPorts({ protocols });
    case 'darwin':
    case 'freebsd':
    case 'openbsd': {
      const out: SystemPort[] = [];
      // Two calls: lsof ANDs a state filter with every -i, so one call with both drops the UDP sockets.
      if (protocols.includes('tcp')) out.push(...parseLsof(await runLsof(['-iTCP', '-sTCP:LISTEN']), 'tcp'));
      if (protocols.includes('udp')) out.push(...parseLsof(await runLsof(['-iUDP']), 'udp'));
      return sortPorts(out);
    }
    case 'win32': {
      const [netstat, tasklist] = await Promise.all([
        run('netstat', ['-ano']),
        run('tasklist', ['/FO', 'CSV', '/NH']).catch(() => ''), // names are a bonus: pids alone still answer
      ]);
      const ports = parseNetstat(netstat).filter((p) => protocols.includes(p.protocol));
      return sortPorts(nameProcesses(ports, parseTasklist(tasklist)));
    }
    default:
      throw SocketLabError.create(
        'unsupportedPlatform',
        'Listing the ports of this machine is not supported on {platform}; Socket Lab lists them on Linux, macOS and Windows.',
        { platform },
      );
  }
}

/** lsof exits with 1 when nothing matched: that is an empty answer, not a failure. */
function runLsof(filter: string[]): Promise<string> {
  return run('lsof', ['-nP', ...filter, '-FpcPtn'], [1]);
}

/** Runs a listing command and resolves with its output; exit codes in `okCodes` also count as success. */
function run(command: string, args: string[], okCodes: number[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout: PORTS_COMMAND_TIMEOUT_MS, maxBuffer: PORTS_COMMAND_MAX_BYTES, windowsHide: true, encoding: 'utf8' },
      (err, stdout) => {
        if (!err || (typeof err.code === 'number' && okCodes.includes(err.code))) {
          resolve(stdout);
          return;
        }
        const detail = err.killed ? `no answer within ${PORTS_COMMAND_TIMEOUT_MS} ms` : String(err.code ?? err.message);
        reject(
          SocketLabError.create(
            'systemPortsFailed',
            'Listing the ports of this machine failed: {command} did not run ({detail}).',
            { command, detail },
          ),
        );
      },
    );
  });
}
