// StrykerJS for `npm run mutate` (scripts/mutate.mjs runs it once per group, naming the group in
// SOCKET_LAB_MUTATION_GROUP). The .ts sources are mutated, the sandbox compiles them with the unit tests
// (tsconfig.mutate.json), and mocha runs the group's compiled specs with per-test coverage.
import { mutationGroup } from './scripts/lib/mutationGroups.mjs';

const group = mutationGroup(process.env.SOCKET_LAB_MUTATION_GROUP ?? 'codec');
const reportDir = `reports/mutation/${group.name}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'mocha',
  plugins: ['@stryker-mutator/mocha-runner'],
  mutate: group.mutate,
  buildCommand: 'npx tsc -p tsconfig.mutate.json',
  // 'no-config': the repo's .mocharc.json lists every unit spec; a group runs only its own.
  mochaOptions: { 'no-config': true, spec: group.specs.map((s) => `out/test/unit/${s}.test.js`) },
  coverageAnalysis: 'perTest',
  // The machine is shared: one or two test processes, never one per core.
  concurrency: Number(process.env.SOCKET_LAB_MUTATION_CONCURRENCY ?? 2),
  // Real sockets and peers: a mutant that stalls a socket must time out, not wait forever (mocha's own timeout is
  // off under Stryker).
  timeoutMS: 10_000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: `${reportDir}/stryker-incremental.json`,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `${reportDir}/mutation.html` },
  jsonReporter: { fileName: `${reportDir}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: false },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  // Only what the build and the specs read is copied into the sandbox (not the code-server install, the bundles,
  // the docs, the media or earlier reports).
  ignorePatterns: [
    '.vscode-test',
    'dist',
    // The compiled unit specs stay: incremental mode matches tests by their file (scripts/mutate.mjs compiles
    // them first); the sandbox build recompiles everything else.
    '/out/*',
    '!/out/test',
    '/out/test/*',
    '!/out/test/unit',
    'reports',
    'test-artifacts',
    'bench-artifacts',
    'docs',
    'media',
    // demo/ stays: the request-file runner's specs run demo/seed.socklab against the seed's PHP server.
    'bench',
    '*.vsix',
    'test/e2e',
    'test/integration',
  ],
};
