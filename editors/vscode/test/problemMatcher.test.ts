// The `$lpcc` problem matcher contributed in package.json, applied the way
// VS Code applies it, to `lpcc check --format github` output recorded from
// the real binary (test/fixtures/lpcc-github.txt).

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const matcher = pkg.contributes.problemMatchers.find((m: { name: string }) => m.name === 'lpcc');

interface Problem {
  severity: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  code: string;
  message: string;
}

/**
 * One output line through the matcher. VS Code maps a captured severity
 * of "error" or "warning" by name; when the group captured nothing it uses
 * the matcher's own `severity`.
 */
function apply(line: string): Problem | undefined {
  const p = matcher.pattern;
  const m = new RegExp(p.regexp).exec(line);
  if (!m) return undefined;
  return {
    severity: m[p.severity] ?? matcher.severity,
    file: m[p.file],
    line: Number(m[p.line]),
    column: Number(m[p.column]),
    endLine: Number(m[p.endLine]),
    endColumn: Number(m[p.endColumn]),
    code: m[p.code],
    message: m[p.message],
  };
}

test('the extension names the contributed matcher', () => {
  assert.ok(matcher, 'package.json contributes a problem matcher named lpcc');
  assert.equal(matcher.owner, 'lpcc');
  assert.deepEqual(matcher.fileLocation, ['autoDetect', '${workspaceFolder}']);
  assert.ok(['error', 'warning', 'info'].includes(matcher.severity));
});

test('recorded lpcc output becomes problems', () => {
  const lines = fs
    .readFileSync(path.join(root, 'test', 'fixtures', 'lpcc-github.txt'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const problems = lines.map(apply);
  assert.deepEqual(problems, [
    { severity: 'error', file: 'lib/include/x.h', line: 1, column: 9, endLine: 1, endColumn: 10, code: 'E0210', message: '#define: missing name' },
    { severity: 'error', file: 'lib/std/bad.c', line: 2, column: 15, endLine: 2, endColumn: 16, code: 'E0100', message: 'expected expression, found `;`' },
    { severity: 'warning', file: 'lib/std/bad.c', line: 4, column: 1, endLine: 4, endColumn: 19, code: 'E0207', message: '#warn careful here' },
    { severity: 'error', file: 'lib/std/bad.c', line: 6, column: 8, endLine: 6, endColumn: 9, code: 'E0100', message: 'expected `)`, identifier or type, found `{`' },
    { severity: 'info', file: 'lib/std/room.c', line: 1, column: 1, endLine: 1, endColumn: 1, code: 'N0001', message: 'checked' },
    { severity: 'warning', file: 'lib/std/room.c', line: 2, column: 13, endLine: 2, endColumn: 22, code: 'W0200', message: 'string literal with %25%0Anote: first note' },
  ]);
});

test('other output is not a problem', () => {
  for (const line of [
    '',
    'error[E0100]: expected expression, found `;`',
    '  ┌─ /std/bad.c:2:15',
    '::debug::something',
    '::error::no properties',
    'checked 12 files: 1 error',
  ]) {
    assert.equal(apply(line), undefined, line);
  }
});

test('absolute paths pass through; escaped characters stay as lpcc wrote them', () => {
  assert.equal(apply('::error file=/srv/mud/lib/a.c,line=1,col=2,endLine=1,endColumn=3,title=E0001::x')?.file, '/srv/mud/lib/a.c');
  // lpcc escapes a colon in a property as %3A; the matcher cannot decode it,
  // so Windows drive paths need lpcc run from the workspace (relative paths).
  assert.equal(apply('::error file=C%3A\\mud\\a.c,line=1,col=2,endLine=1,endColumn=3,title=E0001::x')?.file, 'C%3A\\mud\\a.c');
});
