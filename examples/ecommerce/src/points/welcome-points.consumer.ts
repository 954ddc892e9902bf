import { Injectable, Logger } from '@nestjs/common';
import type { ReceivedMessage } from '@txmq/broker/client';
import { OnMessage } from '@txmq/nest';
import { readUserRegistered, USER_REGISTERED } from '../shared/user-registered.js';
import { PointsRepository } from './points.repository.js';

/** Points every new user gets. */
export const WELCOME_POINTS = 100;

/** Grants the welcome points, once per registration. */
@Injectable()
export class WelcomePointsConsumer {
  readonly #log = new Logger('points');

  constructor(private readonly points: PointsRepository) {}

  /**
   * Runs in the module's inbox transaction, so the grant and the record that this message was
   * applied commit together: a redelivered message is acknowledged without running again.
   */
  @OnMessage({ topic: USER_REGISTERED, group: 'points' })
  async grantWelcomePoints(message: ReceivedMessage): Promise<void> {
    const { userId } = readUserRegistered(message);
    if (!(await this.points.grant(userId, 'welcome', WELCOME_POINTS))) {
      this.#log.warn(`user ${userId} already has welcome points; message ${message.messageId} grants nothing`);
    }
  }
}
