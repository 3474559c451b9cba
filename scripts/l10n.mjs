// `npm run l10n`: writes l10n/bundle.l10n.json, the English strings a translation bundle
// (bundle.l10n.zh-cn.json...) translates. Three sources:
//   1. every vscode.l10n.t(...) message, found by `vscode-l10n-dev export` (the official tool);
//   2. every error template of the core, i.e. the second argument of SocketLabError.create(...), which
//      the host later passes to vscode.l10n.t (src/host/errorText.ts) but the tool cannot see;
//   3. every word of a table typed `ValueWords` (src/shared/valueWords.ts): English words the core puts
//      into error values ('nothing', 'Local port (localPort)'), which the host translates too.
// Order: the tool's entries in the order it writes them (files in its traversal order, strings in
// order of appearance), then the error templates and words it does not already have, by file path and
// then by position in the file. Each entry maps the English string to itself, as the tool writes them.
//
// A template must be a string literal at the call (or a `cond ? 'a' : 'b'` of literals): anything else
// cannot be collected and is an error. When the values' type is known (an object literal, or a
// variable of a type with named properties), every {placeholder} of the template must be one of them.
//
// Usage: node scripts/l10n.mjs           write l10n/bundle.l10n.json
//        node scripts/l10n.mjs --check   write nothing; exit 1 when the bundle is not current
//                                        (test/unit/l10n.test.ts runs this)
//        --verbose                       also list the templates whose placeholders could not be checked
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcArg = process.argv.indexOf('--src');
// --src DIR: look at another folder instead of src (the unit test points it at a folder of bad calls).
const srcDir =
  srcArg > 0 && process.argv[srcArg + 1] ? path.resolve(process.argv[srcArg + 1]) : path.join(repoRoot, 'src');
const bundlePath = path.join(repoRoot, 'l10n', 'bundle.l10n.json');
const check = process.argv.includes('--check');
const verbose = process.argv.includes('--verbose');

/** Runs the official export into `outDir` and returns the bundle it wrote. */
function exportL10nCalls(outDir) {
  const cli = require.resolve('@vscode/l10n-dev/dist/cli.js');
  const r = spawnSync(process.execPath, [cli, 'export', '--outDir', outDir, path.relative(repoRoot, srcDir) || '.'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    throw new Error(`vscode-l10n-dev export failed (exit ${r.status ?? r.signal})`);
  }
  const file = path.join(outDir, 'bundle.l10n.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}

function sourceFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return sourceFiles(full);
      return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [full] : [];
    })
    .sort();
}

/** The strings an expression can evaluate to, when it is made of string literals only; undefined otherwise. */
function literalStrings(node) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isParenthesizedExpression(node)) return literalStrings(node.expression);
  if (ts.isConditionalExpression(node)) {
    const a = literalStrings(node.whenTrue);
    const b = literalStrings(node.whenFalse);
    return a && b ? [...a, ...b] : undefined;
  }
  return undefined;
}

function isCreateCall(node) {
  return (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    node.expression.name.text === 'create' &&
    ts.isIdentifier(node.expression.expression) &&
    node.expression.expression.text === 'SocketLabError'
  );
}

/** True for `const NAME: ValueWords = { ... }`. */
function isValueWordsDeclaration(node) {
  return (
    ts.isVariableDeclaration(node) &&
    node.type !== undefined &&
    ts.isTypeReferenceNode(node.type) &&
    node.type.typeName.getText() === 'ValueWords'
  );
}

/** Placeholder names of a template: '{id} is closed' -> ['id'] (the same syntax fillTemplate and vscode.l10n.t use). */
function placeholders(template) {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
}

/**
 * The property names the values argument surely has, or undefined when that cannot be known (a type with
 * an index signature such as ErrorValues, or anything the checker cannot name).
 */
function knownValueNames(checker, node) {
  if (!node) return new Set();
  if (ts.isObjectLiteralExpression(node)) {
    // TypeScript drops an index signature from a spread ({ ...values, id }), so spreads are looked at one by one.
    const names = new Set();
    for (const property of node.properties) {
      if (ts.isSpreadAssignment(property)) {
        const spread = knownValueNames(checker, property.expression);
        if (!spread) return undefined;
        for (const name of spread) names.add(name);
      } else if (property.name && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) {
        names.add(property.name.text);
      } else {
        return undefined;
      }
    }
    return names;
  }
  const type = checker.getTypeAtLocation(node);
  if (type.getStringIndexType() || type.isUnion() || type.isIntersection()) return undefined;
  return new Set(type.getProperties().map((p) => p.getName()));
}

