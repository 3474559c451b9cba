/**
 * System ports at their edges: the order and de-duplication of a listing, the lines each parser must pass
 * over, the Linux reader on a made-up /proc (missing files, hidden owners, its caches), and which program
 * each OS's listing runs (seen on this machine's real sockets, or by the program missing from the PATH).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as dgram from 'dgram';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { rejectsWith } from '../helpers/errors';
import { requirePeer, requireRoot } from '../helpers/require';
import { tempDir } from '../helpers/tempDir';

import {
  SystemPort,
  describeHolder,
  nameProcesses,
  parseLsof,
  parseNetstat,
  parseProcNet,
  parseTasklist,
  readLinuxPorts,
  readSystemPorts,
  sortPorts,
} from '../../src/core/ports';
import { HIDDEN_OWNER_RECHECK_MS, SocketOwnerCache, findSocketOwners } from '../../src/core/ports/procSocketOwners';

const FIXTURES = path.join(__dirname, '../../../test/unit/fixtures/ports');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

/** A made-up /proc in a temp folder: net/* files and processes whose fd links are named like the kernel's. */
function fakeProc() {
  const t = tempDir();
  return {
    dir: t.dir,
    remove: t.remove,
    net(file: string, text: string) {
      fs.mkdirSync(path.join(t.dir, 'net'), { recursive: true });
      fs.writeFileSync(path.join(t.dir, 'net', file), text);
    },
    /** A process folder; `comm` undefined leaves out its name file, `fds` undefined its fd folder. */
    process(pid: number | string, comm: string | undefined, fds?: Record<string, string>) {
      fs.mkdirSync(path.join(t.dir, String(pid)), { recursive: true });
      if (comm !== undefined) fs.writeFileSync(path.join(t.dir, String(pid), 'comm'), `${comm}\n`);
      if (!fds) return;
      fs.mkdirSync(path.join(t.dir, String(pid), 'fd'), { recursive: true });
      for (const [fd, target] of Object.entries(fds)) fs.symlinkSync(target, path.join(t.dir, String(pid), 'fd', fd));
    },
  };
}

const PROC_TCP_HEADER =
  '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
/** A listening IPv4 TCP line of /proc/net/tcp for 127.0.0.1:`port` with socket `inode`. */
const procTcpLine = (slot: number, port: number, inode: number) =>
  `${String(slot).padStart(4)}: 0100007F:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A ` +
  `00000000:00000000 00:00000000 00000000  1000        0 ${inode} 1 0000000000000000 100 0 0 10 0\n`;

/** Runs `fn` with a PATH holding no program, so a listing that runs one fails to start it. */
async function withEmptyPath<T>(fn: () => Promise<T>): Promise<T> {
  const empty = tempDir();
  const saved = process.env.PATH;
  process.env.PATH = empty.dir;
  try {
    return await fn();
  } finally {
    process.env.PATH = saved;
    empty.remove();
  }
}

/** A real TCP listener and a real bound UDP socket on 127.0.0.1 in this process, for `fn`. */
async function withOwnSockets(fn: (tcpPort: number, udpPort: number) => Promise<void>): Promise<void> {
  const server = net.createServer();
  const udp = dgram.createSocket('udp4');
  try {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    await fn((server.address() as net.AddressInfo).port, udp.address().port);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => udp.close(resolve));
  }
}

