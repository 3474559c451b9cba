/**
 * The `framing=` option of a `connect` line, in the framing issue's short form
 * (`none|line|crlf|delimiter:HEX|length:BYTES[:le][:offset=N][:adjust=N]|fixed:N|idle:MS`, each with an
 * optional `:max=N`): the only place the request-file code meets framing.
 */
export type { FramingSpec } from '../framing';
export {
  formatFramingShorthand as formatFramingOption,
  parseFramingShorthand as parseFramingOption,
} from '../framingShorthand';
