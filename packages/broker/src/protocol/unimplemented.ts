import {
  Metadata,
  status as GrpcStatus,
  type MethodDefinition,
  type ServiceDefinition,
  type ServiceError,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

/** A service definition with the handlers that serve it. */
export interface ServedService {
  readonly definition: ServiceDefinition;
  readonly implementation: UntypedServiceImplementation;
}

/**
 * Completes `implementation` so that every method of `definition` it lacks answers gRPC
 * UNIMPLEMENTED at once, unary and streaming alike (a streaming call that is never answered keeps
 * its client waiting until its own deadline). Such a method takes its request as raw bytes, so a
 * request that does not even decode gets the same answer.
 */
export function withUnimplemented(
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  why: (rpc: string) => string,
): ServedService {
  const fullDefinition: Record<string, MethodDefinition<unknown, unknown>> = {};
  const fullImplementation: UntypedServiceImplementation = { ...implementation };
  for (const [rpc, method] of Object.entries(definition)) {
    if (implementation[rpc]) {
      fullDefinition[rpc] = method;
      continue;
    }
    fullDefinition[rpc] = { ...method, requestDeserialize: (bytes: Buffer) => bytes };
    fullImplementation[rpc] = unimplementedHandler(method, `${rpc} is not implemented by txmq: ${why(rpc)}`);
  }
  return { definition: fullDefinition, implementation: fullImplementation };
}

function unimplementedHandler(method: MethodDefinition<unknown, unknown>, details: string): UntypedHandleCall {
  const error: Partial<ServiceError> = { code: GrpcStatus.UNIMPLEMENTED, details, message: details, metadata: new Metadata() };
  if (method.responseStream) {
    return ((call: { emit(event: 'error', error: Partial<ServiceError>): void }) => call.emit('error', error)) as UntypedHandleCall;
  }
  return ((_call: unknown, callback: (error: Partial<ServiceError>) => void) => callback(error)) as UntypedHandleCall;
}
