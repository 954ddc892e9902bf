/**
 * The session layer of the typed clients, for the producer and the consumers: import from here.
 *
 * - {@link ClientSession}: one per client. `start(method)` (bounded by `startupTimeoutMs`),
 *   `route(topic)`, `call(rpc, endpoint, request, options)`, `stream(...)` (ReceiveMessage),
 *   `resource(name)`, `serverSettings(endpoint)`, `syncSettings()`, `reconnected(endpoint)`,
 *   `toError(error, method)`, `signal`, `closed`, `close()`. Its file's TSDoc describes each; the API is stable.
 * - {@link Route} and {@link endpointOf}: a topic's queues and broker endpoints.
 * - {@link isSuccess} and {@link refusalOf}: read an in-band RocketMQ status.
 *
 * Every failure is a `BrokerError`; after `close()` calls reject with `ClientClosedError` naming
 * the user's method.
 */
export { ClientSession, DEFAULT_REQUEST_TIMEOUT_MS } from './session.js';
export type { CallOptions, Scheduler, SessionOptions } from './session.js';
export { endpointOf, type Route } from './route.js';
export { isSuccess, refusalOf } from './status.js';
