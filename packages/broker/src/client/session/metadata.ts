import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Metadata } from '@grpc/grpc-js';
import { authorizationHeader } from '../../auth/authorization-header.js';
import { formatRequestDateTime } from '../../auth/request-date-time.js';
import type { Secret } from '../../auth/secret.js';

/**
 * What `x-mq-client-version` and `Settings.user_agent.version` say: the RocketMQ 5 client level
 * this client behaves like, not this package's version. A proxy may compare it against the
 * versions that introduced a behaviour, so it claims the level of the Java client 5.0.3: batched
 * SendMessage, Settings sent and answered over Telemetry, heartbeats naming the client type, and
 * NotifyClientTermination on close, all of which this client does. A lower value (5.0.0) could
 * have a proxy treat it as a client from before those fixes.
 */
export const CLIENT_VERSION = '5.0.3';
/**
 * `x-mq-language`. RocketMQ's Java proxy parses it with `LanguageCode.valueOf`, which knows no
 * Node.js; `Settings.user_agent.language` says NODE_JS.
 */
const LANGUAGE_HEADER = 'HTTP';

let clientIndex = 0;

/**
 * A new client id, `<hostname>@<pid>@<index>@<start time, base 36>`: constant for a client's
 * lifetime and unique per client in a process (RocketMQ identifies a client by it).
 */
export function newClientId(now = Date.now()): string {
  return `${hostname()}@${process.pid}@${clientIndex++}@${now.toString(36)}`;
}

/** `yyyyMMdd'T'HHmmss'Z'` in UTC, what `x-mq-date-time` carries. */
export function requestDateTime(now: Date): string {
  return formatRequestDateTime(now.getTime());
}

/** A user's access key and its secret (kept out of logs), that a client signs its calls with. */
export interface SigningCredentials {
  readonly accessKey: string;
  readonly secret: Secret;
}

/**
 * The headers of one call (or of one Telemetry stream, built when it opens); with `credentials`,
 * signed as RocketMQ 5 clients sign (`authorization` over this very `x-mq-date-time`).
 */
export function requestMetadata(clientId: string, namespace: string, now = new Date(), credentials?: SigningCredentials): Metadata {
  const metadata = new Metadata();
  metadata.set('x-mq-protocol', 'v2');
  metadata.set('x-mq-client-id', clientId);
  metadata.set('x-mq-language', LANGUAGE_HEADER);
  metadata.set('x-mq-client-version', CLIENT_VERSION);
  const dateTime = requestDateTime(now);
  metadata.set('x-mq-date-time', dateTime);
  metadata.set('x-mq-request-id', randomUUID());
  if (namespace) metadata.set('x-mq-namespace', namespace);
  if (credentials) metadata.set('authorization', authorizationHeader(credentials.accessKey, credentials.secret.reveal(), dateTime));
  return metadata;
}
