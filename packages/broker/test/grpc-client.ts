import { credentials, makeGenericClientConstructor, Metadata, type Client, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { loadMessagingService } from '../src/protocol/proto.js';

/**
 * A bare client of `apache.rocketmq.v2.MessagingService` at `endpoint`, over `service` (default:
 * the broker's own definition, loaded once per process). The end-to-end tests have their own in
 * test/src/support/raw-grpc.ts: they see the broker only as a package.
 */
export function messagingClient(endpoint: string, service: ServiceDefinition = loadMessagingService()): Client {
  const Constructor = makeGenericClientConstructor(service, 'MessagingService');
  return new Constructor(endpoint, credentials.createInsecure());
}

/** Headers every RocketMQ 5 client sends. */
export function clientMetadata(clientId = 'raw-test-client'): Metadata {
  const metadata = new Metadata();
  metadata.set('x-mq-client-id', clientId);
  return metadata;
}

/** One unary call; rejects with the gRPC error, resolves to the response. */
export function unaryCall<T>(client: Client, rpc: string, request: object, metadata = clientMetadata()): Promise<T> {
  const method = (client as unknown as Record<string, (...args: unknown[]) => void>)[rpc]!;
  return new Promise((resolve, reject) => {
    method.call(client, request, metadata, { deadline: Date.now() + 10_000 }, (error: ServiceError | null, response: T) => (error ? reject(error) : resolve(response)));
  });
}
