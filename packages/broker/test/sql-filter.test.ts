import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compiledFilter, compileSqlFilter } from '../src/core/filter/index.js';
import { InvalidRequestError } from '../src/errors.js';

type Props = Record<string, string>;

/** Whether `expression` matches a message with `properties` (and `tag`). */
function matches(expression: string, properties: Props = {}, tag?: string): boolean {
  return compileSqlFilter(expression)(tag, properties);
}

/** Asserts `expression` is refused with ILLEGAL_FILTER_EXPRESSION at 1-based `position`, the message matching `reason`. */
function refused(expression: string, position: number, reason: RegExp): void {
  assert.throws(
    () => compileSqlFilter(expression),
    (error: unknown) => {
      assert.ok(error instanceof InvalidRequestError, `${expression}: ${String(error)}`);
      assert.equal(error.code, 'ILLEGAL_FILTER_EXPRESSION');
      assert.match(error.message, new RegExp(`at position ${position}:`), expression);
      assert.match(error.message, reason, expression);
      return true;
    },
  );
}

test('numeric comparisons read string properties as numbers', () => {
  const p = { a: '3' };
  assert.equal(matches('a > 2', p), true);
  assert.equal(matches('a > 3', p), false);
  assert.equal(matches('a >= 3', p), true);
  assert.equal(matches('a >= 3.5', p), false);
  assert.equal(matches('a < 4', p), true);
  assert.equal(matches('a < 3', p), false);
  assert.equal(matches('a <= 3', p), true);
  assert.equal(matches('a <= 2.99', p), false);
  assert.equal(matches('a = 3', p), true);
  assert.equal(matches('a = 3.0', p), true);
  assert.equal(matches('a = 4', p), false);
  assert.equal(matches('a <> 4', p), true);
  assert.equal(matches('a <> 3', p), false);
  assert.equal(matches('a BETWEEN 0 AND 3', p), true);
  assert.equal(matches('a BETWEEN 3 AND 3', p), true);
  assert.equal(matches('a BETWEEN 4 AND 9', p), false);
  assert.equal(matches('a NOT BETWEEN 4 AND 9', p), true);
  assert.equal(matches('a NOT BETWEEN 0 AND 3', p), false);
  assert.equal(matches('a > -1', p), true);
  assert.equal(matches('-a < -2', p), true);
  assert.equal(matches('+a = 3', p), true);
  assert.equal(matches('a > 2L', p), true);
  assert.equal(matches('a < .5E1', p), true);
  assert.equal(matches('a > b', { a: '10', b: '9' }), true, 'two properties compare as numbers, not as text');
  assert.equal(matches('a BETWEEN lo AND hi', { a: '5', lo: '1', hi: '7' }), true);
  assert.equal(matches('a = -2.5e-1', { a: '-0.25' }), true);
  assert.equal(matches('a = 0.5', { a: '+.5' }), true);
  assert.equal(matches('a = 1', { a: '1.' }), true);
  assert.equal(matches('a = 1000', { a: '1E3' }), true);
  assert.equal(matches('a = 12', { a: '0012' }), true);
});

test('string comparisons: =, <>, IN, NOT IN and the string tests', () => {
  const p = { region: 'eu', name: "O'Brien" };
  assert.equal(matches("region = 'eu'", p), true);
  assert.equal(matches("region = 'EU'", p), false, 'strings compare exactly');
  assert.equal(matches("region <> 'us'", p), true);
  assert.equal(matches("region <> 'eu'", p), false);
  assert.equal(matches("'eu' = region", p), true);
  assert.equal(matches("name = 'O''Brien'", p), true);
  assert.equal(matches("region IN ('us', 'eu')", p), true);
  assert.equal(matches("region IN ('us', 'apac')", p), false);
  assert.equal(matches("region NOT IN ('us', 'apac')", p), true);
  assert.equal(matches("region NOT IN ('eu')", p), false);
  assert.equal(matches("name CONTAINS 'Bri'", p), true);
  assert.equal(matches("name NOT CONTAINS 'Bri'", p), false);
  assert.equal(matches("name STARTSWITH 'O'''", p), true);
  assert.equal(matches("name NOT STARTSWITH 'B'", p), true);
  assert.equal(matches("name ENDSWITH 'ien'", p), true);
  assert.equal(matches("name NOT ENDSWITH 'ien'", p), false);
  assert.equal(matches("region = region", p), true);
});

test('TAGS stands for the message tag', () => {
  assert.equal(matches("TAGS = 'A'", {}, 'A'), true);
  assert.equal(matches("TAGS IN ('A', 'B')", {}, 'B'), true);
  assert.equal(matches("TAGS = 'A'", { TAGS: 'A' }, 'B'), false, 'the tag wins over a property of the same name');
  assert.equal(matches('TAGS IS NULL', {}), true);
  assert.equal(matches("TAGS <> 'A'", {}), false);
});