/** Finds every SocketLabError.create call and ValueWords table under src: their templates and words, and the problems found. */
export function collectTemplates() {
  const files = sourceFiles(srcDir);
  const configFile = ts.readConfigFile(path.join(repoRoot, 'tsconfig.json'), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, repoRoot);
  const program = ts.createProgram(files, { ...options, noEmit: true });
  const checker = program.getTypeChecker();
  const templates = [];
  const problems = [];
  const unchecked = [];
  for (const file of files) {
    const sf = program.getSourceFile(file);
    const visit = (node) => {
      if (isValueWordsDeclaration(node)) {
        const where = () => {
          const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
          return `${path.relative(repoRoot, file)}:${line + 1}:${character + 1}`;
        };
        const init = node.initializer;
        if (!init || !ts.isObjectLiteralExpression(init)) {
          problems.push(
            `${where()}: a ValueWords table must be an object literal, so that its words can be collected for translation.`,
          );
        } else {
          for (const property of init.properties) {
            const strings = ts.isPropertyAssignment(property) ? literalStrings(property.initializer) : undefined;
            if (!strings || strings.length !== 1) {
              problems.push(
                `${where()}: every word of a ValueWords table must be a string literal (found \`${property.getText(sf)}\`).`,
              );
            } else {
              templates.push(strings[0]);
            }
          }
        }
      }
      if (isCreateCall(node)) {
        const where = () => {
          const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
          return `${path.relative(repoRoot, file)}:${line + 1}:${character + 1}`;
        };
        const templateArg = node.arguments[1];
        const strings = templateArg ? literalStrings(templateArg) : undefined;
        if (!strings) {
          problems.push(
            `${where()}: the template of SocketLabError.create must be a string literal (found ${templateArg ? `\`${templateArg.getText(sf)}\`` : 'nothing'}), so that it can be collected for translation.`,
          );
        } else {
          const names = knownValueNames(checker, node.arguments[2]);
          for (const template of strings) {
            templates.push(template);
            if (!names) {
              unchecked.push(`${where()}: ${template}`);
              continue;
            }
            for (const name of placeholders(template)) {
              if (!names.has(name))
                problems.push(`${where()}: the template '${template}' names {${name}}, which its values do not have.`);
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { templates, problems, unchecked };
}

/** The bundle as it should be: the tool's strings, then the error templates it does not have. */
export function expectedBundle(exported, templates) {
  const bundle = { ...exported };
  for (const template of templates) {
    if (!Object.prototype.hasOwnProperty.call(bundle, template)) bundle[template] = template;
  }
  return bundle;
}

function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'socket-lab-l10n-'));
  let exported;
  try {
    exported = exportL10nCalls(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const { templates, problems, unchecked } = collectTemplates();
  if (problems.length) {
    for (const p of problems) console.error(`error: ${p}`);
    console.error(
      `${problems.length} problem(s) with SocketLabError.create templates or ValueWords tables; ${check ? 'the bundle was not checked' : 'the bundle was not written'}.`,
    );
    process.exit(1);
  }
  const text = JSON.stringify(expectedBundle(exported, templates), null, 2);
  const counts = `${Object.keys(exported).length} vscode.l10n.t strings, ${new Set(templates).size} error templates and value words (${unchecked.length} with values whose names cannot be known statically${verbose ? '' : '; --verbose lists them'})`;
  if (verbose) for (const u of unchecked) console.log(`unchecked: ${u}`);
  if (check) {
    const current = fs.existsSync(bundlePath) ? fs.readFileSync(bundlePath, 'utf8') : '';
    if (current !== text) {
      const have = current ? Object.keys(JSON.parse(current)) : [];
      const want = Object.keys(JSON.parse(text));
      const missing = want.filter((k) => !have.includes(k));
      const stale = have.filter((k) => !want.includes(k));
      console.error(`l10n/bundle.l10n.json is not current; run \`npm run l10n\`.`);
      for (const k of missing) console.error(`  missing: ${JSON.stringify(k)}`);
      for (const k of stale) console.error(`  no longer used: ${JSON.stringify(k)}`);
      if (!missing.length && !stale.length) console.error('  (same strings, other order or format)');
      process.exit(1);
    }
    console.log(`l10n/bundle.l10n.json is current: ${counts}.`);
    return;
  }
  fs.mkdirSync(path.dirname(bundlePath), { recursive: true });
  fs.writeFileSync(bundlePath, text);
  console.log(`Wrote l10n/bundle.l10n.json: ${counts}.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main();
}
