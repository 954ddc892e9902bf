import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceDatabase } from '../shared/database.js';
import type { ServiceSettings } from '../shared/settings.js';
import { SERVICE_DATABASE, SERVICE_SETTINGS } from '../shared/tokens.js';
import { txmqModule } from '../shared/txmq-module.js';
import { CouponsController } from './coupons.controller.js';
import { CouponsRepository } from './coupons.repository.js';
import { WelcomeCouponConsumer } from './welcome-coupon.consumer.js';

/** The coupons service: consumes `user-registered` as group `coupons`. */
@Module({})
export class CouponsModule {
  static register(settings: ServiceSettings, database: ServiceDatabase): DynamicModule {
    return {
      module: CouponsModule,
      imports: [txmqModule(settings, database, { sends: false })],
      controllers: [CouponsController],
      providers: [
        { provide: SERVICE_SETTINGS, useValue: settings },
        { provide: SERVICE_DATABASE, useValue: database },
        CouponsRepository,
        WelcomeCouponConsumer,
      ],
    };
  }
}
