import type { IncomingMessage } from 'node:http';
import { badRequest, HttpError } from './http-error.js';

/** Largest request body the API reads (its POSTs carry an id or two). */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Refuses (415) a request whose content type is not `application/json`; the API asks it of every
 * POST, body or not. A browser sends a cross-site form, or a fetch of another site's page that
 * skips the CORS preflight, only with another type; and the API answers no preflight. So other web
 * pages a browser on the operator's machine opens cannot drive the API.
 */
export function requireJsonContentType(request: IncomingMessage): void {
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return;
  request.resume();
  throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `a POST must be sent with content-type: application/json, not ${JSON.stringify(type || 'none')}`);
}

/** The JSON object a POST carries (an empty body is `{}`); larger than {@link MAX_BODY_BYTES}: 413. */
export async function readJsonBody(request: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const declared = Number(request.headers['content-length']);
  if (declared > maxBytes) {
    request.resume();
    throw tooLarge(maxBytes);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      request.resume();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest(`the request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('the request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `the request body is larger than ${maxBytes} bytes`);
}

/** A required, non-empty string field of a JSON body. */
export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`the request body needs "${field}", a non-empty string`);
  return value.trim();
}
