// Test index loaded by the extension host (extensionTestsPath): the same file serves code-server and
// desktop VS Code (@vscode/test-electron). It writes a summary file so the runner can refuse a run of
// zero tests whatever the host did with the console.
import * as fs from 'fs';
import * as path from 'path';
import Mocha from 'mocha';
import * as vscode from 'vscode';

function findTests(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? findTests(path.join(dir, entry.name))
        : entry.name.endsWith('.test.js')
          ? [path.join(dir, entry.name)]
          : [],
    );
}

/** Entry point the extension host calls: runs every *.test.js beside this file. */
export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30000, reporter: 'spec' });
  const grep = process.env.SOCKET_LAB_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const file of findTests(__dirname)) mocha.addFile(file);
  console.log(
    `Socket Lab integration tests in ${vscode.env.appName} ${vscode.version} (uiKind ${vscode.env.uiKind === vscode.UIKind.Web ? 'web' : 'desktop'}, remote ${vscode.env.remoteName ?? 'none'})`,
  );
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats ?? { passes: 0, failures, pending: 0 };
      const summary = {
        host: vscode.env.appName,
        version: vscode.version,
        passed: stats.passes,
        failed: stats.failures,
        skipped: stats.pending,
      };
      const resultFile = process.env.SOCKET_LAB_TEST_RESULT;
      if (resultFile) fs.writeFileSync(resultFile, JSON.stringify(summary));
      console.log(`integration: ${summary.passed} passed, ${summary.failed} failed`);
      if (failures > 0) reject(new Error(`${failures} integration tests failed`));
      else resolve();
    });
  });
}
