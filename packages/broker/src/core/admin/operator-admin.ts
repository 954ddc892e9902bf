import type { AdminContext } from './context.js';
import { DeadLetters } from './dead-letters.js';
import { GroupAdmin } from './group-admin.js';
import { resetGroup } from './reset.js';
import { Serial } from './serial.js';
import { TopicAdmin } from './topic-admin.js';
import type { ResetResult, ResetTarget } from '../views/index.js';

/**
 * The broker core's operator operations: topics, groups, dead letters and resets. Changes run one
 * at a time (each checks what exists, then writes).
 */
export class OperatorAdmin {
  readonly topics: TopicAdmin;
  readonly groups: GroupAdmin;
  readonly deadLetters: DeadLetters;
  readonly #serial = new Serial();

  constructor(private readonly ctx: AdminContext) {
    this.topics = new TopicAdmin(ctx, this.#serial);
    this.groups = new GroupAdmin(ctx, this.#serial);
    this.deadLetters = new DeadLetters(ctx, this.#serial);
  }

  /** See {@link resetGroup}. */
  reset(group: string, to: ResetTarget, topic?: string): Promise<ResetResult> {
    return this.#serial.run(() => resetGroup(this.ctx, group, to, topic));
  }
}
