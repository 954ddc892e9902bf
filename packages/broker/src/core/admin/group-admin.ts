import { InvalidRequestError } from '../../errors.js';
import { deadLetterTopic } from '../../rules/names.js';
import { consumerLabel, groupOf } from '../consumer.js';
import { assertGroupName } from '../name-asserts.js';
import type { Registered } from '../registry.js';
import { autoGroup } from '../settings.js';
import type { GroupSettings } from '../types.js';
import type { GroupChange, GroupView, Page, PageRequest, SubscriptionView } from '../views/index.js';
import { compareKeys, pageByName } from '../views/paging.js';
import type { AdminContext } from './context.js';
import { consumersOnline, knownGroup, knownGroups } from './known-groups.js';
import type { Serial } from './serial.js';
import { groupSettingsWrite } from './stored-settings.js';
import { applyGroupChange } from './validate-change.js';

/** One subscription's position as {@link Deliveries.stats} reports it. */
interface Position {
  readonly consumer: string;
  readonly topic: string;
  readonly nextOffset: number;
  readonly unacked: number;
}

/**
 * Consumer groups for operators: their positions and lag, and creating or changing one durably
 * (origin `admin`, kept across restarts over the config file's settings until changed again).
 *
 * Lag is per (consumer, topic), not per queue: the broker keeps one log per topic, and the queues a
 * topic has exist only in the routes it hands out. It counts every message past the position,
 * including those the group's tag filter will skip.
 *
 * What a change does to a group that is consuming:
 * - `maxDeliveryAttempts` and `retryBackoff` apply from the next receive, acknowledgement or retry on.
 * - `fifo` is refused while a consumer of the group is online: clients learn it from the broker
 *   when they connect and pick their way of consuming (one message group at a time, in order) by
 *   it, so a running consumer would keep the old way. Stop the consumers, change it, start them.
 * - `broadcast` is refused while a consumer of the group is online, and also once the group has
 *   consumption positions: a clustering group has one shared position per topic, a broadcast group
 *   one per client, so switching would strand the positions and in-flight messages of the other
 *   mode. Use a new group name instead.
 */
export class GroupAdmin {
  constructor(
    private readonly ctx: AdminContext,
    private readonly serial: Serial,
  ) {}

  list(page?: PageRequest): Page<GroupView> {
    const positions = this.#positionsByGroup();
    const listed = pageByName([...knownGroups(this.ctx).values()], page, (g) => g.settings.name);
    return { ...listed, items: listed.items.map((g) => this.#view(g, positions.get(g.settings.name) ?? [])) };
  }

  /** @throws NotFoundError CONSUMER_GROUP_NOT_FOUND */
  describe(name: string): GroupView {
    return this.#view(knownGroup(this.ctx, name), this.#positionsByGroup().get(name) ?? []);
  }

  /** Creates a group with `change` over the defaults; refused for a group that is known already (use {@link update}). */
  create(name: string, change: GroupChange): Promise<GroupView> {
    return this.serial.run(async () => {
      assertGroupName(name);
      const existing = knownGroups(this.ctx).get(name);
      if (existing) {
        throw new InvalidRequestError('PRECONDITION_FAILED', `consumer group ${JSON.stringify(name)} already exists (origin ${existing.origin}); change its settings with an update`);
      }
      return this.#store(applyGroupChange(autoGroup(name), change));
    });
  }

  /** Changes a known group's settings; what `change` leaves out stays as it is (see the class doc for fifo and broadcast). */
  update(name: string, change: GroupChange): Promise<GroupView> {
    return this.serial.run(async () => {
      const current = knownGroup(this.ctx, name).settings;
      const next = applyGroupChange(current, change);
      const online = consumersOnline(this.ctx, name);
      if (next.fifo !== current.fifo && online > 0) {
        throw new InvalidRequestError(
          'PRECONDITION_FAILED',
          `cannot change fifo of consumer group ${JSON.stringify(name)} while ${online} of its consumers are online: consumers learn it when they connect, so stop them, change it, then start them again`,
        );
      }
      if (next.broadcast !== current.broadcast) {
        const positions = this.#positionsByGroup().get(name)?.length ?? 0;
        if (online > 0 || positions > 0) {
          throw new InvalidRequestError(
            'PRECONDITION_FAILED',
            `cannot change broadcast of consumer group ${JSON.stringify(name)}: ${online > 0 ? `${online} of its consumers are online` : `it has ${positions} consumption position(s)`}, and clustering and broadcast keep positions differently (one per topic, or one per client); use a new group name`,
          );
        }
      }
      return this.#store(next);
    });
  }

  async #store(settings: GroupSettings): Promise<GroupView> {
    await this.ctx.store.commit({ entities: [groupSettingsWrite(settings, this.ctx.now())] });
    this.ctx.registry.setGroup(settings);
    this.ctx.log.info({ group: settings.name, fifo: settings.fifo, broadcast: settings.broadcast, maxDeliveryAttempts: settings.maxDeliveryAttempts }, 'consumer group settings changed by an operator');
    return this.describe(settings.name);
  }

  #positionsByGroup(): Map<string, Position[]> {
    const byGroup = new Map<string, Position[]>();
    for (const position of this.ctx.deliveries.stats()) {
      const group = groupOf(position.consumer);
      let list = byGroup.get(group);
      if (!list) byGroup.set(group, (list = []));
      list.push(position);
    }
    return byGroup;
  }

  #view({ settings, origin }: Registered<GroupSettings>, positions: readonly Position[]): GroupView {
    const { logs, store } = this.ctx;
    const subscriptions = positions
      .map((p): SubscriptionView => {
        const endOffset = logs.readableEnd(p.topic);
        return {
          topic: p.topic,
          consumer: consumerLabel(p.consumer),
          nextOffset: p.nextOffset,
          endOffset,
          lag: Math.max(0, endOffset - p.nextOffset),
          inFlight: p.unacked,
        };
      })
      .sort((a, b) => (a.topic === b.topic ? compareKeys(a.consumer, b.consumer) : compareKeys(a.topic, b.topic)));
    const dlq = deadLetterTopic(settings.name);
    const dlqEnd = logs.readableEnd(dlq);
    return {
      name: settings.name,
      fifo: settings.fifo,
      broadcast: settings.broadcast,
      maxDeliveryAttempts: settings.maxDeliveryAttempts,
      retryBackoff: settings.retryBackoff,
      origin,
      consumersOnline: consumersOnline(this.ctx, settings.name),
      subscriptions,
      lag: subscriptions.reduce((sum, s) => sum + s.lag, 0),
      inFlight: subscriptions.reduce((sum, s) => sum + s.inFlight, 0),
      deadLetters: Math.max(0, dlqEnd - store.topicBounds(dlq).first),
    };
  }
}
