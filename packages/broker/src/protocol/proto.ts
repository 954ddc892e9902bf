/** The schema loader lives in wire/, shared with the client. */
export { loadMessagingService } from '../wire/proto.js';
