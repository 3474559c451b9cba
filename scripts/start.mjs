// `npm start`: builds Socket Lab and runs it in a real VS Code.
// Default: code-server (installed on first use into .vscode-test/) on 127.0.0.1, with the demo workspace;
// prints the URL to open. `npm start -- --desktop` opens desktop VS Code (`code` on PATH) instead.
// Options: --port N (default: a free port), --locale zh-cn (the extension in Chinese), --desktop.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, startCodeServer, workbenchUrl, freePort } from './lib/codeServer.mjs';
import { ensureDependencies } from './lib/ensureDeps.mjs';

const args = process.argv.slice(2);
const desktop = args.includes('--desktop');
const portArg = args.includes('--port') ? Number(args[args.indexOf('--port') + 1]) : undefined;
const localeArg = args.includes('--locale') ? args[args.indexOf('--locale') + 1] : undefined;
const demo = path.join(repoRoot, 'demo');

ensureDependencies();
const build = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'build.mjs')], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

if (desktop) {
  const hasCode = spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!hasCode) {
    console.error('Desktop VS Code (`code`) is not on PATH; run `npm start` without --desktop to use code-server.');
    process.exit(1);
  }
  spawn('code', [`--extensionDevelopmentPath=${repoRoot}`, demo], { stdio: 'inherit', detached: true }).unref();
  console.log('Opened desktop VS Code with Socket Lab loaded (Extension Development Host).');
} else {
  const server = await startCodeServer({
    folder: demo,
    port: portArg ?? (await freePort()),
    // One profile kept between starts (gitignored), so the theme, layout and open editors persist.
    profileDir: path.join(repoRoot, '.vscode-test', 'start-profile'),
    locale: localeArg,
    settings: {
      // Every listen would pop a port-forwarding toast: the ports are on this machine already.
      'remote.autoForwardPorts': false,
      'remote.forwardOnOpen': false,
      // The demo folder sits inside this repository: no git prompts about it.
      'git.enabled': false,
      'git.openRepositoryInParentFolders': 'never',
    },
  });
  const url = workbenchUrl(server.url, { folder: demo, extensionDevelopmentPath: repoRoot });
  console.log('\nSocket Lab is running in code-server (VS Code in the browser).');
  console.log(`Open: ${url}\n`);
  console.log('Press Ctrl+C to stop.');
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  server.child.on('exit', (code) => {
    console.error(`code-server exited (${code})`);
    process.exit(code ?? 1);
  });
}
