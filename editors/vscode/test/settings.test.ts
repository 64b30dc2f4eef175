// The extension's editor-free logic: settings, driver config discovery,
// server launch command, lpcc arguments, which files become LPC.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import {
  DEFAULT_SETTINGS,
  LpcSettings,
  Machine,
  findOnPath,
  initializationOptions,
  looksLikeDriverConfig,
  lpccCheckArgs,
  rankDriverConfigs,
  resolveConfiguredPath,
  resolveServerCommand,
  sanitizeSettings,
  shouldOpenAsLpc,
} from '../src/settings';

function settings(overrides: Partial<LpcSettings> = {}): LpcSettings {
  return { ...DEFAULT_SETTINGS, ...overrides };
}

function machine(executables: string[], overrides: Partial<Machine> = {}): Machine {
  return {
    platform: 'linux',
    pathEnv: '/usr/local/bin:/usr/bin',
    isExecutable: (file) => executables.includes(file),
    ...overrides,
  };
}

test('a driver config needs `mudlib directory` and another driver key', () => {
  const sample = [
    '# comment : with a colon',
    'name : Sample',
    'mudlib directory : lib',
    'master file : /secure/master',
  ].join('\n');
  assert.equal(looksLikeDriverConfig(sample), true);
  assert.equal(looksLikeDriverConfig('mudlib directory : lib\r\ninclude directories : /include\r\n'), true);
  assert.equal(looksLikeDriverConfig('mudlib directory : lib\n'), false);
  assert.equal(looksLikeDriverConfig('master file : /secure/master\nport number : 4000\n'), false);
  assert.equal(looksLikeDriverConfig('# mudlib directory : lib\nmaster file : /m\n'), false);
  assert.equal(looksLikeDriverConfig('{ "compilerOptions": {} }'), false);
  assert.equal(looksLikeDriverConfig(''), false);
});

test('driver config candidates: shallow, etc/ and config.* first', () => {
  assert.deepEqual(
    rankDriverConfigs(['lib/deep/x.cfg', 'mud.cfg', 'etc/config.test', 'bin/config.mud', 'config.mud', 'etc/mud.conf']),
    ['config.mud', 'mud.cfg', 'etc/config.test', 'etc/mud.conf', 'bin/config.mud', 'lib/deep/x.cfg'],
  );
  assert.deepEqual(rankDriverConfigs([]), []);
});

test('the driver config setting is taken from the workspace folder', () => {
  assert.equal(resolveConfiguredPath('', '/mud'), undefined);
  assert.equal(resolveConfiguredPath('etc/config.mud', '/mud'), path.join('/mud', 'etc/config.mud'));
  assert.equal(resolveConfiguredPath('/abs/config', '/mud'), '/abs/config');
  assert.equal(resolveConfiguredPath('etc/config', undefined), 'etc/config');
  const home = process.env.HOME;
  if (home) assert.equal(resolveConfiguredPath('~/mud/config', '/mud'), path.join(home, 'mud/config'));
});

test('settings of the wrong type fall back to defaults', () => {
  assert.deepEqual(sanitizeSettings({}), DEFAULT_SETTINGS);
  assert.deepEqual(
    sanitizeSettings({
      serverPath: ' /opt/lpc-lsp ',
      serverArgs: ['--log', 3, ''],
      driverConfig: 42,
      includeDirs: '/include',
      defines: { DEBUG: '1', EMPTY: '', NUM: 2, 'bad name': 'x', NULLISH: null },
      lpccPath: '',
    }),
    {
      serverPath: '/opt/lpc-lsp',
      serverArgs: ['--log'],
      driverConfig: '',
      includeDirs: [],
      defines: { DEBUG: '1', EMPTY: '', NUM: '2', NULLISH: '' },
      lpccPath: 'lpcc',
    },
  );
  assert.deepEqual(sanitizeSettings({ includeDirs: ['/include', ' /sys '], defines: ['A'] }).includeDirs, ['/include', '/sys']);
  assert.deepEqual(sanitizeSettings({ defines: ['A'] }).defines, {});
});

