import { NotFoundError } from '../errors.js';
import { isDeadLetterTopic } from '../rules/names.js';
import { assertGroupName, assertTopicName } from './name-asserts.js';
import { autoGroup, autoTopic, type BrokerSettings } from './settings.js';
import type { GroupSettings, TopicSettings } from './types.js';
import type { SettingsOrigin } from './views/index.js';

/** A topic's or group's settings and where they came from. */
export interface Registered<T> {
  readonly settings: T;
  readonly origin: SettingsOrigin;
}

/** Settings operators created or changed earlier (stored durably), applied over the config's at start. */
export interface AdminSettings {
  readonly topics?: readonly TopicSettings[];
  readonly groups?: readonly GroupSettings[];
}

/**
 * Declared topics and groups, plus those created on first use when the config allows it. An
 * operator's settings (origin `admin`) replace the config file's for the same name: the config
 * file's entry is ignored until the operator changes it again.
 */
export class Registry {
  readonly #topics = new Map<string, Registered<TopicSettings>>();
  readonly #groups = new Map<string, Registered<GroupSettings>>();

  constructor(
    private readonly config: BrokerSettings,
    admin: AdminSettings = {},
  ) {
    for (const [name, settings] of config.topics) this.#topics.set(name, { settings, origin: 'config' });
    for (const [name, settings] of config.groups) this.#groups.set(name, { settings, origin: 'config' });
    for (const settings of admin.topics ?? []) this.setTopic(settings);
    for (const settings of admin.groups ?? []) this.setGroup(settings);
  }

  /** The topic's settings; creates it when auto-creation is on (dead-letter topics always). */
  topic(name: string): TopicSettings {
    const known = this.#topics.get(name);
    if (known) return known.settings;
    assertTopicName(name);
    if (!this.config.autoCreateTopics && !isDeadLetterTopic(name)) {
      throw new NotFoundError('TOPIC_NOT_FOUND', `topic ${JSON.stringify(name)} does not exist and autoCreateTopics is off`);
    }
    const created = autoTopic(name);
    this.#topics.set(name, { settings: created, origin: 'auto' });
    return created;
  }

  /** Registers a topic found in the store at startup, so it is routable even when auto-creation is off. */
  adoptStoredTopic(name: string): void {
    if (!this.#topics.has(name)) this.#topics.set(name, { settings: autoTopic(name), origin: 'auto' });
  }

  /** The group's settings; creates it when auto-creation is on. */
  group(name: string): GroupSettings {
    const known = this.#groups.get(name);
    if (known) return known.settings;
    assertGroupName(name);
    if (!this.config.autoCreateGroups) {
      throw new NotFoundError('CONSUMER_GROUP_NOT_FOUND', `consumer group ${JSON.stringify(name)} does not exist and autoCreateGroups is off`);
    }
    const created = autoGroup(name);
    this.#groups.set(name, { settings: created, origin: 'auto' });
    return created;
  }

  allTopics(): TopicSettings[] {
    return [...this.#topics.values()].map((t) => t.settings);
  }

  /** A known topic, without creating it. */
  findTopic(name: string): Registered<TopicSettings> | undefined {
    return this.#topics.get(name);
  }

  /** A known group, without creating it. */
  findGroup(name: string): Registered<GroupSettings> | undefined {
    return this.#groups.get(name);
  }

  /** Every known topic (declared, created by an operator or on first use, found in the store). */
  topics(): Registered<TopicSettings>[] {
    return [...this.#topics.values()];
  }

  /** Every known group (declared, created by an operator or on first use in this process). */
  groups(): Registered<GroupSettings>[] {
    return [...this.#groups.values()];
  }

  /** Applies an operator's topic settings (from now on, for every lookup). */
  setTopic(settings: TopicSettings): void {
    this.#topics.set(settings.name, { settings, origin: 'admin' });
  }

  /** Applies an operator's group settings (from now on, for every lookup). */
  setGroup(settings: GroupSettings): void {
    this.#groups.set(settings.name, { settings, origin: 'admin' });
  }
}
