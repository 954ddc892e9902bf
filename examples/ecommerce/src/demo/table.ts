import type { UserWithRewards } from '../shared/api.js';

/** The users as a text table: email, name, points, coupon; at most `rows` of them. */
export function usersTable(users: readonly UserWithRewards[], rows = 25): string {
  const header = ['email', 'name', 'points', 'coupon', 'coupon expires'];
  const body = users.slice(0, rows).map((u) => [u.email, u.name, u.points === null ? '-' : String(u.points), u.coupon?.code ?? '-', u.coupon?.expiresAt.slice(0, 10) ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  if (users.length > rows) lines.push(`... and ${users.length - rows} more`);
  return lines.join('\n');
}
