/** The session layer's entry point: see `ClientSession` in ./session.js for the API. */
export { ClientSession, DEFAULT_REQUEST_TIMEOUT_MS } from './session.js';
export type { CallOptions, SessionIntervals, SessionOptions } from './session.js';
export { endpointOf, type Route } from './route.js';
export { isSuccess, refusalOf } from './status.js';
