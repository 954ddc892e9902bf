import type { DynamicModule } from '@nestjs/common';
import { TxmqModule, type TxmqModuleOptions } from '@txmq/nest';
import { USER_REGISTERED } from './user-registered.js';
import type { ServiceDatabase } from './database.js';
import type { ServiceSettings } from './settings.js';
import { serviceLogger } from './service-logger.js';

/**
 * `TxmqModule` for a service: its database and outbox schema, the broker, and a relay only in a
 * service that sends (the others consume only).
 */
export function txmqModule(settings: ServiceSettings, database: ServiceDatabase, role: { readonly sends: boolean }): DynamicModule {
  const halfMessages = role.sends && settings.delivery === 'half-message';
  const options: TxmqModuleOptions = {
    endpoints: settings.endpoints,
    ...settings.brokerSecurity,
    db: database.db,
    schema: database.txmqSchema,
    relay: role.sends ? { listen: database.listen } : false,
    logger: serviceLogger(settings.service),
    ...(halfMessages && { delivery: 'half-message', transactionalTopics: [USER_REGISTERED] }),
  };
  return TxmqModule.forRoot(options);
}
