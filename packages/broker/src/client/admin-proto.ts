import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** Where `txmq/admin/v1/admin.proto` ships: `packages/broker/proto` (next to `dist/`). */
const PROTO_ROOT = fileURLToPath(new URL('../../../proto/', import.meta.url));

/** `txmq.admin.v1.Resolution`, decoded as its name. */
export type WireResolution = 'RESOLUTION_UNSPECIFIED' | 'COMMIT' | 'ROLLBACK';

/** `txmq.admin.v1.Transaction` as proto-loader decodes it (camelCase, int64 as number). */
export interface WireTransaction {
  transactionId: string;
  messageId: string;
  topic: string;
  tag: string;
  keys: string[];
  producerClientId: string;
  createdAtMs: number;
  checks: number;
  nextCheckAtMs: number;
  parked: boolean;
  bodySize: number;
  properties: Record<string, string>;
}

export interface ListTransactionsRequest {
  parkedOnly?: boolean;
  topic?: string;
}

export interface ListTransactionsResponse {
  transactions: WireTransaction[];
}

export interface ResolveTransactionRequest {
  transactionId?: string;
  resolution?: WireResolution | number;
}

export interface ResolveTransactionResponse {
  resolution: WireResolution;
  changed: boolean;
  transaction?: WireTransaction | null;
}

let loaded: ServiceClientConstructor | undefined;

/**
 * Loads `txmq.admin.v1.TransactionAdmin` (our own service, defined in `proto/txmq/admin/v1/admin.proto`).
 * The result's `.service` is what the server registers; the constructor itself is the client.
 */
export function loadTransactionAdmin(): ServiceClientConstructor {
  if (loaded) return loaded;
  const definition = loadSync('txmq/admin/v1/admin.proto', {
    includeDirs: [PROTO_ROOT],
    keepCase: false,
    longs: Number,
    enums: String,
    defaults: true,
    arrays: true,
    objects: true,
  });
  const root = loadPackageDefinition(definition) as unknown as {
    txmq: { admin: { v1: { TransactionAdmin: ServiceClientConstructor } } };
  };
  loaded = root.txmq.admin.v1.TransactionAdmin;
  return loaded;
}
