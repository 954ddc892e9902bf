/** The ids of a comma-separated `?users=` list, at most 500. */
export function idList(value: string): string[] {
  return value
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean)
    .slice(0, 500);
}
