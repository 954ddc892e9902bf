import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ANONYMOUS_USER, type AclUser, type Grant, type GroupRight, type ResolvedAcl, type TopicRight } from './acl.js';
import { asObject, invalid, nonEmptyString, onlyKeys } from './config-shape.js';
import { Secret } from './secret.js';

/** One user of the `acl` config key. */
export interface AclUserConfig {
  /** The access key clients sign in with (their `sessionCredentials.accessKey`). */
  accessKey: string;
  /** The secret, inline. Exactly one of `secret`, `secretEnv`, `secretFile` (none for `anonymous`). */
  secret?: string;
  /** The environment variable that holds the secret. */
  secretEnv?: string;
  /** The file that holds the secret (one trailing newline is ignored); relative to the config file. */
  secretFile?: string;
  /** Rights by topic name or pattern (`*` matches any run of characters): `pub`, `sub`. */
  topics?: Record<string, TopicRight[]>;
  /** Rights by consumer group name or pattern: `sub`. */
  groups?: Record<string, GroupRight[]>;
  /** Whether the user may use the admin service and the console (default false). */
  admin?: boolean;
}

/** The `acl` config key: with it, calls are authenticated and checked against the users' rights. */
export interface AclConfig {
  /** Refuse unsigned calls (default true); when false they get the rights of the user `anonymous`. */
  required?: boolean;
  users?: AclUserConfig[];
}

/** Where secrets come from when the config names an environment variable or a file. */
export interface SecretSources {
  /** Environment variables (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The folder relative `secretFile` paths start from: the config file's (default the working directory). */
  readonly baseDir?: string;
}

const USER_KEYS = ['accessKey', 'secret', 'secretEnv', 'secretFile', 'topics', 'groups', 'admin'];
const SECRET_KEYS = ['secret', 'secretEnv', 'secretFile'] as const;
const TOPIC_RIGHTS: readonly TopicRight[] = ['pub', 'sub'];
const GROUP_RIGHTS: readonly GroupRight[] = ['sub'];
/** Topic and group name characters (RocketMQ's) plus the wildcard. */
const PATTERN = /^[A-Za-z0-9_%|*-]+$/;
/** Printable ASCII (gRPC metadata) without the characters that split the authorization header. */
const ACCESS_KEY = /^[\x21-\x2b\x2d\x2e\x30-\x7e]+$/;

/**
 * Validates the `acl` config key and reads the secrets it points to (environment variables and
 * files, at this moment). Undefined `raw` (no `acl` key) means an open broker: undefined.
 * Errors are ConfigErrors naming the user and the key, never containing a secret.
 */
export function resolveAcl(raw: unknown, sources: SecretSources = {}): ResolvedAcl | undefined {
  if (raw === undefined) return undefined;
  const acl = asObject(raw, 'acl');
  onlyKeys(acl, 'acl', ['required', 'users']);
  if (acl.required !== undefined && typeof acl.required !== 'boolean') throw invalid('acl.required', 'must be true or false');
  const required = acl.required ?? true;
  if (acl.users !== undefined && !Array.isArray(acl.users)) throw invalid('acl.users', 'must be an array of users');
  const users = new Map<string, AclUser>();
  let anonymous: AclUser | undefined;
  for (const [index, rawUser] of ((acl.users ?? []) as unknown[]).entries()) {
    const user = resolveUser(rawUser, `acl.users[${index}]`, sources);
    if (users.has(user.accessKey) || (user.accessKey === ANONYMOUS_USER && anonymous)) {
      throw invalid(`acl.users[${index}].accessKey`, `${JSON.stringify(user.accessKey)} is configured twice`);
    }
    if (user.accessKey === ANONYMOUS_USER) anonymous = user;
    else users.set(user.accessKey, user);
  }
  if (required) return { required, users, anonymous: undefined };
  return { required, users, anonymous: anonymous ?? { accessKey: ANONYMOUS_USER, secret: undefined, topics: [], groups: [], admin: false } };
}

function resolveUser(raw: unknown, at: string, sources: SecretSources): AclUser {
  const o = asObject(raw, at);
  const accessKey = nonEmptyString(o.accessKey, `${at}.accessKey`);
  if (!ACCESS_KEY.test(accessKey)) {
    throw invalid(`${at}.accessKey`, 'must be printable ASCII without spaces, "," or "/" (they split the authorization header)');
  }
  onlyKeys(o, at, USER_KEYS);
  const fail = (key: string, problem: string, options?: ErrorOptions) => invalid(`${at}${key}`, problem, accessKey, options);
  if (o.admin !== undefined && typeof o.admin !== 'boolean') throw fail('.admin', 'must be true or false');
  return {
    accessKey,
    secret: accessKey === ANONYMOUS_USER ? noSecret(o, fail) : readSecret(o, fail, sources),
    topics: grants(o.topics, '.topics', TOPIC_RIGHTS, fail),
    groups: grants(o.groups, '.groups', GROUP_RIGHTS, fail),
    admin: o.admin === true,
  };
}

type Fail = (key: string, problem: string, options?: ErrorOptions) => Error;

function noSecret(o: Record<string, unknown>, fail: Fail): undefined {
  const given = SECRET_KEYS.find((key) => o[key] !== undefined);
  if (given) throw fail(`.${given}`, `is not allowed: unsigned calls act as the ${ANONYMOUS_USER} user, nobody signs in as it`);
  return undefined;
}

function readSecret(o: Record<string, unknown>, fail: Fail, sources: SecretSources): Secret {
  const given = SECRET_KEYS.filter((key) => o[key] !== undefined);
  if (given.length !== 1) {
    throw fail('', given.length === 0 ? 'needs one of secret, secretEnv, secretFile' : `must have only one of ${given.join(', ')}`);
  }
  if (o.secret !== undefined) {
    if (typeof o.secret !== 'string' || o.secret === '') throw fail('.secret', 'must be a non-empty string');
    return new Secret(o.secret);
  }
  if (o.secretEnv !== undefined) {
    if (typeof o.secretEnv !== 'string' || o.secretEnv === '') throw fail('.secretEnv', 'must name an environment variable');
    const value = (sources.env ?? process.env)[o.secretEnv];
    if (value === undefined || value === '') throw fail('.secretEnv', `names the environment variable ${o.secretEnv}, which is not set or empty`);
    return new Secret(value);
  }
  if (typeof o.secretFile !== 'string' || o.secretFile === '') throw fail('.secretFile', 'must be a file path');
  const file = resolve(sources.baseDir ?? process.cwd(), o.secretFile);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw fail('.secretFile', `cannot be read from ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, { cause });
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw fail('.secretFile', `names ${file}, which is empty`);
  return new Secret(value);
}

function grants<Right extends string>(raw: unknown, key: string, allowed: readonly Right[], fail: Fail): Grant<Right>[] {
  if (raw === undefined) return [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail(key, 'must be an object of name or pattern -> rights');
  return Object.entries(raw).map(([pattern, rights]) => {
    if (!PATTERN.test(pattern)) {
      throw fail(`${key}.${pattern}`, 'is not a name or pattern: use letters, digits, _ % | - and * (any run of characters)');
    }
    if (!Array.isArray(rights) || rights.length === 0 || !rights.every((r) => allowed.includes(r as Right))) {
      throw fail(`${key}.${pattern}`, `must be a non-empty list of ${allowed.map((r) => JSON.stringify(r)).join(', ')}`);
    }
    return { pattern, rights: new Set(rights as Right[]) };
  });
}
