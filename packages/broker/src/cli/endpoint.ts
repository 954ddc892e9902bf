import { ConfigError } from '../errors.js';

const DEFAULT_HOST = '127.0.0.1';

/**
 * The broker address given to `--endpoint`: `HOST:PORT`, or a bare `PORT` meaning a broker on this
 * machine (`127.0.0.1:PORT`). Anything else is a {@link ConfigError} naming the flag.
 */
export function parseEndpoint(text: string, flag = '--endpoint'): string {
  const trimmed = text.trim();
  const bare = /^\d+$/.test(trimmed);
  const match = bare ? ['', DEFAULT_HOST, trimmed] : /^(.+):(\d+)$/.exec(trimmed);
  const port = Number(match?.[2]);
  if (!match || !match[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`${flag} must be HOST:PORT or a port of this machine (1-65535), got ${JSON.stringify(text)}`);
  }
  return `${match[1]}:${port}`;
}
