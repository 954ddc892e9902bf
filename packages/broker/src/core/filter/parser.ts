import { isCondition, type ComparisonOp, type MatchOp, type Node } from './ast.js';
import { filterError } from './filter-error.js';
import { tokenize, type Keyword, type Operator, type Token } from './tokens.js';

/** Deepest nesting (parentheses, NOT, signs, chained comparisons) an expression may have. */
export const MAX_DEPTH = 100;

const ORDERED: ReadonlySet<string> = new Set(['>', '>=', '<', '<=']);
const MATCHES: ReadonlySet<string> = new Set(['CONTAINS', 'STARTSWITH', 'ENDSWITH']);
const AFTER_NOT: ReadonlySet<string> = new Set(['BETWEEN', 'IN', ...MATCHES]);

/**
 * Parses RocketMQ's SQL92 filter subset into a condition. Precedence, loosest first: `OR`, `AND`,
 * `NOT`, `=` `<>` `IS [NOT] NULL`, `>` `>=` `<` `<=` `[NOT] BETWEEN` `[NOT] IN` `[NOT] CONTAINS`
 * `[NOT] STARTSWITH` `[NOT] ENDSWITH`, signs. Throws `InvalidRequestError('ILLEGAL_FILTER_EXPRESSION')`
 * naming the position of the first error.
 */
export function parseFilter(text: string): Node {
  return new Parser(text).parse();
}

class Parser {
  readonly #tokens: Token[];
  #i = 0;
  #depth = 0;

  constructor(readonly text: string) {
    this.#tokens = tokenize(text);
  }

  parse(): Node {
    if (this.#peek().kind === 'end') throw this.#error(0, 'the expression is empty');
    const node = this.#condition(this.#or());
    const rest = this.#peek();
    if (rest.kind !== 'end') throw this.#error(rest.at, `unexpected ${describe(rest)}`);
    return node;
  }

  #or(): Node {
    return this.#logic('OR', () => this.#and());
  }

