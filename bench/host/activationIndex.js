// Loaded by the real extension host as extensionTestsPath (see bench/host.mjs): measures how long
// Socket Lab's activation takes there (loading dist/extension.js + activate()), and what the first
// command costs, then writes the figures to SOCKET_LAB_BENCH_RESULT. Plain CommonJS: nothing to compile.
/* eslint-disable @typescript-eslint/no-require-imports */
const fs = require('fs');
const { performance } = require('perf_hooks');
const vscode = require('vscode');

exports.run = async function run() {
  const ext = vscode.extensions.getExtension('socket-lab.socket-lab');
  if (!ext) throw new Error('Socket Lab is not loaded in this host');
  const wasActive = ext.isActive;
  const t0 = performance.now();
  const api = await ext.activate();
  const activateMs = performance.now() - t0;
  const t1 = performance.now();
  const list = api.list();
  const listMs = performance.now() - t1;
  const result = {
    host: vscode.env.appName,
    version: vscode.version,
    wasActive,
    activateMs,
    listMs,
    endpoints: list.length,
  };
  console.log(`socket-lab bench: ${JSON.stringify(result)}`);
  const out = process.env.SOCKET_LAB_BENCH_RESULT;
  if (out) fs.writeFileSync(out, JSON.stringify(result));
};
