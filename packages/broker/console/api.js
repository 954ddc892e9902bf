// The console's calls to the broker's JSON API (same origin).

/** A refusal of the API: `status` and the `code` it answered. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function call(path, init) {
  const response = await fetch(path, { ...init, headers: { accept: 'application/json', ...(init?.headers ?? {}) } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, body.error?.code ?? 'HTTP_' + response.status, body.error?.message ?? response.statusText);
  return body;
}

/** GET `path` with `query` (an object; empty values left out). */
export function getJson(path, query = {}) {
  const params = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== undefined && value !== ''));
  const search = params.toString();
  return call(search ? `${path}?${search}` : path);
}

/** POST `body` as JSON (the content type the API requires of every POST). */
export function postJson(path, body = {}) {
  return call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** A path segment: names may hold `%` and `/` (`%DLQ%group`). */
export const segment = encodeURIComponent;
