import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadPackageDefinition, makeClientConstructor, type ServiceClientConstructor, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

let loaded: ServiceDefinition | undefined;
let clientConstructor: ServiceClientConstructor | undefined;

/**
 * `apache.rocketmq.v2.MessagingService`, loaded (once per process, then shared) from the .proto
 * files shipped with the official Node client, so the broker, our client and users' official
 * clients always agree on the schema. protobufjs (via proto-loader) rejects malformed input
 * quickly, unlike the generated google-protobuf decoders. Decoded messages have camelCase fields,
 * enums as numbers, int64 as strings and no defaults (unset fields are absent). Treat the
 * definition as read-only.
 */
export function loadMessagingService(): ServiceDefinition {
  loaded ??= load();
  return loaded;
}

/** The grpc-js client class of {@link loadMessagingService} (one method per RPC, named as in the proto). */
export function messagingClient(): ServiceClientConstructor {
  clientConstructor ??= makeClientConstructor(loadMessagingService(), 'apache.rocketmq.v2.MessagingService');
  return clientConstructor;
}

function load(): ServiceDefinition {
  const require = createRequire(import.meta.url);
  const protoRoot = join(dirname(require.resolve('rocketmq-client-nodejs/package.json')), 'proto');
  const definition = loadSync('apache/rocketmq/v2/service.proto', {
    includeDirs: [protoRoot],
    keepCase: false,
    longs: String,
    defaults: false,
    oneofs: true,
  });
  const root = loadPackageDefinition(definition) as unknown as {
    apache: { rocketmq: { v2: { MessagingService: { service: ServiceDefinition } } } };
  };
  return root.apache.rocketmq.v2.MessagingService.service;
}
