/**
 * The frame of the scenario scripts that tests run in another context (as an unprivileged user, inside a
 * network namespace): one SocketLab, a body that fills `out`, and one JSON object printed at the end.
 */
import { SocketLab } from '../../../src/core/socketLab';

/** What a promise came to: `{ ok: true }`, or the error's code and sentence. */
export async function outcome(p: Promise<unknown>): Promise<{ code?: string; message?: string; ok?: boolean }> {
  try {
    await p;
    return { ok: true };
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message };
  }
}

/** Runs `body` with a fresh SocketLab, records an unexpected error as `out.error`, disposes, prints `out` as JSON. */
export function runScenario(body: (lab: SocketLab, out: Record<string, unknown>) => Promise<void>): void {
  const lab = new SocketLab();
  const out: Record<string, unknown> = {};
  void body(lab, out)
    .catch((err: unknown) => (out.error = (err as Error).message))
    .finally(() => {
      lab.dispose();
      process.stdout.write(JSON.stringify(out));
    });
}
