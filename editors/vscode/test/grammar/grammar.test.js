// The grammar tests, under node's test runner: corpus snapshots, corpus
// coverage, and the scope assertions of test/grammar/cases.

'use strict';

const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { test } = require('node:test');
const corpus = require('./corpus.js');

const extensionDir = path.resolve(__dirname, '..', '..');

test('the front-end corpus is there to test against', () => {
  assert.ok(corpus.corpusFiles().length > 0, `no .c files in ${corpus.corpusDir}`);
});

test('corpus snapshots match (npm run snap:update rewrites them)', () => {
  const { status, output, problems } = corpus.runSnapshots({ update: false });
  assert.deepEqual(problems, []);
  assert.equal(status, 0, output);
});

test('every non-blank character of the corpus gets a scope', async () => {
  assert.deepEqual(await corpus.unscopedTokens(), []);
});

test('scope assertions in test/grammar/cases hold', () => {
  const bin = require.resolve('vscode-tmgrammar-test/dist/unit.js');
  const run = spawnSync(
    process.execPath,
    [bin, '-g', 'syntaxes/lpc.tmLanguage.json', 'test/grammar/cases/*.lpc'],
    { cwd: extensionDir, encoding: 'utf8' },
  );
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
});
