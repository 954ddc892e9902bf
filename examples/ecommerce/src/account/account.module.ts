import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { ServiceDatabase } from '../shared/database.js';
import type { ServiceSettings } from '../shared/settings.js';
import { SERVICE_DATABASE, SERVICE_SETTINGS } from '../shared/tokens.js';
import { txmqModule } from '../shared/txmq-module.js';
import { JsonBodyFilter } from './json-body.filter.js';
import { PageController } from './page.controller.js';
import { PeerUrls } from './peer-urls.js';
import { RegistrationService } from './registration.service.js';
import { RewardsClient } from './rewards.client.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';

/** The account service: registers users and announces each registration on `user-registered`. */
@Module({})
export class AccountModule {
  static register(settings: ServiceSettings, database: ServiceDatabase): DynamicModule {
    return {
      module: AccountModule,
      imports: [txmqModule(settings, database, { sends: true })],
      controllers: [UsersController, PageController],
      providers: [
        { provide: SERVICE_SETTINGS, useValue: settings },
        { provide: SERVICE_DATABASE, useValue: database },
        UsersRepository,
        RegistrationService,
        PeerUrls,
        RewardsClient,
        { provide: APP_FILTER, useClass: JsonBodyFilter },
      ],
    };
  }
}
