import { filterError } from './filter-error.js';

/** Words of the SQL92 subset; matched without regard to case, they cannot name a property. */
export const KEYWORDS = ['NOT', 'AND', 'OR', 'BETWEEN', 'IN', 'IS', 'TRUE', 'FALSE', 'NULL', 'CONTAINS', 'STARTSWITH', 'ENDSWITH'] as const;
export type Keyword = (typeof KEYWORDS)[number];

/** Punctuation and comparison operators. */
export type Operator = '=' | '<>' | '>' | '>=' | '<' | '<=' | '(' | ')' | ',' | '+' | '-';

/** Where a token is: `at` is its 0-based offset in the expression, `end` the offset just past it. */
interface Span {
  readonly at: number;
  readonly end: number;
}

/** One token of a filter expression. */
export type Token =
  | (Span & { readonly kind: 'keyword'; readonly word: Keyword })
  | (Span & { readonly kind: 'operator'; readonly op: Operator })
  | (Span & { readonly kind: 'identifier'; readonly name: string })
  | (Span & { readonly kind: 'number'; readonly value: number; readonly text: string })
  | (Span & { readonly kind: 'string'; readonly value: string })
  | (Span & { readonly kind: 'end' });

const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS);
const IDENTIFIER = /[A-Za-z_$][A-Za-z0-9_$]*/y;
/** `12`, `12L`, `1.5`, `1.`, `.5`, `1e3`, `1.5E-3` (RocketMQ's decimal and floating-point literals). */
const NUMBER = /(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?[lL]?/y;
const WHITESPACE = /[ \t\n\r\f]+/y;
const LINE_COMMENT = /--[^\r\n]*/y;
const TWO_CHAR_OPERATORS: ReadonlySet<string> = new Set(['<>', '>=', '<=']);
const ONE_CHAR_OPERATORS: ReadonlySet<string> = new Set(['=', '>', '<', '(', ')', ',', '+', '-']);

/** Splits `text` into tokens, ending with an `end` token; comments (`-- …`, `/* … *\/`) are skipped. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const skipped = skip(text, at);
    if (skipped !== at) {
      at = skipped;
      continue;
    }
    const token = next(text, at);
    tokens.push(token);
    at = token.end;
  }
  tokens.push({ kind: 'end', at: text.length, end: text.length });
  return tokens;
}

/** The offset after whitespace or one comment at `at` (`at` itself when there is none). */
function skip(text: string, at: number): number {
  WHITESPACE.lastIndex = at;
  if (WHITESPACE.test(text)) return WHITESPACE.lastIndex;
  if (text.startsWith('--', at)) {
    LINE_COMMENT.lastIndex = at;
    LINE_COMMENT.test(text);
    return LINE_COMMENT.lastIndex;
  }
  if (text.startsWith('/*', at)) {
    const close = text.indexOf('*/', at + 2);
    if (close < 0) throw filterError(text, at, 'comment is not closed');
    return close + 2;
  }
  return at;
}

function next(text: string, at: number): Token {
  const c = text[at]!;
  if (c === "'") return readString(text, at);
  const two = text.slice(at, at + 2);
  if (TWO_CHAR_OPERATORS.has(two)) return { kind: 'operator', op: two as Operator, at, end: at + 2 };
  if (ONE_CHAR_OPERATORS.has(c)) return { kind: 'operator', op: c as Operator, at, end: at + 1 };
  NUMBER.lastIndex = at;
  const number = NUMBER.exec(text);
  if (number) return numberToken(text, number[0], at);
  IDENTIFIER.lastIndex = at;
  const word = IDENTIFIER.exec(text);
  if (word) {
    const upper = word[0].toUpperCase();
    const end = at + word[0].length;
    return KEYWORD_SET.has(upper) ? { kind: 'keyword', word: upper as Keyword, at, end } : { kind: 'identifier', name: word[0], at, end };
  }
  throw filterError(text, at, `unexpected character ${JSON.stringify(c)}`);
}

function numberToken(text: string, image: string, at: number): Token {
  const isLong = /[lL]$/.test(image);
  const digits = isLong ? image.slice(0, -1) : image;
  if (isLong && !/^\d+$/.test(digits)) throw filterError(text, at, `number ${image} has an L suffix but is not an integer`);
  const value = Number(digits);
  if (!Number.isFinite(value)) throw filterError(text, at, `number ${image} is out of range`);
  return { kind: 'number', value, text: image, at, end: at + image.length };
}

/** The single-quoted string at `at`; `''` inside it stands for one quote. */
function readString(text: string, at: number): Token {
  let value = '';
  let i = at + 1;
  for (;;) {
    const close = text.indexOf("'", i);
    if (close < 0) throw filterError(text, at, 'string is not closed');
    value += text.slice(i, close);
    if (text[close + 1] !== "'") return { kind: 'string', value, at, end: close + 1 };
    value += "'";
    i = close + 2;
  }
}
