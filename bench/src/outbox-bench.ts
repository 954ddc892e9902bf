// The outbox's send-ratio benchmark (not a timed test; the relay and latency figures are parts of
// `npm run bench`). Run: npx tsc -b && node bench/dist/outbox-bench.js
// BENCH_WINDOWS sets the side-by-side windows, BENCH_ROUNDS the alternating rounds.
import { checkpoint, openOutboxFixture } from './outbox/fixture.js';
import { sendRatio } from './outbox/send-ratio.js';

const fixture = await openOutboxFixture();
try {
  await checkpoint(fixture.db);
  await sendRatio(fixture.db, fixture.pool, fixture.outbox);
} finally {
  await fixture.close();
}
