// Panel messages: bad messages handed straight to the host's real handler (the function
// webview.onDidReceiveMessage calls, which validates with parseWebviewMessage); what the host posts back is
// recorded in place of webview.postMessage, so no webview has to load. The real transport both ways is driven
// by the e2e panel suites.
// The protocol's own 10,000-message fuzz and CSP tests are in test/unit/protocol.test.ts; here every case
// goes through the host side in the real extension host, with the core watched so nothing invalid reaches it.
import * as assert from 'assert';
import fc from 'fast-check';
import * as vscode from 'vscode';
import type { EndpointInfo } from '../../src/shared/model';
import type { SocketLab } from '../../src/core/socketLab';
import { assertSentence, listSnapshot } from '../helpers/badInputCases';
import { run, socketLab, type TestApi } from '../helpers/extensionHost';
import { waitFor } from '../helpers/wait';

interface PanelLike {
  endpointId: string;
  panel: vscode.WebviewPanel;
}

type Posted = { type: string; id?: number; ok?: boolean; error?: string; result?: { error?: string; bytes?: number } };

/** Ids of the sentinel requests (above every id a case uses). */
const SENTINEL_IDS = 1_000_000;

const CORE_METHODS = ['send', 'sendFile', 'stopRepeat', 'setAutoReply', 'clearLog', 'stop', 'restart'] as const;

