import { Injectable, Logger } from '@nestjs/common';
import type { ReceivedMessage } from '@txmq/broker/client';
import { OnMessage } from '@txmq/nest';
import { readUserRegistered, USER_REGISTERED } from '../shared/user-registered.js';
import { GiftsRepository } from './gifts.repository.js';

/** What every new user gets. */
export const WELCOME_GIFT = 'tote bag';

/**
 * Sends a welcome gift, once per registration. A consumer group of its own (`gifts`): started
 * later than the others, it begins at the oldest message the broker retains, so it also receives
 * the registrations made before it existed.
 */
@Injectable()
export class WelcomeGiftConsumer {
  readonly #log = new Logger('gifts');

  constructor(private readonly gifts: GiftsRepository) {}

  @OnMessage({ topic: USER_REGISTERED, group: 'gifts' })
  async sendWelcomeGift(message: ReceivedMessage): Promise<void> {
    const { userId, registeredAt } = readUserRegistered(message);
    if (!(await this.gifts.send(userId, WELCOME_GIFT, registeredAt))) {
      this.#log.warn(`user ${userId} already has a welcome gift; message ${message.messageId} sends nothing`);
    }
  }
}
