import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceDatabase } from '../shared/database.js';
import type { ServiceSettings } from '../shared/settings.js';
import { SERVICE_DATABASE, SERVICE_SETTINGS } from '../shared/tokens.js';
import { txmqModule } from '../shared/txmq-module.js';
import { GiftsController } from './gifts.controller.js';
import { GiftsRepository } from './gifts.repository.js';
import { WelcomeGiftConsumer } from './welcome-gift.consumer.js';

/** The gifts service: consumes `user-registered` as group `gifts`. Nothing else knows it exists. */
@Module({})
export class GiftsModule {
  static register(settings: ServiceSettings, database: ServiceDatabase): DynamicModule {
    return {
      module: GiftsModule,
      imports: [txmqModule(settings, database, { sends: false })],
      controllers: [GiftsController],
      providers: [
        { provide: SERVICE_SETTINGS, useValue: settings },
        { provide: SERVICE_DATABASE, useValue: database },
        GiftsRepository,
        WelcomeGiftConsumer,
      ],
    };
  }
}
