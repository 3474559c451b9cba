// `npm run l10n:missing`: compares every translation with the English it translates and lists what a
// translator has to do: keys missing from the translation, stale keys (no longer in the English), and keys
// whose placeholders ({0}, {name}) or command links (command:socketLab.x) differ from the English.
// Pairs: l10n/bundle.l10n.json with l10n/bundle.l10n.<lang>.json, package.nls.json with package.nls.<lang>.json,
// for every <lang> that has a file.
//
// Usage: node scripts/l10n-missing.mjs              list the problems; exit 1 when there is any
//        node scripts/l10n-missing.mjs --skeleton   also print the missing entries as JSON ("English": "English"),
//                                                   ready to paste into the translation and translate
//        --root DIR                                 look at DIR instead of the repository (the unit test uses it)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const rootArg = process.argv.indexOf('--root');
const root =
  rootArg > 0 && process.argv[rootArg + 1]
    ? path.resolve(process.argv[rootArg + 1])
    : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const skeleton = process.argv.includes('--skeleton');

/** The placeholders and command links of a string, sorted, as one comparable text. */
function markers(text) {
  const names = [...text.matchAll(/\{(\w+)\}/g)].map((m) => `{${m[1]}}`);
  const links = [...text.matchAll(/command:[\w.]+/g)].map((m) => m[0]);
  return [...names, ...links].sort().join(' ');
}

/** Each pair of English file and translation file present under root. */
function pairs() {
  const found = [];
  const l10nDir = path.join(root, 'l10n');
  if (fs.existsSync(l10nDir)) {
    for (const name of fs.readdirSync(l10nDir).sort()) {
      const m = /^bundle\.l10n\.(.+)\.json$/.exec(name);
      if (m) found.push({ english: path.join(l10nDir, 'bundle.l10n.json'), translation: path.join(l10nDir, name) });
    }
  }
  for (const name of fs.readdirSync(root).sort()) {
    const m = /^package\.nls\.(.+)\.json$/.exec(name);
    if (m) found.push({ english: path.join(root, 'package.nls.json'), translation: path.join(root, name) });
  }
  return found;
}

function read(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

let problems = 0;
for (const { english, translation } of pairs()) {
  const en = read(english);
  const tr = read(translation);
  const rel = path.relative(root, translation);
  const missing = Object.keys(en).filter((k) => !Object.prototype.hasOwnProperty.call(tr, k));
  const stale = Object.keys(tr).filter((k) => !Object.prototype.hasOwnProperty.call(en, k));
  const differing = Object.keys(en).filter(
    (k) => Object.prototype.hasOwnProperty.call(tr, k) && markers(String(en[k])) !== markers(String(tr[k])),
  );
  const count = missing.length + stale.length + differing.length;
  problems += count;
  if (!count) {
    console.log(`${rel}: complete (${Object.keys(en).length} keys)`);
    continue;
  }
  console.log(
    `${rel}: ${missing.length} missing, ${stale.length} stale, ${differing.length} with other placeholders than the English`,
  );
  for (const k of missing) console.log(`  missing: ${JSON.stringify(k)}`);
  for (const k of stale) console.log(`  stale: ${JSON.stringify(k)}`);
  for (const k of differing)
    console.log(
      `  placeholders differ: ${JSON.stringify(k)}: English has [${markers(String(en[k]))}], the translation [${markers(String(tr[k]))}]`,
    );
  if (skeleton && missing.length) {
    console.log(`  missing entries of ${rel}, to translate:`);
    console.log(JSON.stringify(Object.fromEntries(missing.map((k) => [k, en[k]])), null, 2));
  }
}
process.exit(problems ? 1 : 0);
