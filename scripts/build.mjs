// Builds the bundles: the extension (Node, CommonJS, `vscode` external), the `socket-lab` CLI (Node, executable)
// and the send panel (browser).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Copies the codicon font and stylesheet next to the webview bundle (the only folder the panel may load from). */
function copyCodicons() {
  const from = path.join(root, 'node_modules', '@vscode', 'codicons', 'dist');
  const to = path.join(root, 'dist', 'webview');
  fs.mkdirSync(to, { recursive: true });
  for (const file of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, file), path.join(to, file));
}

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
};

const extension = {
  ...common,
  entryPoints: [path.join(root, 'src', 'extension.ts')],
  outfile: path.join(root, 'dist', 'extension.js'),
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
};

const cli = {
  ...common,
  entryPoints: [path.join(root, 'src', 'cli', 'main.ts')],
  outfile: path.join(root, 'dist', 'cli.js'),
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  banner: { js: '#!/usr/bin/env node' },
};

const webview = {
  ...common,
  entryPoints: [path.join(root, 'src', 'webview', 'main.ts')],
  outfile: path.join(root, 'dist', 'webview', 'main.js'),
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
};

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
copyCodicons();
const configs = [extension, cli, ...(fs.existsSync(webview.entryPoints[0]) ? [webview] : [])];
if (watch) {
  for (const config of configs) await (await esbuild.context(config)).watch();
  console.log('watching for changes...');
} else {
  await Promise.all(configs.map((c) => esbuild.build(c)));
  fs.chmodSync(cli.outfile, 0o755);
}
