import type { Profile } from '../profile.js';
import { natsPeer } from '../peers/nats-peer.js';
import { officialPeer } from '../peers/official-peer.js';
import type { PeerFactory } from '../peers/peer.js';
import { rabbitClassicPeer, rabbitQuorumPeer } from '../peers/rabbit-peer.js';
import { txmqPeer } from '../peers/txmq-peer.js';
import { backlogPart } from './backlog.js';
import { filterPart } from './filter.js';
import { flowControlPart } from './flow-control.js';
import { halfMessagePart } from './half-message.js';
import { latencyPart } from './latency.js';
import { officialCeilingPart } from './official-ceiling.js';
import { outboxPart } from './outbox.js';
import type { Part } from './part.js';
import { throughputPart } from './throughput.js';
import { tracePart } from './trace.js';

const brokerPeers = [natsPeer, rabbitClassicPeer, rabbitQuorumPeer];
const throughputPeers = (profile: Profile): PeerFactory[] => [txmqPeer(profile), officialPeer(profile), ...brokerPeers];
// The official client is measured for throughput only: its latency is not the question.
const latencyPeers = (profile: Profile): PeerFactory[] => [txmqPeer(profile), ...brokerPeers];

/** Every part of `npm run bench`, in the order they run; add a part here to have it run and reported. */
export const PARTS: readonly Part[] = [
  throughputPart(throughputPeers),
  officialCeilingPart,
  latencyPart(latencyPeers),
  backlogPart,
  outboxPart,
  halfMessagePart,
  filterPart,
  flowControlPart,
  tracePart,
];
