import type { handleUnaryCall, ServerUnaryCall } from '@grpc/grpc-js';
import { callContext, type CallContext } from '../call-context.js';
import { Code } from '../codes.js';
import { statusOf } from '../respond.js';
import { observeRpc, type ServiceContext } from '../service-context.js';
import type { Status } from '../wire-types.js';

/**
 * Wraps a unary RPC: application errors travel in-band as `status` (gRPC status stays OK), as the
 * RocketMQ clients expect; nothing a request contains can make the call fail at the gRPC level.
 */
export function unary<Req, Res extends { status?: Status }>(
  rpc: string,
  service: ServiceContext,
  handle: (request: Req, context: CallContext, call: ServerUnaryCall<Req, Res>) => Promise<Res> | Res,
  onError: (status: Status) => Res = (status) => ({ status }) as Res,
): handleUnaryCall<Req, Res> {
  const { onRpc } = service;
  return (call, callback) => {
    const started = onRpc ? performance.now() : 0;
    const answer = (response: Res, defaultCode: number) => {
      const seconds = onRpc ? (performance.now() - started) / 1000 : 0;
      callback(null, response);
      observeRpc(service, rpc, response.status?.code ?? defaultCode, seconds);
    };
    Promise.resolve()
      .then(() => handle(call.request, callContext(call, service.auth, rpc), call))
      .then(
        (response) => answer(response, Code.OK),
        (error: unknown) => answer(onError(statusOf(error, service.log, rpc)), Code.INTERNAL_SERVER_ERROR),
      );
  };
}
