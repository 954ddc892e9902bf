import { OK } from '../respond.js';
import type { ServiceContext } from '../service-context.js';
import type { HeartbeatRequest, NotifyClientTerminationRequest } from '../../wire/types.js';
import type { Status } from '../wire-types.js';
import { unary } from './unary.js';

/** Heartbeat: keeps the client (and the messages it holds under auto-renew) alive. */
export function heartbeat(service: ServiceContext) {
  return unary<HeartbeatRequest, { status: Status }>('Heartbeat', service, (_request, ctx) => {
    service.core.touchClient(ctx.clientId);
    return { status: OK };
  });
}

/** NotifyClientTermination: the client leaves; messages it held under auto-renew become visible again. */
export function notifyClientTermination(service: ServiceContext) {
  return unary<NotifyClientTerminationRequest, { status: Status }>('NotifyClientTermination', service, (_request, ctx) => {
    service.core.terminateClient(ctx.clientId);
    return { status: OK };
  });
}
