/**
 * Errors of the core. The core never speaks to VS Code: every error carries a stable `code` and the
 * values it names (address, port, limit, field...), plus a default English sentence in `message`.
 * The host turns `code` + `values` into a localized sentence.
 */

/** Values an error sentence names; kept primitive so they survive structured clone and l10n. */
export type ErrorValues = Record<string, string | number>;

/** An error of Socket Lab with a stable code, the values it names and a clear English sentence. */
export class SocketLabError extends Error {
  /** Stable identifier, e.g. 'addressInUse', 'invalidPort', 'hexOddDigits'. */
  readonly code: string;
  /** The values the sentence names. */
  readonly values: ErrorValues;
  /** The Node error code behind it, when there is one (EADDRINUSE...). */
  readonly systemCode?: string;

  constructor(code: string, message: string, values: ErrorValues = {}, systemCode?: string) {
    super(message);
    this.name = 'SocketLabError';
    this.code = code;
    this.values = values;
    this.systemCode = systemCode;
  }
}

/** True when `err` is a SocketLabError (also across bundle boundaries, by shape). */
export function isSocketLabError(err: unknown): err is SocketLabError {
  return (
    err instanceof SocketLabError ||
    (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'SocketLabError' &&
      typeof (err as { code?: unknown }).code === 'string')
  );
}
