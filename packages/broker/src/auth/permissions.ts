import { PermissionDeniedError } from '../errors.js';
import type { AclUser, Grant } from './acl.js';
import { matchesPattern } from './wildcard.js';

/**
 * Something a call wants to do. Topic and group names are the broker's own, namespace included
 * (`ns%orders` for a client in namespace `ns`): a grant names the namespaced resource (or
 * matches it with `*`), so a grant for `orders` does not open `orders` of every namespace.
 */
export type Action =
  /** Publish to a topic (SendMessage, EndTransaction, RecallMessage). */
  | { readonly kind: 'pub'; readonly topic: string }
  /** Consume from a topic (ReceiveMessage, AckMessage, QueryAssignment, ...). */
  | { readonly kind: 'sub'; readonly topic: string }
  /** Either of them: to look a topic up (QueryRoute), as RocketMQ allows. */
  | { readonly kind: 'route'; readonly topic: string }
  /** Consume as a member of a consumer group. */
  | { readonly kind: 'sub-group'; readonly group: string }
  /** The admin service and the console. */
  | { readonly kind: 'admin' };

/** The outcome of {@link authorize}: allowed, or why not (the resource and the missing right). */
export type Decision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly resource: string; readonly right: string; readonly reason: string };

/**
 * Whether `user` may do `action`. A user's rights are the union of every grant whose pattern
 * matches the name (there are no denials); `admin` grants the admin service only, not topics.
 */
export function authorize(user: AclUser, action: Action): Decision {
  switch (action.kind) {
    case 'pub':
    case 'sub':
      return decide(user, `topic ${action.topic}`, action.kind, granted(user.topics, action.topic, [action.kind]));
    case 'route':
      return decide(user, `topic ${action.topic}`, 'pub or sub', granted(user.topics, action.topic, ['pub', 'sub']));
    case 'sub-group':
      return decide(user, `group ${action.group}`, 'sub', granted(user.groups, action.group, ['sub']));
    case 'admin':
      return decide(user, 'the admin service', 'admin', user.admin);
  }
}

/** {@link authorize}, throwing {@link PermissionDeniedError} (status FORBIDDEN) when not allowed. */
export function requirePermission(user: AclUser, action: Action): void {
  const decision = authorize(user, action);
  if (!decision.allowed) throw new PermissionDeniedError(decision.resource, decision.right, decision.reason);
}

function granted<Right extends string>(grants: readonly Grant<Right>[], name: string, anyOf: readonly Right[]): boolean {
  return grants.some((grant) => anyOf.some((right) => grant.rights.has(right)) && matchesPattern(grant.pattern, name));
}

function decide(user: AclUser, resource: string, right: string, allowed: boolean): Decision {
  if (allowed) return { allowed: true };
  return { allowed: false, resource, right, reason: `permission denied: user ${JSON.stringify(user.accessKey)} has no ${right} right on ${resource}` };
}
