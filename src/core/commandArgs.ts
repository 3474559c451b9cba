/** The command argument schemas of src/shared/commandArgs.ts for this system, whose Unix path limit they check. */
import { commandSchemas, parseArgs, type CommandName, type ParsedArgs } from '../shared/commandArgs';
import { unixPathMax } from '../shared/validate';

/** Max bytes of a Unix socket path on this system (Linux 107, macOS/BSD 103; Windows named pipes 256 characters). */
export const UNIX_PATH_MAX: number = unixPathMax(process.platform);

const SCHEMAS = commandSchemas(process.platform);

/** Parses the argument of `command` as this system allows it, or throws the SocketLabError that refuses it. */
export function parseCommandArgs<C extends CommandName>(command: C, value: unknown): ParsedArgs<C> {
  return parseArgs(SCHEMAS, command, value);
}
