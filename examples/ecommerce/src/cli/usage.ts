export const USAGE = `usage (from the repository root):
  npm start [-- --with-gifts] [--free-ports] [--data-dir DIR] [--host HOST]
      the broker and every service, until Ctrl-C
  npm run start -w examples/ecommerce -- account|points|coupons|gifts [--port N] [--data-dir DIR] [--host HOST]
      one service alone (it needs a broker: npx txmq-broker)
  npm run demo [-- --users N] [--with-gifts]
      a scripted run in a fresh temporary folder; its last line counts what the databases hold
options:
  --with-gifts   also run the gifts service (or TXMQ_WITH_GIFTS=1)
  --free-ports   let every process pick a free port (the URLs are printed)
  --data-dir     folder of the embedded databases and the broker's store (default .txmq-data/ecommerce, or TXMQ_DATA_DIR)
  --port         port of the one service (default ACCOUNT_PORT=3000, POINTS_PORT=3001, COUPONS_PORT=3002, GIFTS_PORT=3003)
  --host         interface to listen on (default 127.0.0.1, or TXMQ_HOST)
  --users        registrations the demo makes (default 20)
environment:
  DATABASE_URL   use this Postgres (a schema pair per service, DATABASE_SCHEMA_PREFIX before their names) instead of PGlite
  TXMQ_ENDPOINTS use this broker (txmq or a RocketMQ 5 proxy) instead of starting one; default 127.0.0.1:8081 (BROKER_PORT)`;
