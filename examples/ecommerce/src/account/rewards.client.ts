import { Injectable } from '@nestjs/common';
import type { Coupon, CouponsByUser, PointsBalance, PointsBalances, UserCoupons } from '../shared/api.js';
import { PeerUrls } from './peer-urls.js';

/** How long the account service waits for the points or coupons service. */
const TIMEOUT_MS = 2000;

/**
 * Reads rewards from the points and coupons services over HTTP. A service that does not answer
 * reads as `null`: registration never depends on them, and neither do the pages.
 */
@Injectable()
export class RewardsClient {
  constructor(private readonly peers: PeerUrls) {}

  async pointsOf(userId: string): Promise<PointsBalance | null> {
    return getJson<PointsBalance>(`${this.peers.points}/points/${encodeURIComponent(userId)}`);
  }

  async couponsOf(userId: string): Promise<readonly Coupon[] | null> {
    return (await getJson<UserCoupons>(`${this.peers.coupons}/coupons/${encodeURIComponent(userId)}`))?.coupons ?? null;
  }

  /** The balance of each of `userIds` that has points. */
  async balances(userIds: readonly string[]): Promise<PointsBalances['balances'] | null> {
    if (userIds.length === 0) return {};
    return (await getJson<PointsBalances>(`${this.peers.points}/points?users=${userIds.map(encodeURIComponent).join(',')}`))?.balances ?? null;
  }

  /** The coupons of each of `userIds` that has some. */
  async coupons(userIds: readonly string[]): Promise<CouponsByUser['coupons'] | null> {
    if (userIds.length === 0) return {};
    return (await getJson<CouponsByUser>(`${this.peers.coupons}/coupons?users=${userIds.map(encodeURIComponent).join(',')}`))?.coupons ?? null;
  }
}

async function getJson<T>(url: string): Promise<T | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    return response.ok ? ((await response.json()) as T) : null;
  } catch {
    return null;
  }
}
