import { Module } from '@nestjs/common';
import { TxmqModule } from '@txmq/nest';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { AccountsService } from './accounts.service.js';
import type { Database } from './database.js';
import { PointsConsumer } from './points.consumer.js';

/** The application's database; the module never destroys it, so destroy it after `app.close()`. */
export const db = new Kysely<Database>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) }),
});

@Module({
  imports: [
    TxmqModule.forRoot({ endpoints: process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081', db }),
  ],
  providers: [AccountsService, PointsConsumer],
})
export class AppModule {}
