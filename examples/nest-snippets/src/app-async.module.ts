import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { TxmqModule } from '@txmq/nest';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { AccountsService } from './accounts.service.js';
import type { Database } from './database.js';
import { PointsConsumer } from './points.consumer.js';

export const DATABASE = Symbol('DATABASE');

/** Provides the database and destroys it when the application has shut down. */
@Module({
  providers: [
    {
      provide: DATABASE,
      useFactory: () => new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) }) }),
    },
  ],
  exports: [DATABASE],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DATABASE) private readonly db: Kysely<Database>) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.destroy();
  }
}

@Module({
  imports: [
    TxmqModule.forRootAsync({
      imports: [DatabaseModule],
      inject: [DATABASE],
      useFactory: (db: Kysely<Database>) => ({ endpoints: process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081', db }),
    }),
  ],
  providers: [AccountsService, PointsConsumer],
})
export class AppAsyncModule {}
