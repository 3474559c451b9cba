import * as assert from 'assert';
import * as net from 'net';
import * as vscode from 'vscode';
import { SocketLab } from '../../src/core/socketLab';
import { EndpointRestorer, RESTORE_STATE_KEY, type StoredEndpoint } from '../../src/host/restore';
import { portOf, rawConnect } from '../helpers/sockets';
import { waitFor } from '../helpers/wait';

/** The workspace state of one window, kept in memory: what one extension host leaves for the next. */
class WindowState implements vscode.Memento {
  private readonly _values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this._values.keys()];
  }
  get<T>(key: string, fallback?: T): T | undefined {
    // Through JSON, as VS Code stores it: nothing but plain data survives a reload.
    const value = this._values.get(key);
    return value === undefined ? fallback : (JSON.parse(JSON.stringify(value)) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) this._values.delete(key);
    else this._values.set(key, JSON.parse(JSON.stringify(value)));
  }
}

/** One extension host's worth of Socket Lab: a registry and its restorer, over the window's state. */
function host(state: WindowState, options: { enabled?: boolean; confirm?: boolean } = {}) {
  const lab = new SocketLab();
  const output = vscode.window.createOutputChannel('Socket Lab restore test', { log: true });
  const confirmations: string[] = [];
  const restorer = new EndpointRestorer({
    lab,
    state,
    output,
    enabled: () => options.enabled ?? true,
    confirmExternal: async (h, port) => {
      confirmations.push(`${h}:${port}`);
      return options.confirm ?? true;
    },
  });
  return {
    lab,
    restorer,
    confirmations,
    /** What deactivate does: stop saving, then close every socket. */
    end() {
      restorer.freeze();
      restorer.dispose();
      lab.dispose();
      output.dispose();
    },
  };
}

function stored(state: WindowState): StoredEndpoint[] {
  return state.get<StoredEndpoint[]>(RESTORE_STATE_KEY) ?? [];
}

async function replyTo(port: number, text: string): Promise<string> {
  const client = await rawConnect({ host: '127.0.0.1', port });
  try {
    client.socket.write(text);
    await waitFor('the auto-reply', () => client.received().length > 0);
    return client.received().toString();
  } finally {
    client.socket.destroy();
  }
}

