import type { EntityWrite, Store } from '../../store/store.js';
import type { AdminSettings } from '../registry.js';
import type { GroupSettings, TopicSettings } from '../types.js';

/** The topic and group settings operators stored (what the registry applies over the config's at start). */
export function storedAdminSettings(store: Store): AdminSettings {
  return {
    topics: store.loadEntities('topicSettings').map(({ name, queues, messageType }) => ({ name, queues, messageType })),
    groups: store.loadEntities('groupSettings').map(({ name, fifo, broadcast, maxDeliveryAttempts, retryBackoff }) => ({ name, fifo, broadcast, maxDeliveryAttempts, retryBackoff })),
  };
}

export function topicSettingsWrite(settings: TopicSettings, now: number): EntityWrite {
  return { kind: 'topicSettings', key: settings.name, value: { ...settings, updatedAt: now } };
}

export function groupSettingsWrite(settings: GroupSettings, now: number): EntityWrite {
  return { kind: 'groupSettings', key: settings.name, value: { ...settings, retryBackoff: { ...settings.retryBackoff }, updatedAt: now } };
}