  #and(): Node {
    return this.#logic('AND', () => this.#not());
  }

  #logic(word: 'AND' | 'OR', operand: () => Node): Node {
    const first = operand();
    if (!this.#isKeyword(word)) return first;
    const args = [this.#condition(first)];
    while (this.#acceptKeyword(word)) args.push(this.#condition(operand()));
    return { kind: word === 'AND' ? 'and' : 'or', args, at: first.at };
  }

  #not(): Node {
    const token = this.#peek();
    if (!this.#acceptKeyword('NOT')) return this.#equality();
    return this.#nested(token.at, () => ({ kind: 'not', arg: this.#condition(this.#not()), at: token.at }));
  }

  #equality(): Node {
    return this.#chain(() => this.#comparison(), (left) => {
      const token = this.#peek();
      if (this.#acceptOperator('=') || this.#acceptOperator('<>')) {
        const op = (token as { op: ComparisonOp }).op;
        return this.#equal(op, left, this.#comparison(), token.at);
      }
      if (!this.#acceptKeyword('IS')) return undefined;
      const negated = this.#acceptKeyword('NOT');
      this.#expectKeyword('NULL');
      return { kind: 'isNull', arg: left, negated, at: left.at };
    });
  }

  #comparison(): Node {
    return this.#chain(() => this.#unary(), (left) => {
      const token = this.#peek();
      if (token.kind === 'operator' && ORDERED.has(token.op)) {
        this.#i++;
        const op = token.op as ComparisonOp;
        this.#numeric(left, op);
        return { kind: 'compare', op, left, right: this.#numeric(this.#unary(), op), at: left.at };
      }
      const next = this.#tokens[this.#i + 1] ?? token;
      const negated = isKeyword(token, 'NOT') && next.kind === 'keyword' && AFTER_NOT.has(next.word);
      const word = negated ? next : token;
      if (word.kind !== 'keyword' || !AFTER_NOT.has(word.word)) return undefined;
      this.#i += negated ? 2 : 1;
      if (word.word === 'BETWEEN') return this.#between(left, negated, word.at);
      if (word.word === 'IN') return this.#in(left, negated, word.at);
      return { kind: 'match', op: word.word as MatchOp, arg: left, search: this.#string(), negated, at: left.at };
    });
  }

  #between(arg: Node, negated: boolean, at: number): Node {
    this.#numeric(arg, 'BETWEEN');
    const low = this.#numeric(this.#unary(), 'BETWEEN');
    this.#expectKeyword('AND');
    const high = this.#numeric(this.#unary(), 'BETWEEN');
    if (!negated && low.kind === 'constant' && high.kind === 'constant' && (low.value as number) > (high.value as number)) {
      throw this.#error(at, `BETWEEN's lower bound ${String(low.value)} is greater than its upper bound ${String(high.value)}`);
    }
    return { kind: 'between', arg, low, high, negated, at: arg.at };
  }

  #in(arg: Node, negated: boolean, at: number): Node {
    if (arg.kind !== 'property') throw this.#error(at, 'IN needs a property on its left');
    this.#expectOperator('(');
    const values = [this.#string()];
    while (this.#acceptOperator(',')) values.push(this.#string());
    this.#expectOperator(')');
    return { kind: 'in', arg, values, negated, at: arg.at };
  }

  #unary(): Node {
    const token = this.#peek();
    if (!this.#acceptOperator('+') && !this.#acceptOperator('-')) return this.#primary();
    return this.#nested(token.at, () => {
      const arg = this.#numeric(this.#unary(), `sign '${(token as { op: Operator }).op}'`);
      if ((token as { op: Operator }).op === '+') return arg;
      if (arg.kind === 'constant') return { kind: 'constant', value: -(arg.value as number), at: token.at };
      return { kind: 'negate', arg, at: token.at };
    });
  }

  #primary(): Node {
    const token = this.#take();
    switch (token.kind) {
      case 'number':
      case 'string':
        return { kind: 'constant', value: token.value, at: token.at };
      case 'identifier':
        return { kind: 'property', name: token.name, at: token.at };
      case 'keyword':
        if (token.word === 'TRUE' || token.word === 'FALSE') return { kind: 'constant', value: token.word === 'TRUE', at: token.at };
        if (token.word === 'NULL') return { kind: 'constant', value: null, at: token.at };
        break;
      case 'operator':
        if (token.op === '(') {
          return this.#nested(token.at, () => {
            const inner = this.#or();
            this.#expectOperator(')');
            return inner;
          });
        }
        break;
      case 'end':
        break;
    }
    throw this.#error(token.at, `expected a property, a constant or '(' but found ${describe(token)}`);
  }

  /** Left-associative `operand (op operand)*`; `step` consumes one `op operand` or answers undefined. */
  #chain(operand: () => Node, step: (left: Node) => Node | undefined): Node {
    let left = operand();
    const base = this.#depth;
    try {
      for (;;) {
        const at = this.#peek().at;
        this.#depth++; // the right operand nests one level deeper than the chain so far
        const next = step(left);
        if (next === undefined) return left;
        if (this.#depth > MAX_DEPTH) throw this.#tooDeep(at);
        left = next;
      }
    } finally {
      this.#depth = base;
    }
  }

  #equal(op: ComparisonOp, left: Node, right: Node, at: number): Node {
    for (const side of [left, right]) {
      if (side.kind === 'constant' && side.value === null) throw this.#error(side.at, `NULL cannot be compared with '${op}'; use IS NULL or IS NOT NULL`);
    }
    if (left.kind === 'constant' && right.kind === 'constant' && (typeof left.value === 'boolean') !== (typeof right.value === 'boolean')) {
      throw this.#error(at, `${show(left)} cannot be compared with ${show(right)}`);
    }
    return { kind: 'compare', op, left, right, at: left.at };
  }

  /** `node` as an operand of a numeric comparison: a number constant, a property or a signed one. */
  #numeric(node: Node, operator: string): Node {
    if ((node.kind === 'constant' && typeof node.value !== 'number') || isCondition(node)) {
      throw this.#error(node.at, `${node.kind === 'constant' ? show(node) : 'a condition'} cannot be an operand of ${operator}, which compares numbers`);
    }
    return node;
  }

  /** `node` where TRUE or FALSE is needed: a property is read as a truth value, other values are refused. */
  #condition(node: Node): Node {
    if (isCondition(node)) return node;
    if (node.kind === 'property') return { kind: 'truth', arg: node, at: node.at };
    throw this.#error(node.at, `${node.kind === 'constant' ? show(node) : 'a number'} is not a condition`);
  }

  #nested(at: number, parse: () => Node): Node {
    this.#deeper(at);
    try {
      return parse();
    } finally {
      this.#depth--;
    }
  }

  #deeper(at: number): void {
    if (++this.#depth > MAX_DEPTH) throw this.#tooDeep(at);
  }

  #tooDeep(at: number) {
    return this.#error(at, `the expression nests deeper than ${MAX_DEPTH} levels`);
  }

  #string(): string {
    const token = this.#take();
    if (token.kind !== 'string') throw this.#error(token.at, `expected a quoted string but found ${describe(token)}`);
    return token.value;
  }

  #peek(): Token {
    return this.#tokens[this.#i]!;
  }

  #take(): Token {
    const token = this.#tokens[this.#i]!;
    if (token.kind !== 'end') this.#i++;
    return token;
  }

  #isKeyword(word: Keyword): boolean {
    return isKeyword(this.#peek(), word);
  }

  #acceptKeyword(word: Keyword): boolean {
    if (!this.#isKeyword(word)) return false;
    this.#i++;
    return true;
  }

  #acceptOperator(op: Operator): boolean {
    const token = this.#peek();
    if (token.kind !== 'operator' || token.op !== op) return false;
    this.#i++;
    return true;
  }

  #expectKeyword(word: Keyword): void {
    const token = this.#peek();
    if (!this.#acceptKeyword(word)) throw this.#error(token.at, `expected ${word} but found ${describe(token)}`);
  }

  #expectOperator(op: Operator): void {
    const token = this.#peek();
    if (!this.#acceptOperator(op)) throw this.#error(token.at, `expected '${op}' but found ${describe(token)}`);
  }

  #error(at: number, problem: string) {
    return filterError(this.text, at, problem);
  }
}

function isKeyword(token: Token, word: Keyword): boolean {
  return token.kind === 'keyword' && token.word === word;
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the expression';
    case 'keyword':
      return token.word;
    case 'operator':
      return `'${token.op}'`;
    case 'identifier':
      return `property ${token.name}`;
    case 'number':
      return `number ${token.text}`;
    case 'string':
      return `string '${token.value.replaceAll("'", "''")}'`;
  }
}

function show(node: Node & { kind: 'constant' }): string {
  const { value } = node;
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'string') return `'${value.replaceAll("'", "''")}'`;
  return String(value);
}
