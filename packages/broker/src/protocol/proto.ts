import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadPackageDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

let loaded: ServiceDefinition | undefined;

/**
 * `apache.rocketmq.v2.MessagingService`, loaded (once per process, then shared) from the .proto
 * files shipped with the official Node client, so the broker and its users' client always agree
 * on the schema. protobufjs (via proto-loader) rejects malformed input quickly, unlike the
 * generated google-protobuf decoders. Treat the definition as read-only.
 */
export function loadMessagingService(): ServiceDefinition {
  loaded ??= load();
  return loaded;
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
