import { Module } from '@nestjs/common';
import { TxmqModule } from '@txmq/nest';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.js';

export const secureDb = new Kysely<Database>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) }),
});

@Module({
  imports: [
    TxmqModule.forRoot({
      endpoints: process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081',
      db: secureDb,
      // A user of the broker's acl, and the CA its TLS certificate chains to (a self-signed
      // certificate is its own CA). The producer, the relay, the @OnMessage consumers and the
      // half-message sender all sign in with them; an empty secret is refused at once.
      credentials: { accessKey: 'orders-app', accessSecret: process.env.ORDERS_APP_SECRET ?? '' },
      tlsRootCertFile: process.env.TXMQ_CA_FILE ?? 'server.pem',
    }),
  ],
})
export class SecureAppModule {}
