import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileAutoReply } from '../../src/core/autoReply';
import { SocketLabError, fillTemplate } from '../../src/core/errors';
import { toSocketLabError } from '../../src/core/systemErrors';

// Compiled to out/test/unit: the repository is three levels up.
const repoRoot = path.join(__dirname, '..', '..', '..');
const script = path.join(repoRoot, 'scripts', 'l10n.mjs');

function runScript(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, '--check', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('l10n bundle', function () {
  this.timeout(180_000);

  it('l10n/bundle.l10n.json holds every vscode.l10n.t string and every SocketLabError.create template (run `npm run l10n` when this fails)', () => {
    const { status, out } = runScript();
    assert.strictEqual(status, 0, out);
    assert.match(out, /is current/);
  });

  it('every error template is a whole English sentence mapped to itself', () => {
    const bundle = JSON.parse(fs.readFileSync(path.join(repoRoot, 'l10n', 'bundle.l10n.json'), 'utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(bundle)) {
      assert.strictEqual(value, key);
    }
    // A few templates of the core that only SocketLabError.create names (vscode-l10n-dev cannot see them).
    for (const template of ['{target} is already in use by another process; choose another port or stop that process.', '{label} must be a whole number from {min} to {max} (got {value}).', '{id} is in error ({problem}); restart it first.']) {
      assert.ok(Object.prototype.hasOwnProperty.call(bundle, template), `missing ${template}`);
    }
  });

  it('refuses a template that is not a string literal, and a placeholder its values do not have', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-lab-l10n-test-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'bad.ts'),
        [
          "declare const SocketLabError: { create(code: string, template: string, values?: Record<string, string | number>): Error };",
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
      assert.match(out, /bad\.ts:3:\d+: the template of SocketLabError\.create must be a string literal \(found `sentence`\)/);
      assert.match(out, /bad\.ts:4:\d+: the template of SocketLabError\.create must be a string literal/);
      assert.match(out, /bad\.ts:5:\d+: the template '\{id\} has no \{port\}\.' names \{port\}, which its values do not have/);
      assert.doesNotMatch(out, /bad\.ts:6:/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
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
      const err = toSocketLabError(Object.assign(new Error('x'), { code }), { operation: 'connect', address: '::1', port: 80 });
      assert.ok(err.template, code);
      assert.strictEqual(fillTemplate(err.template, err.values), err.message);
      assert.match(err.message, /\[::1\]:80/);
    }
  });
});
