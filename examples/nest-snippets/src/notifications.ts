import { Controller, Injectable, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { TxmqContext, TxmqServer } from '@txmq/nest';
import type { UserRegistered } from './accounts.service.js';

/** Stands in for a mail service. */
@Injectable()
export class Mailer {
  readonly sent: string[] = [];

  async send(to: string, subject: string): Promise<void> {
    this.sent.push(`${to}: ${subject}`);
  }
}

@Controller()
export class NotificationsController {
  constructor(private readonly mailer: Mailer) {}

  /** Acknowledged when it resolves; redelivered with the group's backoff when it throws. */
  @EventPattern<string>('user-registered')
  async welcome(@Payload() event: UserRegistered, @Ctx() context: TxmqContext): Promise<void> {
    const subject = context.getDeliveryAttempt() === 1 ? 'Welcome' : 'Welcome (again)';
    await this.mailer.send(event.email, subject);
  }

  @EventPattern<string>('newsletter-subscribed')
  async confirm(@Payload() event: { email: string }): Promise<void> {
    await this.mailer.send(event.email, 'You are subscribed');
  }
}

@Module({ controllers: [NotificationsController], providers: [Mailer] })
export class NotificationsModule {}

/** A microservice that consumes as group `notifications`, one subscription per `@EventPattern`. */
export async function startNotifications(): Promise<INestMicroservice> {
  const app = await NestFactory.createMicroservice(NotificationsModule, {
    strategy: new TxmqServer({ endpoints: process.env.TXMQ_ENDPOINTS ?? '127.0.0.1:8081', group: 'notifications' }),
  });
  await app.listen();
  return app;
}
