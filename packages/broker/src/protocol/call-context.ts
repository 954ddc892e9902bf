import type { Metadata } from '@grpc/grpc-js';
import { InvalidRequestError } from '../errors.js';
import { Code } from './codes.js';

/** Who is calling: taken from the request headers every RocketMQ 5 client sends. */
export interface CallContext {
  readonly clientId: string;
  readonly namespace: string;
}

function header(metadata: Metadata, name: string): string {
  const value = metadata.get(name)[0];
  return typeof value === 'string' ? value : value ? value.toString('utf8') : '';
}

/** Reads `x-mq-client-id` and `x-mq-namespace`; a call without a client id is CLIENT_ID_REQUIRED. */
export function callContext(metadata: Metadata): CallContext {
  const clientId = header(metadata, 'x-mq-client-id');
  if (!clientId) throw new InvalidRequestError('CLIENT_ID_REQUIRED', 'the x-mq-client-id header is required');
  return { clientId, namespace: header(metadata, 'x-mq-namespace') };
}
