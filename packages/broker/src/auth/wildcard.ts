/**
 * Whether `name` matches `pattern`, where `*` stands for any run of characters (none included)
 * and every other character for itself. It backtracks only to the last `*` seen, so it takes at
 * most pattern length × name length steps; no regular expression is built from configuration.
 */
export function matchesPattern(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === name[n]) {
      p += 1;
      n += 1;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p;
      p += 1;
      resume = n;
    } else if (star >= 0) {
      // The last `*` takes one more character; retry the rest of the pattern from there.
      p = star + 1;
      resume += 1;
      n = resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p += 1;
  return p === pattern.length;
}
