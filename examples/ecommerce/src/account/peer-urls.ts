import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ServiceSettings } from '../shared/settings.js';
import { SERVICE_SETTINGS } from '../shared/tokens.js';

/** What a supervisor sends the account service over IPC: where points and coupons answer now. */
export interface PeersMessage {
  readonly type: 'peers';
  readonly pointsUrl: string;
  readonly couponsUrl: string;
}

/**
 * Where the points and coupons services answer: `POINTS_URL` and `COUPONS_URL` at first, then
 * whatever a supervisor says (it starts every service at once, so it learns their ports only
 * once they listen).
 */
@Injectable()
export class PeerUrls implements OnModuleInit, OnModuleDestroy {
  #points: string;
  #coupons: string;

  constructor(@Inject(SERVICE_SETTINGS) settings: ServiceSettings) {
    this.#points = settings.pointsUrl;
    this.#coupons = settings.couponsUrl;
  }

  get points(): string {
    return this.#points;
  }

  get coupons(): string {
    return this.#coupons;
  }

  onModuleInit(): void {
    process.on('message', this.#onMessage);
  }

  onModuleDestroy(): void {
    process.off('message', this.#onMessage);
  }

  readonly #onMessage = (message: unknown): void => {
    const peers = message as Partial<PeersMessage> | null;
    if (peers?.type !== 'peers' || typeof peers.pointsUrl !== 'string' || typeof peers.couponsUrl !== 'string') return;
    this.#points = peers.pointsUrl;
    this.#coupons = peers.couponsUrl;
  };
}
