import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { TelemetryPeer } from '../../core/clients.js';
import type { HalfEntity } from '../../store/store.js';
import { permit } from '../call-auth.js';
import { callContext, type CallContext } from '../call-context.js';
import { clientRole, fromMillis, messageToWire, qualify } from '../convert.js';
import { filterOf } from '../filter-expression.js';
import { OK, statusOf } from '../respond.js';
import type { ServiceContext } from '../service-context.js';
import type { RetryPolicy, Settings, TelemetryCommand } from '../../wire/types.js';
import { addressOf } from './receive.js';

/**
 * Telemetry: the long-lived stream per client. The client sends its Settings; the broker answers
 * with its own (a client waits for them before it starts) and later pushes transaction checks.
 * The stream is always completed with OK: the Node client crashes on an error status after it
 * has half-closed.
 */
export function telemetry(service: ServiceContext) {
  return (call: ServerDuplexStream<TelemetryCommand, TelemetryCommand>) => {
    let ctx: CallContext;
    try {
      ctx = callContext(call, service.auth, 'Telemetry');
    } catch (error) {
      call.write({ status: statusOf(error, service.log, 'Telemetry') });
      call.end();
      return;
    }
    const { core } = service;
    let open = true;
    const peer: TelemetryPeer = {
      recoverOrphanedTransaction(half: HalfEntity): boolean {
        if (!open) return false;
        call.write({
          recoverOrphanedTransactionCommand: {
            transactionId: half.transactionId,
            message: messageToWire(half.message, ctx.namespace, addressOf(service)),
          },
        });
        return true;
      },
    };
    const close = () => {
      if (!open) return;
      open = false;
      service.shutdown.removeEventListener('abort', close);
      core.detachTelemetry(ctx.clientId, peer);
      call.end();
    };
    service.shutdown.addEventListener('abort', close);
    call.on('data', (command: TelemetryCommand) => {
      if (!command.settings) return; // thread stack traces and (malformed) verify replies need no answer
      // A closed stream must not be attached again: the client would look alive (and be asked
      // transaction checks) forever, with nothing to write to.
      if (!open) return;
      try {
        call.write({ status: OK, settings: applySettings(service, ctx, command.settings, peer) });
      } catch (error) {
        call.write({ status: statusOf(error, service.log, 'Telemetry') });
      }
    });
    call.on('end', close);
    call.on('error', close);
    call.on('cancelled', close);
  };
}

function applySettings(service: ServiceContext, ctx: CallContext, settings: Settings, peer: TelemetryPeer): Settings {
  const { core } = service;
  const role = clientRole(settings.clientType);
  const echo: Settings = {
    ...(settings.clientType !== undefined && { clientType: settings.clientType }),
    ...(settings.accessPoint && { accessPoint: settings.accessPoint }),
    ...(settings.requestTimeout && { requestTimeout: settings.requestTimeout }),
    ...(settings.userAgent && { userAgent: settings.userAgent }),
    metric: { on: false },
  };
  if (role === 'producer') {
    const publishing = (settings.publishing?.topics ?? []).flatMap((t) => (t.name ? [qualify(t.resourceNamespace || ctx.namespace, t.name)] : []));
    for (const topic of publishing) permit(ctx, { kind: 'pub', topic });
    core.configureClient(ctx.clientId, { role, telemetry: peer, publishing });
    return {
      ...echo,
      backoffPolicy: exponential(3, 10, 1000),
      publishing: {
        topics: settings.publishing?.topics ?? [],
        maxBodySize: core.maxBodyBytes,
        validateMessageType: true,
      },
    };
  }
  const groupName = settings.subscription?.group?.name;
  if (!groupName) {
    core.configureClient(ctx.clientId, { role, telemetry: peer });
    return echo;
  }
  // A filter that does not parse is refused now, while the client starts, not at its first receive.
  for (const entry of settings.subscription?.subscriptions ?? []) filterOf(entry.expression);
  const topics = (settings.subscription?.subscriptions ?? []).flatMap((entry) => (entry.topic?.name ? [qualify(ctx.namespace, entry.topic.name)] : []));
  const qualifiedGroup = qualify(ctx.namespace, groupName);
  permit(ctx, { kind: 'sub-group', group: qualifiedGroup });
  for (const topic of topics) permit(ctx, { kind: 'sub', topic });
  const group = core.configureClient(ctx.clientId, { role, telemetry: peer, subscription: { group: qualifiedGroup, topics } })!;
  return {
    ...echo,
    backoffPolicy: exponential(group.maxDeliveryAttempts, 1000, 60_000),
    subscription: {
      ...(settings.subscription?.group && { group: settings.subscription.group }),
      subscriptions: settings.subscription?.subscriptions ?? [],
      fifo: group.fifo,
      receiveBatchSize: 32,
      longPollingTimeout: fromMillis(core.pushLongPollingMs),
    },
  };
}

function exponential(maxAttempts: number, initialMs: number, maxMs: number): RetryPolicy {
  return { maxAttempts, exponentialBackoff: { initial: fromMillis(initialMs), max: fromMillis(maxMs), multiplier: 2 } };
}
