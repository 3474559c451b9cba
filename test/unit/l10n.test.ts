import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import '../helpers/noLeaks';
import { compileAutoReply } from '../../src/core/autoReply';
import { describeValue } from '../../src/shared/payload';
import { SocketLabError, fillTemplate } from '../../src/shared/errors';
import type { RepeatEndEvent } from '../../src/core/sending';
import { toSocketLabError } from '../../src/core/systemErrors';
import type { ConnectionInfo, EndpointInfo } from '../../src/shared/model';
import {
  checkHost,
  checkInteger,
  checkPort,
  checkRepeat,
  checkUnixPath,
  checkWaitMs,
  fieldLabel,
} from '../../src/shared/validate';
import { FIELD_LABELS, PLACE_WORDS, VALUE_DESCRIPTIONS, WORDS_BY_PLACEHOLDER } from '../../src/shared/valueWords';
import { withLab } from '../helpers/lab';
import { tempDir } from '../helpers/tempDir';
import { portOf, rawServer } from '../helpers/sockets';
import { waitFor } from '../helpers/wait';

// Compiled to out/test/unit: the repository is three levels up.
const repoRoot = path.join(__dirname, '..', '..', '..');
const script = path.join(repoRoot, 'scripts', 'l10n.mjs');

function runScript(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, '--check', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

// These run scripts/l10n.mjs over the source text, which a mutation run (`npm run mutate`, which names its group
// in SOCKET_LAB_MUTATION_GROUP) has instrumented: there they would fail on every template and prove nothing
// about a mutant, so a mutation run leaves them out. `npm test` never sets the variable.
const readsSourceText = process.env.SOCKET_LAB_MUTATION_GROUP === undefined ? describe : describe.skip;

readsSourceText('l10n bundle', function () {
  this.timeout(180_000);

  it('l10n/bundle.l10n.json holds every vscode.l10n.t string and every SocketLabError.create template (run `npm run l10n` when this fails)', () => {
    const { status, out } = runScript();
    assert.strictEqual(status, 0, out);
    assert.match(out, /is current/);
  });

  it('every error template is a whole English sentence mapped to itself', () => {
    const bundle = JSON.parse(fs.readFileSync(path.join(repoRoot, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    for (const [key, value] of Object.entries(bundle)) {
      assert.strictEqual(value, key);
    }
    // A few templates of the core that only SocketLabError.create names (vscode-l10n-dev cannot see them).
    for (const template of [
      '{target} is already in use by another process; choose another port or stop that process.',
      '{label} must be a whole number from {min} to {max} (got {value}).',
      '{endpoint} is in error ({problem}); restart it first.',
    ]) {
      assert.ok(Object.prototype.hasOwnProperty.call(bundle, template), `missing ${template}`);
    }
  });

  it('refuses a template that is not a string literal, and a placeholder its values do not have', () => {
    const { dir } = tempDir('socket-lab-l10n-test-');
    try {
      fs.writeFileSync(
        path.join(dir, 'bad.ts'),
        [
          'declare const SocketLabError: { create(code: string, template: string, values?: Record<string, string | number>): Error };',
          "const sentence = 'Built elsewhere.';",
          "export const a = SocketLabError.create('built', sentence, {});",
          "export const b = SocketLabError.create('filled', `Port ${80} is taken.`, {});",
          "export const c = SocketLabError.create('missing', '{id} has no {port}.', { id: 'e1' });",
          "export const d = SocketLabError.create('fine', ok() ? '{id} is fine.' : '{id} is not fine.', { id: 'e1' });",
          'function ok(): boolean { return true; }',
        ].join('\n'),
      );
      const { status, out } = runScript('--src', dir);
      assert.strictEqual(status, 1, out);
      assert.match(
        out,
        /bad\.ts:3:\d+: the template of SocketLabError\.create must be a string literal \(found `sentence`\)/,
      );
      assert.match(out, /bad\.ts:4:\d+: the template of SocketLabError\.create must be a string literal/);
      assert.match(
        out,
        /bad\.ts:5:\d+: the template '\{id\} has no \{port\}\.' names \{port\}, which its values do not have/,
      );
      assert.doesNotMatch(out, /bad\.ts:6:/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('collects the words of ValueWords tables, and refuses a word that is not a string literal', () => {
    const bundle = JSON.parse(fs.readFileSync(path.join(repoRoot, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    for (const table of Object.values(WORDS_BY_PLACEHOLDER)) {
      for (const word of Object.values(table))
        assert.ok(Object.prototype.hasOwnProperty.call(bundle, word), `missing the word ${word}`);
    }
    const { dir } = tempDir('socket-lab-l10n-test-');
    try {
      fs.writeFileSync(
        path.join(dir, 'words.ts'),
        [
          'type ValueWords = Readonly<Record<string, string>>;',
          "const computed = 'Comp' + 'uted';",
          "export const ok: ValueWords = { a: 'fine' };",
          'export const bad: ValueWords = { a: computed };',
        ].join('\n'),
      );
      const { status, out } = runScript('--src', dir);
      assert.strictEqual(status, 1, out);
      assert.match(
        out,
        /words\.ts:4:\d+: every word of a ValueWords table must be a string literal \(found `a: computed`\)/,
      );
      assert.doesNotMatch(out, /words\.ts:3:/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('words in error values', () => {
  it('describeValue names what is not text or a number with a word of VALUE_DESCRIPTIONS (an object, not a object)', () => {
    const words = new Set(Object.values(VALUE_DESCRIPTIONS));
    const cases: [unknown, string][] = [
      [undefined, 'nothing'],
      [[1], 'an array'],
      [{}, 'an object'],
      [() => 1, 'a function'],
      [Symbol('s'), 'a symbol'],
    ];
    for (const [value, word] of cases) {
      assert.strictEqual(describeValue(value), word);
      assert.ok(words.has(word), word);
    }
    // Everything else is language-neutral: quoted text, numbers, booleans, null.
    assert.deepStrictEqual(
      [describeValue('nothing'), describeValue(3), describeValue(false), describeValue(null), describeValue(5n)],
      ['"nothing"', '3', 'false', 'null', '5'],
    );
  });

  it('the label of every field the core checks is a word of FIELD_LABELS, in the same English as before', () => {
    const expected: Record<string, string> = {
      port: 'Port',
      host: 'Host',
      path: 'Path',
      backlog: 'Backlog',
      localPort: 'Local port (localPort)',
      maxConnections: 'Connection limit (maxConnections)',
      localAddress: 'Local address (localAddress)',
      timeoutMs: 'Timeout (timeoutMs)',
      connectTimeoutMs: 'Connect timeout (connectTimeoutMs)',
      defaultHost: 'Default host (defaultHost)',
      waitMs: 'Wait time (waitMs)',
      intervalMs: 'Repeat interval (intervalMs)',
      count: 'Repeat count (count)',
      cert: 'Certificate file (cert)',
      key: 'Private key file (key)',
      ca: 'CA file (ca)',
      keylogPath: 'Key log file (keylogPath)',
      maxBytes: 'Capture size limit (maxBytes)',
      'capture.maxBytes': 'Capture size limit (capture.maxBytes)',
      ttl: 'Multicast TTL (ttl)',
      multicastTtl: 'Multicast TTL (multicastTtl)',
    };
    assert.deepStrictEqual({ ...FIELD_LABELS }, expected);
    for (const [field, label] of Object.entries(expected)) assert.strictEqual(fieldLabel(field), label);
    // A field the core does not know is still spelled out (and stays English).
    assert.strictEqual(fieldLabel('retryDelayMs'), 'Retry delay (retryDelayMs)');
    assert.strictEqual(fieldLabel('to.port'), 'to.port');
  });

  it('the {label}, {value} and {target} of validation and system errors are words of their tables or language-neutral', () => {
    const errors = [
      checkPort(undefined),
      checkPort({}, 'localPort'),
      checkPort(' 80 '),
      checkHost([], 'localAddress'),
      checkHost(undefined),
      checkUnixPath(undefined, 'path', process.platform),
      checkWaitMs(() => 1),
      checkInteger(undefined, 'timeoutMs', 1, 10, 'invalidTimeout'),
      checkRepeat({ intervalMs: 'x' }),
      checkRepeat({ intervalMs: 10, count: {} }),
      checkRepeat(null),
      toSocketLabError(Object.assign(new Error('x'), { code: 'EWEIRD' }), { operation: 'restart' }),
    ];
    const neutral = /^(".*"|-?\d+(\.\d+)?|true|false|null)$/s;
    for (const err of errors) {
      assert.ok(err, 'an error');
      assert.ok(err.template);
      for (const [name, table] of Object.entries(WORDS_BY_PLACEHOLDER)) {
        const value = err.values[name];
        if (typeof value !== 'string' || !err.template.includes(`{${name}}`)) continue;
        const words = new Set(Object.values(table));
        assert.ok(
          words.has(value) || (name === 'value' && neutral.test(value)),
          `${err.message}: {${name}} = ${JSON.stringify(value)} is neither a word nor neutral`,
        );
      }
    }
    assert.strictEqual(errors[errors.length - 1]!.values.target, PLACE_WORDS.unknown);
  });
});

/** The snapshot's template filled with its values is its English sentence, and JSON keeps all three. */
function assertTranslatable(
  snapshot: { error?: string; errorTemplate?: string; errorValues?: Record<string, string | number> },
  what: string,
): void {
  assert.ok(snapshot.error, `${what}: an error`);
  assert.ok(snapshot.errorTemplate, `${what}: a template`);
  assert.ok(snapshot.errorValues, `${what}: values`);
  assert.strictEqual(fillTemplate(snapshot.errorTemplate, snapshot.errorValues), snapshot.error, what);
  const copy = JSON.parse(JSON.stringify(snapshot)) as typeof snapshot;
  assert.deepStrictEqual(
    [copy.error, copy.errorTemplate, copy.errorValues],
    [snapshot.error, snapshot.errorTemplate, snapshot.errorValues],
    `${what}: plain data`,
  );
  assert.deepStrictEqual(
    structuredClone(snapshot),
    JSON.parse(JSON.stringify(snapshot)),
    `${what}: structured clone keeps it as JSON does`,
  );
}

describe('errors of snapshots are translatable (template and values beside the English sentence)', () => {
  it("a reset client's EndpointInfo, a reset connection's ConnectionInfo and a failed repeat's end event", () =>
    withLab(async (lab) => {
      const server = await rawServer('127.0.0.1');
      try {
        const client = await lab.connectTcp({ port: server.port });
        await waitFor('accepted', () => server.sockets.length === 1);
        server.sockets[0].resetAndDestroy();
        await waitFor('error state', () => lab.get(client.id)!.state === 'error');
        const info: EndpointInfo = lab.get(client.id)!;
        assert.strictEqual(info.errorCode, 'connectionReset');
        assert.strictEqual(info.errorTemplate, 'The connection to {target} was reset by the peer (ECONNRESET).');
        assert.strictEqual(info.errorValues?.target, `127.0.0.1:${server.port}`);
        assertTranslatable(info, 'endpoint');
        // The snapshot owns its values: changing them does not touch the next snapshot.
        info.errorValues!.target = 'changed';
        assert.strictEqual(lab.get(client.id)!.errorValues?.target, `127.0.0.1:${server.port}`);
      } finally {
        await server.close();
      }

      const listener = await lab.startTcpListener({ port: 0 });
      // allowHalfOpen: the peer keeps its side open after our FIN, so the connection stays and the repeat's next send fails.
      const peerSocket = net.connect({ host: '127.0.0.1', port: portOf(listener), allowHalfOpen: true });
      const received: Buffer[] = [];
      peerSocket.on('data', (d: Buffer) => received.push(d)).on('error', () => undefined);
      await new Promise((r) => peerSocket.once('connect', r));
      await waitFor('accepted', () => lab.get(listener.id)!.connections.length === 1);
      // A repeat whose next send finds the connection half-closed by this side ends with that error.
      const ends: RepeatEndEvent[] = [];
      lab.onDidEndRepeat((e) => ends.push(e));
      await lab.send({ target: `${listener.id}.c1`, data: 'r', repeat: { intervalMs: 20 } });
      await waitFor('a first send', () => received.length >= 1);
      lab.halfClose({ id: `${listener.id}.c1` });
      await waitFor('repeat ended', () => ends.length === 1);
      assert.strictEqual(
        ends[0].errorTemplate,
        'Connection {id} to {peer} was half-closed by this side; it can only receive now.',
      );
      assertTranslatable(ends[0], 'repeat end');

      // The peer resets after sending: the connection closes with the reason.
      peerSocket.write(Buffer.alloc(64 * 1024, 1));
      await waitFor('bytes in', () => lab.get(listener.id)!.bytesIn > 0);
      peerSocket.resetAndDestroy();
      const closed = () => lab.get(listener.id)!.connections.find((c) => c.state === 'closed');
      await waitFor('connection closed', () => closed() !== undefined);
      const conn: ConnectionInfo = closed()!;
      assert.match(conn.error ?? '', /reset by the peer/);
      assertTranslatable(conn, 'connection');
    }));
});

describe('error templates', () => {
  it('an error that quotes another keeps it as inner, so the host can translate both sentences', () => {
    let err: SocketLabError | undefined;
    try {
      compileAutoReply({ mode: 'fixed', data: 'zz', format: 'hex' });
    } catch (e) {
      err = e as SocketLabError;
    }
    assert.ok(err instanceof SocketLabError);
    assert.strictEqual(err.template, '{field}: {problem}');
    assert.strictEqual(err.inner?.code, 'hexBadChar');
    assert.ok(err.inner?.template, 'the quoted error has a template too');
    assert.strictEqual(err.values.problem, err.inner.message);
    assert.strictEqual(err.message, `autoReply.data: ${err.inner.message}`);
    assert.strictEqual(fillTemplate(err.template, err.values), err.message);
  });

  it('system errors are built from templates whose filled sentence is the message', () => {
    for (const code of ['EADDRINUSE', 'ECONNREFUSED', 'EWEIRD']) {
      const err = toSocketLabError(Object.assign(new Error('x'), { code }), {
        operation: 'connect',
        address: '::1',
        port: 80,
      });
      assert.ok(err.template, code);
      assert.strictEqual(fillTemplate(err.template, err.values), err.message);
      assert.match(err.message, /\[::1\]:80/);
    }
  });
});
