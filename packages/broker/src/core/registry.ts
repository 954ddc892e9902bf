import { NotFoundError } from '../errors.js';
import { isDeadLetterTopic } from '../rules/names.js';
import { assertGroupName, assertTopicName } from './name-asserts.js';
import { autoGroup, autoTopic, type BrokerSettings } from './settings.js';
import type { GroupSettings, TopicSettings } from './types.js';

/** Declared topics and groups, plus those created on first use when the config allows it. */
export class Registry {
  readonly #topics: Map<string, TopicSettings>;
  readonly #groups: Map<string, GroupSettings>;

  constructor(private readonly config: BrokerSettings) {
    this.#topics = new Map(config.topics);
    this.#groups = new Map(config.groups);
  }

  /** The topic's settings; creates it when auto-creation is on (dead-letter topics always). */
  topic(name: string): TopicSettings {
    const known = this.#topics.get(name);
    if (known) return known;
    assertTopicName(name);
    if (!this.config.autoCreateTopics && !isDeadLetterTopic(name)) {
      throw new NotFoundError('TOPIC_NOT_FOUND', `topic ${JSON.stringify(name)} does not exist and autoCreateTopics is off`);
    }
    const created = autoTopic(name);
    this.#topics.set(name, created);
    return created;
  }

  /** Registers a topic found in the store at startup, so it is routable even when auto-creation is off. */
  adoptStoredTopic(name: string): void {
    if (!this.#topics.has(name)) this.#topics.set(name, autoTopic(name));
  }

  /** The group's settings; creates it when auto-creation is on. */
  group(name: string): GroupSettings {
    const known = this.#groups.get(name);
    if (known) return known;
    assertGroupName(name);
    if (!this.config.autoCreateGroups) {
      throw new NotFoundError('CONSUMER_GROUP_NOT_FOUND', `consumer group ${JSON.stringify(name)} does not exist and autoCreateGroups is off`);
    }
    const created = autoGroup(name);
    this.#groups.set(name, created);
    return created;
  }

  allTopics(): TopicSettings[] {
    return [...this.#topics.values()];
  }
}
