import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import type { GrantStats } from '../shared/api.js';
import { GiftsRepository, type WelcomeGift } from './gifts.repository.js';

/** The gifts service's HTTP API. */
@Controller()
export class GiftsController {
  constructor(private readonly gifts: GiftsRepository) {}

  @Get('gifts/:userId')
  async giftOf(@Param('userId') userId: string): Promise<WelcomeGift> {
    const gift = await this.gifts.giftOf(userId);
    if (gift === undefined) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: `no gift for user ${userId} (yet)` });
    return gift;
  }

  @Get('stats')
  stats(): Promise<GrantStats> {
    return this.gifts.stats();
  }
}
