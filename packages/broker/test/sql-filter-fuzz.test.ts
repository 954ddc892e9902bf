import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSqlFilter, type MessageFilter } from '../src/core/filter/index.js';
import { InvalidRequestError } from '../src/errors.js';

/** mulberry32: a small seeded PRNG, so a failure reproduces from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'a', 'b', 'TAGS', 'x_1', '$p', 'AND', 'OR', 'NOT', 'BETWEEN', 'IN', 'IS', 'NULL', 'TRUE', 'FALSE', 'CONTAINS', 'STARTSWITH', 'ENDSWITH',
  '=', '<>', '>', '>=', '<', '<=', '(', ')', ',', '+', '-', '0', '1', '3.5', '.5', '1e3', '7L', "'x'", "'it''s'", "'", '--', '/*', '*/', '\n',
  ' ', ' ', ' ', '!', '@', '"', '.', ';', '\u0000', 'é', '99999999999999999999', '1e999',
];
const VALUES = ['', '0', '1', '3', '-2.5', '1e3', 'x', 'eu', 'true', 'FALSE', 'NaN', ' 1'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function randomText(random: () => number): string {
  const length = Math.floor(random() * 14);
  let text = '';
  for (let i = 0; i < length; i++) text += pick(random, PIECES) + (random() < 0.7 ? ' ' : '');
  return text;
}

/** A random well-formed condition of the grammar. */
function condition(random: () => number, depth: number): string {
  const value = () => pick(random, ['a', 'b', '-a', '1', '3.5', '-2', 'TAGS']);
  const r = random();
  if (depth <= 0 || r < 0.35) {
    const leaf = Math.floor(random() * 9);
    if (leaf === 0) return `${value()} ${pick(random, ['>', '>=', '<', '<=', '=', '<>'])} ${value()}`;
    if (leaf === 1) return `${value()} ${pick(random, ['', 'NOT '])}BETWEEN ${pick(random, ['a', '-2', '1'])} AND ${pick(random, ['b', '3.5'])}`;
    if (leaf === 2) return `${pick(random, ['a', 'b', 'TAGS'])} ${pick(random, ['', 'NOT '])}IN ('x', 'eu', '1')`;
    if (leaf === 3) return `${value()} IS ${pick(random, ['', 'NOT '])}NULL`;
    if (leaf === 4) return `${pick(random, ['a', 'b'])} ${pick(random, ['', 'NOT '])}${pick(random, ['CONTAINS', 'STARTSWITH', 'ENDSWITH'])} 'e'`;
    if (leaf === 5) return `${pick(random, ['a', 'b'])} = ${pick(random, ["'x'", "'eu'", 'TRUE', 'FALSE'])}`;
    if (leaf === 6) return pick(random, ['TRUE', 'FALSE', 'a', 'b']);
    return `${value()} = ${value()}`;
  }
  if (r < 0.55) return `NOT (${condition(random, depth - 1)})`;
  return `(${condition(random, depth - 1)}) ${pick(random, ['AND', 'OR'])} (${condition(random, depth - 1)})`;
}

function randomProperties(random: () => number): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const name of ['a', 'b']) if (random() < 0.8) properties[name] = pick(random, VALUES);
  return properties;
}

/** Compiles `text`, asserting the only possible failure is the filter error with a position inside the text. */
function compileOrRefuse(text: string, seed: number): MessageFilter | undefined {
  try {
    return compileSqlFilter(text);
  } catch (error) {
    assert.ok(error instanceof InvalidRequestError, `seed ${seed}: ${JSON.stringify(text)} threw ${String(error)}`);
    assert.equal(error.code, 'ILLEGAL_FILTER_EXPRESSION');
    const position = Number(/ at position (\d+):/.exec(error.message)?.[1]);
    assert.ok(position >= 1 && position <= text.length + 1, `seed ${seed}: position ${position} of ${JSON.stringify(text)}`);
    return undefined;
  }
}

test('random input never throws anything but the filter error, and what compiles evaluates to a boolean', () => {
  const seed = 20261201;
  const random = prng(seed);
  let compiled = 0;
  for (let i = 0; i < 20_000; i++) {
    const text = randomText(random);
    const filter = compileOrRefuse(text, seed);
    if (!filter) continue;
    compiled++;
    for (let j = 0; j < 3; j++) assert.equal(typeof filter(random() < 0.5 ? 'x' : undefined, randomProperties(random)), 'boolean');
  }
  assert.ok(compiled > 100, `only ${compiled} random texts compiled: the generator no longer exercises evaluation`);
});

test('random well-formed conditions compile, and a condition and its negation never both match', () => {
  const seed = 7;
  const random = prng(seed);
  for (let i = 0; i < 3_000; i++) {
    const text = condition(random, 4);
    const filter = compileSqlFilter(text);
    const negation = compileSqlFilter(`NOT (${text})`);
    for (let j = 0; j < 4; j++) {
      const properties = randomProperties(random);
      const tag = random() < 0.5 ? 'x' : undefined;
      assert.ok(!(filter(tag, properties) && negation(tag, properties)), `${text} with ${JSON.stringify(properties)}`);
    }
  }
});

test('random mutations of well-formed conditions are compiled or refused, never crash', () => {
  const seed = 99;
  const random = prng(seed);
  for (let i = 0; i < 5_000; i++) {
    const text = condition(random, 3);
    const at = Math.floor(random() * (text.length + 1));
    const mutated = random() < 0.5 ? text.slice(0, at) + pick(random, PIECES) + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 4));
    const filter = compileOrRefuse(mutated, seed);
    if (filter) assert.equal(typeof filter(undefined, randomProperties(random)), 'boolean');
  }
});
