import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type {
  GroupRequest,
  GroupResponse,
  ListGroupsResponse,
  NameRequest,
  ResetGroupRequest,
  ResetGroupResponse,
  WireGroupChange,
  WirePageRequest,
} from '../client/admin-proto.js';
import type { RetryBackoff } from '../core/types.js';
import type { GroupChange, ResetTarget } from '../core/views/index.js';
import type { BrokerAdminContext } from './context.js';
import { pageOf, required, timeOf } from './requests.js';
import { invalidArgument, unaryAdmin } from './unary.js';
import { groupToWire } from './wire-views.js';

/** ListGroups, DescribeGroup, CreateGroup, UpdateGroup and ResetGroup of `txmq.admin.v1.BrokerAdmin`. */
export function groupHandlers(context: BrokerAdminContext): UntypedServiceImplementation {
  const { backend } = context;
  return {
    ListGroups: unaryAdmin<WirePageRequest, ListGroupsResponse>(context, 'ListGroups', (request) => {
      const page = backend.listGroups(pageOf(request));
      return { groups: page.items.map(groupToWire), nextPageToken: page.nextPageToken ?? '' };
    }),
    DescribeGroup: unaryAdmin<NameRequest, GroupResponse>(context, 'DescribeGroup', (request) => ({
      group: groupToWire(backend.describeGroup(required(request.name, 'name'))),
    })),
    CreateGroup: unaryAdmin<GroupRequest, GroupResponse>(context, 'CreateGroup', async (request) => {
      const name = required(request.name, 'name');
      const group = await backend.createGroup(name, groupChangeOf(request.settings ?? {}));
      return { group: groupToWire(group) };
    }),
    UpdateGroup: unaryAdmin<GroupRequest, GroupResponse>(context, 'UpdateGroup', async (request) => {
      const name = required(request.name, 'name');
      const group = await backend.updateGroup(name, groupChangeOf(request.settings ?? {}));
      return { group: groupToWire(group) };
    }),
    ResetGroup: unaryAdmin<ResetGroupRequest, ResetGroupResponse>(context, 'ResetGroup', async (request) => {
      const group = required(request.group, 'group');
      const to = resetTargetOf(request);
      const result = await backend.resetGroup(group, to, request.topic?.trim() || undefined);
      return {
        group: result.group,
        subscriptions: result.subscriptions.map((s) => ({ topic: s.topic, consumer: s.consumer, fromOffset: s.from, toOffset: s.to })),
      };
    }),
  };
}

function groupChangeOf(wire: WireGroupChange): GroupChange {
  const retryBackoff: Partial<{ -readonly [K in keyof RetryBackoff]: RetryBackoff[K] }> = {};
  if (wire.retryInitialMs !== undefined) retryBackoff.initialMs = wire.retryInitialMs;
  if (wire.retryMaxMs !== undefined) retryBackoff.maxMs = wire.retryMaxMs;
  if (wire.retryMultiplier !== undefined) retryBackoff.multiplier = wire.retryMultiplier;
  return {
    ...(wire.fifo !== undefined && { fifo: wire.fifo }),
    ...(wire.broadcast !== undefined && { broadcast: wire.broadcast }),
    ...(wire.maxDeliveryAttempts !== undefined && { maxDeliveryAttempts: wire.maxDeliveryAttempts }),
    ...(Object.keys(retryBackoff).length > 0 && { retryBackoff }),
  };
}

function resetTargetOf(request: ResetGroupRequest): ResetTarget {
  const hasTime = request.timeMs !== undefined && request.timeMs !== null;
  if (hasTime === Boolean(request.end)) throw invalidArgument('exactly one of time_ms and end is required');
  return hasTime ? { time: timeOf(request.timeMs, 'time_ms') } : 'end';
}
