import * as assert from 'assert';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import '../helpers/noLeaks';
import { PEERS_DIR } from '../helpers/peers';
import { requirePeer } from '../helpers/require';
import { ncatListening, pythonPeer, seedServer } from '../helpers/requestFiles';
import { freePort } from '../helpers/sockets';
import { tempDir } from '../helpers/tempDir';
import { waitFor } from '../helpers/wait';

const REPO = path.join(__dirname, '../../..');
const CLI = path.join(REPO, 'out', 'src', 'cli', 'main.js');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI (compiled by tsc) as its own process, bounded in time. */
function cli(args: string[], cwd = REPO, command = [process.execPath, CLI]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], [...command.slice(1), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A JUnit file parsed back by Python's XML parser (an independent reader), as plain data. */
function parseJunit(file: string): {
  tag: string;
  attrib: Record<string, string>;
  text: string | null;
  children: ReturnType<typeof parseJunit>[];
} {
  const script = `
import json, sys, xml.etree.ElementTree as ET
def walk(e): return {"tag": e.tag, "attrib": e.attrib, "text": e.text, "children": [walk(c) for c in e]}
print(json.dumps(walk(ET.parse(sys.argv[1]).getroot())))`;
  const r = spawnSync('python3', ['-c', script, file], { encoding: 'utf8' });
  assert.strictEqual(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('socket-lab CLI', function () {
  this.timeout(20000);
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.remove());

  it("exits 0 when every block passes (the demo file against the seed's PHP server, port from --var)", async function () {
    requirePeer(this, 'php');
    const { peer, port } = await seedServer();
    try {
      const r = await cli(['run', 'demo/seed.socklab', '--var', `port=${port}`]);
      assert.strictEqual(r.code, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.match(
        lines[0],
        /^ok 1 - demo\/seed\.socklab:9 The seed server answers 我是返回的数据 and closes \(\d+ ms\)$/,
      );
      assert.deepStrictEqual(lines.slice(1, 2), ['1..1']);
      assert.match(lines[2], /^# 1 block\(s\) in 1 file\(s\): 1 passed, 0 failed \(\d+\.\d s\)$/);
      assert.strictEqual(r.stderr, '');
    } finally {
      await peer.kill();
    }
  });

  it('exits 1 when a block fails, runs every file of a folder, and writes JUnit XML that parses back', async function () {
    requirePeer(this, 'ncat');
    requirePeer(this, 'python3');
    const port = await freePort();
    const ncat = await ncatListening(['-l', '-k', '127.0.0.1', String(port), '--sh-exec', 'cat']);
    try {
      fs.mkdirSync(path.join(tmp.dir, 'sub'));
      fs.writeFileSync(
        path.join(tmp.dir, 'a.socklab'),
        `### echo <&>\nconnect tcp 127.0.0.1:${port}\nsend text hi \\x01\nexpect text hi \\x01\n`,
      );
      fs.writeFileSync(
        path.join(tmp.dir, 'sub', 'b.socklab'),
        `connect tcp 127.0.0.1:${port}\nsend text PING\nexpect text;within=200 PONG\n###\nconnect tcp 127.0.0.1:${port}\n`,
      );
      fs.writeFileSync(path.join(tmp.dir, 'ignored.txt'), 'send nonsense');
      const junit = path.join(tmp.dir, 'report.xml');
      const r = await cli(['run', '.', '--junit', 'report.xml'], tmp.dir);
      assert.strictEqual(r.code, 1, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[0], /^ok 1 - a\.socklab:1 echo <&> \(\d+ ms\)$/);
      assert.match(lines[1], /^not ok 2 - sub\/b\.socklab:1 block at line 1 \(\d+ ms\)$/);
      assert.deepStrictEqual(lines.slice(2, 5), [
        '  # expect text at line 3: expected "PONG" (50 4f 4e 47) but received "PING" (50 49 4e 47).',
        '  # expected: PONG',
        '  # actual:   PING',
      ]);
      assert.match(lines[5], /^ok 3 - sub\/b\.socklab:4 block at line 4 \(\d+ ms\)$/);
      assert.strictEqual(lines[6], '1..3');
      assert.match(lines[7], /^# 3 block\(s\) in 2 file\(s\): 2 passed, 1 failed/);

      const root = parseJunit(junit);
      assert.deepStrictEqual(
        [root.tag, root.attrib.tests, root.attrib.failures, root.attrib.errors],
        ['testsuites', '3', '1', '0'],
      );
      assert.deepStrictEqual(
        root.children.map((s) => [s.tag, s.attrib.name, s.attrib.tests, s.attrib.failures]),
        [
          ['testsuite', 'a.socklab', '1', '0'],
          ['testsuite', 'sub/b.socklab', '2', '1'],
        ],
      );
      const [echo] = root.children[0].children;
      assert.deepStrictEqual(
        [echo.attrib.name, echo.attrib.classname, echo.attrib.line],
        ['echo <&>', 'a.socklab', '1'],
      );
      assert.ok(Number(echo.attrib.time) >= 0);
      assert.deepStrictEqual(
        echo.children.map((c) => [c.tag, c.text]),
        [['system-out', '> hi \\x01\n< hi \\x01']],
      );
      const [failed, passed] = root.children[1].children;
      const failure = failed.children.find((c) => c.tag === 'failure')!;
      assert.strictEqual(
        failure.attrib.message,
        'expect text at line 3: expected "PONG" (50 4f 4e 47) but received "PING" (50 49 4e 47).',
      );
      assert.strictEqual(failure.attrib.type, 'expectFailed');
      assert.strictEqual(failure.text, `${failure.attrib.message}\nexpected: PONG\nactual:   PING`);
      assert.deepStrictEqual(
        passed.children.map((c) => c.tag),
        [],
      );
    } finally {
      await ncat.kill();
    }
  });

  it('exits 2 on a problem in any file, printing file:line:col: message, before anything connects', async function () {
    requirePeer(this, 'python3');
    const { peer, port } = await pythonPeer('modbus_rtu_server.py', ['127.0.0.1']);
    try {
      fs.writeFileSync(path.join(tmp.dir, 'good.socklab'), `connect tcp 127.0.0.1:${port}\nsend hex 01\n`);
      fs.writeFileSync(
        path.join(tmp.dir, 'bad.socklab'),
        'connect tcp 127.0.0.1:1\nsend hex;checksum=crc9 01\nexpect text {{nobody}}\n',
      );
      const r = await cli(['run', 'good.socklab', 'bad.socklab'], tmp.dir);
      assert.strictEqual(r.code, 2);
      assert.strictEqual(r.stdout, '');
      assert.deepStrictEqual(r.stderr.trim().split('\n'), [
        'bad.socklab:2:19: Checksum must be one of sum8, xor8, crc16-modbus, crc16-ccitt-false, crc16-kermit, crc16-xmodem, crc32 (got "crc9").',
        'bad.socklab:3:13: Variable nobody has no value here; define it with @nobody = ... above, capture it in an earlier expect, or pass it with --var or an environment.',
        'socket-lab: 2 problem(s); nothing was run.',
      ]);
      // The good file did not run either: the server saw no request (it is still waiting for its client).
      assert.strictEqual(peer.stdout().toString().trim().split('\n').length, 1);
    } finally {
      await peer.kill();
    }
  });

  it('takes variables from --env (socklab.env.json) and --var, and the default wait from --timeout', async function () {
    requirePeer(this, 'python3');
    const { peer, port } = await pythonPeer('modbus_rtu_server.py', ['127.0.0.1']);
    try {
      fs.writeFileSync(
        path.join(tmp.dir, 'socklab.env.json'),
        JSON.stringify({ $shared: { host: '127.0.0.1' }, ci: { port }, broken: { port: 1 } }),
      );
      fs.writeFileSync(
        path.join(tmp.dir, 'm.socklab'),
        '### read two registers\nconnect tcp {{host}}:{{port}}\nsend hex;checksum=crc16-modbus {{request}}\nexpect hex 01 03 04 00 2a 00 2b 9b e4\nexpect text nothing more\n',
      );
      const r = await cli(
        ['run', 'm.socklab', '--env', 'ci', '--var', 'request=01 03 00 00 00 02', '--timeout', '150'],
        tmp.dir,
      );
      assert.strictEqual(r.code, 1, r.stderr);
      assert.deepStrictEqual(r.stdout.split('\n').slice(1, 2), [
        '  # expect text at line 5: "nothing more" (6e 6f 74 68 69 6e 67 20 6d 6f 72 65) did not arrive within 150 ms; received nothing.',
      ]);
      assert.match(peer.stdout().toString(), /crc ok/);

      const noEnv = await cli(['run', 'm.socklab', '--env', 'staging', '--var', 'request=00'], tmp.dir);
      assert.strictEqual(noEnv.code, 2);
      assert.match(
        noEnv.stderr,
        /^m\.socklab: Environment staging is not in .*socklab\.env\.json; it has ci, broken\.\n/,
      );
      const noVar = await cli(['run', 'm.socklab', '--env', 'ci'], tmp.dir);
      assert.strictEqual(noVar.code, 2);
      assert.match(noVar.stderr, /^m\.socklab:3:32: Variable request has no value here;/);
    } finally {
      await peer.kill();
    }
  });

  it('stops on Ctrl+C (SIGINT): the waiting block fails as cancelled, the summary says so, exit 130', async function () {
    requirePeer(this, 'ncat');
    const port = await freePort();
    const ncat = await ncatListening(['-l', '127.0.0.1', String(port)]);
    try {
      fs.writeFileSync(
        path.join(tmp.dir, 'slow.socklab'),
        `connect tcp 127.0.0.1:${port}\nexpect text never;within=60000\n###\nconnect tcp 127.0.0.1:${port}\n`,
      );
      const child = spawn(process.execPath, [CLI, 'run', 'slow.socklab'], {
        cwd: tmp.dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      // Interrupt once the block is connected and waiting (ncat reports the connection).
      await waitFor('the CLI connected', () => /Connection from/.test(ncat.stderr()), 10000);
      child.kill('SIGINT');
      assert.strictEqual(await closed, 130);
      const lines = stdout.trim().split('\n');
      assert.match(lines[0], /^not ok 1 - slow\.socklab:1 block at line 1 \(\d+ ms\)$/);
      assert.strictEqual(lines[1], '  # The run was cancelled.');
      assert.strictEqual(lines[2], '1..1');
      assert.match(lines[3], /^# 1 block\(s\) in 1 file\(s\): 0 passed, 1 failed \(\d+\.\d s\), cancelled$/);
    } finally {
      await ncat.kill();
    }
  });

  it('exits 2 on bad usage with a sentence and the usage; --help and --version exit 0', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /^socket-lab: a command is needed\nUsage: socket-lab run/],
      [['test'], /^socket-lab: unknown command "test"; the command is run\n/],
      [['run'], /^socket-lab: run needs at least one request file or folder\n/],
      [['run', 'x.socklab', '--bogus'], /^socket-lab: unknown option --bogus\n/],
      [['run', 'x.socklab', '--var', 'novalue'], /^socket-lab: --var needs name=value .* \(got "novalue"\)\n/],
      [
        ['run', 'x.socklab', '--timeout=0'],
        /^socket-lab: --timeout must be a whole number of milliseconds from 1 to 3600000 \(got "0"\)\n/,
      ],
      [['run', 'x.socklab', '--env'], /^socket-lab: --env needs a value\n/],
      [['run', 'missing.socklab'], /^socket-lab: no such file or folder: missing\.socklab\n$/],
      [['run', '.'], /^socket-lab: no \.socklab files under \.\n$/],
    ];
    for (const [args, stderr] of cases) {
      const r = await cli(args, tmp.dir);
      assert.strictEqual(r.code, 2, args.join(' '));
      assert.match(r.stderr, stderr, args.join(' '));
      assert.strictEqual(r.stdout, '');
    }
    const help = await cli(['--help']);
    assert.deepStrictEqual(
      [help.code, help.stdout.split('\n')[0]],
      [0, 'Usage: socket-lab run <file|dir>... [--var name=value]... [--env NAME] [--junit FILE] [--timeout MS]'],
    );
    const version = await cli(['--version']);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    assert.deepStrictEqual([version.code, version.stdout], [0, `socket-lab ${pkg.version}\n`]);
  });

  it('is built as dist/cli.js: executable with a node shebang, the package bin', async () => {
    const bundle = path.join(REPO, 'dist', 'cli.js');
    if (!fs.existsSync(bundle)) {
      // npm test builds first; a bare mocha run builds it here.
      const built = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs')], {
        cwd: REPO,
        encoding: 'utf8',
      });
      assert.strictEqual(built.status, 0, built.stderr);
    }
    assert.strictEqual(fs.readFileSync(bundle, 'utf8').split('\n')[0], '#!/usr/bin/env node');
    assert.ok(fs.statSync(bundle).mode & 0o111, 'executable');
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    assert.deepStrictEqual(pkg.bin, { 'socket-lab': './dist/cli.js' });
    const r = await cli(['run', path.join(PEERS_DIR, 'no-such.socklab')], REPO, [bundle]);
    assert.deepStrictEqual([r.code, r.stderr.startsWith('socket-lab: no such file or folder:')], [2, true]);
  });
});
