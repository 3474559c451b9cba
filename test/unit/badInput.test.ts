// Bad input: every case of the shared table through the core entry point a command calls
// (SocketLab), and every value a user can type through the validator the quick input calls.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { encodePayload } from '../../src/core/codec';
import { isSocketLabError } from '../../src/shared/errors';
import { SocketLab } from '../../src/core/socketLab';
import { checkHost, checkPort, checkUnixPath } from '../../src/shared/validate';
import {
  assertSentence,
  buildFixture,
  COMMAND_CASES,
  Fixture,
  listSnapshot,
  offlineLookup,
  PROMPT_CASES,
} from '../helpers/badInputCases';
import { tempDir } from '../helpers/tempDir';
import '../helpers/noLeaks';
import { shareWithOtherUsers } from '../helpers/forOtherUsers';
import { skipOrFail } from '../helpers/require';

/** What the quick input's validateInput runs for each prompt (see src/host/prompts.ts). */
function promptValidator(c: (typeof PROMPT_CASES)[number]): unknown {
  switch (c.prompt) {
    case 'port':
      return checkPort(c.value);
    case 'host':
      return checkHost(c.value);
    case 'unixPath':
      return checkUnixPath(c.value, 'path', process.platform);
    case 'payload':
      try {
        encodePayload({ data: c.value, format: c.format, encoding: c.encoding ?? 'utf8', lineEnding: 'none' });
        return undefined;
      } catch (err) {
        return err;
      }
  }
}

describe('bad input: the quick-input validators', () => {
  for (const c of PROMPT_CASES) {
    it(`${c.prompt} prompt refuses ${c.name}`, () => {
      const err = promptValidator(c);
      assert.ok(isSocketLabError(err), `accepted ${JSON.stringify(c.value)}`);
      assert.strictEqual(err.code, c.code, err.message);
      assertSentence(err.message, c.says, c.name);
    });
  }
});

describe('bad input: command arguments through the core (SocketLab)', function () {
  this.timeout(10000);
  let lab: SocketLab;
  let fixture: Fixture;
  const lookups: string[] = [];

  before(async () => {
    lab = new SocketLab({
      lookup: ((host: string, options: unknown, cb: Parameters<typeof offlineLookup>[2]) => {
        lookups.push(host);
        offlineLookup(host, options, cb);
      }) as never,
    });
    fixture = await buildFixture({ call: (command, args) => callCore(lab, command, args), list: () => lab.list() });
  });

  after(async () => {
    await fixture?.cleanup();
    lab?.dispose();
  });

  for (const c of COMMAND_CASES.filter((x) => x.only !== 'host')) {
    it(`${c.command}: ${c.name}`, async () => {
      const before = listSnapshot(lab.list());
      const lookupsBefore = lookups.length;
      let caught: unknown;
      try {
        await callCore(lab, c.command, c.args(fixture));
      } catch (err) {
        caught = err;
      }
      assert.ok(caught !== undefined, `${c.command} accepted ${c.name}`);
      assert.ok(isSocketLabError(caught), `not a SocketLabError: ${String(caught)}`);
      assert.strictEqual(caught.code, c.code, caught.message);
      assertSentence(caught.message, c.says, c.name);
      assert.strictEqual(listSnapshot(lab.list()), before, 'list() changed: something was left half-created');
      if (c.noLookup) assert.strictEqual(lookups.length, lookupsBefore, 'a host refused by syntax was looked up');
    });
  }

  it('hex with separators at both edges is accepted as the same bytes (a documented leniency, not an error)', async () => {
    assert.deepStrictEqual(
      encodePayload({ data: ': 48-65,6c :', format: 'hex' }),
      encodePayload({ data: '48656c', format: 'hex' }),
    );
  });
});

/** Calls the SocketLab method a command calls; the host's stopAll/copyAddress/openPanel are not core methods. */
async function callCore(lab: SocketLab, command: string, args: unknown): Promise<unknown> {
  const method = (lab as unknown as Record<string, (a: unknown) => unknown>)[command];
  if (typeof method !== 'function') throw new Error(`no core method ${command}`);
  return method.call(lab, args);
}

