/** The result `socketLab.runRequestFile` resolves with (documented in the README), from the runner's. */
import type { RequestRunResult, TranscriptEntry } from '../../core/requestFile/runner';
import { localizedSentence } from './documents';

/** One block's outcome as the command returns it. */
export interface RequestBlockOutcome {
  title: string;
  /** The block's `###` line (1-based). */
  line: number;
  passed: boolean;
  durationMs: number;
  /** Why it failed: the line, the sentence, and for an expect what was expected and what arrived (text and hex). */
  failure?: { line: number; message: string; expected?: string; actual?: string };
  /** What was sent ('out') and received ('in'), in order, with epoch-millisecond times. */
  transcript: TranscriptEntry[];
}

/** What `socketLab.runRequestFile` resolves with. */
export interface RequestFileOutcome {
  passed: number;
  failed: number;
  blocks: RequestBlockOutcome[];
}

/** The command's result from the runner's: failure sentences in the display language. */
export function toRequestFileOutcome(result: RequestRunResult): RequestFileOutcome {
  return {
    passed: result.passed,
    failed: result.failed,
    blocks: result.blocks.map((b) => {
      const f = b.failure;
      return {
        title: b.title,
        line: b.line,
        passed: b.passed,
        durationMs: b.durationMs,
        ...(f
          ? {
              failure: {
                line: f.line,
                message: localizedSentence(f),
                ...(f.expected !== undefined ? { expected: f.expected } : {}),
                ...(f.actual !== undefined ? { actual: f.actual } : {}),
              },
            }
          : {}),
        transcript: b.transcript,
      };
    }),
  };
}