test('server: the setting wins, then the bundled binary, then PATH', () => {
  const ext = '/ext';
  const bundled = path.join(ext, 'server', 'lpc-lsp');
  const all = ['/opt/lpc-lsp', bundled, '/usr/bin/lpc-lsp'];

  assert.deepEqual(resolveServerCommand(settings({ serverPath: '/opt/lpc-lsp', serverArgs: ['-v'] }), ext, machine(all)), {
    ok: true, command: '/opt/lpc-lsp', args: ['-v'], source: 'setting',
  });
  assert.deepEqual(resolveServerCommand(settings(), ext, machine(all)), {
    ok: true, command: bundled, args: [], source: 'bundled',
  });
  assert.deepEqual(resolveServerCommand(settings(), ext, machine(['/usr/bin/lpc-lsp'])), {
    ok: true, command: '/usr/bin/lpc-lsp', args: [], source: 'path',
  });
  // A bare name in the setting is looked up on PATH.
  assert.deepEqual(resolveServerCommand(settings({ serverPath: 'lpc-lsp' }), ext, machine(['/usr/local/bin/lpc-lsp'])), {
    ok: true, command: '/usr/local/bin/lpc-lsp', args: [], source: 'setting',
  });

  const missing = resolveServerCommand(settings({ serverPath: '/nowhere/lpc-lsp' }), ext, machine(all));
  assert.equal(missing.ok, false);
  assert.match(!missing.ok ? missing.message : '', /lpc\.server\.path .*\/nowhere\/lpc-lsp/);

  const none = resolveServerCommand(settings(), ext, machine([]));
  assert.equal(none.ok, false);
  assert.match(!none.ok ? none.message : '', /not bundled and not on PATH/);
});

test('PATH lookup: first match, empty entries skipped, PATHEXT on Windows', () => {
  assert.equal(findOnPath('lpc-lsp', machine(['/usr/bin/lpc-lsp'], { pathEnv: '::/usr/bin' })), '/usr/bin/lpc-lsp');
  assert.equal(
    findOnPath('lpc-lsp', machine(['/a/lpc-lsp', '/b/lpc-lsp'], { pathEnv: '/a:/b' })),
    '/a/lpc-lsp',
  );
  const win = machine(['C:\\tools\\lpc-lsp.EXE'], { platform: 'win32', pathEnv: 'C:\\bin;C:\\tools', pathExt: '.COM;.EXE' });
  assert.equal(findOnPath('lpc-lsp', win), 'C:\\tools\\lpc-lsp.EXE');
  assert.equal(findOnPath('lpc-lsp', machine([], { pathEnv: '' })), undefined);
});

test('initialization options carry the driver config, include dirs and defines', () => {
  const s = settings({ includeDirs: ['/include'], defines: { DEBUG: '1' } });
  assert.deepEqual(initializationOptions(s, '/mud/etc/config.mud'), {
    driverConfig: '/mud/etc/config.mud',
    includeDirs: ['/include'],
    defines: { DEBUG: '1' },
  });
  assert.deepEqual(initializationOptions(settings(), undefined), { driverConfig: null, includeDirs: [], defines: {} });
});

test('lpcc check arguments', () => {
  assert.deepEqual(lpccCheckArgs(settings(), undefined), ['check', '--format', 'github']);
  assert.deepEqual(
    lpccCheckArgs(
      settings({ includeDirs: ['/include', '/sys'], defines: { DEBUG: '1', FLAG: '' } }),
      '/mud/etc/config.mud',
      ['lib/std'],
    ),
    ['check', '--format', 'github', '--config', '/mud/etc/config.mud', '-I', '/include', '-I', '/sys', '-D', 'DEBUG=1', '-D', 'FLAG', 'lib/std'],
  );
});

test('.c and .h open as LPC only in a mudlib folder with the setting on', () => {
  assert.equal(shouldOpenAsLpc('/mud/room.c', 'c', true, true), true);
  assert.equal(shouldOpenAsLpc('/mud/inc/dirs.h', 'cpp', true, true), true);
  assert.equal(shouldOpenAsLpc('/mud/ROOM.C', 'c', true, true), true);
  assert.equal(shouldOpenAsLpc('/mud/room.c', 'c', false, true), false);
  assert.equal(shouldOpenAsLpc('/proj/main.c', 'c', true, false), false);
  assert.equal(shouldOpenAsLpc('/mud/main.cpp', 'cpp', true, true), false);
  assert.equal(shouldOpenAsLpc('/mud/notes.txt', 'plaintext', true, true), false);
});
