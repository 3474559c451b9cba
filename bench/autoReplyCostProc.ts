/**
 * Driver of bench item autoReply (scripts/bench.mjs --only=autoReply): the cost per message of an auto-reply
 * rule set, in microseconds, for a contains rule and a regex rule on the same 64-byte messages (one that
 * matches, one that does not). The budget is lifted so that the pure matching cost is measured.
 * Usage: node autoReplyCostProc.cjs MESSAGES; prints one JSON line.
 */
import { performance } from 'perf_hooks';
import { compileAutoReply } from '../src/core/autoReply';

const count = Number(process.argv[2] ?? 200_000);
const budget = { messageMs: 1e9, maxStrikes: 3, endpointMs: 1e12, windowMs: 1000 };
const hit = Buffer.from('GET /status HTTP/1.1 host=device-42 temperature=21.5 seq=000001\n');
const miss = Buffer.from('GET /status HTTP/1.1 host=device-42 temperature=21.5 nothing!!!\n');
const rules = {
  contains: { contains: 'seq=', reply: { data: 'ack' } },
  regex: { regex: 'seq=(\\d+)', reply: { data: 'ack $1' } },
};
const out: Record<string, number> = {};
for (const [name, rule] of Object.entries(rules)) {
  const fn = compileAutoReply({ mode: 'rules', rules: [rule] }, { budget })!;
  if (!fn(hit) || fn(miss)) throw new Error(`${name}: wrong answer`);
  for (let i = 0; i < 2000; i++) fn(i % 2 ? hit : miss);
  const start = performance.now();
  for (let i = 0; i < count; i++) fn(i % 2 ? hit : miss);
  out[name] = ((performance.now() - start) * 1000) / count;
}
console.log(JSON.stringify(out));
