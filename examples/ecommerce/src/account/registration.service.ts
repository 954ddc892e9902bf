import { randomUUID } from 'node:crypto';
import { ConflictException, Injectable } from '@nestjs/common';
import { Transactional, TxmqProducer } from '@txmq/nest';
import type { UserView } from '../shared/api.js';
import { USER_REGISTERED, type UserRegistered } from '../shared/user-registered.js';
import type { Registration } from './registration.js';
import { UsersRepository } from './users.repository.js';

/** Registers users. */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly users: UsersRepository,
    private readonly producer: TxmqProducer,
  ) {}

  /**
   * Writes the user and the `user-registered` message in one transaction: either both are
   * committed, and the message is delivered to every consumer group, or neither is.
   *
   * @throws ConflictException (409) when the email is already registered.
   */
  @Transactional()
  async register(registration: Registration): Promise<UserView> {
    const user = await this.users.insert({ id: randomUUID(), ...registration });
    if (user === undefined) {
      throw new ConflictException({
        statusCode: 409,
        error: 'Conflict',
        field: 'email',
        message: `${registration.email} is already registered`,
      });
    }
    const event: UserRegistered = { userId: user.id, email: user.email, name: user.name, registeredAt: user.registeredAt };
    await this.producer.send({ topic: USER_REGISTERED, keys: [user.id], body: event });
    return user;
  }
}
