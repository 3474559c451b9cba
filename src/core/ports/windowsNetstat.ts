/**
 * Parses Windows' `netstat -ano` and `tasklist /FO CSV /NH`. Headings and state words are translated into
 * the system's language, so a listening TCP socket is told by its foreign address (0.0.0.0:0 or [::]:0),
 * never by the word LISTENING; every UDP line is a bound socket.
 */
import { SystemPort } from './systemPort';

/** The listening TCP and bound UDP sockets of `netstat -ano` output, with their pids. */
export function parseNetstat(text: string): SystemPort[] {
  const out: SystemPort[] = [];
  for (const line of text.split(/\r?\n/)) {
    const f = line.trim().split(/\s+/);
    const protocol = f[0]?.toLowerCase();
    if ((protocol !== 'tcp' && protocol !== 'udp') || f.length < 4) continue;
    const pid = Number(f[f.length - 1]);
    const local = parseEndpoint(f[1]);
    if (!local || !Number.isSafeInteger(pid)) continue;
    if (protocol === 'tcp' && !/^(0\.0\.0\.0|\[::\]):0$/.test(f[2])) continue;
    out.push({ protocol, address: local.address, port: local.port, pid });
  }
  return out;
}

/** Process names by pid from `tasklist /FO CSV /NH` ('"python.exe","4242","Console","1","10,124 K"'). */
export function parseTasklist(text: string): Map<number, string> {
  const names = new Map<number, string>();
  for (const line of text.split(/\r?\n/)) {
    const cells = parseCsvLine(line);
    if (cells.length < 2) continue;
    const pid = Number(cells[1]);
    if (cells[0] && Number.isSafeInteger(pid)) names.set(pid, cells[0]);
  }
  return names;
}

/** netstat rows named from tasklist. */
export function nameProcesses(ports: SystemPort[], names: ReadonlyMap<number, string>): SystemPort[] {
  return ports.map((p) => {
    const name = p.pid === undefined ? undefined : names.get(p.pid);
    return name === undefined ? p : { ...p, process: name };
  });
}

function parseEndpoint(text: string): { address: string; port: number } | undefined {
  const m = /^(?:\[(.+)\]|([^:]+)):(\d+)$/.exec(text);
  return m ? { address: m[1] ?? m[2], port: Number(m[3]) } : undefined;
}

/** The cells of one CSV line: quoted cells may hold commas and doubled quotes. */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  const re = /\s*(?:"((?:[^"]|"")*)"|([^,]*))\s*(,|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) && m[0] !== '') {
    cells.push(m[1] !== undefined ? m[1].replace(/""/g, '"') : m[2]);
    if (m[3] === '') break;
  }
  return cells;
}
