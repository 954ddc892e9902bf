import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';

/** RocketMQ's message-id epoch: 2021-01-01T00:00:00Z. */
const EPOCH_MS = Date.UTC(2021, 0, 1);
/** The version byte of the id layout below. */
const VERSION = 0x01;
/** The next sequence number of this process (see {@link MessageIdFactory}). */
let sequence = randomBytes(4).readUInt32BE(0);

/**
 * Makes RocketMQ 5 message ids: 17 bytes as 34 upper-case hex digits, big-endian: version 0x01,
 * the low 6 bytes of a MAC address of this host (random when it has none), the low 2 bytes of
 * the pid, seconds since 2021-01-01 (low 4 bytes), and a sequence number. The sequence is one
 * per process, shared by every factory (every producer) and starting at a random value, so ids of
 * one process are unique as long as it does not wrap within a second, and two processes whose
 * MAC and low pid bytes collide still differ unless their sequences meet.
 */
export class MessageIdFactory {
  readonly #prefix: string;
  readonly #now: () => number;

  constructor(options: { readonly mac?: Buffer; readonly pid?: number; readonly now?: () => number } = {}) {
    const head = Buffer.alloc(9);
    head[0] = VERSION;
    (options.mac ?? hostMac()).copy(head, 1, 0, 6);
    head.writeUInt16BE((options.pid ?? process.pid) & 0xffff, 7);
    this.#prefix = head.toString('hex').toUpperCase();
    this.#now = options.now ?? Date.now;
  }

  next(): string {
    const tail = Buffer.alloc(8);
    tail.writeUInt32BE(Math.floor((this.#now() - EPOCH_MS) / 1000) >>> 0, 0);
    tail.writeUInt32BE(sequence, 4);
    sequence = (sequence + 1) >>> 0;
    return this.#prefix + tail.toString('hex').toUpperCase();
  }
}

/** The first non-zero MAC address of a network interface, or 6 random bytes. */
function hostMac(): Buffer {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.mac && address.mac !== '00:00:00:00:00:00') return Buffer.from(address.mac.split(':').join(''), 'hex');
    }
  }
  return randomBytes(6);
}
