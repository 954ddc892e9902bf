import { InvalidRequestError } from '../../errors.js';
import { isDeadLetterTopic } from '../../rules/names.js';
import { assertTopicName } from '../name-asserts.js';
import type { Registered } from '../registry.js';
import type { TopicSettings } from '../types.js';
import type { Page, PageRequest, TopicChange, TopicView } from '../views/index.js';
import { pageByName } from '../views/paging.js';
import type { AdminContext } from './context.js';
import { findKnownTopic, knownTopic, knownTopics } from './known-topics.js';
import type { Serial } from './serial.js';
import { topicSettingsWrite } from './stored-settings.js';
import { applyTopicChange } from './validate-change.js';

/**
 * Topics for operators: listing, and creating or changing one durably. A topic an operator
 * created or changed keeps those settings across restarts (origin `admin`), over whatever the
 * config file declares for it, until an operator changes it again.
 */
export class TopicAdmin {
  constructor(
    private readonly ctx: AdminContext,
    private readonly serial: Serial,
  ) {}

  /** Known topics by name (dead-letter topics included). */
  list(page?: PageRequest): Page<TopicView> {
    const listed = pageByName([...knownTopics(this.ctx).values()], page, (t) => t.settings.name);
    return { ...listed, items: listed.items.map((t) => this.#view(t)) };
  }

  /** @throws NotFoundError TOPIC_NOT_FOUND */
  describe(name: string): TopicView {
    return this.#view(knownTopic(this.ctx, name));
  }

  /**
   * Creates a topic with `change` over the defaults of a declared topic (1 queue, `NORMAL`).
   * Refused for a name that is known already, whatever its origin (use {@link update}).
   */
  create(name: string, change: TopicChange): Promise<TopicView> {
    return this.serial.run(async () => {
      assertTopicName(name);
      refuseDeadLetterTopic(name);
      const existing = findKnownTopic(this.ctx, name);
      if (existing) {
        throw new InvalidRequestError('PRECONDITION_FAILED', `topic ${JSON.stringify(name)} already exists (origin ${existing.origin}); change its settings with an update`);
      }
      return this.#store(applyTopicChange({ name, queues: 1, messageType: 'NORMAL' }, change));
    });
  }

  /** Changes a known topic's settings; what `change` leaves out stays as it is. A new message type applies to messages sent from now on. */
  update(name: string, change: TopicChange): Promise<TopicView> {
    return this.serial.run(async () => {
      const existing = knownTopic(this.ctx, name);
      refuseDeadLetterTopic(name);
      return this.#store(applyTopicChange(existing.settings, change));
    });
  }

  async #store(settings: TopicSettings): Promise<TopicView> {
    await this.ctx.store.commit({ entities: [topicSettingsWrite(settings, this.ctx.now())] });
    this.ctx.registry.setTopic(settings);
    this.ctx.log.info({ topic: settings.name, queues: settings.queues, messageType: settings.messageType }, 'topic settings changed by an operator');
    return this.describe(settings.name);
  }

  #view({ settings, origin }: Registered<TopicSettings>): TopicView {
    const { logs, store } = this.ctx;
    const nextOffset = logs.readableEnd(settings.name);
    const firstOffset = Math.min(store.topicBounds(settings.name).first, nextOffset);
    const last = nextOffset > firstOffset ? store.readMessage(settings.name, nextOffset - 1) : undefined;
    return {
      name: settings.name,
      queues: settings.queues,
      messageType: settings.messageType,
      origin,
      firstOffset,
      nextOffset,
      ...(last && { lastStoredAt: last.storedAt }),
    };
  }
}

function refuseDeadLetterTopic(name: string): void {
  if (isDeadLetterTopic(name)) {
    throw new InvalidRequestError('ILLEGAL_TOPIC', `${JSON.stringify(name)} is a dead-letter topic: the broker creates and manages it`);
  }
}
