import { Controller, Get, Param, Query } from '@nestjs/common';
import type { CouponsByUser, GrantStats, UserCoupons } from '../shared/api.js';
import { idList } from '../shared/id-list.js';
import { CouponsRepository } from './coupons.repository.js';

/** The coupons service's HTTP API (read-only: coupons are granted by messages). */
@Controller()
export class CouponsController {
  constructor(private readonly coupons: CouponsRepository) {}

  /** `?users=a,b`: the coupons of those users (at most 500). */
  @Get('coupons')
  async couponsOfUsers(@Query('users') users = ''): Promise<CouponsByUser> {
    return { coupons: await this.coupons.couponsOfUsers(idList(users)) };
  }

  @Get('coupons/:userId')
  async couponsOf(@Param('userId') userId: string): Promise<UserCoupons> {
    return { userId, coupons: await this.coupons.couponsOf(userId) };
  }

  @Get('stats')
  stats(): Promise<GrantStats> {
    return this.coupons.welcomeStats();
  }
}
