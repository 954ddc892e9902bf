import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { ListTopicsResponse, NameRequest, TopicRequest, TopicResponse, WirePageRequest } from '../client/admin-proto.js';
import type { TopicChange } from '../core/views/index.js';
import type { BrokerAdminContext } from './context.js';
import { messageTypeOf, pageOf, required } from './requests.js';
import { unaryAdmin } from './unary.js';
import { topicToWire } from './wire-views.js';

/** ListTopics, DescribeTopic, CreateTopic and UpdateTopic of `txmq.admin.v1.BrokerAdmin`. */
export function topicHandlers(context: BrokerAdminContext): UntypedServiceImplementation {
  const { backend } = context;
  return {
    ListTopics: unaryAdmin<WirePageRequest, ListTopicsResponse>(context, 'ListTopics', (request) => {
      const page = backend.listTopics(pageOf(request));
      return { topics: page.items.map(topicToWire), nextPageToken: page.nextPageToken ?? '' };
    }),
    DescribeTopic: unaryAdmin<NameRequest, TopicResponse>(context, 'DescribeTopic', (request) => ({
      topic: topicToWire(backend.describeTopic(required(request.name, 'name'))),
    })),
    CreateTopic: unaryAdmin<TopicRequest, TopicResponse>(context, 'CreateTopic', async (request) => {
      const name = required(request.name, 'name');
      const topic = await backend.createTopic(name, topicChangeOf(request));
      return { topic: topicToWire(topic) };
    }),
    UpdateTopic: unaryAdmin<TopicRequest, TopicResponse>(context, 'UpdateTopic', async (request) => {
      const name = required(request.name, 'name');
      const topic = await backend.updateTopic(name, topicChangeOf(request));
      return { topic: topicToWire(topic) };
    }),
  };
}

function topicChangeOf(request: TopicRequest): TopicChange {
  const messageType = messageTypeOf(request.messageType);
  return { ...(request.queues && { queues: request.queues }), ...(messageType && { messageType }) };
}
