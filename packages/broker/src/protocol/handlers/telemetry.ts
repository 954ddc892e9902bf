import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { TelemetryPeer } from '../../core/clients.js';
import type { HalfEntity } from '../../store/store.js';
import { callContext, type CallContext } from '../call-context.js';
import { ClientType } from '../codes.js';
import { fromMillis, messageToWire, qualify } from '../convert.js';
import { OK, statusOf } from '../respond.js';
import type { ServiceContext } from '../service-context.js';
import type { RetryPolicy, Settings, TelemetryCommand } from '../wire-types.js';
import { addressOf } from './receive.js';

const CONSUMER_TYPES = new Set([ClientType.PUSH_CONSUMER, ClientType.SIMPLE_CONSUMER]);

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
      ctx = callContext(call.metadata);
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
      core.clients.detach(ctx.clientId, peer);
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
  const session = core.clients.touch(ctx.clientId);
  session.type = settings.clientType ?? ClientType.UNSPECIFIED;
  session.telemetry = peer;
  const echo: Settings = {
    ...(settings.clientType !== undefined && { clientType: settings.clientType }),
    ...(settings.accessPoint && { accessPoint: settings.accessPoint }),
    ...(settings.requestTimeout && { requestTimeout: settings.requestTimeout }),
    ...(settings.userAgent && { userAgent: settings.userAgent }),
    metric: { on: false },
  };
  if (session.type === ClientType.PRODUCER) {
    for (const topic of settings.publishing?.topics ?? []) {
      if (topic.name) session.publishing.add(qualify(topic.resourceNamespace || ctx.namespace, topic.name));
    }
    return {
      ...echo,
      backoffPolicy: exponential(3, 10, 1000),
      publishing: {
        topics: settings.publishing?.topics ?? [],
        maxBodySize: core.config.maxBodyBytes,
        validateMessageType: true,
      },
    };
  }
  if (CONSUMER_TYPES.has(session.type) || settings.subscription) {
    const groupName = settings.subscription?.group?.name;
    if (!groupName) return echo;
    const group = core.registry.group(qualify(ctx.namespace, groupName));
    session.group = group.name;
    for (const entry of settings.subscription?.subscriptions ?? []) {
      if (!entry.topic?.name) continue;
      const topic = qualify(ctx.namespace, entry.topic.name);
      core.registry.topic(topic);
      session.subscribedTopics.add(topic);
      if (group.broadcast) {
        // A broadcast instance receives what is sent from now on; remember the start point durably.
        const sub = core.deliveries.subscription(`${group.name}@${ctx.clientId}`, topic, true);
        core.deliveries.persistCursor(sub).catch((error: unknown) => service.log.error({ err: error }, 'persisting broadcast cursor failed'));
      }
    }
    return {
      ...echo,
      backoffPolicy: exponential(group.maxDeliveryAttempts, 1000, 60_000),
      subscription: {
        ...(settings.subscription?.group && { group: settings.subscription.group }),
        subscriptions: settings.subscription?.subscriptions ?? [],
        fifo: group.fifo,
        receiveBatchSize: 32,
        longPollingTimeout: fromMillis(core.config.pushLongPollingMs),
      },
    };
  }
  return echo;
}

function exponential(maxAttempts: number, initialMs: number, maxMs: number): RetryPolicy {
  return { maxAttempts, exponentialBackoff: { initial: fromMillis(initialMs), max: fromMillis(maxMs), multiplier: 2 } };
}
