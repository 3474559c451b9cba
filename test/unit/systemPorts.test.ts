/**
 * System ports: the parsers on sample outputs (captured here for /proc/net and lsof; written in the
 * documented shape for Windows), the Linux reader against real python3 and php listeners, what another
 * user may see, Socket Lab's own endpoints, and the holder of a port a start found in use.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import '../helpers/noLeaks';
import { rejectsWith } from '../helpers/errors';
import { withLab } from '../helpers/lab';
import { Peer, startPeer, waitForOutput } from '../helpers/peers';
import { portOf } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { shareWithOtherUsers } from '../helpers/forOtherUsers';
import { requirePeer, skipOrFail } from '../helpers/require';

import {
  SystemPort,
  conflictRank,
  describeHolder,
  findPortHolder,
  matchOwnEndpoints,
  nameProcesses,
  parseLsof,
  parseNetstat,
  parseProcNet,
  parseTasklist,
  pickPortHolder,
  readSystemPorts,
  withPortHolder,
} from '../../src/core/ports';
import { HIDDEN_OWNER_RECHECK_MS, SocketOwnerCache, findSocketOwners } from '../../src/core/ports/procSocketOwners';
import { isSocketLabError, type SocketLabError } from '../../src/shared/errors';

const FIXTURES = path.join(__dirname, '../../../test/unit/fixtures/ports');
const PEERS = path.join(__dirname, '../../../test/peers');
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

describe('system ports: parsers on sample outputs', () => {
  it('/proc/net: listening TCP and unconnected UDP, IPv4 and IPv6 (IPv4-mapped too), connected sockets left out', () => {
    assert.deepStrictEqual(
      parseProcNet(fixture('proc-net-tcp.txt'), 'tcp').map(({ address, port, uid, inode }) => ({
        address,
        port,
        uid,
        inode,
      })),
      [{ address: '127.0.0.1', port: 61237, uid: 0, inode: 881678 }],
    );
    assert.deepStrictEqual(
      parseProcNet(fixture('proc-net-tcp6.txt'), 'tcp').map((s) => [s.address, s.port]),
      [['::', 61234]],
    );
    assert.deepStrictEqual(
      parseProcNet(fixture('proc-net-udp.txt'), 'udp').map((s) => [s.address, s.port, s.state]),
      [['0.0.0.0', 61235, 7]],
    );
    assert.deepStrictEqual(
      parseProcNet(fixture('proc-net-udp6.txt'), 'udp').map((s) => [s.address, s.port]),
      [['::1', 61236]],
    );
    // The established IPv4-mapped line of tcp6, were it listening, reads as Node writes such addresses.
    const mapped = fixture('proc-net-tcp6.txt').split('\n')[2].replace(/ 01 /, ' 0A ');
    assert.deepStrictEqual(
      parseProcNet(`header\n${mapped}`, 'tcp').map((s) => s.address),
      ['::ffff:127.0.0.1'],
    );
  });

  it('lsof: listening TCP and bound UDP with pid and command; wildcards by family; connected UDP left out', () => {
    assert.deepStrictEqual(parseLsof(fixture('lsof-tcp.txt'), 'tcp'), [
      { protocol: 'tcp', address: '::', port: 61234, pid: 17653, process: 'python3' },
      { protocol: 'tcp', address: '127.0.0.1', port: 61237, pid: 17653, process: 'python3' },
    ]);
    assert.deepStrictEqual(parseLsof(fixture('lsof-udp.txt'), 'udp'), [
      { protocol: 'udp', address: '0.0.0.0', port: 61235, pid: 17653, process: 'python3' },
      { protocol: 'udp', address: '::1', port: 61236, pid: 17653, process: 'python3' },
    ]);
    // The TCP listing holds no UDP rows and the reverse.
    assert.deepStrictEqual(parseLsof(fixture('lsof-tcp.txt'), 'udp'), []);
    // macOS adds a file-descriptor line before each file; several processes follow one another.
    assert.deepStrictEqual(
      parseLsof(fixture('lsof-tcp-with-fd-lines.txt'), 'tcp').map((p) => describeHolder(p) + ' ' + p.address),
      ['cupsd (pid 612) 0.0.0.0', 'cupsd (pid 612) ::', 'php (pid 4242) 127.0.0.1', 'ControlCenter (pid 5000) ::1'],
    );
    assert.deepStrictEqual(parseLsof('', 'tcp'), []);
  });

  it('netstat -ano + tasklist: listening decided from the foreign address, so a German system reads the same', () => {
    const names = parseTasklist(fixture('tasklist.csv'));
    assert.strictEqual(names.get(4242), 'php.exe');
    assert.strictEqual(names.get(4604), 'My "quoted" app.exe');
    assert.strictEqual(names.get(4), 'System');
    const english = nameProcesses(parseNetstat(fixture('netstat-en.txt')), names);
    assert.deepStrictEqual(english, [
      { protocol: 'tcp', address: '0.0.0.0', port: 135, pid: 1052, process: 'svchost.exe' },
      { protocol: 'tcp', address: '127.0.0.1', port: 8880, pid: 4242, process: 'php.exe' },
      { protocol: 'tcp', address: '::', port: 135, pid: 1052, process: 'svchost.exe' },
      { protocol: 'tcp', address: '::1', port: 9000, pid: 5100, process: 'python.exe' },
      { protocol: 'udp', address: '0.0.0.0', port: 5353, pid: 2428, process: 'mdnsresponder.exe' },
      { protocol: 'udp', address: '::1', port: 1900, pid: 4604, process: 'My "quoted" app.exe' },
      { protocol: 'udp', address: 'fe80::1%14', port: 1900, pid: 4604, process: 'My "quoted" app.exe' },
    ]);
    const german = parseNetstat(fixture('netstat-de.txt'));
    assert.deepStrictEqual(
      german.map((p) => `${p.protocol} ${p.address}:${p.port} ${p.pid}`),
      ['tcp 0.0.0.0:135 1052', 'tcp 127.0.0.1:8880 4242', 'tcp ::1:9000 5100', 'udp 0.0.0.0:5353 2428'],
    );
  });

  it('the holder of a port: the same address first, then a wildcard, then a dual-stack ::, one with a pid preferred', () => {
    assert.strictEqual(conflictRank('127.0.0.1', '127.0.0.1'), 3);
    assert.strictEqual(conflictRank('127.0.0.1', '0.0.0.0'), 2);
    assert.strictEqual(conflictRank('0.0.0.0', '127.0.0.1'), 2);
    assert.strictEqual(conflictRank('127.0.0.1', '::'), 1);
    assert.strictEqual(conflictRank('::', '127.0.0.1'), 1);
    assert.strictEqual(conflictRank('::1', '0.0.0.0'), 0);
    assert.strictEqual(conflictRank('127.0.0.1', '127.0.0.2'), 0);
    assert.strictEqual(conflictRank('0:0:0:0:0:0:0:1', '::1'), 3);
    const ports: SystemPort[] = [
      { protocol: 'tcp', address: '::', port: 8880, pid: 1 },
      { protocol: 'tcp', address: '0.0.0.0', port: 8880 },
      { protocol: 'udp', address: '127.0.0.1', port: 8880, pid: 2 },
      { protocol: 'tcp', address: '127.0.0.1', port: 8881, pid: 3 },
    ];
    assert.deepStrictEqual(pickPortHolder(ports, 'tcp', '127.0.0.1', 8880), ports[1]);
    assert.deepStrictEqual(pickPortHolder(ports, 'udp', '127.0.0.1', 8880), ports[2]);
    assert.deepStrictEqual(pickPortHolder(ports, 'tcp', '::1', 8880), ports[0]);
    assert.strictEqual(pickPortHolder(ports, 'tcp', '::1', 9999), undefined);
  });

  it("/proc/net: the in-place state check finds the same sockets as splitting every line of this machine's files", function () {
    if (process.platform !== 'linux') this.skip();
    for (const file of ['tcp', 'tcp6', 'udp', 'udp6']) {
      const text = fs.readFileSync(`/proc/net/${file}`, 'latin1');
      const protocol = file.startsWith('tcp') ? 'tcp' : 'udp';
      const wanted = protocol === 'tcp' ? '0A' : '07';
      const naive = text
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f.length >= 10 && f[3] === wanted)
        .map((f) => Number(f[9]));
      assert.deepStrictEqual(
        parseProcNet(text, protocol).map((s) => s.inode),
        naive,
        `/proc/net/${file}`,
      );
    }
  });

  it('socket owners: the lowest pid, looked for again where it was, hidden ones rechecked only after a while', () => {
    const t = tempDir();
    try {
      // A made-up /proc: descriptor links named like the kernel's socket links.
      const proc = (pid: number, comm: string, fds: Record<string, string>) => {
        fs.mkdirSync(path.join(t.dir, String(pid), 'fd'), { recursive: true });
        fs.writeFileSync(path.join(t.dir, String(pid), 'comm'), `${comm}\n`);
        for (const [fd, target] of Object.entries(fds)) fs.symlinkSync(target, path.join(t.dir, String(pid), 'fd', fd));
      };
      proc(200, 'worker', { '3': 'socket:[555]', '4': 'pipe:[9]' });
      proc(100, 'parent', { '7': 'socket:[555]', '8': 'socket:[556]' });
      const cache = new SocketOwnerCache();
      const owners = (now: number) => Object.fromEntries(findSocketOwners(new Set([555, 556, 777]), t.dir, cache, now));
      assert.deepStrictEqual(owners(0), {
        555: { pid: 100, process: 'parent' },
        556: { pid: 100, process: 'parent' },
      });
      // The parent closes 555: it is looked for again, and the worker holds it.
      fs.unlinkSync(path.join(t.dir, '100', 'fd', '7'));
      assert.deepStrictEqual(owners(1000)[555], { pid: 200, process: 'worker' });
      // 777 was nowhere: a holder appearing now is only seen once the recheck time has passed.
      proc(300, 'late', { '5': 'socket:[777]' });
      assert.strictEqual(owners(2000)[777], undefined);
      assert.deepStrictEqual(owners(HIDDEN_OWNER_RECHECK_MS + 1)[777], { pid: 300, process: 'late' });
      // The worker exits: 555 has no owner any more; the others are confirmed where they were found.
      fs.renameSync(path.join(t.dir, '200'), path.join(t.dir, 'x200'));
      assert.deepStrictEqual(owners(HIDDEN_OWNER_RECHECK_MS + 2), {
        556: { pid: 100, process: 'parent' },
        777: { pid: 300, process: 'late' },
      });
    } finally {
      t.remove();
    }
  });

  it('an OS it cannot list says so in a sentence', async () => {
    await rejectsWith(
      readSystemPorts({ platform: 'aix' }),
      'unsupportedPlatform',
      /^Listing the ports of this machine is not supported on aix; Socket Lab lists them on Linux, macOS and Windows\.$/,
    );
    assert.strictEqual(await findPortHolder('tcp', '127.0.0.1', 1, { platform: 'aix' }), undefined);
  });
});

/** Starts test/peers/listen.{py,php} holding `specs` ('tcp@127.0.0.1'...), optionally through a user-switching prefix. */
async function listeners(
  program: 'python3' | 'php',
  specs: string[],
  prefix: string[] = [],
  scriptOf: (script: string) => string = (script) => script,
): Promise<{
  peer: Peer;
  bound: { protocol: 'tcp' | 'udp'; address: string; port: number }[];
}> {
  const script = scriptOf(path.join(PEERS, program === 'php' ? 'listen.php' : 'listen.py'));
  // The system's python3 itself (not a version manager's shim script): its pid is the listener's.
  const exe = program === 'python3' && fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : program;
  const peer = prefix.length
    ? startPeer(prefix[0], [...prefix.slice(1), exe, script, ...specs])
    : startPeer(exe, [script, ...specs]);
  try {
    const line = await waitForOutput(peer, /^\[.*\]\n/);
    return { peer, bound: JSON.parse(line[0]) };
  } catch (err) {
    await peer.kill();
    throw err;
  }
}

