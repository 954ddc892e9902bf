// Benchmark of @txmq/nest's transaction core (not a timed test). Run: npx tsc -b && node bench/dist/nest-bench.js
// BENCH_WINDOWS sets the side-by-side windows, BENCH_ROUNDS the alternating rounds.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TransactionHost, TxmqModule } from '@txmq/nest';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { transactionOverhead, Users } from './nest/transaction-overhead.js';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_${randomBytes(4).toString('hex')}`;
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 16 });
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) });

// No broker: the relay is off and every send would be in a transaction; nothing here sends.
@Module({
  imports: [TxmqModule.forRoot({ endpoints: '127.0.0.1:9', db, schema, migrate: false, relay: false })],
  providers: [Users],
})
class BenchModule {}

await sql`create schema ${sql.id(schema)}`.execute(db);
await sql`create table ${sql.table(`${schema}.users`)} (id uuid primary key, name text not null)`.execute(db);
const app = await NestFactory.createApplicationContext(BenchModule, { logger: false });
try {
  await sql`checkpoint`.execute(db).catch(() => undefined);
  await transactionOverhead(db, app.get(TransactionHost), app.get(Users), `${schema}.users`);
} finally {
  await app.close();
  await sql`drop schema ${sql.id(schema)} cascade`.execute(db);
  await db.destroy();
}
