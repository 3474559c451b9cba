// Runs a mocha test index inside a real VS Code extension host.
// Host 1: code-server (VS Code server + web workbench) driven by Chromium; the web workbench reads
// extensionDevelopmentPath / extensionTestsPath from the `payload` query parameter and reports the end
// through window.codeAutomationExit. Host 2: desktop VS Code through @vscode/test-electron, where it is
// installed or downloadable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { startCodeServer, workbenchUrl, repoRoot } from './codeServer.mjs';
import { launchBrowser } from './browser.mjs';

function makeWorkspace() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-lab-ws-'));
  fs.writeFileSync(path.join(dir, 'README.txt'), 'Socket Lab test workspace\n');
  return dir;
}

/** Runs the tests in code-server; resolves to { code, output }. */
export async function runInCodeServer({ testsPath, timeoutMs = 15 * 60 * 1000, settings, env = {} }) {
  const workspace = makeWorkspace();
  Object.assign(process.env, env); // inherited by the server and so by the extension host
  const server = await startCodeServer({ folder: workspace, settings });
  const browser = await launchBrowser();
  let output = '';
  try {
    const page = await browser.newPage();
    const done = new Promise((resolve) => {
      page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code)));
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      // Console arguments arrive unformatted ('%s%s', ...): format them as Node's console would.
      const line = util.format(...(Array.isArray(args) ? args : [args]));
      // The workbench forwards the extension host's console here; keep only the test run's lines.
      output += line + '\n';
      process.stdout.write(line + '\n');
    });
    const url = workbenchUrl(server.url, {
      folder: workspace,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsPath,
    });
    await page.goto(url);
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const code = await Promise.race([done, timeout]);
    clearTimeout(timer);
    if (code === 'timeout') {
      process.stdout.write(`integration tests did not finish within ${timeoutMs} ms\n${server.output()}\n`);
      return { code: 1, output };
    }
    return { code, output };
  } finally {
    await browser.close().catch(() => {});
    await server.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/** Runs the tests in desktop VS Code via @vscode/test-electron (downloads VS Code when it is not cached). */
export async function runInElectron({ testsPath, env = {} }) {
  const { runTests } = await import('@vscode/test-electron');
  const workspace = makeWorkspace();
  try {
    const code = await runTests({
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsPath,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: env,
    }).then(
      () => 0,
      () => 1,
    );
    return { code, output: '' };
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}
