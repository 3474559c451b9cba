// `npm test`: builds, then runs the three suites (unit on plain Node, integration inside a real VS Code
// extension host, e2e in real Chromium against the code-server workbench). Fails when a suite fails or
// runs zero tests. Usage: node scripts/test.mjs [unit|integration|e2e ...]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDebPackages, repoRoot } from './lib/codeServer.mjs';
import { ensureDependencies } from './lib/ensureDeps.mjs';

const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const suites = requested.length ? requested : ['unit', 'integration', 'e2e'];
const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-lab-results-'));

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit', ...options });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
}

function specFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? specFiles(path.join(dir, e.name)) : e.name.endsWith('.test.js') ? [path.join(dir, e.name)] : [],
    )
    .sort();
}

function runMochaSuite(name, dir, timeout) {
  const resultFile = path.join(resultsDir, `${name}.json`);
  const files = specFiles(dir);
  spawnSync(
    process.execPath,
    [path.join(repoRoot, 'scripts', 'lib', 'mochaRun.cjs'), resultFile, String(timeout), ...files],
    { cwd: repoRoot, stdio: 'inherit' },
  );
  return readResult(resultFile);
}

function readResult(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return { passed: 0, failed: 1, skipped: 0, crashed: true };
  }
}

async function runIntegration() {
  const { runInCodeServer, runInElectron } = await import('./lib/runInHost.mjs');
  const resultFile = path.join(resultsDir, 'integration.json');
  const testsPath = path.join(repoRoot, 'out', 'test', 'integration', 'index.js');
  const env = { SOCKET_LAB_TEST_RESULT: resultFile };
  const host = process.env.SOCKET_LAB_TEST_HOST ?? (process.platform === 'linux' ? 'code-server' : 'electron');
  console.log(
    `\n=== integration suite: host ${host === 'electron' ? 'desktop VS Code (@vscode/test-electron)' : 'code-server (VS Code server + web workbench in Chromium)'}`,
  );
  const { code } =
    host === 'electron' ? await runInElectron({ testsPath, env }) : await runInCodeServer({ testsPath, env });
  const result = readResult(resultFile);
  if (code !== 0 && !result.failed) result.failed = 1;
  return result;
}

ensureDependencies();
// The real peers the tests talk to (ncat, socat, php-cli, python3, openssl, tshark for pcapng, ip for the
// network-namespace scenarios): installed when root, otherwise named.
ensureDebPackages(['python3', 'ncat', 'socat', 'php-cli', 'iproute2', 'openssl', 'tshark']);

// Type check and lint first: a layering violation (vscode in src/core) fails the run like a test would.
if (!process.argv.includes('--no-check')) {
  // Three projects: the Node side, the panel's browser bundle (DOM) and the e2e tests (Node and DOM).
  for (const project of ['.', 'src/webview', 'test/e2e']) run('npx', ['tsc', '--noEmit', '-p', project]);
  run('npx', ['eslint', '.']);
  run('npx', ['prettier', '--check', '.']);
}
run('node', ['scripts/build.mjs']);
// A fresh out/: compiled tests of files since renamed or removed would otherwise run again.
fs.rmSync(path.join(repoRoot, 'out'), { recursive: true, force: true });
run('npx', ['tsc', '-p', 'tsconfig.test.json']);

const results = {};
for (const suite of suites) {
  if (suite === 'unit') {
    console.log('\n=== unit suite: mocha on plain Node, real loopback sockets');
    results.unit = runMochaSuite('unit', path.join(repoRoot, 'out', 'test', 'unit'), 20000);
  } else if (suite === 'integration') {
    results.integration = await runIntegration();
  } else if (suite === 'e2e') {
    console.log('\n=== e2e suite: playwright-core + Chromium against the code-server workbench');
    results.e2e = runMochaSuite('e2e', path.join(repoRoot, 'out', 'test', 'e2e'), 180000);
  } else {
    throw new Error(`unknown suite ${suite} (unit, integration, e2e)`);
  }
}
fs.rmSync(resultsDir, { recursive: true, force: true });

let passed = 0;
let failed = 0;
let skipped = 0;
console.log('\n=== summary');
for (const [suite, r] of Object.entries(results)) {
  const empty = r.passed + r.failed === 0;
  console.log(
    `${suite}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${r.crashed ? ' (the suite crashed before reporting)' : ''}${empty ? ' (NO TESTS RAN: counted as a failure)' : ''}`,
  );
  passed += r.passed;
  failed += r.failed + (empty ? 1 : 0);
  skipped += r.skipped;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : 0);
