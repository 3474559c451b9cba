import * as assert from 'assert';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { randomBytes } from 'crypto';
import '../helpers/noLeaks';
import { waitFor } from '../helpers/wait';
import { skipOrFail } from '../helpers/require';

/** Runs `ip` with args; returns the failure text or undefined. */
function ip(...args: string[]): string | undefined {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10000 });
  return r.status === 0 ? undefined : (r.stderr || r.error?.message || `exit ${r.status}`).trim();
}

// Broadcast and multicast datagrams could leave through the real interface, so they are only ever
// sent inside a namespace made for the test: loopback plus a veth pair whose both ends stay inside.
describe('broadcast and multicast inside a throw-away network namespace', function () {
  this.timeout(30000);
  const ns = `sl-test-${randomBytes(4).toString('hex')}`;
  let ipv6Iface = '';
  let skipReason: string | undefined;

  before(function () {
    if (process.getuid?.() !== 0) {
      skipReason = 'not root, cannot create a network namespace';
    } else {
      skipReason = ip('netns', 'add', ns);
      if (skipReason) skipReason = `ip netns add failed: ${skipReason}`;
    }
    if (skipReason) {
      skipOrFail(this, skipReason);
    }
    const steps = [
      ['-n', ns, 'link', 'set', 'lo', 'up'],
      ['-n', ns, 'link', 'set', 'lo', 'multicast', 'on'],
      // A subnet on lo gives a directed broadcast address that the kernel delivers locally.
      ['-n', ns, 'addr', 'add', '10.99.0.1/24', 'broadcast', '10.99.0.255', 'dev', 'lo'],
      ['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'lo'],
    ];
    for (const s of steps) {
      const err = ip(...s);
      if (err) throw new Error(`ip ${s.join(' ')}: ${err}`);
    }
    // IPv6 multicast does not loop over lo; a veth pair (both ends in the namespace) carries it.
    if (
      // No duplicate detection on the pair (nothing else is on its link): while it runs, a link-local address
      // cannot be a source, and a send to an IPv6 group routed out that end fails with EADDRNOTAVAIL.
      !ip('netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0') &&
      !ip('-n', ns, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1') &&
      !ip('-n', ns, 'link', 'set', 'v0', 'up') &&
      !ip('-n', ns, 'link', 'set', 'v1', 'up')
    ) {
      ipv6Iface = 'v0';
    } else {
      console.log('      (IPv6 multicast part skipped: no veth pair could be created in the namespace)');
    }
  });

  after(() => {
    if (!skipReason) ip('netns', 'del', ns);
  });

  it('broadcast needs enabling, then reaches a socket on 0.0.0.0; IPv4 and IPv6 groups join and leave', async function () {
    if (ipv6Iface) {
      // IPv6 multicast leaves through the pair once its link-local addresses are usable (duplicate detection is off,
      // but the addresses come with the carrier, a moment after the links are up).
      await waitFor(
        'a link-local address on both ends of the pair, past duplicate detection',
        () => {
          // Both ends: a send to a group may leave through either of them.
          const r = spawnSync('ip', ['-n', ns, '-6', 'addr', 'show'], { encoding: 'utf8' });
          return (r.stdout.match(/inet6 fe80/g) ?? []).length >= 2 && !/tentative/.test(r.stdout);
        },
        10000,
      );
    }
    const script = path.join(__dirname, '..', 'helpers', 'scenarios', 'broadcastAndMulticast.js');
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, script, ipv6Iface], {
      encoding: 'utf8',
      timeout: 20000,
    });
    assert.strictEqual(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.strictEqual(out.error, undefined, out.error);
    assert.strictEqual(out.withoutBroadcast, 'broadcastNotEnabled');
    assert.match(out.withoutBroadcastMessage, /enable broadcast on this socket/);
    assert.strictEqual(out.broadcastFlag, true);
    assert.deepStrictEqual(out.broadcastReceived, ['b1']);
    assert.deepStrictEqual(out.groups4, ['239.1.2.3']);
    assert.strictEqual(out.multicast4Received, 1);
    assert.strictEqual(out.multicast4AfterLeave, 1);
    if (ipv6Iface) {
      assert.strictEqual(out.multicast6Received, 1);
      assert.strictEqual(out.multicast6AfterLeave, 1);
    }
  });

  it('joins and leaves on a running socket, loopback off stops local delivery, a real receiver sees the TTL, restart joins again', function () {
    if (!ipv6Iface) skipOrFail(this, 'no veth pair could be created in the namespace');
    // 239.7.0.0/16 goes out v0, whose datagrams arrive on v1, where nothing is a member: local members on v0
    // get the group's datagrams only by multicast loopback (over lo they would arrive whatever it says).
    for (const s of [
      ['-n', ns, 'addr', 'add', '10.99.1.1/24', 'dev', 'v0'],
      ['-n', ns, 'route', 'add', '239.7.0.0/16', 'dev', 'v0'],
    ]) {
      const err = ip(...s);
      if (err) throw new Error(`ip ${s.join(' ')}: ${err}`);
    }
    const script = path.join(__dirname, '..', 'helpers', 'scenarios', 'multicastControls.js');
    const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, script], { encoding: 'utf8', timeout: 25000 });
    assert.strictEqual(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.strictEqual(out.error, undefined, out.error);
    assert.deepStrictEqual(out.joined, ['239.7.7.7']);
    assert.strictEqual(out.loopbackOff, false);
    assert.deepStrictEqual(out.groupsAfterRestart, ['239.7.7.7']);
    assert.deepStrictEqual(out.left, []);
    assert.strictEqual(out.leaveAgain.code, 'notMember');
    // Not before the join, not with loopback off, not after leaving: each time the sentinel came first.
    assert.deepStrictEqual(out.receivedBeforeRestart, ['s1', 'joined', 's2']);
    assert.deepStrictEqual(out.received, ['after-restart', 's3']);
    assert.strictEqual(out.ttlSet, 7);
    assert.strictEqual(out.ttlSeen, '7');
  });
});
