// The send panel's Multicast / Broadcast requests on the host side: a message as the webview posts it, checked
// by the protocol, applied to a real UDP socket through the core. Groups are joined on 127.0.0.1 only (lo) and
// nothing is sent to them: delivery is tested in a network namespace (netns.test.ts).
import * as assert from 'assert';
import '../helpers/noLeaks';
import { applyMulticastChange } from '../../src/host/panel/panelMulticast';
import { parseWebviewMessage } from '../../src/shared/protocol';
import { rejectsWith } from '../helpers/errors';
import { withLab } from '../helpers/lab';

/** The change of a `multicast` message after the protocol checked it (fails when the message is refused). */
function checkedChange(raw: unknown) {
  const parsed = parseWebviewMessage(raw);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  assert.strictEqual(parsed.message.type, 'multicast');
  return (parsed.message as Extract<typeof parsed.message, { type: 'multicast' }>).change;
}

describe('send panel host: Multicast / Broadcast requests', () => {
  it('join (with an interface), broadcast on, leave: each message changes the socket as the panel asked', () =>
    withLab(async (lab) => {
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      const join = checkedChange({
        type: 'multicast',
        id: 1,
        change: { op: 'join', group: '239.255.77.80', interface: '127.0.0.1' },
      });
      applyMulticastChange(lab, u.id, join);
      assert.deepStrictEqual(lab.get(u.id)!.multicastGroups, ['239.255.77.80']);
      applyMulticastChange(
        lab,
        u.id,
        checkedChange({ type: 'multicast', id: 2, change: { op: 'broadcast', on: true } }),
      );
      assert.strictEqual(lab.get(u.id)!.broadcast, true);
      applyMulticastChange(
        lab,
        u.id,
        checkedChange({ type: 'multicast', id: 3, change: { op: 'leave', group: '239.255.77.80' } }),
      );
      assert.strictEqual(lab.get(u.id)!.multicastGroups, undefined);
    }));

  it('a bad group is refused by the core with the sentence the panel shows; malformed messages by the protocol', () =>
    withLab(async (lab) => {
      const u = await lab.startUdpListener({ host: '127.0.0.1', port: 0 });
      await rejectsWith(
        () => applyMulticastChange(lab, u.id, { op: 'join', group: '10.1.1.1' }),
        'invalidMulticastGroup',
        /^group must be a multicast group address/,
      );
      await rejectsWith(() => applyMulticastChange(lab, u.id, { op: 'join', group: '' }), 'invalidMulticastGroup');
      const t = await lab.startTcpListener({ port: 0 });
      await rejectsWith(() => applyMulticastChange(lab, t.id, { op: 'broadcast', on: true }), 'notUdp');
      for (const change of [
        { op: 'join' },
        { op: 'broadcast', on: 'yes' },
        { op: 'leave', group: '239.1.1.1', extra: 1 },
        { op: 'ttl', ttl: 3 },
      ])
        assert.strictEqual(parseWebviewMessage({ type: 'multicast', id: 9, change }).ok, false, JSON.stringify(change));
      assert.strictEqual(lab.get(u.id)!.multicastGroups, undefined);
    }));
});
