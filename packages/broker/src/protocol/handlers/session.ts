import { OK } from '../respond.js';
import type { ServiceContext } from '../service-context.js';
import type { HeartbeatRequest, NotifyClientTerminationRequest } from '../../wire/types.js';
import type { Status } from '../wire-types.js';
import { unary } from './unary.js';
import { permit } from '../call-auth.js';
import type { CallContext } from '../call-context.js';
import { qualify } from '../convert.js';
import type { Resource } from '../../wire/types.js';

/** A consumer's heartbeat or goodbye speaks for its group: the caller must be allowed to consume as it. */
function permitGroup(ctx: CallContext, group: Resource | undefined): void {
  if (group?.name) permit(ctx, { kind: 'sub-group', group: qualify(group.resourceNamespace || ctx.namespace, group.name) });
}

/** Heartbeat: keeps the client (and the messages it holds under auto-renew) alive. */
export function heartbeat(service: ServiceContext) {
  return unary<HeartbeatRequest, { status: Status }>('Heartbeat', service, (request, ctx) => {
    permitGroup(ctx, request.group);
    service.core.touchClient(ctx.clientId);
    return { status: OK };
  });
}

/** NotifyClientTermination: the client leaves; messages it held under auto-renew become visible again. */
export function notifyClientTermination(service: ServiceContext) {
  return unary<NotifyClientTerminationRequest, { status: Status }>('NotifyClientTermination', service, (request, ctx) => {
    permitGroup(ctx, request.group);
    service.core.terminateClient(ctx.clientId);
    return { status: OK };
  });
}
