/** Figures a test prints for RELIABILITY.md (measured, never asserted: speed is `npm run bench`'s job). */

/** Prints one `[figure]` line. */
export function figure(name: string, value: unknown): void {
  console.log(`      [figure] ${name}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}
