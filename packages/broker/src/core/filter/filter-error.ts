import { InvalidRequestError } from '../../errors.js';

/** Longest piece of a refused expression quoted in the error message. */
const QUOTE_LIMIT = 200;

/**
 * The error of an SQL filter expression that does not parse: `ILLEGAL_FILTER_EXPRESSION`, naming the
 * 1-based position (character count from the start of the expression) of the offending token.
 */
export function filterError(text: string, at: number, problem: string): InvalidRequestError {
  const quoted = text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text;
  return new InvalidRequestError('ILLEGAL_FILTER_EXPRESSION', `SQL filter ${JSON.stringify(quoted)} is invalid at position ${at + 1}: ${problem}`);
}