describe('bad panel messages handed to the host handler, its posts recorded instead of sent (real extension host)', function () {
  this.timeout(60000);
  let api: TestApi;
  let udp: EndpointInfo;
  let other: EndpointInfo;
  let panel: PanelLike;
  let posted: Posted[];
  const coreCalls: string[] = [];
  const restore: (() => void)[] = [];

  /** Delivers `raw` as the webview would and returns the response to request `id` (or undefined when none is due). */
  async function deliver(raw: unknown, id?: number): Promise<Posted | undefined> {
    const from = posted.length;
    assert.doesNotThrow(
      () => (panel as unknown as { _onMessage(m: unknown): void })._onMessage(raw),
      'the handler threw',
    );
    if (id === undefined) {
      await sentinel();
      return undefined;
    }
    return waitFor(`response ${id}`, () => posted.slice(from).find((m) => m.type === 'response' && m.id === id), 5000);
  }

  let nextSentinelId = SENTINEL_IDS;
  /**
   * Silence is the behaviour for a message without a usable id: shown by a later request that goes the whole
   * way through the request queue and is answered, so whatever the earlier message started has had its turn.
   */
  async function sentinel(): Promise<void> {
    const id = nextSentinelId++;
    const from = posted.length;
    (panel as unknown as { _onMessage(m: unknown): void })._onMessage({
      type: 'convert',
      id,
      data: 'ok',
      format: 'text',
      into: 'hex',
    });
    const answer = await waitFor(`the sentinel ${id}`, () =>
      posted.slice(from).find((m) => m.type === 'response' && m.id === id),
    );
    assert.deepStrictEqual([answer.ok, answer.result], [true, { data: '6f 6b' }], 'the sentinel answered');
  }

  before(async () => {
    api = await socketLab();
    await run('stopAll', {});
    udp = await run<EndpointInfo>('startUdpListener', { port: 0 });
    other = await run<EndpointInfo>('startTcpListener', { port: 0 });
    await run('openPanel', { id: udp.id });
    const manager = api._test.panels as { panels: readonly PanelLike[] };
    panel = await waitFor('the panel', () => manager.panels.find((p) => p.endpointId === udp.id));
    posted = [];
    // Record what the host posts back instead of relying on the webview being loaded.
    (panel as unknown as { _post(m: Posted): void })._post = (m: Posted) => posted.push(m);
    const lab = api._test.lab as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const name of CORE_METHODS) {
      const original = lab[name];
      lab[name] = function (this: SocketLab, ...args: unknown[]) {
        coreCalls.push(name);
        return original.apply(this, args);
      };
      restore.push(() => (lab[name] = original));
    }
  });

  after(async () => {
    for (const r of restore) r();
    panel?.panel.dispose();
    await run('stopAll', {});
  });

  const send = (fields: Record<string, unknown>) => ({
    type: 'send',
    id: 1,
    target: '',
    data: 'x',
    format: 'text',
    encoding: 'utf8',
    escapes: true,
    lineEnding: 'none',
    ...fields,
  });

  // [name, message (target filled in), sentence, reaches the core]
  const cases: [
    string,
    (ids: { udp: string; udpPort: number; other: string }) => Record<string, unknown>,
    RegExp,
    boolean,
  ][] = [
    [
      'hex "zz"',
      (i) => send({ target: i.udp, data: 'zz', format: 'hex', to: { host: '127.0.0.1', port: i.udpPort } }),
      /^Hex payload has the character "z" at position 1/,
      true,
    ],
    [
      'hex with an odd number of digits',
      (i) => send({ target: i.udp, data: 'abc', format: 'hex', to: { host: '127.0.0.1', port: i.udpPort } }),
      /odd number of digits/,
      true,
    ],
    [
      'base64 with misplaced padding',
      (i) => send({ target: i.udp, data: 'SGVsbG8===', format: 'base64', to: { host: '127.0.0.1', port: i.udpPort } }),
      /misplaced '=' padding/,
      true,
    ],
    [
      'base64 with a bad character',
      (i) => send({ target: i.udp, data: 'SGV$bG8=', format: 'base64', to: { host: '127.0.0.1', port: i.udpPort } }),
      /character "\$"/,
      true,
    ],
    [
      'unknown encoding',
      (i) => send({ target: i.udp, encoding: 'klingon', to: { host: '127.0.0.1', port: i.udpPort } }),
      /^Encoding must be one of utf8/,
      true,
    ],
    [
      'repeat interval 0 without a count',
      (i) => send({ target: i.udp, repeat: { intervalMs: 0 }, to: { host: '127.0.0.1', port: i.udpPort } }),
      /^Count must be given/,
      true,
    ],
    [
      'UDP payload over 65,507 bytes',
      (i) => send({ target: i.udp, data: 'A'.repeat(65_508), to: { host: '127.0.0.1', port: i.udpPort } }),
      /at most 65507 bytes over IPv4/,
      true,
    ],
    [
      'destination host "999.1.1.1"',
      (i) => send({ target: i.udp, to: { host: '999.1.1.1', port: 9 } }),
      /^to\.host must be a valid IPv4 address/,
      true,
    ],
    ['UDP send without a destination', (i) => send({ target: i.udp }), /give 'to' \{ host, port \} or a peer id/, true],
    [
      'another endpoint as target',
      (i) => send({ target: i.other }),
      /^This panel can only send through UDP 127\.0\.0\.1:\d+ and its connections\.$/,
      false,
    ],
    [
      'unknown connection of this endpoint',
      (i) => send({ target: `${i.udp}.p999` }),
      /^There is no endpoint, connection or peer e\d+\.p999\.$/,
      true,
    ],
    [
      'format "octal" (refused by the protocol)',
      (i) => send({ target: i.udp, format: 'octal' }),
      /^The panel sent a message the extension does not understand: format: /,
      false,
    ],
    [
      'an extra field (refused by the protocol)',
      (i) => send({ target: i.udp, extra: 1 }),
      /does not understand: .*extra/,
      false,
    ],
    [
      'destination port 70000 (refused by the protocol)',
      (i) => send({ target: i.udp, to: { host: '127.0.0.1', port: 70000 } }),
      /does not understand: to\.port/,
      false,
    ],
    [
      'repeat interval -1 (refused by the protocol)',
      (i) => send({ target: i.udp, repeat: { intervalMs: -1 } }),
      /does not understand: repeat\.intervalMs/,
      false,
    ],
    [
      'data over 8 MiB characters (refused by the protocol)',
      (i) => send({ target: i.udp, data: 'a'.repeat(8 * 1024 * 1024 + 1) }),
      /does not understand: data/,
      false,
    ],
    [
      'stopRepeat of a repeat this panel did not start',
      () => ({ type: 'stopRepeat', id: 1, repeatId: 'r999' }),
      /^There is no running repeat r999\.$/,
      false,
    ],
    [
      'auto-reply regex that does not compile',
      () => ({ type: 'setAutoReply', id: 1, spec: { mode: 'rules', rules: [{ regex: '(', reply: { data: 'x' } }] } }),
      /autoReply\.rules\[0\]\.regex/,
      true,
    ],
    [
      'auto-reply rules not a list (refused by the protocol)',
      () => ({ type: 'setAutoReply', id: 1, spec: { mode: 'rules', rules: 'x' } }),
      /does not understand: spec\.rules/,
      false,
    ],
    [
      'fetchOlder of a million records (refused by the protocol)',
      () => ({ type: 'fetchOlder', id: 1, epoch: 0, after: 0, before: 10, limit: 1e6 }),
      /does not understand: limit/,
      false,
    ],
    [
      'unknown message type (refused by the protocol)',
      () => ({ type: 'exec', id: 1, command: 'rm -rf /' }),
      /does not understand: type/,
      false,
    ],
  ];

  for (const [name, make, says, reachesCore] of cases) {
    it(`panel message: ${name}`, async () => {
      const before = listSnapshot(api.list());
      const calls = coreCalls.length;
      const response = await deliver(
        make({ udp: udp.id, udpPort: (udp.local as { port: number }).port, other: other.id }),
        1,
      );
      assert.strictEqual(response!.ok, false, JSON.stringify(response));
      if (reachesCore || !/refused by the protocol/.test(name)) {
        assertSentence(response!.error, says, name);
      } else {
        // Protocol refusals (only a broken or compromised webview can cause them) carry valibot's issue text:
        // one line naming the field, but not a finished sentence; see RELIABILITY.md.
        assert.ok(!/[\n\r]/.test(response!.error!) && response!.error!.length <= 400, response!.error);
        assert.match(response!.error!, says);
      }
      assert.strictEqual(listSnapshot(api.list()), before, 'list() changed');
      if (!reachesCore)
        assert.strictEqual(
          coreCalls.length,
          calls,
          `refused before the core, but the core was called: ${coreCalls.slice(calls)}`,
        );
    });
  }

  it('panel message: validate of bad hex answers the sentence as a result (live validation), never touching the core', async () => {
    const calls = coreCalls.length;
    const response = await deliver(
      { type: 'validate', id: 2, data: '12 3', format: 'hex', encoding: 'utf8', escapes: true, lineEnding: 'none' },
      2,
    );
    assert.strictEqual(response!.ok, true);
    assertSentence(response!.result!.error, /odd number of digits in "3" at position 4/, 'validate');
    assert.strictEqual(coreCalls.length, calls);
  });

  it('panel message: convert answers the rewritten payload, or the sentence of why not, never touching the core', async () => {
    const calls = coreCalls.length;
    const good = await deliver({ type: 'convert', id: 4, data: 'Hi\\n', format: 'text', into: 'hex' }, 4);
    assert.deepStrictEqual([good!.ok, good!.result], [true, { data: '48 69 0a' }]);
    const bad = await deliver({ type: 'convert', id: 5, data: '12 3', format: 'hex', into: 'base64' }, 5);
    assert.strictEqual(bad!.ok, true);
    assertSentence(bad!.result!.error, /odd number of digits in "3" at position 4/, 'convert');
    // A format the protocol does not know is refused before the host converts anything (valibot's one line).
    const unknown = await deliver({ type: 'convert', id: 6, data: 'x', format: 'text', into: 'octal' }, 6);
    assert.strictEqual(unknown!.ok, false);
    assert.match(unknown!.error!, /^The panel sent a message the extension does not understand: into: /);
    // Text the panel copies itself is bounded (a kept row's preview as hex at most).
    const long = await deliver({ type: 'copyText', id: 7, text: 'x'.repeat(512 * 3 + 1) }, 7);
    assert.strictEqual(long!.ok, false);
    assert.match(long!.error!, /^The panel sent a message the extension does not understand: text: /);
    assert.strictEqual(coreCalls.length, calls);
  });

  it('panel messages with no id to answer (null, a string, an array, a throwing getter) are dropped silently', async () => {
    const hostile = Object.defineProperty({ type: 'send' }, 'id', {
      get() {
        throw new Error('gotcha');
      },
      enumerable: true,
    });
    const calls = coreCalls.length;
    const from = posted.length;
    for (const raw of [null, undefined, 'ready', 42, [{ type: 'ready', id: 3 }], hostile, { type: 'send', id: -1 }])
      await deliver(raw);
    assert.strictEqual(
      posted.slice(from).filter((m) => m.type === 'response' && !(Number(m.id) >= SENTINEL_IDS)).length,
      0,
      'answered a message without a usable id',
    );
    assert.strictEqual(coreCalls.length, calls);
  });

  it('1,000 fuzzed messages through the host handler: none throws, none reaches the core, each with a usable id gets a refusal', async function () {
    this.timeout(60000);
    const before = listSnapshot(api.list());
    const calls = coreCalls.length;
    const samples = fc.sample(
      fc.oneof(
        fc.anything(),
        fc.record(
          {
            type: fc.constantFrom(
              'send',
              'sendFile',
              'stopRepeat',
              'setAutoReply',
              'clear',
              'export',
              'fetchOlder',
              'fetchRecord',
              'copy',
              'validate',
            ),
            id: fc.anything(),
            target: fc.anything(),
            data: fc.anything(),
          },
          { requiredKeys: ['type'] },
        ),
        fc.record({
          type: fc.constant('send'),
          id: fc.nat(),
          target: fc.constant(udp.id),
          data: fc.string(),
          format: fc.string(),
          encoding: fc.string(),
          escapes: fc.anything(),
          lineEnding: fc.string(),
        }),
      ),
      { numRuns: 1000, seed: 7 },
    );
    let refusals = 0;
    let withId = 0;
    for (const raw of samples) {
      const from = posted.length;
      assert.doesNotThrow(() => (panel as unknown as { _onMessage(m: unknown): void })._onMessage(raw));
      const refused = posted.slice(from).some((m) => m.type === 'response' && m.ok === false);
      if (refused) refusals++;
      const id =
        typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as { id?: unknown }).id : undefined;
      if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
        withId++;
        assert.ok(refused, `no refusal for ${JSON.stringify(raw)?.slice(0, 200)}`);
      }
    }
    await sentinel();
    console.log(
      `      [figure] 1,000 fuzzed panel messages: ${withId} carried a usable id and all were refused at once (${refusals} refusals), the rest dropped; core calls ${coreCalls.length - calls}`,
    );
    assert.strictEqual(coreCalls.length, calls, 'a fuzzed message reached the core');
    assert.strictEqual(listSnapshot(api.list()), before);
  });

  it('a panel restored onto an endpoint that is gone keeps its id, never reaches the endpoint now under that id, and open() reveals the live panel', async () => {
    const manager = api._test.panels as {
      panels: readonly (PanelLike & { isGone: boolean })[];
      open(id: string): void;
      _restore(panel: vscode.WebviewPanel, state: unknown): Promise<void>;
    };
    // After a reload ids restart: the saved panel named another endpoint 'TCP 127.0.0.1:1' under this UDP socket's id.
    const webviewPanel = vscode.window.createWebviewPanel('socketLab.sendPanel', 'restored', vscode.ViewColumn.Active);
    // The restore waits until the endpoints open before the reload are back (restoreEndpoints).
    await manager._restore(webviewPanel, { endpointId: udp.id, label: 'TCP 127.0.0.1:1' });
    const gone = manager.panels.find((p) => p.panel === webviewPanel)!;
    try {
      assert.ok(gone, 'the restored panel is tracked');
      assert.strictEqual(gone.endpointId, udp.id, 'the id is kept as saved, not encoded');
      assert.strictEqual(gone.isGone, true);
      assert.strictEqual(webviewPanel.title, 'TCP 127.0.0.1:1');
      const goneSent: Posted[] = [];
      (gone as unknown as { _post(m: Posted): void })._post = (m: Posted) => goneSent.push(m);
      const calls = coreCalls.length;
      const onGone = (gone as unknown as { _onMessage(m: unknown): void })._onMessage.bind(gone);
      onGone(send({ id: 41, target: udp.id, to: { host: '127.0.0.1', port: 9 } }));
      onGone({ type: 'clear', id: 42 });
      onGone({ type: 'fetchRecord', id: 43, epoch: 0, seq: 0 });
      const answered = (id: number) => goneSent.find((m) => m.type === 'response' && m.id === id);
      await waitFor('three answers', () => [41, 42, 43].every((id) => answered(id)), 5000);
      for (const id of [41, 42, 43]) {
        const response = answered(id)!;
        assert.strictEqual(response.ok, false, JSON.stringify(response));
        assertSentence(response.error, new RegExp(`^There is no endpoint ${udp.id}\\.$`), `request ${id}`);
      }
      assert.strictEqual(coreCalls.length, calls, `the gone panel reached the core: ${coreCalls.slice(calls)}`);
      // open() of that id reveals the live panel, never the gone one.
      manager.open(udp.id);
      assert.strictEqual(manager.panels.filter((p) => p.endpointId === udp.id && !p.isGone).length, 1);
      assert.strictEqual(manager.panels.filter((p) => p.endpointId === udp.id).length, 2);
    } finally {
      webviewPanel.dispose();
    }
    await waitFor('the restored panel closed', () => !manager.panels.some((p) => p.panel === webviewPanel));
  });
});
