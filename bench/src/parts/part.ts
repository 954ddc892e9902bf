import type { Profile } from '../profile.js';
import type { PartResults } from '../report/results.js';
import type { SystemKey } from '../report/systems.js';

/** What a part gets from the runner. */
export interface PartContext {
  readonly profile: Profile;
  readonly results: PartResults;
  /** Whether the peer parts should measure `system` (`--systems=`). */
  wants(system: SystemKey): boolean;
  /** Progress (stderr); the table goes to stdout. */
  log(line: string): void;
}

/** One part of `npm run bench`: measures some figures and records them. */
export interface Part {
  /** The name `--parts=` selects it by. */
  readonly name: string;
  /** Runs only in the full profile (or when named in `--parts=`). */
  readonly fullOnly?: boolean;
  run(context: PartContext): Promise<void>;
}

/** A 1 KiB body. */
export function kib(): Buffer {
  return Buffer.alloc(1024, 'x');
}