describe('system ports: order and holders of a listing', () => {
  it("sorts by port, then protocol, address (as text: '::' first) and pid (a hidden pid first); one socket seen twice kept once", () => {
    const rows: SystemPort[] = [
      { protocol: 'tcp', address: '127.0.0.1', port: 443, pid: 7, process: 'nginx' },
      { protocol: 'udp', address: '::', port: 80 },
      { protocol: 'tcp', address: '::', port: 80, pid: 5 },
      { protocol: 'tcp', address: '0.0.0.0', port: 80, pid: 9, process: 'nginx' },
      { protocol: 'tcp', address: '0.0.0.0', port: 80, pid: 1, process: 'nginx' },
      { protocol: 'tcp', address: '0.0.0.0', port: 80 },
      // The same socket held by one process through two descriptors (lsof lists each); master and worker differ by pid.
      { protocol: 'tcp', address: '0.0.0.0', port: 80, pid: 9, process: 'nginx' },
    ];
    assert.deepStrictEqual(sortPorts(rows), [
      { protocol: 'tcp', address: '::', port: 80, pid: 5 },
      { protocol: 'tcp', address: '0.0.0.0', port: 80 },
      { protocol: 'tcp', address: '0.0.0.0', port: 80, pid: 1, process: 'nginx' },
      { protocol: 'tcp', address: '0.0.0.0', port: 80, pid: 9, process: 'nginx' },
      { protocol: 'udp', address: '::', port: 80 },
      { protocol: 'tcp', address: '127.0.0.1', port: 443, pid: 7, process: 'nginx' },
    ]);
  });

  it('describes a holder as name and pid, the pid alone, or nothing when hidden', () => {
    assert.strictEqual(
      describeHolder({ protocol: 'tcp', address: '::', port: 1, pid: 4242, process: 'php' }),
      'php (pid 4242)',
    );
    assert.strictEqual(describeHolder({ protocol: 'tcp', address: '::', port: 1, pid: 4242 }), 'pid 4242');
    assert.strictEqual(describeHolder({ protocol: 'tcp', address: '::', port: 1 }), undefined);
  });
});

describe('system ports: lines the parsers pass over', () => {
  it('lsof: a file before any process line, an unreadable pid, no command line, and CRLF line ends', () => {
    const text = [
      ...['tIPv4', 'PTCP', 'n127.0.0.1:7001'],
      ...['pabc', 'tIPv6', 'PTCP', 'n[::1]:7002'],
      ...['p42', 'f3', 'tIPv6', 'PTCP', 'n*:7003'],
      // A file line starts a new file: without its own P line it is not the previous file's TCP.
      ...['f4', 'tIPv4', 'n*:7004'],
    ].join('\r\n');
    assert.deepStrictEqual(parseLsof(text, 'tcp'), [
      { protocol: 'tcp', address: '127.0.0.1', port: 7001 },
      { protocol: 'tcp', address: '::1', port: 7002 },
      { protocol: 'tcp', address: '::', port: 7003, pid: 42 },
    ]);
  });

  it("lsof: an unbound UDP socket ('*:*') is no port", () => {
    const text = ['p43', 'cdnsmasq', 'f6', 'tIPv4', 'PUDP', 'n*:*', 'f7', 'tIPv4', 'PUDP', 'n*:53'].join('\n');
    assert.deepStrictEqual(parseLsof(text, 'udp'), [
      { protocol: 'udp', address: '0.0.0.0', port: 53, pid: 43, process: 'dnsmasq' },
    ]);
  });

  it('netstat: LF line ends; headings, other protocols, short lines and lines without a pid are passed over', () => {
    const text = [
      'Active Connections',
      '',
      '  Proto  Local Address          Foreign Address        State           PID',
      '  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1052',
      '  TCP    127.0.0.1:8880         0.0.0.0:0              LISTENING',
      '  SCTP   0.0.0.0:9              0.0.0.0:0              LISTENING       7',
      '  UDP    0.0.0.0:5353           2428',
      '  UDP    [::1]:1900             *:*                                    4604',
    ].join('\n');
    assert.deepStrictEqual(parseNetstat(text), [
      { protocol: 'tcp', address: '0.0.0.0', port: 135, pid: 1052 },
      { protocol: 'udp', address: '::1', port: 1900, pid: 4604 },
    ]);
  });

  it('tasklist: a heading line names nothing; two cells are enough; unquoted cells; LF line ends', () => {
    const text = [
      '"Image Name","PID","Session Name","Session#","Mem Usage"',
      '"a.exe","7"',
      'node.exe,8,Console,1,"9,000 K"',
    ].join('\n');
    assert.deepStrictEqual(
      [...parseTasklist(text)],
      [
        [7, 'a.exe'],
        [8, 'node.exe'],
      ],
    );
  });

  it('rows whose pid tasklist does not name keep no process (tasklist failing leaves the pids alone)', () => {
    const rows: SystemPort[] = [
      { protocol: 'tcp', address: '0.0.0.0', port: 135, pid: 1052 },
      { protocol: 'udp', address: '0.0.0.0', port: 5353, pid: 2428 },
    ];
    assert.deepStrictEqual(nameProcesses(rows, new Map([[1052, 'svchost.exe']])), [
      { protocol: 'tcp', address: '0.0.0.0', port: 135, pid: 1052, process: 'svchost.exe' },
      { protocol: 'udp', address: '0.0.0.0', port: 5353, pid: 2428 },
    ]);
    assert.deepStrictEqual(nameProcesses(rows, parseTasklist('')), rows);
  });

  it('/proc/net: a line ending at the inode column is read; one cut before it is passed over', () => {
    const full = '   1: 0100007F:EF35 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 881678';
    const cut = '   2: 0100007F:EF36 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000';
    assert.deepStrictEqual(parseProcNet(`${PROC_TCP_HEADER}${full}\n${cut}\n`, 'tcp'), [
      { protocol: 'tcp', address: '127.0.0.1', port: 0xef35, state: 0x0a, uid: 1000, inode: 881678 },
    ]);
  });
});

