// `npm run mutate [group ...]`: StrykerJS over src/core and src/shared, one group at a time (the machine is
// shared), then a score table per file and per group. Reports (HTML, JSON, the incremental file) go to the
// gitignored reports/mutation/<group>/; the summary to reports/mutation/summary.json. Not part of `npm test`.
// Options: --list (print the groups), --concurrency=N (default 2), --force (ignore the incremental results),
// --summary (run nothing: only the summary of the reports already there, e.g. groups run in other checkouts of the
// same sources and copied in).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutationGroup, mutationGroups } from './lib/mutationGroups.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('-'));
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];

if (args.includes('--list')) {
  for (const g of mutationGroups) console.log(`${g.name}: ${g.mutate.join(' ')}  <-  ${g.specs.join(' ')}`);
  process.exit(0);
}

const groups = args.includes('--summary')
  ? []
  : (names.length ? names : mutationGroups.map((g) => g.name)).map(mutationGroup);
const env = { ...process.env, SOCKET_LAB_MUTATION_CONCURRENCY: option('concurrency') ?? '2' };
const failedGroups = [];
// Incremental mode diffs the compiled specs against the last run's, so they must be current.
if (groups.length) {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.mutate.json'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
}
for (const group of groups) {
  console.log(`\n=== mutation group ${group.name}: ${group.mutate.join(' ')}`);
  const started = Date.now();
  const strykerArgs = ['stryker', 'run', 'stryker.config.mjs', ...(args.includes('--force') ? ['--force'] : [])];
  const r = spawnSync('npx', strykerArgs, {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...env, SOCKET_LAB_MUTATION_GROUP: group.name },
  });
  if (r.status !== 0) failedGroups.push(group.name);
  console.log(`=== ${group.name} took ${Math.round((Date.now() - started) / 1000)} s`);
}

const summary = summarize(mutationGroups.map((g) => g.name));
fs.mkdirSync(path.join(repoRoot, 'reports', 'mutation'), { recursive: true });
fs.writeFileSync(path.join(repoRoot, 'reports', 'mutation', 'summary.json'), JSON.stringify(summary, null, 2));
printSummary(summary);
if (failedGroups.length) {
  console.error(`Stryker failed for: ${failedGroups.join(', ')}`);
  process.exit(1);
}

/** Mutation score = detected (killed, timeout) / valid (detected + survived + no coverage), in percent. */
function score(counts) {
  const valid = counts.detected + counts.undetected;
  return valid ? Math.round((counts.detected / valid) * 1000) / 10 : null;
}

function countMutants(mutants) {
  const counts = { detected: 0, undetected: 0, survived: 0, noCoverage: 0, timeout: 0, ignored: 0, invalid: 0 };
  for (const m of mutants) {
    if (m.status === 'Killed' || m.status === 'Timeout') counts.detected++;
    if (m.status === 'Timeout') counts.timeout++;
    if (m.status === 'Survived' || m.status === 'NoCoverage') counts.undetected++;
    if (m.status === 'Survived') counts.survived++;
    if (m.status === 'NoCoverage') counts.noCoverage++;
    if (m.status === 'Ignored') counts.ignored++;
    if (m.status === 'RuntimeError' || m.status === 'CompileError') counts.invalid++;
  }
  return counts;
}

/** Reads every group's last JSON report (runs of other days included, each with its date). */
function summarize(groupNames) {
  const result = { groups: [], files: [], core: null, shared: null };
  const totals = { core: [], shared: [] };
  for (const name of groupNames) {
    const file = path.join(repoRoot, 'reports', 'mutation', name, 'mutation.json');
    if (!fs.existsSync(file)) continue;
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    const date = fs.statSync(file).mtime.toISOString().slice(0, 10);
    const all = [];
    for (const [fileName, fileResult] of Object.entries(report.files)) {
      const relative = path.relative(repoRoot, path.resolve(repoRoot, fileName));
      const counts = countMutants(fileResult.mutants);
      all.push(...fileResult.mutants);
      result.files.push({ group: name, file: relative, score: score(counts), ...counts });
      if (relative.startsWith('src/core/')) totals.core.push(...fileResult.mutants);
      if (relative.startsWith('src/shared/')) totals.shared.push(...fileResult.mutants);
    }
    const counts = countMutants(all);
    result.groups.push({ group: name, date, score: score(counts), ...counts });
  }
  for (const layer of ['core', 'shared']) {
    const counts = countMutants(totals[layer]);
    result[layer] = { score: score(counts), ...counts };
  }
  return result;
}

function printSummary(summary) {
  console.log('\n=== mutation scores (detected / valid mutants)');
  for (const g of summary.groups) {
    console.log(
      `${g.group.padEnd(20)} ${String(g.score ?? '-').padStart(5)} %  ${g.detected} detected, ${g.survived} survived, ${g.noCoverage} no coverage  (${g.date})`,
    );
  }
  for (const layer of ['core', 'shared']) {
    const s = summary[layer];
    console.log(`src/${layer} overall ${s.score ?? '-'} % (${s.detected} detected, ${s.undetected} undetected)`);
  }
}