test('IS NULL and IS NOT NULL are never unknown', () => {
  assert.equal(matches('a IS NULL', {}), true);
  assert.equal(matches('a IS NULL', { a: '' }), false);
  assert.equal(matches('a IS NOT NULL', { a: '' }), true);
  assert.equal(matches('a IS NOT NULL', {}), false);
  assert.equal(matches('NOT a IS NULL', { a: 'x' }), true);
  assert.equal(matches('(a > 1) IS NULL', {}), true, 'an unknown comparison is NULL');
});

test('a missing property makes every comparison unknown, and unknown never matches', () => {
  for (const expression of ['a > 1', 'a >= 1', 'a < 1', 'a <= 1', 'a = 1', 'a <> 1', "a = 'x'", "a <> 'x'", 'a BETWEEN 0 AND 9', 'a NOT BETWEEN 0 AND 9', "a IN ('x')", "a NOT IN ('x')", "a CONTAINS 'x'", "a NOT CONTAINS 'x'", '-a < 0', 'a']) {
    assert.equal(matches(expression, {}), false, expression);
    assert.equal(matches(`NOT (${expression})`, {}), false, `NOT (${expression})`);
  }
  assert.equal(matches('a > 1 OR TRUE', {}), true, 'unknown OR TRUE is TRUE');
  assert.equal(matches('a > 1 OR FALSE', {}), false, 'unknown OR FALSE is unknown');
  assert.equal(matches('NOT (a > 1 OR FALSE)', {}), false);
  assert.equal(matches('a > 1 AND FALSE', {}), false);
  assert.equal(matches('NOT (a > 1 AND FALSE)', {}), true, 'unknown AND FALSE is FALSE');
  assert.equal(matches('NOT (a > 1 AND TRUE)', {}), false, 'unknown AND TRUE is unknown');
  assert.equal(matches('a BETWEEN 0 AND hi', { a: '5' }), false, 'an unknown bound is unknown');
  assert.equal(matches('a BETWEEN 6 AND hi', { a: '5' }), false);
  assert.equal(matches('NOT (a BETWEEN 6 AND hi)', { a: '5' }), true, 'below a known lower bound is FALSE whatever the upper one');
});

test('type mismatches are unknown, not errors', () => {
  assert.equal(matches('a > 1', { a: 'abc' }), false);
  assert.equal(matches('NOT (a > 1)', { a: 'abc' }), false);
  assert.equal(matches('a = 1', { a: 'abc' }), false);
  assert.equal(matches('a <> 1', { a: 'abc' }), false);
  assert.equal(matches('a = 1', { a: ' 1' }), false, 'no blanks around a number');
  for (const a of ['0x10', '0b1', '0o7', '1_0', '1,5', '1e', '.', '-', '--1']) assert.equal(matches('a > -1e300', { a }), false, `${a} is not a decimal number`);
  assert.equal(matches('a > 0', { a: 'Infinity' }), false);
  assert.equal(matches('a BETWEEN 0 AND 9', { a: '' }), false);
  assert.equal(matches("a = 'x'", { a: 'x' }), true);
  assert.equal(matches('a = TRUE', { a: 'true' }), true, 'a string reads as a boolean against a boolean');
  assert.equal(matches('a = FALSE', { a: 'FALSE' }), true);
  assert.equal(matches('a = TRUE', { a: 'yes' }), false);
  assert.equal(matches('NOT (a = TRUE)', { a: 'yes' }), false);
  assert.equal(matches('(a > 1) = 5', { a: '2' }), false, 'a boolean never equals a number');
  assert.equal(matches('NOT ((a > 1) = 5)', { a: '2' }), false);
  assert.equal(matches('flag', { flag: 'true' }), true, 'a property alone is a condition');
  assert.equal(matches('flag', { flag: 'false' }), false);
  assert.equal(matches('NOT flag', { flag: 'false' }), true);
  assert.equal(matches('NOT flag', { flag: 'maybe' }), false);
  assert.equal(matches("a IN ('1')", { a: '1' }), true);
});

test('properties named like Object members are just missing', () => {
  assert.equal(matches('constructor IS NULL', {}), true);
  assert.equal(matches('toString IS NOT NULL', {}), false);
  assert.equal(matches('hasOwnProperty = 1', {}), false);
});

test('precedence: OR < AND < NOT < = <> IS < ordering and BETWEEN/IN; parentheses override', () => {
  const p = { a: '1', b: '2' };
  assert.equal(matches('TRUE OR FALSE AND FALSE'), true, 'AND binds tighter than OR');
  assert.equal(matches('(TRUE OR FALSE) AND FALSE'), false);
  assert.equal(matches('NOT FALSE AND FALSE'), false, 'NOT binds tighter than AND');
  assert.equal(matches('NOT (FALSE AND FALSE)'), true);
  assert.equal(matches('NOT a = 2', p), true, 'NOT applies to the whole comparison');
  assert.equal(matches('NOT NOT a = 1', p), true);
  assert.equal(matches('a = 1 AND b = 2 OR a = 9', p), true);
  assert.equal(matches('a = 9 OR a = 1 AND b = 9', p), false);
  assert.equal(matches('a = 9 OR (a = 1 AND b = 2)', p), true);
  assert.equal(matches('a < b = TRUE', p), true, 'ordering binds tighter than =');
  assert.equal(matches('a BETWEEN 0 AND 1 AND b BETWEEN 2 AND 3', p), true, 'BETWEEN takes its own AND');
  assert.equal(matches('a between 0 and 1 Or b > 5', p), true, 'keywords ignore case');
  assert.equal(matches('- -a = 1', p), true);
  assert.equal(matches('TRUE'), true);
  assert.equal(matches('FALSE'), false);
  assert.equal(matches('a = 1 -- trailing comment\n AND /* inline */ b = 2', p), true);
  assert.equal(matches('\ta\n=\r1\f', p), true, 'any blank separates tokens');
});

