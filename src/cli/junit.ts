/**
 * JUnit XML of a run, the report format CI systems (GitLab, Jenkins, GitHub test reporters) read: one
 * testsuite per request file, one testcase per block, the failure sentence with expected/actual, and
 * the transcript in system-out.
 */
import type { BlockResult } from '../core/requestFile/runner';
import { transcriptLines } from '../core/requestFile/transcript';

/** One file's results, as the CLI collected them. */
export interface FileResults {
  /** The path as shown (relative to the working directory). */
  path: string;
  blocks: BlockResult[];
  /** Epoch ms when the file started. */
  startedAt: number;
}

// Characters XML 1.0 cannot hold at all: controls other than tab, LF and CR, lone surrogates, U+FFFE/U+FFFF.
/* eslint-disable no-control-regex -- finding control characters is the point */
const NOT_XML =
  /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/* eslint-enable no-control-regex */

/** `text` escaped for XML text and attributes; what XML cannot hold becomes U+FFFD. */
function xmlText(text: string): string {
  return text
    .replace(NOT_XML, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

/** The name a block goes by in reports: its title, or its line when it has none. */
export function blockName(block: Pick<BlockResult, 'title' | 'line'>): string {
  return block.title || `block at line ${block.line}`;
}

/** The failure's text: the sentence, then the expected and actual sides when there are any. */
export function failureText(block: BlockResult): string {
  const f = block.failure;
  if (!f) return '';
  const lines = [f.message];
  if (f.expected !== undefined) lines.push(`expected: ${f.expected}`);
  if (f.actual !== undefined) lines.push(`actual:   ${f.actual}`);
  return lines.join('\n');
}

/** The whole report. */
export function junitXml(files: readonly FileResults[], totalMs: number): string {
  const count = (f: FileResults, passed: boolean) => f.blocks.filter((b) => b.passed === passed).length;
  const tests = files.reduce((n, f) => n + f.blocks.length, 0);
  const failures = files.reduce((n, f) => n + count(f, false), 0);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="socket-lab" tests="${tests}" failures="${failures}" errors="0" time="${seconds(totalMs)}">`,
  ];
  for (const f of files) {
    const time = f.blocks.reduce((ms, b) => ms + b.durationMs, 0);
    out.push(
      `  <testsuite name="${xmlText(f.path)}" tests="${f.blocks.length}" failures="${count(f, false)}" errors="0" skipped="0" time="${seconds(time)}" timestamp="${new Date(f.startedAt).toISOString().slice(0, 19)}">`,
    );
    for (const b of f.blocks) {
      out.push(
        `    <testcase name="${xmlText(blockName(b))}" classname="${xmlText(f.path)}" time="${seconds(b.durationMs)}" file="${xmlText(f.path)}" line="${b.line}">`,
      );
      if (b.failure) {
        out.push(
          `      <failure message="${xmlText(b.failure.message)}" type="${xmlText(b.failure.code)}">${xmlText(failureText(b))}</failure>`,
        );
      }
      const transcript = transcriptLines(b);
      if (transcript.length) out.push(`      <system-out>${xmlText(transcript.join('\n'))}</system-out>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>', '');
  return out.join('\n');
}
