import { badField } from './bad-field.js';

/** A registration request, checked and normalized. */
export interface Registration {
  /** Trimmed and lower-cased, so `Ada@Example.com` and `ada@example.com` are one address. */
  readonly email: string;
  /** Trimmed. */
  readonly name: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checks a `POST /users` body; a bad one is a 400 whose `field` and message name what is wrong. */
export function parseRegistration(body: unknown): Registration {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badField('body', 'the body must be a JSON object {"email": ..., "name": ...}');
  }
  const { email, name } = body as Record<string, unknown>;
  if (typeof email !== 'string' || email.trim() === '') throw badField('email', 'email is required');
  const normalized = email.trim().toLowerCase();
  if (normalized.length > 254 || !EMAIL.test(normalized)) throw badField('email', `email must be an address like ada@example.com, got ${JSON.stringify(email)}`);
  if (typeof name !== 'string' || name.trim() === '') throw badField('name', 'name is required');
  if (name.trim().length > 100) throw badField('name', 'name must be at most 100 characters');
  return { email: normalized, name: name.trim() };
}
