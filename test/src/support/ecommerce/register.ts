/** How one `POST /users` ended. */
export type Registration =
  | { readonly email: string; readonly outcome: 'created'; readonly id: string }
  /** Answered with a 4xx. */
  | { readonly email: string; readonly outcome: 'refused'; readonly status: number; readonly body: string }
  /**
   * No answer (the connection was refused or reset, or it timed out), or a 5xx: whether the user
   * was registered is unknown to the client.
   */
  | { readonly email: string; readonly outcome: 'failed'; readonly error: string };

/** Registers `email` at the account service, bounded by `timeoutMs`. */
export async function register(accountUrl: string, email: string, name: string, timeoutMs = 15_000): Promise<Registration> {
  let response: Response;
  let body: string;
  try {
    response = await fetch(`${accountUrl}/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, name }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await response.text();
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return { email, outcome: 'failed', error: cause?.code ?? (error as Error).name };
  }
  if (response.status === 201) return { email, outcome: 'created', id: (JSON.parse(body) as { id: string }).id };
  if (response.status >= 500) return { email, outcome: 'failed', error: `${response.status} ${body}` };
  return { email, outcome: 'refused', status: response.status, body };
}