function rowsOf(ports: SystemPort[], bound: { protocol: string; port: number }[]): SystemPort[] {
  return ports.filter((p) => bound.some((b) => b.protocol === p.protocol && b.port === p.port));
}

const SPECS = ['tcp@127.0.0.1', 'tcp@::1', 'udp@127.0.0.1', 'udp@::1', 'tcp@0.0.0.0', 'udp@::'];

describe('system ports: this machine, for real', function () {
  this.timeout(30000);

  before(function () {
    if (process.platform !== 'linux') {
      console.log('      (skipped: the real reader is tested on Linux)');
      this.skip();
    }
  });

  for (const program of ['python3', 'php'] as const) {
    it(`${program} listeners on TCP and UDP, IPv4 and IPv6, appear with their pid and name`, async function () {
      requirePeer(this, program);
      const { peer, bound } = await listeners(program, SPECS);
      try {
        const rows = rowsOf(await readSystemPorts(), bound);
        const name = program === 'php' ? /^php/ : /^python3/;
        assert.deepStrictEqual(
          rows.map((r) => `${r.protocol} ${r.address}:${r.port}`).sort(),
          bound.map((b) => `${b.protocol} ${b.address}:${b.port}`).sort(),
        );
        for (const r of rows) {
          assert.strictEqual(r.pid, peer.child.pid, `${r.protocol} ${r.address}:${r.port}`);
          assert.match(r.process!, name);
        }
      } finally {
        await peer.kill();
      }
    });
  }

  it('lsof (the macOS reader) lists the same sockets with pid and name', async function () {
    requirePeer(this, 'lsof');
    const { peer, bound } = await listeners('python3', SPECS);
    try {
      const rows = rowsOf(await readSystemPorts({ platform: 'darwin' }), bound);
      assert.deepStrictEqual(
        rows.map((r) => `${r.protocol} ${r.address}:${r.port} ${r.pid} ${r.process}`).sort(),
        bound.map((b) => `${b.protocol} ${b.address}:${b.port} ${peer.child.pid} python3`).sort(),
      );
    } finally {
      await peer.kill();
    }
  });

  it("another user's listener shows no pid; its own user and root see it", async function () {
    const prefix = asUser(65534);
    const other = asUser(1);
    if (typeof prefix === 'string' || typeof other === 'string') {
      skipOrFail(this, typeof prefix === 'string' ? prefix : (other as string));
    }
    // The other users run from a folder they may read, whatever folder this checkout sits in.
    const scenario = path.join(__dirname, '..', 'helpers', 'scenarios', 'portsAsUser.js');
    const shared = shareWithOtherUsers([scenario, path.join(PEERS, 'listen.py')]);
    const nobody = await listeners('python3', ['tcp@127.0.0.1', 'udp@::1'], prefix as string[], shared.at);
    const mine = await listeners('python3', ['tcp@::1']);
    try {
      const bound = [...nobody.bound, ...mine.bound];
      const seenBy = (user: string[]) => {
        const r = spawnSync(user[0], [...user.slice(1), process.execPath, shared.at(scenario), JSON.stringify(bound)], {
          encoding: 'utf8',
          timeout: 15000,
        });
        assert.strictEqual(r.status, 0, r.stderr);
        return JSON.parse(r.stdout) as { uid: number; rows: SystemPort[]; error?: string };
      };
      const pidsOf = (rows: SystemPort[]) =>
        Object.fromEntries(rows.map((r) => [`${r.protocol} ${r.port}`, r.pid ?? 'no permission']));
      const [t, u] = nobody.bound;
      const [m] = mine.bound;
      // Daemon (uid 1): every socket listed, none of the owners visible.
      const byDaemon = seenBy(other as string[]);
      assert.strictEqual(byDaemon.uid, 1, byDaemon.error);
      assert.deepStrictEqual(pidsOf(byDaemon.rows), {
        [`tcp ${t.port}`]: 'no permission',
        [`udp ${u.port}`]: 'no permission',
        [`tcp ${m.port}`]: 'no permission',
      });
      // Nobody sees its own listener's pid, not root's.
      const byNobody = seenBy(prefix as string[]);
      assert.strictEqual(byNobody.uid, 65534, byNobody.error);
      assert.deepStrictEqual(pidsOf(byNobody.rows), {
        [`tcp ${t.port}`]: nobody.peer.child.pid,
        [`udp ${u.port}`]: nobody.peer.child.pid,
        [`tcp ${m.port}`]: 'no permission',
      });
      // Root sees them all.
      assert.deepStrictEqual(pidsOf(rowsOf(await readSystemPorts(), bound)), {
        [`tcp ${t.port}`]: nobody.peer.child.pid,
        [`udp ${u.port}`]: nobody.peer.child.pid,
        [`tcp ${m.port}`]: mine.peer.child.pid,
      });
    } finally {
      await nobody.peer.kill();
      await mine.peer.kill();
      shared.remove();
    }
  });

  it("Socket Lab's own listeners and UDP sockets are matched to their endpoints, nobody else's", () =>
    withLab(async (lab) => {
      const tcp = await lab.startTcpListener({ host: '::1', port: 0 });
      const udp = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const { peer, bound } = await listeners('python3', ['tcp@127.0.0.1']);
      try {
        const ports = matchOwnEndpoints(await readSystemPorts(), lab.list(), process.pid);
        const find = (protocol: string, port: number) => ports.find((p) => p.protocol === protocol && p.port === port);
        assert.deepStrictEqual(find('tcp', portOf(tcp)), {
          protocol: 'tcp',
          address: '::1',
          port: portOf(tcp),
          pid: process.pid,
          process: fs.readFileSync('/proc/self/comm', 'utf8').trim(),
          endpointId: tcp.id,
        });
        assert.strictEqual(find('udp', portOf(udp))?.endpointId, udp.id);
        assert.strictEqual(find('tcp', bound[0].port)?.endpointId, undefined);
        // Same address and port but another process (another namespace, SO_REUSEPORT): not ours.
        const foreign = matchOwnEndpoints(
          [{ ...find('tcp', portOf(tcp))!, pid: process.pid + 1 }],
          lab.list(),
          process.pid,
        );
        assert.strictEqual(foreign[0].endpointId, undefined);
      } finally {
        await peer.kill();
      }
    }));

  for (const program of ['php', 'python3'] as const) {
    it(`a start on a port ${program} holds names ${program} and its pid in the sentence`, async function () {
      requirePeer(this, program);
      const { peer, bound } = await listeners(program, ['tcp@127.0.0.1', 'udp@::1', 'tcp@0.0.0.0']);
      try {
        await withLab(async (lab) => {
          const cases = [
            {
              start: () => lab.startTcpListener({ host: '127.0.0.1', port: bound[0].port }),
              protocol: 'tcp' as const,
              address: '127.0.0.1',
              port: bound[0].port,
              target: `127.0.0.1:${bound[0].port}`,
            },
            {
              start: () => lab.startUdpListener({ host: '::1', port: bound[1].port }),
              protocol: 'udp' as const,
              address: '::1',
              port: bound[1].port,
              target: `[::1]:${bound[1].port}`,
            },
            // Held by a wildcard listener: binding one of its addresses is refused too.
            {
              start: () => lab.startTcpListener({ host: '127.0.0.1', port: bound[2].port }),
              protocol: 'tcp' as const,
              address: '127.0.0.1',
              port: bound[2].port,
              target: `127.0.0.1:${bound[2].port}`,
            },
          ];
          for (const c of cases) {
            let err: SocketLabError | undefined;
            await c.start().catch((e: unknown) => (err = isSocketLabError(e) ? e : undefined));
            assert.strictEqual(err?.code, 'addressInUse', `${c.target} was not refused`);
            const holder = await findPortHolder(c.protocol, c.address, c.port);
            const named = withPortHolder(err!, holder);
            const name = program === 'php' ? 'php' : 'python3';
            assert.strictEqual(
              named.message,
              `${c.target} is already in use by ${name} (pid ${peer.child.pid}); choose another port or stop that process.`,
            );
            assert.strictEqual(named.code, 'addressInUse');
            assert.strictEqual(named.systemCode, 'EADDRINUSE');
            assert.deepStrictEqual([named.values.process, named.values.pid], [name, peer.child.pid]);
            assert.match(named.template!, /^\{target\} is already in use by \{process\} \(pid \{pid\}\)/);
          }
        });
      } finally {
        await peer.kill();
      }
    });
  }

  it('a hidden or unknown holder leaves the sentence as it was', () => {
    const err = {
      code: 'addressInUse',
      values: { target: '127.0.0.1:1', port: 1 },
      message: 'm',
    } as unknown as SocketLabError;
    assert.strictEqual(withPortHolder(err, undefined), err);
    assert.strictEqual(withPortHolder(err, { protocol: 'tcp', address: '127.0.0.1', port: 1 }), err);
  });
});

/** The setpriv prefix that runs a program as `uid`, or why it cannot. */
function asUser(uid: number): string[] | string {
  if (process.getuid?.() !== 0) return 'not root: cannot run a listener or a reader as another user';
  const prefix = ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--'];
  const probe = spawnSync(prefix[0], [...prefix.slice(1), 'id', '-u'], { encoding: 'utf8', timeout: 5000 });
  if (probe.status !== 0 || probe.stdout.trim() !== String(uid)) return `setpriv cannot switch to uid ${uid}`;
  return prefix;
}