test('bad expressions are refused with the position of the error', () => {
  refused('', 1, /empty/);
  refused('   ', 1, /empty/);
  refused('a >', 4, /found the end of the expression/);
  refused('a > > 1', 5, /found '>'/);
  refused('(a = 1', 7, /expected '\)'/);
  refused('a = 1)', 6, /unexpected '\)'/);
  refused('a = 1 b = 2', 7, /unexpected property b/);
  refused("a > 'x'", 5, /'x' cannot be an operand of >/);
  refused('a >= TRUE', 6, /TRUE cannot be an operand/);
  refused('a < NULL', 5, /NULL cannot be an operand/);
  refused('(a > 1) > 2', 2, /a condition cannot be an operand/);
  refused("a BETWEEN 'x' AND 3", 11, /'x' cannot be an operand of BETWEEN/);
  refused('a BETWEEN 1 OR 3', 13, /expected AND but found OR/);
  refused('a BETWEEN 5 AND 1', 3, /lower bound 5 is greater than its upper bound 1/);
  refused('a = NULL', 5, /use IS NULL/);
  refused('NULL <> a', 1, /use IS NULL/);
  refused('TRUE = 1', 6, /TRUE cannot be compared with 1/);
  refused('a IS 1', 6, /expected NULL/);
  refused('a IS NOT TRUE', 10, /expected NULL/);
  refused("a IN 'x'", 6, /expected '\('/);
  refused('a IN (1)', 7, /expected a quoted string but found number 1/);
  refused("a IN ('x',)", 11, /expected a quoted string but found '\)'/);
  refused("a IN ('x' 'y')", 11, /expected '\)'/);
  refused("1 IN ('x')", 3, /IN needs a property/);
  refused('a CONTAINS b', 12, /expected a quoted string but found property b/);
  refused('a NOT 5', 3, /unexpected NOT/);
  refused("'x'", 1, /'x' is not a condition/);
  refused('5', 1, /5 is not a condition/);
  refused('a AND 5', 7, /5 is not a condition/);
  refused('NOT -a', 5, /a number is not a condition/);
  refused("-'x' = 1", 2, /'x' cannot be an operand of sign '-'/);
  refused('a @ 1', 3, /unexpected character "@"/);
  refused('a = 1 ; DROP', 7, /unexpected character ";"/);
  refused('a == 1', 4, /found '='/);
  refused("a = 'open", 5, /string is not closed/);
  refused('a = 1 /* open', 7, /comment is not closed/);
  refused('a = 1.5L', 5, /L suffix but is not an integer/);
  refused('a = 1e999', 5, /out of range/);
  refused('a = 1 AND', 10, /found the end of the expression/);
  refused('AND a = 1', 1, /found AND/);
  refused('()', 2, /found '\)'/);
});

test('nesting is bounded, so a deep expression is refused rather than overflowing the stack', () => {
  assert.equal(matches(`${'('.repeat(99)}TRUE${')'.repeat(99)}`), true);
  refused(`${'('.repeat(101)}TRUE${')'.repeat(101)}`, 101, /nests deeper than 100 levels/);
  refused(`${'NOT '.repeat(101)}TRUE`, 401, /nests deeper/);
  refused(`a${' = a'.repeat(101)}`, 403, /nests deeper/);
  assert.equal(matches(Array.from({ length: 5000 }, (_, i) => `a = ${i}`).join(' OR '), { a: '4999' }), true, 'long OR lists are flat, not deep');
});

test('compiledFilter reuses one compiled filter per expression and reads tag expressions too', () => {
  const first = compiledFilter('sql', 'a > 1');
  assert.equal(compiledFilter('sql', 'a > 1'), first);
  assert.equal(first(undefined, { a: '2' }), true);
  const tags = compiledFilter('tag', 'A || B');
  assert.equal(tags('A', {}), true);
  assert.equal(tags('C', {}), false);
  assert.equal(compiledFilter('tag', undefined)(undefined, {}), true);
  assert.throws(() => compiledFilter('sql', 'a >'), { code: 'ILLEGAL_FILTER_EXPRESSION' });
  assert.throws(() => compiledFilter('sql', undefined), { code: 'ILLEGAL_FILTER_EXPRESSION' });
});
