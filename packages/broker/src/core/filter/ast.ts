/** A constant of an SQL filter: user properties are strings; literals add numbers, booleans and NULL. */
export type Value = string | number | boolean | null;

/** Comparison operators; `=` and `<>` compare any values, the others numbers. */
export type ComparisonOp = '=' | '<>' | '>' | '>=' | '<' | '<=';
/** String tests of RocketMQ's grammar (`a CONTAINS 'x'`). */
export type MatchOp = 'CONTAINS' | 'STARTSWITH' | 'ENDSWITH';

/** A parsed SQL filter expression; `at` is the 0-based offset where the node starts in the text. */
export type Node =
  | { readonly kind: 'constant'; readonly value: Value; readonly at: number }
  /** A user property, or the message's tag for `TAGS`. */
  | { readonly kind: 'property'; readonly name: string; readonly at: number }
  | { readonly kind: 'negate'; readonly arg: Node; readonly at: number }
  | { readonly kind: 'and' | 'or'; readonly args: readonly Node[]; readonly at: number }
  | { readonly kind: 'not'; readonly arg: Node; readonly at: number }
  | { readonly kind: 'compare'; readonly op: ComparisonOp; readonly left: Node; readonly right: Node; readonly at: number }
  | { readonly kind: 'between'; readonly arg: Node; readonly low: Node; readonly high: Node; readonly negated: boolean; readonly at: number }
  | { readonly kind: 'in'; readonly arg: Node; readonly values: readonly string[]; readonly negated: boolean; readonly at: number }
  | { readonly kind: 'isNull'; readonly arg: Node; readonly negated: boolean; readonly at: number }
  | { readonly kind: 'match'; readonly op: MatchOp; readonly arg: Node; readonly search: string; readonly negated: boolean; readonly at: number }
  /** A property used as a condition (`WHERE flag`): `'true'` and `'false'` (any case) are its truth values. */
  | { readonly kind: 'truth'; readonly arg: Node; readonly at: number };

const CONDITIONS: ReadonlySet<Node['kind']> = new Set(['and', 'or', 'not', 'compare', 'between', 'in', 'isNull', 'match', 'truth']);

/** Whether `node` yields TRUE, FALSE or unknown (rather than a number or a string). */
export function isCondition(node: Node): boolean {
  return CONDITIONS.has(node.kind) || (node.kind === 'constant' && typeof node.value === 'boolean');
}
