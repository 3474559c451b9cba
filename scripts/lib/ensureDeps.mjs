// Makes `npm start` and `npm test` self-sufficient on a fresh clone: installs the npm dependencies when
// node_modules is missing, or older than package-lock.json (a pull changed them).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Why the dependencies must be installed, or undefined when node_modules matches package-lock.json. */
export function dependenciesStale(root = repoRoot) {
  const lock = path.join(root, 'package-lock.json');
  // npm writes this hidden lockfile at the end of every install: it is the install's own timestamp.
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(installed)) return 'node_modules is missing';
  if (fs.existsSync(lock) && fs.statSync(lock).mtimeMs > fs.statSync(installed).mtimeMs + 1000) {
    return 'package-lock.json is newer than node_modules';
  }
  return undefined;
}

/** Runs `npm ci` (or `npm install` without a lockfile) when dependenciesStale() says so. */
export function ensureDependencies(root = repoRoot) {
  const why = dependenciesStale(root);
  if (!why) return;
  const hasLock = fs.existsSync(path.join(root, 'package-lock.json'));
  const args = [hasLock ? 'ci' : 'install', '--no-audit', '--no-fund'];
  process.stderr.write(`[setup] ${why}: npm ${args.join(' ')}\n`);
  const r = spawnSync('npm', args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm ${args[0]} failed (exit ${r.status ?? r.signal})`);
}
