// Installs and runs code-server (a real VS Code: server + web workbench) for `npm start` and the tests.
// Why code-server: these machines cannot download desktop VS Code; code-server 4.100.3 is the newest
// release that runs on Node 20 and is VS Code 1.100.3, which our engines field targets.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const hostDir = path.join(repoRoot, '.vscode-test', 'code-server');
export const codeServerEntry = path.join(hostDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');

function log(msg) {
  process.stderr.write(`[code-server] ${msg}\n`);
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function hasDebPackage(name) {
  return spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' }).stdout?.includes(
    'install ok installed',
  );
}

/** Installs Debian packages that are missing, when we are root (CI and these machines); otherwise says what to install. */
export function ensureDebPackages(names) {
  const missing = names.filter((n) => !hasDebPackage(n));
  if (!missing.length) return;
  if (!isRoot()) {
    log(
      `missing system packages: ${missing.join(' ')} (install them, e.g. sudo apt-get install -y ${missing.join(' ')})`,
    );
    return;
  }
  log(`apt-get install ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const r = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed`);
}

function npmPackJson(spec, innerPath, workDir) {
  const out = execFileSync('npm', ['pack', spec, '--silent'], { cwd: workDir, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop();
  execFileSync('tar', ['xzf', path.join(workDir, out), '-C', workDir, `package/${innerPath}`]);
  const text = fs.readFileSync(path.join(workDir, 'package', innerPath), 'utf8');
  fs.rmSync(path.join(workDir, 'package'), { recursive: true, force: true });
  return text;
}

/**
 * @vscode/ripgrep's postinstall downloads rg from GitHub, which is unreachable here. It first looks in a
 * cache folder; we put Debian's rg there under the exact asset name it expects, read from the packages.
 */
function seedRipgrepCache(tmpDir) {
  const work = fs.mkdtempSync(path.join(tmpDir, 'rg-probe-'));
  try {
    const shrinkwrap = JSON.parse(
      npmPackJson(`code-server@${CODE_SERVER_VERSION}`, 'lib/vscode/npm-shrinkwrap.json', work),
    );
    const rgPkgVersion = shrinkwrap.packages?.['node_modules/@vscode/ripgrep']?.version;
    if (!rgPkgVersion) throw new Error('cannot find @vscode/ripgrep in code-server npm-shrinkwrap.json');
    const postinstall = npmPackJson(`@vscode/ripgrep@${rgPkgVersion}`, 'lib/postinstall.js', work);
    const assetVersion = /const VERSION = '([^']+)'/.exec(postinstall)?.[1];
    if (!assetVersion) throw new Error('cannot read VERSION from @vscode/ripgrep postinstall.js');
    const arch = { x64: 'x86_64', arm64: 'aarch64' }[process.arch] ?? process.arch;
    const cacheDir = path.join(tmpDir, `vscode-ripgrep-cache-${rgPkgVersion}`);
    fs.mkdirSync(cacheDir, { recursive: true });
    const tarball = path.join(cacheDir, `ripgrep-${assetVersion}-${arch}-unknown-linux-musl.tar.gz`);
    const rg = execFileSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).trim();
    const stage = fs.mkdtempSync(path.join(work, 'stage-'));
    fs.copyFileSync(rg, path.join(stage, 'rg'));
    fs.chmodSync(path.join(stage, 'rg'), 0o755);
    execFileSync('tar', ['czf', tarball, '-C', stage, 'rg']);
    log(`seeded ripgrep cache ${tarball}`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Makes sure code-server is installed in the gitignored .vscode-test folder; returns the entry script. */
export function ensureCodeServer() {
  if (fs.existsSync(codeServerEntry)) {
    const pkg = JSON.parse(fs.readFileSync(path.join(hostDir, 'node_modules', 'code-server', 'package.json'), 'utf8'));
    if (pkg.version === CODE_SERVER_VERSION) {
      shortenReconnectionGrace();
      return codeServerEntry;
    }
  }
  if (process.platform !== 'linux') {
    throw new Error(
      'The offline code-server install is written for Linux; elsewhere install code-server ' +
        CODE_SERVER_VERSION +
        ' yourself or use desktop VS Code (npm start -- --desktop).',
    );
  }
  ensureDebPackages(['libkrb5-dev', 'ripgrep', 'build-essential', 'python3']);
  log(`installing code-server@${CODE_SERVER_VERSION} into ${path.relative(repoRoot, hostDir)} (about a minute)`);
  fs.rmSync(hostDir, { recursive: true, force: true });
  fs.mkdirSync(hostDir, { recursive: true });
  // A private package.json so the install is independent of ours and may run code-server's install scripts.
  fs.writeFileSync(
    path.join(hostDir, 'package.json'),
    JSON.stringify({ name: 'socket-lab-test-host', private: true }, null, 2),
  );
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-lab-cs-install-'));
  try {
    seedRipgrepCache(tmpDir);
    const env = {
      ...process.env,
      TMPDIR: tmpDir, // @vscode/ripgrep looks for its cache under os.tmpdir()
      npm_config_yes: 'true', // node-pty's postinstall runs `npx node-gyp`
      npm_config_unsafe_perm: 'true', // code-server's postinstall refuses to run as root without it
      npm_config_dangerously_allow_all_scripts: 'true', // its nested installs need their native builds too
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    const r = spawnSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-package-lock',
        '--dangerously-allow-all-scripts',
        `code-server@${CODE_SERVER_VERSION}`,
      ],
      {
        cwd: hostDir,
        env,
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    if (r.status !== 0 || !fs.existsSync(codeServerEntry)) {
      throw new Error(`npm install code-server@${CODE_SERVER_VERSION} failed (exit ${r.status})`);
    }
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  shortenReconnectionGrace();
  return codeServerEntry;
}

/** How long an extension host waits for its browser tab to come back, and how long once another tab connected. */
export const RECONNECTION_GRACE_MS = 30_000;
export const RECONNECTION_SHORT_GRACE_MS = 3_000;

/**
 * VS Code 1.100's server keeps an extension host alive for 3 hours after its browser tab went away (5 minutes
 * once another tab connects), and with it every socket Socket Lab holds: a closed tab or a reload left port
 * 8880 bound. The constants are not configurable in this release (newer ones have --reconnection-grace-time,
 * but need Node 22), so our private install gets shorter ones. Idempotent; warns when the text is not found.
 */
function shortenReconnectionGrace() {
  const out = path.join(hostDir, 'node_modules', 'code-server', 'lib', 'vscode', 'out');
  const files = [
    path.join(out, 'server-main.js'),
    path.join(out, 'vs', 'workbench', 'api', 'node', 'extensionHostProcess.js'),
  ];
  const pattern = /ReconnectionGraceTime=(\w+)\]="ReconnectionGraceTime",e\[e\.ReconnectionShortGraceTime=(\w+)\]/;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const match = pattern.exec(text);
    if (!match) {
      log(
        `cannot shorten the reconnection grace time in ${path.basename(file)}: extension hosts may outlive their tab`,
      );
      continue;
    }
    const patched = `ReconnectionGraceTime=${RECONNECTION_GRACE_MS}]="ReconnectionGraceTime",e[e.ReconnectionShortGraceTime=${RECONNECTION_SHORT_GRACE_MS}]`;
    if (match[0] !== patched) fs.writeFileSync(file, text.replace(pattern, patched));
  }
}

/** A free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitHealthy(url, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited early with code ${child.exitCode}`);
    try {
      const res = await fetch(url + '/healthz');
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('code-server did not answer /healthz in time');
}

/**
 * Starts a fresh code-server on 127.0.0.1 with its own temp HOME/user-data/extensions dirs.
 * Returns { url, port, dir, stop() }; stop() kills the whole process group (the extension host
 * otherwise lingers for hours after the browser disconnects).
 */
export async function startCodeServer({
  folder,
  settings = {},
  port,
  keepDir = false,
  stdio = 'pipe',
  extensionsDir,
  profileDir,
  locale,
} = {}) {
  const entry = ensureCodeServer();
  port ??= await freePort();
  // profileDir: a folder kept between runs (npm start: theme, layout and state persist); else a temp one.
  const dir = profileDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'socket-lab-host-'));
  if (profileDir) keepDir = true;
  const userDataDir = path.join(dir, 'user-data');
  const home = path.join(dir, 'home');
  for (const d of [
    userDataDir,
    path.join(userDataDir, 'User'),
    home,
    path.join(dir, 'tmp'),
    path.join(dir, 'xdg-config'),
    path.join(dir, 'xdg-data'),
    path.join(dir, 'xdg-cache'),
  ]) {
    fs.mkdirSync(d, { recursive: true });
  }
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  // In a kept profile, what the user changed since (a theme, say) wins over our starting values; a file
  // we cannot read as plain JSON (the user added comments) is left as it is.
  let kept = {};
  let writeSettings = true;
  if (profileDir && fs.existsSync(settingsFile)) {
    try {
      kept = JSON.parse(fs.readFileSync(settingsFile, 'utf8'));
    } catch {
      writeSettings = false;
    }
  }
  const defaults = {
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'workbench.tips.enabled': false,
    'chat.disableAIFeatures': true,
  };
  if (writeSettings) fs.writeFileSync(settingsFile, JSON.stringify({ ...defaults, ...settings, ...kept }, null, 2));
  if (locale) writeLanguagePack(userDataDir, locale);
  const args = [
    entry,
    ...(locale ? ['--locale', locale] : []),
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir ?? path.join(dir, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--ignore-last-opened',
    folder ?? dir,
  ];
  const env = {
    ...process.env,
    HOME: home,
    TMPDIR: path.join(dir, 'tmp'),
    XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
    XDG_DATA_HOME: path.join(dir, 'xdg-data'),
    XDG_CACHE_HOME: path.join(dir, 'xdg-cache'),
  };
  // No extension gallery: the default one is on the internet, and tests must not make DNS queries.
  env.EXTENSIONS_GALLERY = '{}';
  delete env.VSCODE_IPC_HOOK_CLI;
  const child = spawn(process.execPath, args, {
    env,
    detached: true,
    stdio: stdio === 'inherit' ? 'inherit' : ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output = (output + d).slice(-20000)));
  child.stderr?.on('data', (d) => (output = (output + d).slice(-20000)));
  const url = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    killGroup(child);
    if (!keepDir) fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitHealthy(url, child, 60000);
  } catch (err) {
    await stop();
    throw new Error(`${err.message}\n${output}`);
  }
  return { url, port, dir, child, stop, output: () => output };
}

/**
 * `--locale zh-cn` alone leaves the extension host in English: the server resolves the extension host's
 * language from languagepacks.json in the user-data folder, which only a marketplace language pack writes.
 * An entry with an empty translation of VS Code itself makes the extension host run in `locale` (so
 * vscode.env.language, vscode.l10n and package.nls.<locale>.json are used), while the workbench's own
 * strings stay English. The entry needs one extension identifier, or the workbench fails to load extensions.
 */
function writeLanguagePack(userDataDir, locale) {
  const translations = path.join(userDataDir, `empty-translations.${locale}.json`);
  fs.writeFileSync(translations, JSON.stringify({ contents: {} }));
  const pack = {
    [locale]: {
      hash: `socket-lab-test-${locale}`,
      extensions: [{ extensionIdentifier: { id: `socket-lab.test-language-pack-${locale}` }, version: '0.0.1' }],
      translations: { vscode: translations },
      label: locale,
    },
  };
  fs.writeFileSync(path.join(userDataDir, 'languagepacks.json'), JSON.stringify(pack, null, 2));
}

/** SIGTERM to the whole process group, then SIGKILL after a grace period (synchronously waits). */
export function killGroup(child, graceMs = 1500) {
  if (!child?.pid) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-child.pid, 0);
    } catch {
      return;
    }
    spawnSync('sleep', ['0.1']);
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** Workbench URL that loads an extension under development (and optionally a test runner), via the payload parameter. */
export function workbenchUrl(base, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const authority = new URL(base).host;
  const payload = [];
  if (extensionDevelopmentPath)
    payload.push(['extensionDevelopmentPath', `vscode-remote://${authority}${extensionDevelopmentPath}`]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://${authority}${extensionTestsPath}`]);
  const params = new URLSearchParams();
  if (folder) params.set('folder', folder);
  if (payload.length) params.set('payload', JSON.stringify(payload));
  return `${base}/?${params.toString()}`;
}