// Permission cases cannot happen as root, so they run in a child process as 'nobody'.
describe('bad input: permissions (as an unprivileged user)', function () {
  this.timeout(20000);

  it('a Unix path in a folder nobody may write to, a socket nobody may open, a file nobody may read, a port below 1024', async function () {
    const asUser = unprivileged();
    if (typeof asUser === 'string') {
      skipOrFail(this, asUser);
    }
    const t = tempDir();
    const cleanups: (() => void)[] = [() => t.remove()];
    try {
      // A folder only root may enter, with a live socket and a private file in it.
      const locked = path.join(t.dir, 'locked');
      fs.mkdirSync(locked, { mode: 0o700 });
      const secret = path.join(t.dir, 'secret.bin');
      fs.writeFileSync(secret, 'secret', { mode: 0o600 });
      fs.chmodSync(t.dir, 0o755);
      const lab = new SocketLab();
      try {
        const live = await lab.startUnixListener({ path: path.join(locked, 'live.sock') });
        // Run from a folder nobody may read, whatever folder this checkout sits in.
        const scenario = path.join(__dirname, '..', 'helpers', 'scenarios', 'permissions.js');
        const shared = shareWithOtherUsers([scenario]);
        cleanups.push(() => shared.remove());
        const script = shared.at(scenario);
        const r = spawnSync(
          asUser[0],
          [
            ...asUser.slice(1),
            process.execPath,
            script,
            JSON.stringify({ locked, live: (live.local as { path: string }).path, secret }),
          ],
          {
            encoding: 'utf8',
            timeout: 15000,
          },
        );
        assert.strictEqual(r.status, 0, r.stderr);
        const out = JSON.parse(r.stdout) as Record<
          string,
          { code?: string; message?: string; ok?: boolean; list?: number }
        >;
        assert.notStrictEqual(out.uid as unknown, 0, 'the child still ran as root');
        assert.strictEqual(out.listen.code, 'permissionDenied', JSON.stringify(out.listen));
        assert.match(
          out.listen.message!,
          /^Permission denied for .*locked\/mine\.sock; choose a path in a folder you may write to\.$/,
        );
        assert.strictEqual(out.connect.code, 'permissionDenied', JSON.stringify(out.connect));
        assert.match(
          out.connect.message!,
          /^Permission denied for .*live\.sock; connecting needs access to its folder and write permission on the socket\.$/,
        );
        assert.strictEqual(out.sendFile.code, 'permissionDenied', JSON.stringify(out.sendFile));
        assert.match(out.sendFile.message!, /^Permission denied reading .*secret\.bin; choose a file you may read\.$/);
        assert.strictEqual(out.lowPort.code, 'permissionDenied', JSON.stringify(out.lowPort));
        assert.match(
          out.lowPort.message!,
          /^Permission denied for 127\.0\.0\.1:\d+; ports below 1024 need administrator rights, choose a port above 1023\.$/,
        );
        assert.strictEqual(out.afterwards.ok, true, 'a later start as the same user failed');
        assert.strictEqual(out.listAfterFailures.list, 1, 'failed starts left endpoints behind');
      } finally {
        lab.dispose();
      }
    } finally {
      for (const cleanup of cleanups) cleanup();
    }
  });
});

/** The command prefix that runs a program as 'nobody', or why it cannot. */
function unprivileged(): string[] | string {
  if (process.getuid?.() !== 0) return 'not root: permission cases need to switch to an unprivileged user';
  for (const prefix of [
    ['runuser', '-u', 'nobody', '--'],
    ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'],
  ]) {
    const probe = spawnSync(prefix[0], [...prefix.slice(1), 'id', '-u'], { encoding: 'utf8', timeout: 5000 });
    if (probe.status === 0 && probe.stdout.trim() !== '0') {
      return prefix;
    }
  }
  return 'neither runuser nor setpriv can switch to nobody here';
}