describe('restoreEndpoints: endpoints survive a reload (real sockets, the restorer of the real host)', function () {
  this.timeout(60000);
  const ended: (() => void)[] = [];
  const servers: net.Server[] = [];

  afterEach(() => {
    for (const end of ended.splice(0)) end();
    for (const s of servers.splice(0)) s.close();
  });

  function track<T extends { end(): void }>(h: T): T {
    ended.push(() => h.end());
    return h;
  }

  it('brings a TCP listener back on the port it got, under the same id, with the auto-reply set after it started', async () => {
    const state = new WindowState();
    const before = track(host(state));
    await before.restorer.restore();
    const first = await before.lab.startTcpListener({ port: 0 });
    const client = await before.lab.connectTcp({ host: '127.0.0.1', port: portOf(first) });
    before.lab.setAutoReply(first.id, { mode: 'fixed', data: 'pong' });
    await waitFor('both stored', () => stored(state).length === 2);
    assert.deepStrictEqual(
      stored(state).map((e) => [e.id, e.command]),
      [
        [first.id, 'startTcpListener'],
        [client.id, 'connectTcp'],
      ],
    );
    assert.strictEqual(stored(state)[0].args.port, portOf(first), 'port 0 is stored as the port it got');
    before.end();
    assert.strictEqual(stored(state).length, 2, 'closing everything at shutdown does not empty the list');

    const after = track(host(state));
    await after.restorer.restore();
    await after.restorer.ready;
    const back = after.lab.get(first.id);
    assert.strictEqual(back?.state, 'listening');
    assert.strictEqual(portOf(back), portOf(first));
    assert.strictEqual(back.autoReply, true);
    assert.strictEqual(await replyTo(portOf(first), 'ping'), 'pong');
    // The client came back too, connected to the restored listener.
    await waitFor('the client connected again', () => after.lab.get(client.id)?.state === 'connected');
    const next = await after.lab.startUdpListener({ port: 0 });
    assert.ok(![first.id, client.id].includes(next.id), `a new endpoint gets a new id, not ${next.id}`);
  });

  it('retries a port still held by the old host, and lists one that cannot come back with the reason', async () => {
    const state = new WindowState();
    const before = track(host(state));
    await before.restorer.restore();
    const held = await before.lab.startTcpListener({ port: 0 });
    const taken = await before.lab.startTcpListener({ port: 0 });
    await waitFor('both stored', () => stored(state).length === 2);
    before.restorer.freeze();
    // The old host still holds both ports while the new one restores; it lets the first go a second later.
    const after = track(host(state));
    const restoring = after.restorer.restore();
    await waitFor('the first try refused', () => after.lab.get(held.id)?.state === 'error');
    before.lab.stop({ id: held.id });
    await restoring;
    assert.strictEqual(after.lab.get(held.id)?.state, 'listening', 'retried until the old host let go');
    const failed = after.lab.get(taken.id)!;
    assert.strictEqual(failed.state, 'error');
    assert.strictEqual(failed.errorCode, 'addressInUse');
    assert.deepStrictEqual(failed.local, taken.local, 'named by its address, as before the reload');
    assert.match(failed.error ?? '', new RegExp(`${portOf(taken)}`));
    // It stays in the stored list while the user leaves it in the view; Restart brings it back once free.
    await waitFor('both still stored', () => stored(state).length === 2);
    before.lab.stop({ id: taken.id });
    const restarted = await after.lab.restart({ id: taken.id });
    assert.strictEqual(restarted.state, 'listening');
  });

  it('forgets a stopped endpoint at once, even right after a change that started the coalescing interval', async () => {
    const state = new WindowState();
    const h = track(host(state));
    await h.restorer.restore();
    const kept = await h.lab.startTcpListener({ port: 0 });
    const stopped = await h.lab.startTcpListener({ port: 0 });
    await waitFor('both stored', () => stored(state).length === 2);
    // A change of a live endpoint is saved on the coalesced schedule (a write is now pending)...
    h.lab.setAutoReply(kept.id, { mode: 'echo' });
    // ...and a stop just after it is written before anything else runs: a window reload now cannot bring it back.
    h.lab.stop({ id: stopped.id });
    assert.deepStrictEqual(
      stored(state).map((e) => e.id),
      [kept.id],
    );
    assert.strictEqual(stored(state)[0].args.autoReply !== undefined, true, 'the pending change is in that write');
    h.end();

    const after = track(host(state));
    await after.restorer.restore();
    assert.deepStrictEqual(
      after.lab.list().map((e) => [e.id, e.state]),
      [[kept.id, 'listening']],
    );
    assert.strictEqual(after.lab.get(stopped.id), undefined);
  });

  it('asks before restoring a bind other machines can reach, and restores nothing when the setting is off', async () => {
    const state = new WindowState();
    await state.update(RESTORE_STATE_KEY, [
      { id: 'e4', command: 'startUdpListener', args: { host: '0.0.0.0', port: 0, allowExternal: true } },
    ] satisfies StoredEndpoint[]);
    const refused = track(host(state, { confirm: false }));
    await refused.restorer.restore();
    assert.deepStrictEqual(refused.confirmations, ['0.0.0.0:0']);
    assert.strictEqual(refused.lab.list().length, 0, 'not confirmed: not bound');
    refused.end();

    const off = track(host(state, { enabled: false }));
    await off.restorer.restore();
    assert.strictEqual(off.lab.list().length, 0);
    assert.deepStrictEqual(off.confirmations, []);
    await off.lab.startTcpListener({ port: 0 });
    await waitFor('the stored list cleared', () => state.get(RESTORE_STATE_KEY) === undefined);
  });
});
