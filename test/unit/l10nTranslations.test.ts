import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from '../helpers/tempDir';

// Compiled to out/test/unit: the repository is three levels up.
const repoRoot = path.join(__dirname, '..', '..', '..');
const script = path.join(repoRoot, 'scripts', 'l10n-missing.mjs');

function runScript(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function readJson(file: string): Record<string, string> {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>;
}

describe('translations (npm run l10n:missing)', function () {
  this.timeout(60_000);

  it('the Simplified Chinese bundle and package.nls.zh-cn.json translate every English key with the same placeholders, and no stale key (the output lists what to fix)', () => {
    const { status, out } = runScript();
    assert.strictEqual(status, 0, out);
    assert.match(out, /l10n\/bundle\.l10n\.zh-cn\.json: complete/);
    assert.match(out, /package\.nls\.zh-cn\.json: complete/);
  });

  it('the Chinese strings are translated: the words of the glossary, not the English', () => {
    const bundle = readJson(path.join(repoRoot, 'l10n', 'bundle.l10n.zh-cn.json'));
    const nls = readJson(path.join(repoRoot, 'package.nls.zh-cn.json'));
    assert.strictEqual(nls['command.startTcpListener'], '启动 TCP 监听');
    assert.strictEqual(nls['command.halfClose'], '关闭发送方向（FIN）');
    assert.strictEqual(bundle['Auto-reply'], '自动应答');
    assert.strictEqual(bundle['listening'], '监听中');
    // Every value with English words of four or more letters outside identifiers is suspect; the few
    // that keep English on purpose (product and protocol names, code) are listed.
    const english = /\b(the|is|are|must|and|with|from|to|of)\b/;
    const untranslated = Object.entries(bundle).filter(([, zh]) =>
      english.test(zh.replace(/'[^']*'|"[^"]*"|\{[^}]*\}/g, '')),
    );
    assert.deepStrictEqual(untranslated, []);
  });

  it('reports a missing key, a stale key and a placeholder that differs, naming each', () => {
    const { dir } = tempDir('socket-lab-l10n-missing-');
    try {
      fs.mkdirSync(path.join(dir, 'l10n'));
      fs.writeFileSync(
        path.join(dir, 'l10n', 'bundle.l10n.json'),
        JSON.stringify({ 'Sent {0} to {1}': 'Sent {0} to {1}', Stop: 'Stop', '{label} is bad.': '{label} is bad.' }),
      );
      fs.writeFileSync(
        path.join(dir, 'l10n', 'bundle.l10n.zh-cn.json'),
        JSON.stringify({ 'Sent {0} to {1}': '已发送 {0} 到 {2}', '{label} is bad.': '{label} 不对。', Gone: '旧的' }),
      );
      fs.writeFileSync(
        path.join(dir, 'package.nls.json'),
        JSON.stringify({ welcome: '[Start](command:socketLab.startTcpListener)', title: 'Title' }),
      );
      fs.writeFileSync(
        path.join(dir, 'package.nls.zh-cn.json'),
        JSON.stringify({ welcome: '[启动](command:socketLab.connectTcp)', title: '标题' }),
      );
      const { status, out } = runScript('--root', dir, '--skeleton');
      assert.strictEqual(status, 1, out);
      assert.match(out, /bundle\.l10n\.zh-cn\.json: 1 missing, 1 stale, 1 with other placeholders/);
      assert.match(out, /missing: "Stop"/);
      assert.match(out, /stale: "Gone"/);
      assert.match(
        out,
        /placeholders differ: "Sent \{0\} to \{1\}": English has \[\{0\} \{1\}\], the translation \[\{0\} \{2\}\]/,
      );
      assert.match(out, /"Stop": "Stop"/, 'the skeleton of the missing entries');
      assert.match(out, /package\.nls\.zh-cn\.json: 0 missing, 0 stale, 1 with other placeholders/);
      assert.match(out, /command:socketLab\.startTcpListener\], the translation \[command:socketLab\.connectTcp\]/);
      assert.doesNotMatch(out, /\{label\} is bad/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
