import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bodyText, escapeForTerminal } from '../src/rules/body-text.js';

test('bodyText: printable UTF-8 is text; control characters or invalid UTF-8 make it base64; a cut character is dropped', () => {
  assert.deepEqual(bodyText(Buffer.from('{"a":1}\n\ttab\r'), false), { encoding: 'utf8', text: '{"a":1}\n\ttab\r' });
  assert.deepEqual(bodyText(Buffer.from('ring\u0007'), false), { encoding: 'base64', text: Buffer.from('ring\u0007').toString('base64') });
  assert.deepEqual(bodyText(Buffer.from('\u001b[2J'), false).encoding, 'base64', 'ESC');
  assert.deepEqual(bodyText(Buffer.from('c1 \u009b'), false).encoding, 'base64', 'a C1 control');
  assert.deepEqual(bodyText(Buffer.from([0xc3, 0x28]), false), { encoding: 'base64', text: 'wyg=' });
  const cut = Buffer.from('hé').subarray(0, 2);
  assert.deepEqual(bodyText(cut, true), { encoding: 'utf8', text: 'h' }, 'a preview cut inside é');
  assert.deepEqual(bodyText(cut, false).encoding, 'base64', 'a whole body ending mid-character is not UTF-8');
  assert.deepEqual(bodyText(Buffer.alloc(0), false), { encoding: 'utf8', text: '' });
  assert.deepEqual(bodyText(Buffer.from('a\ufffdb'), false), { encoding: 'utf8', text: 'a\ufffdb' }, 'U+FFFD itself is valid text');
});

test('escapeForTerminal: every control character, line separator and bidi control is written as an escape', () => {
  assert.equal(escapeForTerminal('a\nb\tc\rd'), 'a\\nb\\tc\\rd');
  assert.equal(escapeForTerminal('\u001b[31mred\u0007'), '\\x1b[31mred\\x07');
  assert.equal(escapeForTerminal('\u009b2J \u007f'), '\\x9b2J \\x7f');
  assert.equal(escapeForTerminal('abc\u202edcba\u2028'), 'abc\\u202edcba\\u2028');
  assert.equal(escapeForTerminal('plain é 漢字 😀'), 'plain é 漢字 😀');
});
