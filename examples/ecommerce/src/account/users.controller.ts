import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import type { AccountStats, UserList, UserRewards, UserView } from '../shared/api.js';
import { badField } from './bad-field.js';
import { parseRegistration } from './registration.js';
import { RegistrationService } from './registration.service.js';
import { RewardsClient } from './rewards.client.js';
import { UsersRepository } from './users.repository.js';

/** The account service's HTTP API. */
@Controller()
export class UsersController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly users: UsersRepository,
    private readonly rewards: RewardsClient,
  ) {}

  /** Registers a user: 201 with the user, 409 for a registered email, 400 naming a bad field. */
  @Post('users')
  @HttpCode(201)
  register(@Body() body: unknown): Promise<UserView> {
    return this.registration.register(parseRegistration(body));
  }

  /** The latest registrations (newest first, `limit` at most 500) with their rewards so far. */
  @Get('users')
  async list(@Query('limit') limit: unknown): Promise<UserList> {
    const users = await this.users.latest(listLimit(limit));
    const ids = users.map((u) => u.id);
    const [balances, coupons] = await Promise.all([this.rewards.balances(ids), this.rewards.coupons(ids)]);
    return {
      users: users.map((user) => ({ ...user, points: balances?.[user.id] ?? null, coupon: coupons?.[user.id]?.find((c) => c.kind === 'welcome') ?? null })),
      services: { points: balances ? 'up' : 'down', coupons: coupons ? 'up' : 'down' },
    };
  }

  @Get('users/:id')
  async find(@Param('id') id: string): Promise<UserView> {
    const user = await this.users.find(id);
    if (user === undefined) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `no user ${id}` });
    return user;
  }

  /** The user's points (from the points service) and coupons (from the coupons service). */
  @Get('users/:id/rewards')
  async rewardsOf(@Param('id') id: string): Promise<UserRewards> {
    await this.find(id);
    const [points, coupons] = await Promise.all([this.rewards.pointsOf(id), this.rewards.couponsOf(id)]);
    return { userId: id, points, coupons };
  }

  @Get('stats')
  async stats(): Promise<AccountStats> {
    return { users: await this.users.count() };
  }
}

/** `?limit=`: 50 when absent, else a whole number, kept within 1 to 500. */
function listLimit(value: unknown): number {
  if (value === undefined || value === '') return 50;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) throw badField('limit', `limit must be a whole number from 1 to 500, got ${JSON.stringify(value)}`);
  return Math.min(Math.max(Number(value), 1), 500);
}
