import type { ComparisonOp, Node, Value } from './ast.js';

/** The user properties of a message, as stored. */
export type Properties = Readonly<Record<string, string>>;

/** A compiled node: its value for one message; conditions give TRUE, FALSE or null (unknown). */
type Evaluate = (tag: string | undefined, properties: Properties) => Value;

/** The numeric value of `value`, or null when it has none (NULL, a boolean, a string that is not a number). */
export function toNumber(value: Value): number | null {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string' || !looksDecimal(value)) return null;
  const n = Number(value);
  return Number.isNaN(n) ? null : n;
}

/**
 * Whether `Number(text)` may be read as a decimal number: it starts with a digit, a sign or a point
 * and ends with a digit or a point, which rules out what Number() accepts beyond decimal notation
 * (blanks around it, `Infinity`, `0x`/`0o`/`0b` prefixes; the rest makes Number() NaN).
 */
function looksDecimal(text: string): boolean {
  if (text.length === 0) return false;
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  const startsWell = isDigit(first) || first === PLUS || first === MINUS || first === POINT;
  const endsWell = isDigit(last) || last === POINT;
  return startsWell && endsWell && !(first === ZERO && RADIX_PREFIX.has(text.charCodeAt(1)));
}

const ZERO = 0x30;
const PLUS = 0x2b;
const MINUS = 0x2d;
const POINT = 0x2e;
/** `x`, `o`, `b` in either case. */
const RADIX_PREFIX: ReadonlySet<number> = new Set([0x78, 0x58, 0x6f, 0x4f, 0x62, 0x42]);

function isDigit(code: number): boolean {
  return code >= ZERO && code <= 0x39;
}

/** The truth value of `value`: a boolean, or a string `true`/`false` in any case; null otherwise. */
export function toBoolean(value: Value): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return null;
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : null;
}

/**
 * SQL `=`: null when either side is NULL or the two cannot be brought to one type (a string that is
 * not a number against a number, a number against a boolean); strings compare exactly.
 */
export function equals(a: Value, b: Value): boolean | null {
  if (a === null || b === null) return null;
  if (typeof a === typeof b) return a === b;
  if (typeof a === 'number' || typeof b === 'number') {
    if (typeof a === 'boolean' || typeof b === 'boolean') return null;
    const x = toNumber(a);
    const y = toNumber(b);
    return x === null || y === null ? null : x === y;
  }
  const x = toBoolean(a);
  const y = toBoolean(b);
  return x === null || y === null ? null : x === y;
}

/** Compiles a parsed expression into a function of one message, once, so matching walks no syntax tree. */
export function compileNode(node: Node): Evaluate {
  switch (node.kind) {
    case 'constant': {
      const { value } = node;
      return () => value;
    }
    case 'property': {
      const { name } = node;
      if (name === 'TAGS') return (tag) => tag ?? null;
      return (_tag, properties) => {
        const value = properties[name];
        return typeof value === 'string' ? value : null;
      };
    }
    case 'negate': {
      const arg = compileNode(node.arg);
      return (tag, properties) => {
        const n = toNumber(arg(tag, properties));
        return n === null ? null : -n;
      };
    }
    case 'and':
    case 'or':
      return logic(node.kind, node.args.map(compileNode));
    case 'not': {
      const arg = compileNode(node.arg);
      return (tag, properties) => not(arg(tag, properties));
    }
    case 'compare':
      return compare(node.op, compileNode(node.left), compileNode(node.right));
    case 'between': {
      const arg = compileNode(node.arg);
      const low = compileNode(node.low);
      const high = compileNode(node.high);
      const { negated } = node;
      return (tag, properties) => {
        const n = toNumber(arg(tag, properties));
        if (n === null) return null;
        const lo = toNumber(low(tag, properties));
        const hi = toNumber(high(tag, properties));
        const inside = and2(lo === null ? null : n >= lo, hi === null ? null : n <= hi);
        return negated ? not(inside) : inside;
      };
    }
    case 'in': {
      const arg = compileNode(node.arg);
      const values = new Set(node.values);
      const { negated } = node;
      return (tag, properties) => {
        const value = arg(tag, properties);
        return typeof value === 'string' ? values.has(value) !== negated : null;
      };
    }
    case 'isNull': {
      const arg = compileNode(node.arg);
      const { negated } = node;
      return (tag, properties) => (arg(tag, properties) === null) !== negated;
    }
    case 'match': {
      const arg = compileNode(node.arg);
      const { search, negated } = node;
      const test = node.op === 'CONTAINS' ? (s: string) => s.includes(search) : node.op === 'STARTSWITH' ? (s: string) => s.startsWith(search) : (s: string) => s.endsWith(search);
      return (tag, properties) => {
        const value = arg(tag, properties);
        return typeof value === 'string' ? test(value) !== negated : null;
      };
    }
    case 'truth': {
      const arg = compileNode(node.arg);
      return (tag, properties) => toBoolean(arg(tag, properties));
    }
  }
}

function logic(kind: 'and' | 'or', args: Evaluate[]): Evaluate {
  // AND stops at the first FALSE, OR at the first TRUE; an unknown operand otherwise makes the result unknown.
  const decisive = kind === 'or';
  return (tag, properties) => {
    let unknown = false;
    for (const arg of args) {
      const value = arg(tag, properties);
      if (value === decisive) return decisive;
      if (value === null) unknown = true;
    }
    return unknown ? null : !decisive;
  };
}

function compare(op: ComparisonOp, left: Evaluate, right: Evaluate): Evaluate {
  if (op === '=') return (tag, properties) => equals(left(tag, properties), right(tag, properties));
  if (op === '<>') return (tag, properties) => not(equals(left(tag, properties), right(tag, properties)));
  const holds = ORDER[op];
  return (tag, properties) => {
    const x = toNumber(left(tag, properties));
    if (x === null) return null;
    const y = toNumber(right(tag, properties));
    return y === null ? null : holds(x, y);
  };
}

const ORDER: Readonly<Record<'>' | '>=' | '<' | '<=', (x: number, y: number) => boolean>> = {
  '>': (x, y) => x > y,
  '>=': (x, y) => x >= y,
  '<': (x, y) => x < y,
  '<=': (x, y) => x <= y,
};

function not(value: Value): boolean | null {
  return value === null ? null : !value;
}

function and2(a: boolean | null, b: boolean | null): boolean | null {
  if (a === false || b === false) return false;
  return a === null || b === null ? null : true;
}
