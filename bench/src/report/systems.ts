/** The columns of the table: txmq through its own typed client and through the official client, and the peers. */
export const SYSTEMS = [
  { key: 'txmq', name: 'txmq' },
  { key: 'txmqOfficial', name: 'txmq (official client)' },
  { key: 'nats', name: 'NATS JetStream' },
  { key: 'rabbitClassic', name: 'RabbitMQ classic' },
  { key: 'rabbitQuorum', name: 'RabbitMQ quorum' },
] as const;

/** One column of the table. */
export type SystemKey = (typeof SYSTEMS)[number]['key'];

/** The display name of `key`. */
export function systemName(key: SystemKey): string {
  return SYSTEMS.find((s) => s.key === key)!.name;
}
