// READMEs speak to users and point only at what a clone of the repository has.
import assert from 'node:assert/strict';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { linkTargets, readmePaths, readRepoFile, trackedFiles } from './support/readmes.js';

const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

test('every relative link in every README resolves to a file or folder of the repository', () => {
  const files = trackedFiles();
  const tracked = new Set(files);
  const folders = new Set(files.flatMap((file) => file.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))));
  const readmes = readmePaths();
  assert.ok(readmes.includes('README.md'));
  for (const readme of readmes) {
    for (const target of linkTargets(readRepoFile(readme))) {
      if (EXTERNAL.test(target) || target.startsWith('#')) continue;
      const path = normalize(join(dirname(readme), decodeURI(target.split('#')[0]!))).replace(/\/$/, '');
      assert.ok(!path.startsWith('..') && (tracked.has(path) || folders.has(path)), `${readme} links ${target}, which is not in the repository`);
    }
  }
});

test('the README links the docs it relies on', () => {
  const targets = linkTargets(readRepoFile('README.md'));
  assert.ok(targets.includes('docs/official-client-limits.md'), targets.join(', '));
  assert.ok(targets.includes('packages/outbox/README.md'), targets.join(', '));
});

test('READMEs do not send users to issues or to paths outside the repository', () => {
  for (const readme of readmePaths()) {
    const text = readRepoFile(readme);
    assert.doesNotMatch(text, /\bissues?\b/i, `${readme} mentions an issue`);
    assert.doesNotMatch(text, /\.\.\/shared\//, `${readme} points outside the repository`);
  }
});

test('the link finder sees inline and reference links, not code', () => {
  const markdown = ['See [a](docs/a.md) and [b][b].', '', '[b]: ./b.md "B"', '', '`[c](c.md)`', '```', '[d](d.md)', '```', ''].join('\n');
  assert.deepEqual(linkTargets(markdown), ['docs/a.md', './b.md']);
});
