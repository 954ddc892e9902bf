import { AddressScheme } from '../../wire/enums.js';
import type { Endpoints, MessageQueue } from '../../wire/types.js';
import { isIpv6Endpoint } from '../endpoint.js';

/** What QueryRoute answered for one topic. */
export interface Route {
  readonly topic: string;
  /** The queues as they travel (ReceiveMessage and SendMessage name them). */
  readonly queues: readonly MessageQueue[];
  /** The distinct broker endpoints (`host:port`) of the queues, in route order. */
  readonly endpoints: readonly string[];
}

/** A route's queues and endpoints. */
export function routeOf(topic: string, queues: readonly MessageQueue[]): Route {
  const endpoints: string[] = [];
  for (const queue of queues) {
    const endpoint = endpointOf(queue.broker?.endpoints);
    if (endpoint !== undefined && !endpoints.includes(endpoint)) endpoints.push(endpoint);
  }
  return { topic, queues, endpoints };
}

/** The first address of wire `endpoints` as `host:port` (bracketed for IPv6), or undefined when it has none. */
export function endpointOf(endpoints: Endpoints | undefined): string | undefined {
  const address = endpoints?.addresses?.[0];
  if (!address?.host || !address.port) return undefined;
  const ipv6 = endpoints!.scheme === AddressScheme.IPv6 || address.host.includes(':');
  return ipv6 && !address.host.startsWith('[') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** `host:port` (as `parseEndpoint` returns it) as wire Endpoints. */
export function toWireEndpoints(endpoint: string): Endpoints {
  const at = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  const scheme = isIpv6Endpoint(endpoint) ? AddressScheme.IPv6 : /^\d+\.\d+\.\d+\.\d+$/.test(host) ? AddressScheme.IPv4 : AddressScheme.DOMAIN_NAME;
  return { scheme, addresses: [{ host, port: Number(endpoint.slice(at + 1)) }] };
}

/**
 * Routes by topic: the first `get` of a topic queries it (concurrent gets share the query), later
 * ones answer from the cache; `refreshAll` queries every known topic again, keeping the old route
 * of a topic whose query fails.
 */
export class RouteCache {
  readonly #query: (topic: string, timeoutMs?: number) => Promise<Route>;
  readonly #routes = new Map<string, Route>();
  readonly #pending = new Map<string, Promise<Route>>();

  /** `query` asks the broker for a topic's route, within `timeoutMs` when given (else the request timeout). */
  constructor(query: (topic: string, timeoutMs?: number) => Promise<Route>) {
    this.#query = query;
  }

  /** The cached route of `topic`, if any. */
  cached(topic: string): Route | undefined {
    return this.#routes.get(topic);
  }

  /** Every cached route. */
  all(): Route[] {
    return [...this.#routes.values()];
  }

  /**
   * The route of `topic`: the cached one, else the answer of a query (shared with a query of the
   * topic in flight). Rejects with the query's `BrokerError`; a failed query is not cached.
   */
  get(topic: string): Promise<Route> {
    const route = this.#routes.get(topic);
    return route ? Promise.resolve(route) : this.refresh(topic);
  }

  /** Queries `topic` now (sharing a query in flight; `timeoutMs` bounds a new one) and caches the answer. */
  refresh(topic: string, timeoutMs?: number): Promise<Route> {
    let pending = this.#pending.get(topic);
    if (!pending) {
      pending = this.#query(topic, timeoutMs).then(
        (route) => {
          this.#routes.set(topic, route);
          return route;
        },
      ).finally(() => this.#pending.delete(topic));
      this.#pending.set(topic, pending);
    }
    return pending;
  }

  /** Refreshes every cached topic; resolves to the routes that were answered. */
  async refreshAll(): Promise<Route[]> {
    const settled = await Promise.allSettled([...this.#routes.keys()].map((topic) => this.refresh(topic)));
    return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  }
}
