import { Controller, Get, Param, Query } from '@nestjs/common';
import type { GrantStats, PointsBalance, PointsBalances } from '../shared/api.js';
import { idList } from '../shared/id-list.js';
import { PointsRepository } from './points.repository.js';

/** The points service's HTTP API (read-only: points are granted by messages). */
@Controller()
export class PointsController {
  constructor(private readonly points: PointsRepository) {}

  /** `?users=a,b`: the balances of those users (at most 500). */
  @Get('points')
  async balances(@Query('users') users = ''): Promise<PointsBalances> {
    return { balances: await this.points.balances(idList(users)) };
  }

  @Get('points/:userId')
  balanceOf(@Param('userId') userId: string): Promise<PointsBalance> {
    return this.points.balanceOf(userId);
  }

  @Get('stats')
  stats(): Promise<GrantStats> {
    return this.points.welcomeStats();
  }
}

