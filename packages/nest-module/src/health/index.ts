/**
 * `@txmq/nest/health`: the txmq health indicator for `@nestjs/terminus` (an optional peer
 * dependency, loaded only by this entry).
 */
export { TxmqHealthIndicator } from './txmq-health-indicator.js';
export type { TxmqHealthData, TxmqHealthOptions } from './txmq-health-indicator.js';