describe('system ports: socket owners on a made-up /proc', () => {
  it('a socket confirmed where it was found stays with that process, even when a lower pid gets it later', () => {
    const proc = fakeProc();
    try {
      proc.process(200, 'server', { '3': 'socket:[555]' });
      const cache = new SocketOwnerCache();
      assert.deepStrictEqual(
        [...findSocketOwners(new Set([555]), proc.dir, cache, 0)],
        [[555, { pid: 200, process: 'server' }]],
      );
      // Passed to a lower pid (SCM_RIGHTS): the cached place still holds it, so no scan looks elsewhere.
      proc.process(100, 'helper', { '9': 'socket:[555]' });
      assert.deepStrictEqual(
        [...findSocketOwners(new Set([555]), proc.dir, cache, 1)],
        [[555, { pid: 200, process: 'server' }]],
      );
      assert.deepStrictEqual(cache.found.get(555), { pid: 200, fd: '3' });
      // Without the cache, the lowest pid wins.
      assert.deepStrictEqual([...findSocketOwners(new Set([555]), proc.dir)], [[555, { pid: 100, process: 'helper' }]]);
    } finally {
      proc.remove();
    }
  });

  it('a socket no scan found is looked for again exactly HIDDEN_OWNER_RECHECK_MS later, not before', () => {
    const proc = fakeProc();
    try {
      const cache = new SocketOwnerCache();
      const owner = (now: number) => findSocketOwners(new Set([777]), proc.dir, cache, now).get(777);
      assert.strictEqual(owner(0), undefined);
      proc.process(300, 'late', { '5': 'socket:[777]' });
      assert.strictEqual(owner(HIDDEN_OWNER_RECHECK_MS - 1), undefined);
      assert.deepStrictEqual(owner(HIDDEN_OWNER_RECHECK_MS), { pid: 300, process: 'late' });
    } finally {
      proc.remove();
    }
  });

  it('pids in number order; nameless, fd-less and non-pid folders and a pipe numbered like the socket passed over', () => {
    const proc = fakeProc();
    try {
      proc.process(5, 'pipes', { '1': 'pipe:[55555]' }); // 'pipe:[55' + '555' + ']'
      proc.process(6, 'gone'); // exited while listed: no fd folder
      proc.process(9, undefined, { '3': 'socket:[555]' }); // its name could not be read
      proc.process('self', 'self', { '4': 'socket:[556]' });
      // String order would put each larger pid first.
      for (const [low, high, inode] of [
        [10, 100, 557],
        [20, 3, 558],
        [7, 60, 559],
        [30, 400, 560],
      ]) {
        proc.process(high, `p${high}`, { '3': `socket:[${inode}]` });
        proc.process(low, `p${low}`, { '3': `socket:[${inode}]` });
      }
      assert.deepStrictEqual(Object.fromEntries(findSocketOwners(new Set([555, 556, 557, 558, 559, 560]), proc.dir)), {
        555: { pid: 9 },
        557: { pid: 10, process: 'p10' },
        558: { pid: 3, process: 'p3' },
        559: { pid: 7, process: 'p7' },
        560: { pid: 30, process: 'p30' },
      });
      // A root that cannot be read gives no owners rather than an error.
      assert.deepStrictEqual(findSocketOwners(new Set([555]), path.join(proc.dir, 'missing')).size, 0);
    } finally {
      proc.remove();
    }
  });

  it("this process's own listener is found under the real /proc by default", async function () {
    if (process.platform !== 'linux') this.skip();
    await withOwnSockets(async (tcpPort) => {
      const socket = parseProcNet(fs.readFileSync('/proc/net/tcp', 'latin1'), 'tcp').find((s) => s.port === tcpPort);
      assert.ok(socket, `127.0.0.1:${tcpPort} is not in /proc/net/tcp`);
      assert.deepStrictEqual(findSocketOwners(new Set([socket.inode])).get(socket.inode), {
        pid: process.pid,
        process: fs.readFileSync('/proc/self/comm', 'utf8').trim(),
      });
    });
  });
});

