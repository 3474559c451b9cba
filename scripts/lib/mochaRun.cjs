// Runs mocha on the given spec files in this process and writes { passed, failed, skipped } to a file,
// so the orchestrator can refuse a suite that ran zero tests. Usage: node mochaRun.cjs RESULT_FILE TIMEOUT FILE...
const fs = require('fs');
const Mocha = require('mocha');

const [resultFile, timeout, ...files] = process.argv.slice(2);
const mocha = new Mocha({ ui: 'bdd', timeout: Number(timeout), reporter: 'spec', color: process.stdout.isTTY });
if (process.env.SOCKET_LAB_TEST_GREP) mocha.grep(process.env.SOCKET_LAB_TEST_GREP);
for (const file of files) mocha.addFile(file);
const runner = mocha.run((failures) => {
  const stats = runner.stats;
  fs.writeFileSync(
    resultFile,
    JSON.stringify({ passed: stats.passes, failed: stats.failures, skipped: stats.pending }),
  );
  process.exitCode = failures ? 1 : 0;
});
