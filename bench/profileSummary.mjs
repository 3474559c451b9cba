// Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function, top N, as a Markdown table.
// Usage: node bench/profileSummary.mjs <file.cpuprofile> [N]
import fs from 'node:fs';

export function summarize(file, top = 15) {
  const p = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = p.timeDeltas;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]);
    const d = dt[i] ?? 0;
    total += d;
    const cf = n.callFrame;
    const url = cf.url ? cf.url.replace(/^.*\/(node_modules|src|bench|lib|internal)\//, '$1/') : '';
    const key = `${cf.functionName || '(anonymous)'} ${url ? `${url}:${cf.lineNumber + 1}` : ''}`.trim();
    self.set(key, (self.get(key) ?? 0) + d);
  }
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = ['| self ms | % | function |', '|---:|---:|---|'];
  for (const [k, v] of rows) lines.push(`| ${(v / 1000).toFixed(0)} | ${((100 * v) / total).toFixed(1)} | \`${k}\` |`);
  return { totalMs: total / 1000, table: lines.join('\n') };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const { totalMs, table } = summarize(process.argv[2], Number(process.argv[3] ?? 15));
  console.log(`total ${totalMs.toFixed(0)} ms sampled\n${table}`);
}