describe('system ports: the Linux reader on a made-up /proc', () => {
  /** net/tcp with a listener of php, one of nobody visible and one no file holds (inode 0); net/udp from the fixture. */
  function machine() {
    const proc = fakeProc();
    proc.net(
      'tcp',
      PROC_TCP_HEADER + procTcpLine(1, 8080, 0) + procTcpLine(2, 8081, 990001) + procTcpLine(3, 8082, 990002),
    );
    proc.net('udp', fixture('proc-net-udp.txt'));
    proc.process(100, 'php', { '3': 'socket:[990002]' });
    proc.process(101, undefined, { '4': 'socket:[881684]' });
    return proc;
  }

  it('lists TCP and UDP by default; no tcp6/udp6 (no IPv6) is nothing to list; inode 0 is never looked for', () => {
    const proc = machine();
    try {
      const cache = new SocketOwnerCache();
      assert.deepStrictEqual(readLinuxPorts({ procRoot: proc.dir, cache }), [
        { protocol: 'tcp', address: '127.0.0.1', port: 8080 },
        { protocol: 'tcp', address: '127.0.0.1', port: 8081 },
        { protocol: 'tcp', address: '127.0.0.1', port: 8082, pid: 100, process: 'php' },
        { protocol: 'udp', address: '0.0.0.0', port: 61235, pid: 101 },
      ]);
      // The given cache is the one used: found sockets where they were, only the real hidden one remembered.
      assert.deepStrictEqual(
        [...cache.found],
        [
          [990002, { pid: 100, fd: '3' }],
          [881684, { pid: 101, fd: '4' }],
        ],
      );
      assert.deepStrictEqual([...cache.hidden.keys()], [990001]);
    } finally {
      proc.remove();
    }
  });

  it('without a cache option, listings of one /proc share one: a hidden owner is not rescanned on the next refresh', () => {
    const proc = machine();
    try {
      const port8081 = () => readLinuxPorts({ procRoot: proc.dir, protocols: ['tcp'] }).find((p) => p.port === 8081);
      assert.deepStrictEqual(port8081(), { protocol: 'tcp', address: '127.0.0.1', port: 8081 });
      proc.process(102, 'late', { '5': 'socket:[990001]' });
      assert.deepStrictEqual(port8081(), { protocol: 'tcp', address: '127.0.0.1', port: 8081 });
      const fresh = readLinuxPorts({ procRoot: proc.dir, protocols: ['tcp'], cache: new SocketOwnerCache() });
      assert.deepStrictEqual(
        fresh.find((p) => p.port === 8081),
        { protocol: 'tcp', address: '127.0.0.1', port: 8081, pid: 102, process: 'late' },
      );
    } finally {
      proc.remove();
    }
  });

  it('a missing tcp file or an unreadable tcp6 says which file and why', () => {
    const proc = fakeProc();
    try {
      proc.net('udp', fixture('proc-net-udp.txt'));
      const tcp = path.join(proc.dir, 'net', 'tcp');
      assert.throws(
        () => readLinuxPorts({ procRoot: proc.dir }),
        (err: { code?: string; message?: string }) =>
          err.code === 'systemPortsFailed' &&
          err.message === `Listing the ports of this machine failed: ${tcp} could not be read (ENOENT).`,
      );
      proc.net('tcp', PROC_TCP_HEADER);
      fs.mkdirSync(path.join(proc.dir, 'net', 'tcp6'));
      assert.throws(
        () => readLinuxPorts({ procRoot: proc.dir }),
        (err: { code?: string; message?: string }) =>
          err.code === 'systemPortsFailed' &&
          err.message === `Listing the ports of this machine failed: ${tcp}6 could not be read (EISDIR).`,
      );
    } finally {
      proc.remove();
    }
  });
});

