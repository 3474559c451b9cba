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

  /** The sentence with `{name}` placeholders, when built by `create`: the host localizes this one. */
  readonly template?: string;

  /**
   * The error whose sentence this one quotes as its `{problem}` value ('e1 is in error ({problem}); ...'):
   * the host localizes it too and puts its sentence in place of the English one.
   */
  readonly inner?: SocketLabError;

  constructor(
    code: string,
    message: string,
    values: ErrorValues = {},
    systemCode?: string,
    template?: string,
    inner?: SocketLabError,
  ) {
    super(message);
    this.name = 'SocketLabError';
    this.code = code;
    this.values = values;
    this.systemCode = systemCode;
    this.template = template;
    this.inner = inner;
  }

  /**
   * Builds an error from a sentence template such as `'{address}:{port} is already in use'`; the filled
   * sentence is the message, and the template stays available so the host can translate it. The
   * template must be a string literal at the call (scripts/l10n.mjs collects them into the bundle).
   * `inner`: the error quoted as `values.problem` (see `inner` above).
   */
  static create(
    code: string,
    template: string,
    values: ErrorValues = {},
    systemCode?: string,
    inner?: SocketLabError,
  ): SocketLabError {
    return new SocketLabError(code, fillTemplate(template, values), values, systemCode, template, inner);
  }
}

/**
 * What a snapshot (EndpointInfo, ConnectionInfo, a repeat's end) says of an error, as plain data: the
 * English sentence, and the template and values a host translates it from (see describeInfoError in
 * src/host/errorText.ts). An error built without a template has only the sentence.
 */
export interface ErrorFields {
  /** The clear English sentence. */
  error: string;
  /** That sentence with its `{name}` placeholders, for translation. */
  errorTemplate?: string;
  /** The values of those placeholders. */
  errorValues?: ErrorValues;
}

/** The snapshot fields of `err`; the values are copied, so the snapshot stays a plain object of its own. */
export function errorFields(err: SocketLabError): ErrorFields {
  // An error quoting another (`inner`) would keep the quoted sentence in English here, but no endpoint,
  // connection or repeat stores one: only errors thrown at a caller quote another (a send to a failed
  // endpoint, an auto-reply rule, a file sent in part), and describeError translates those.
  return err.template
    ? { error: err.message, errorTemplate: err.template, errorValues: { ...err.values } }
    : { error: err.message };
}

/** Replaces `{name}` placeholders with their values; unknown names are left as they are. */
export function fillTemplate(template: string, values: ErrorValues): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** True when `err` is a SocketLabError (also across bundle boundaries, by shape). */
export function isSocketLabError(err: unknown): err is SocketLabError {
  return (
    err instanceof SocketLabError ||
    (typeof err === 'object' &&
      err !== null &&
      (err as { name?: unknown }).name === 'SocketLabError' &&
      typeof (err as { code?: unknown }).code === 'string')
  );
}
