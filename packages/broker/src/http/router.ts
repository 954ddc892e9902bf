import { HttpError } from './http-error.js';

/** What a route's handler gets: the decoded `:name` segments of its path, the query, and the body. */
export interface RouteRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The request's JSON object (see readJsonBody). */
  readonly body: () => Promise<Record<string, unknown>>;
}

export type Method = 'GET' | 'POST';

export type RouteHandler = (request: RouteRequest) => unknown;

interface Route {
  readonly method: Method;
  readonly segments: readonly string[];
  readonly handler: RouteHandler;
}

/** A matched route: its handler and the path's parameters. */
export interface RouteMatch {
  readonly handler: RouteHandler;
  readonly params: Record<string, string>;
}

/**
 * Routes by method and path pattern (`/api/groups/:name`; a `:name` segment matches one
 * percent-decoded path segment). `match` throws 405 with `Allow` when the path exists for other
 * methods only, 400 for a segment that does not decode; HEAD is served as GET.
 */
export class Router {
  readonly #routes: Route[] = [];

  add(method: Method, pattern: string, handler: RouteHandler): this {
    this.#routes.push({ method, segments: pattern.split('/').slice(1), handler });
    return this;
  }

  /** The route of `method` `path` (path without query), or undefined when no route has that path. */
  match(method: string, path: string): RouteMatch | undefined {
    const segments = path.split('/').slice(1);
    const allowed = new Set<string>();
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method === method || (route.method === 'GET' && method === 'HEAD')) return { handler: route.handler, params };
      allowed.add(route.method);
      if (route.method === 'GET') allowed.add('HEAD');
    }
    if (allowed.size === 0) return undefined;
    const allow = [...allowed].join(', ');
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path} (allowed: ${allow})`, { allow });
  }
}

function matchSegments(pattern: readonly string[], segments: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i]!;
    const actual = segments[i]!;
    if (expected.startsWith(':')) {
      if (actual === '') return undefined;
      params[expected.slice(1)] = decodeSegment(actual);
    } else if (expected !== actual) {
      return undefined;
    }
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', `the path segment ${JSON.stringify(segment)} is not valid percent-encoding`);
  }
}
