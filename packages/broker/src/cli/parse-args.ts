import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError } from '../errors.js';

/**
 * `util.parseArgs`, with a malformed command line (an unknown option, a missing value, ...)
 * reported as a {@link ConfigError} whose message says what is wrong, for the usage text to follow.
 */
export function parseCommandLine<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) throw new ConfigError((error as Error).message, { cause: error });
    throw error;
  }
}
