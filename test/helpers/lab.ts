/** A SocketLab for one test, always disposed, and waiting on its endpoints. */
import { SocketLab, SocketLabOptions } from '../../src/core/socketLab';
import { waitFor } from './wait';

/** Runs `fn` with a fresh SocketLab and disposes it afterwards, whatever happens. */
export async function withLab<T>(fn: (lab: SocketLab) => Promise<T>, options?: SocketLabOptions): Promise<T> {
  const lab = new SocketLab(options);
  try {
    return await fn(lab);
  } finally {
    lab.dispose();
  }
}

/** Waits until `lab`'s endpoint `id` satisfies `cond`. */
export async function waitForEndpoint(
  lab: SocketLab,
  id: string,
  cond: (info: ReturnType<SocketLab['get']>) => boolean,
  what: string,
): Promise<void> {
  await waitFor(what, () => cond(lab.get(id)));
}

/** A value passed where the types refuse it, to check that the runtime refuses it too (callers of the API pass unknown data). */
export function unchecked<T>(value: unknown): T {
  return value as T;
}
