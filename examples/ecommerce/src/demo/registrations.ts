/** One `POST /users` the demo makes. */
export interface Attempt {
  readonly email: string;
  readonly name: string;
  /** The email was registered by an earlier attempt: this one must be refused with 409. */
  readonly duplicate: boolean;
}

const NAMES = [
  'Ada Lovelace',
  'Grace Hopper',
  'Alan Turing',
  'Barbara Liskov',
  'Edsger Dijkstra',
  'Margaret Hamilton',
  'Donald Knuth',
  'Frances Allen',
  'Ken Thompson',
  'Radia Perlman',
  'John Backus',
  'Hedy Lamarr',
];

/**
 * `users` registrations of distinct emails, with a duplicate of every fifth one right after it
 * (the same address in capitals, which is the same address): they run concurrently, so the
 * duplicate may even arrive first, and exactly one of the two must succeed.
 */
export function demoAttempts(users: number): Attempt[] {
  const attempts: Attempt[] = [];
  for (let i = 1; i <= users; i++) {
    const name = NAMES[(i - 1) % NAMES.length]!;
    const email = `${name.split(' ')[0]!.toLowerCase()}.${i}@example.com`;
    attempts.push({ email, name, duplicate: false });
    if (i % 5 === 0) attempts.push({ email: email.toUpperCase(), name, duplicate: true });
  }
  return attempts;
}