describe('system ports: the program each OS runs, on this machine', function () {
  this.timeout(30000);

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  it('android reads /proc like linux, running no program, and lists only the protocols asked for', async () => {
    await withOwnSockets(async (_tcpPort, udpPort) => {
      const rows = await withEmptyPath(() => readSystemPorts({ platform: 'android', protocols: ['udp'] }));
      assert.deepStrictEqual(
        rows.filter((r) => r.protocol !== 'udp'),
        [],
      );
      assert.strictEqual(rows.find((r) => r.port === udpPort)?.pid, process.pid);
    });
  });

  for (const platform of ['freebsd', 'openbsd'] as const) {
    it(`${platform} lists through lsof like macOS, each protocol by its own call`, async function () {
      requirePeer(this, 'lsof');
      await withOwnSockets(async (tcpPort, udpPort) => {
        const tcp = await readSystemPorts({ platform, protocols: ['tcp'] });
        assert.deepStrictEqual(
          tcp.filter((r) => r.protocol !== 'tcp'),
          [],
        );
        assert.strictEqual(tcp.find((r) => r.port === tcpPort)?.pid, process.pid);
        const udp = await readSystemPorts({ platform, protocols: ['udp'] });
        assert.deepStrictEqual(
          udp.filter((r) => r.protocol !== 'udp'),
          [],
        );
        assert.strictEqual(udp.find((r) => r.port === udpPort)?.pid, process.pid);
      });
    });
  }

  it('a listing program that cannot be started is named in the sentence (lsof on macOS, netstat on Windows)', async () => {
    await withEmptyPath(async () => {
      await rejectsWith(
        readSystemPorts({ platform: 'darwin' }),
        'systemPortsFailed',
        /^Listing the ports of this machine failed: lsof did not run \(ENOENT\)\.$/,
      );
      await rejectsWith(
        readSystemPorts({ platform: 'win32' }),
        'systemPortsFailed',
        /^Listing the ports of this machine failed: netstat did not run \(ENOENT\)\.$/,
      );
    });
  });

  it('lsof finding no socket at all (exit code 1, in an empty network namespace) is an empty listing', function () {
    requireRoot(this, 'cannot make a network namespace');
    requirePeer(this, 'lsof');
    requirePeer(this, 'unshare');
    const scenario = path.join(__dirname, '..', 'helpers', 'scenarios', 'lsofInEmptyNamespace.js');
    const r = spawnSync('unshare', ['-n', process.execPath, scenario], { encoding: 'utf8', timeout: 15000 });
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(JSON.parse(r.stdout), { rows: [] });
  });
});
