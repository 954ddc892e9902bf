import type { HalfEntity } from '../store/store.js';

/** A client is considered gone this long after its last heartbeat when it has no telemetry stream. */
const CLIENT_EXPIRY_MS = 120_000;
/** Push-consumer leases are renewed only while the holder was heard from this recently or has a stream. */
const LIVENESS_MS = 30_000;

/**
 * What a client says it is in its Settings. `other` covers clients the broker gives no special
 * treatment (one that has not sent Settings yet, or a kind txmq does not serve, such as lite consumers).
 */
export type ClientRole = 'producer' | 'push-consumer' | 'simple-consumer' | 'pull-consumer' | 'other';

/** The server side of a client's Telemetry stream. */
export interface TelemetryPeer {
  /** Asks the producer to check a transaction; false when the stream is no longer writable. */
  recoverOrphanedTransaction(half: HalfEntity): boolean;
}

/** What the broker knows about one connected client (`x-mq-client-id`). */
export interface ClientSession {
  readonly id: string;
  role: ClientRole;
  group?: string | undefined;
  readonly publishing: Set<string>;
  readonly subscribedTopics: Set<string>;
  lastSeen: number;
  telemetry?: TelemetryPeer | undefined;
  /** When its last Telemetry stream ended, while nothing has been heard from it since. */
  streamLostAt?: number | undefined;
}

/** Registry of clients, their Settings and their Telemetry streams. */
export class Clients {
  readonly #sessions = new Map<string, ClientSession>();

  /** Records that `id` was heard from; creates its session on first contact. */
  touch(id: string, now = Date.now()): ClientSession {
    let session = this.#sessions.get(id);
    if (!session) {
      session = { id, role: 'other', publishing: new Set(), subscribedTopics: new Set(), lastSeen: now };
      this.#sessions.set(id, session);
    }
    session.lastSeen = now;
    session.streamLostAt = undefined;
    return session;
  }

  get(id: string): ClientSession | undefined {
    return this.#sessions.get(id);
  }

  /** Detaches a stream if it is still the client's current one, and notes when it was lost. */
  detach(id: string, peer: TelemetryPeer, now = Date.now()): void {
    const session = this.#sessions.get(id);
    if (session?.telemetry !== peer) return;
    session.telemetry = undefined;
    session.streamLostAt = now;
  }

  /**
   * Returns, once each, the clients whose Telemetry stream ended at least `graceMs` ago and that
   * have not been heard from since (no new stream, heartbeat or request).
   */
  takeLost(graceMs: number, now = Date.now()): ClientSession[] {
    const lost: ClientSession[] = [];
    for (const session of this.#sessions.values()) {
      if (session.streamLostAt !== undefined && now - session.streamLostAt >= graceMs) {
        session.streamLostAt = undefined;
        lost.push(session);
      }
    }
    return lost;
  }

  remove(id: string): ClientSession | undefined {
    const session = this.#sessions.get(id);
    this.#sessions.delete(id);
    return session;
  }

  /**
   * Whether a client still counts as present: it has a stream, or was heard from lately. A client
   * whose stream ended and that is still within its reconnect grace counts too: {@link takeLost}
   * decides about it.
   */
  isAlive(id: string, now = Date.now()): boolean {
    const session = this.#sessions.get(id);
    if (session === undefined) return false;
    return session.telemetry !== undefined || session.streamLostAt !== undefined || now - session.lastSeen < LIVENESS_MS;
  }

  /** Producers with an open stream that publish to `topic`. */
  producersOf(topic: string): ClientSession[] {
    return [...this.#sessions.values()].filter((s) => s.role === 'producer' && s.telemetry !== undefined && s.publishing.has(topic));
  }

  /** Removes and returns clients not heard from for {@link CLIENT_EXPIRY_MS} that have no stream. */
  expire(now = Date.now()): ClientSession[] {
    const gone: ClientSession[] = [];
    for (const session of this.#sessions.values()) {
      if (session.telemetry === undefined && now - session.lastSeen > CLIENT_EXPIRY_MS) gone.push(session);
    }
    for (const session of gone) this.#sessions.delete(session.id);
    return gone;
  }

  all(): ClientSession[] {
    return [...this.#sessions.values()];
  }
}
