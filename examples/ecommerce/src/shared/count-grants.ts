import type { GrantStats } from './api.js';

/** {@link GrantStats} from the counts of a reward's rows and of the registrations they belong to. */
export function grantStats(row: { grants: string | number | bigint; registrations: string | number | bigint }): GrantStats {
  const grants = Number(row.grants);
  const registrations = Number(row.registrations);
  return { registrations, grants, duplicates: grants - registrations };
}
