import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { authenticateRequest, type HttpAuth } from './http-auth.js';
import { badRequest, errorResponse, HttpError } from './http-error.js';
import { checkHost } from './host-check.js';
import type { BrokerMetrics } from './metrics.js';
import { readJsonBody, requireJsonContentType } from './request-body.js';
import type { Router } from './router.js';
import type { StaticFile } from './static-files.js';

/** What the broker's HTTP port serves. */
export interface HttpRoutes {
  readonly api: Router;
  readonly metrics: BrokerMetrics;
  readonly files: ReadonlyMap<string, StaticFile>;
  readonly log: Logger;
  /** The interface the port listens on: a Host header may name it (besides IP literals and localhost). */
  readonly host: string;
  /** Under an `acl`: who may use the port (admins only). Undefined: open. */
  readonly auth?: HttpAuth | undefined;
}

/** The console page may load only its own files and talk only to its own origin. */
const CONSOLE_SECURITY = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** `/api/...` (JSON), `/metrics` (Prometheus text) and the console's files; anything else is 404. */
export function requestHandler(routes: HttpRoutes): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    response.setHeader('x-content-type-options', 'nosniff');
    serve(routes, request, response).catch((error: unknown) => {
      const failure = errorResponse(error);
      if (failure.unexpected) routes.log.error({ err: error, method: request.method, url: request.url }, 'console request failed');
      if (response.headersSent) {
        response.destroy();
        return;
      }
      sendJson(response, failure.status, { error: { ...failure.details, code: failure.code, message: failure.message } }, failure.headers);
    });
  };
}

async function serve(routes: HttpRoutes, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const method = request.method ?? 'GET';
  checkHost(request.headers.host, routes.host);
  const url = parseTarget(request.url);
  if (routes.auth) authenticateRequest(routes.auth, request, `${method} ${url.pathname}`);
  if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
    const route = routes.api.match(method, url.pathname);
    if (!route) throw new HttpError(404, 'NOT_FOUND', `no API at ${url.pathname}`);
    if (method === 'POST') requireJsonContentType(request);
    const result = await route.handler({ params: route.params, query: url.searchParams, body: () => readJsonBody(request) });
    sendJson(response, 200, result);
    return;
  }
  if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${url.pathname} (allowed: GET, HEAD)`, { allow: 'GET, HEAD' });
  if (url.pathname === '/metrics') {
    const text = await routes.metrics.render();
    response.writeHead(200, { 'content-type': routes.metrics.contentType, 'cache-control': 'no-store' });
    response.end(text);
    return;
  }
  const file = routes.files.get(url.pathname);
  if (!file) throw new HttpError(404, 'NOT_FOUND', `nothing at ${url.pathname}`);
  response.writeHead(200, { 'content-type': file.contentType, 'content-length': file.content.length, 'cache-control': 'no-cache', ...CONSOLE_SECURITY });
  response.end(file.content);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

/** The request target as a URL (only its path and query are used); 400 when it is no URL. */
function parseTarget(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://console.invalid');
  } catch {
    throw badRequest(`the request target ${JSON.stringify(target)} is not a valid path`);
  }
}
