import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { ReceivedMessage } from '@txmq/broker/client';
import { OnMessage } from '@txmq/nest';
import { readUserRegistered, USER_REGISTERED } from '../shared/user-registered.js';
import { CouponsRepository } from './coupons.repository.js';

/** How long a welcome coupon is valid after the registration. */
export const WELCOME_COUPON_DAYS = 30;

/** Grants the welcome coupon, once per registration. */
@Injectable()
export class WelcomeCouponConsumer {
  readonly #log = new Logger('coupons');

  constructor(private readonly coupons: CouponsRepository) {}

  /** Runs in the module's inbox transaction: the coupon and the inbox record commit together. */
  @OnMessage({ topic: USER_REGISTERED, group: 'coupons' })
  async grantWelcomeCoupon(message: ReceivedMessage): Promise<void> {
    const { userId, registeredAt } = readUserRegistered(message);
    const expiresAt = new Date(Date.parse(registeredAt) + WELCOME_COUPON_DAYS * 86_400_000);
    // A code another coupon has already breaks the primary key, not (user_id, kind): the insert
    // throws, the inbox transaction rolls back, and the redelivered message draws another code.
    const code = `WELCOME-${randomBytes(4).toString('hex').toUpperCase()}`;
    if (!(await this.coupons.grant({ code, userId, kind: 'welcome', expiresAt }))) {
      this.#log.warn(`user ${userId} already has a welcome coupon; message ${message.messageId} grants nothing`);
    }
  }
}
