// Starts the secured-broker snippet of the @txmq/nest README with an @OnMessage consumer, with
// the settings in the environment, and prints one JSON line: whether it started, or the error.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { OnMessage } from '@txmq/nest';

const { SecureAppModule, secureDb } = await import('@txmq/nest-snippets/secure-app.module');

@Injectable()
class Billing {
  @OnMessage({ topic: 'orders', group: 'billing' })
  onOrder(): void {}
}
@Module({ imports: [SecureAppModule], providers: [Billing] })
class ComposedModule {}

let outcome: { started: boolean; error?: string };
try {
  const app = await NestFactory.createApplicationContext(ComposedModule, { logger: false, abortOnError: false });
  await app.close();
  outcome = { started: true };
} catch (error) {
  outcome = { started: false, error: error instanceof Error ? error.message : String(error) };
}
await secureDb.destroy();
console.log(JSON.stringify(outcome));
// A failed start may leave clients it had opened; the answer is out.
process.exit(0);
