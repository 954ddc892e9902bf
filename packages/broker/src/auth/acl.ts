import type { Secret } from './secret.js';

/** What a user may do with a topic: publish (`pub`) and consume (`sub`). */
export type TopicRight = 'pub' | 'sub';
/** What a user may do with a consumer group: consume as a member of it. */
export type GroupRight = 'sub';

/** Rights on every topic or group whose name matches `pattern` (`*` matches any run of characters). */
export interface Grant<Right extends string> {
  readonly pattern: string;
  readonly rights: ReadonlySet<Right>;
}

/** A configured user: who may sign in with `accessKey`, and what it may do. */
export interface AclUser {
  readonly accessKey: string;
  /** The signing secret; undefined only for the anonymous user, which never signs in. */
  readonly secret: Secret | undefined;
  readonly topics: readonly Grant<TopicRight>[];
  readonly groups: readonly Grant<GroupRight>[];
  /** Whether the user may use the admin service and the console. */
  readonly admin: boolean;
}

/** The name of the user whose rights unauthenticated callers get when `required` is false. */
export const ANONYMOUS_USER = 'anonymous';

/** A validated `acl` configuration: what {@link resolveAcl} returns. */
export interface ResolvedAcl {
  /** Whether every call must be signed (default true). */
  readonly required: boolean;
  /** The users that sign in, by access key (the anonymous user is not among them). */
  readonly users: ReadonlyMap<string, AclUser>;
  /**
   * What an unsigned call may do: undefined when `required` (such calls are refused), else the
   * user named {@link ANONYMOUS_USER}, or a user with no rights at all if there is none.
   */
  readonly anonymous: AclUser | undefined;
}
