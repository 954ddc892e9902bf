import { Module, type DynamicModule } from '@nestjs/common';
import type { ServiceDatabase } from '../shared/database.js';
import type { ServiceSettings } from '../shared/settings.js';
import { SERVICE_DATABASE, SERVICE_SETTINGS } from '../shared/tokens.js';
import { txmqModule } from '../shared/txmq-module.js';
import { PointsController } from './points.controller.js';
import { PointsRepository } from './points.repository.js';
import { WelcomePointsConsumer } from './welcome-points.consumer.js';

/** The points service: consumes `user-registered` as group `points`. */
@Module({})
export class PointsModule {
  static register(settings: ServiceSettings, database: ServiceDatabase): DynamicModule {
    return {
      module: PointsModule,
      imports: [txmqModule(settings, database, { sends: false })],
      controllers: [PointsController],
      providers: [
        { provide: SERVICE_SETTINGS, useValue: settings },
        { provide: SERVICE_DATABASE, useValue: database },
        PointsRepository,
        WelcomePointsConsumer,
      ],
    };
  }
}
