// Activates the compiled extension against the stand-ins for `vscode` and
// `vscode-languageclient/node`, in a mudlib folder on disk and in a plain C
// folder, and checks what it asks the editor and the client to do.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import * as vscodeStub from './stubs/vscode';
import * as clientStub from './stubs/languageclient';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require('node:module');
const originalLoad = Module._load;
Module._load = function (request: string, ...rest: unknown[]) {
  if (request === 'vscode') return vscodeStub;
  if (request === 'vscode-languageclient/node') return clientStub;
  return originalLoad.call(this, request, ...rest);
};

const { fake } = vscodeStub;
const { LanguageClient } = clientStub;

/** A scratch folder: a bin/ with a fake lpc-lsp, and a workspace. */
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lpc-ext-'));
const bin = path.join(scratch, 'bin');
fs.mkdirSync(bin);
const server = path.join(bin, 'lpc-lsp');
fs.writeFileSync(server, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
process.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ''}`;

// Loaded after PATH is set: the extension reads it once.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const extension = require('../src/extension') as typeof import('../src/extension');

function mudlib(): string {
  const dir = fs.mkdtempSync(path.join(scratch, 'mud-'));
  fs.mkdirSync(path.join(dir, 'etc'));
  fs.mkdirSync(path.join(dir, 'lib', 'std'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'node_modules', 'x'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'etc', 'config.mud'), 'mudlib directory : lib\nmaster file : /std/master\n');
  // Looks like a config but lives where nobody keeps one.
  fs.writeFileSync(path.join(dir, 'node_modules', 'x', 'config'), 'mudlib directory : x\nmaster file : /m\n');
  // A config-named file that is not a driver config, found first.
  fs.writeFileSync(path.join(dir, 'config.json'), '{ "not": "a driver config" }');
  fs.writeFileSync(path.join(dir, 'lib', 'std', 'room.c'), 'void create() { }\n');
  return dir;
}

function context(extensionPath = path.join(scratch, 'no-bundle')) {
  return { subscriptions: [] as { dispose(): unknown }[], extensionPath };
}

function lastClient(): clientStub.LanguageClient {
  const client = LanguageClient.created.at(-1);
  assert.ok(client, 'a language client was created');
  return client;
}

beforeEach(() => {
  fake.reset();
  LanguageClient.created = [];
});

afterEach(async () => {
  await extension.deactivate();
});

test('in a mudlib folder, .c files open as LPC and the server starts', async () => {
  const dir = mudlib();
  fake.addFolder(dir);
  fake.settings['lpc.includeDirs'] = ['/include'];
  fake.settings['lpc.defines'] = { DEBUG: '1' };
  const room = path.join(dir, 'lib', 'std', 'room.c');
  fake.open(room, 'c');

  const ctx = context();
  await extension.activate(ctx as never);

  assert.deepEqual(fake.languageChanges, [{ file: room, language: 'lpc' }]);
  assert.equal(LanguageClient.created.length, 1, 'one client');
  const client = lastClient();
  assert.equal(client.started, true);
  assert.equal(client.id, 'lpc');
  assert.equal(client.serverOptions.run.command, server);
  assert.deepEqual(client.serverOptions.run.args, []);
  assert.equal(client.serverOptions.run.transport, clientStub.TransportKind.stdio);
  assert.equal(client.serverOptions.run.options?.cwd, dir);
  assert.deepEqual(client.clientOptions.documentSelector, [
    { scheme: 'file', language: 'lpc' },
    { scheme: 'untitled', language: 'lpc' },
  ]);
  assert.deepEqual(client.clientOptions.initializationOptions, {
    driverConfig: path.join(dir, 'etc', 'config.mud'),
    includeDirs: ['/include'],
    defines: { DEBUG: '1' },
  });
  assert.equal((client.clientOptions.synchronize as { configurationSection: string }).configurationSection, 'lpc');
  assert.deepEqual([...fake.commands.keys()].sort(), ['lpc.checkWorkspace', 'lpc.restartServer', 'lpc.showOutput']);
  assert.ok(ctx.subscriptions.length >= 7, 'disposables are handed to the context');
});

test('the commands: restart, show output, check the workspace', async () => {
  const dir = mudlib();
  fake.addFolder(dir);
  fake.settings['lpc.lpcc.path'] = '/opt/lpcc';
  fake.open(path.join(dir, 'lib', 'std', 'room.c'), 'c');
  await extension.activate(context() as never);
  const first = lastClient();

  await fake.commands.get('lpc.restartServer')!();
  assert.equal(first.stopped, true);
  assert.equal(LanguageClient.created.length, 2);
  assert.equal(lastClient().started, true);

  await fake.commands.get('lpc.showOutput')!();
  assert.ok(fake.output.includes('<shown>'));

  await fake.commands.get('lpc.checkWorkspace')!();
  assert.equal(fake.executedTasks.length, 1);
  const task = fake.executedTasks[0];
  assert.equal(task.execution.process, '/opt/lpcc');
  assert.deepEqual(task.execution.args, ['check', '--format', 'github', '--config', path.join(dir, 'etc', 'config.mud')]);
  assert.equal(task.execution.options?.cwd, dir);
  assert.deepEqual(task.problemMatchers, ['$lpcc']);

  // The matcher the task names is one the package contributes.
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8'));
  const names = pkg.contributes.problemMatchers.map((m: { name: string }) => `$${m.name}`);
  assert.ok(names.includes(task.problemMatchers[0]));
  const commands = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual(commands, [...fake.commands.keys()].sort());
});

test('a tasks.json entry of type lpcc is resolved with its own paths and config', async () => {
  const dir = mudlib();
  const folder = fake.addFolder(dir);
  await extension.activate(context() as never);
  const provider = fake.taskProviders.get('lpcc')!;
  const provided = (await provider.provideTasks()) as vscodeStub.Task[];
  assert.equal(provided.length, 1);
  const asked = new vscodeStub.Task(
    { type: 'lpcc', paths: ['lib/std'], config: 'etc/other.cfg' } as never,
    folder, 'check', 'lpcc', new vscodeStub.ProcessExecution('', []), [],
  );
  const resolved = (await provider.resolveTask(asked)) as vscodeStub.Task;
  assert.deepEqual(resolved.execution.args, ['check', '--format', 'github', '--config', path.join(dir, 'etc/other.cfg'), 'lib/std']);
});

test('a plain C folder is left alone and no server starts', async () => {
  const dir = fs.mkdtempSync(path.join(scratch, 'cproj-'));
  fs.writeFileSync(path.join(dir, 'main.c'), 'int main(void) { return 0; }\n');
  fs.writeFileSync(path.join(dir, 'config.h'), '#define X 1\n');
  fake.addFolder(dir);
  fake.open(path.join(dir, 'main.c'), 'c');
  await extension.activate(context() as never);
  assert.deepEqual(fake.languageChanges, []);
  assert.equal(LanguageClient.created.length, 0);
  // Opening an .lpc file starts the server after all.
  await fake.opened.fire(fake.open(path.join(dir, 'x.lpc'), 'lpc'));
  assert.equal(LanguageClient.created.length, 1);
  assert.equal(lastClient().clientOptions.initializationOptions && (lastClient().clientOptions.initializationOptions as { driverConfig: unknown }).driverConfig, null);
});

test('lpc.associateCFiles off keeps .c files as C; lpc-config.json marks a mudlib', async () => {
  const dir = fs.mkdtempSync(path.join(scratch, 'json-'));
  fs.writeFileSync(path.join(dir, 'lpc-config.json'), '{ "include": ["/include"] }');
  fs.writeFileSync(path.join(dir, 'room.c'), 'void create() { }\n');
  fake.addFolder(dir);
  fake.settings['lpc.associateCFiles'] = false;
  fake.open(path.join(dir, 'room.c'), 'c');
  await extension.activate(context() as never);
  assert.deepEqual(fake.languageChanges, []);
  // The folder is still a mudlib, so the server runs for it.
  assert.equal(LanguageClient.created.length, 1);
  await extension.deactivate();

  fake.reset();
  LanguageClient.created = [];
  fake.addFolder(dir);
  fake.open(path.join(dir, 'room.c'), 'c');
  await extension.activate(context() as never);
  assert.deepEqual(fake.languageChanges, [{ file: path.join(dir, 'room.c'), language: 'lpc' }]);
});

test('the bundled server wins over PATH, and a missing server is reported', async () => {
  const dir = mudlib();
  fake.addFolder(dir);
  const ext = fs.mkdtempSync(path.join(scratch, 'ext-'));
  fs.mkdirSync(path.join(ext, 'server'));
  const bundled = path.join(ext, 'server', 'lpc-lsp');
  fs.writeFileSync(bundled, '#!/bin/sh\n', { mode: 0o755 });
  fake.open(path.join(dir, 'lib', 'std', 'room.c'), 'lpc');
  await extension.activate(context(ext) as never);
  assert.equal(lastClient().serverOptions.run.command, bundled);
  await extension.deactivate();

  fake.reset();
  LanguageClient.created = [];
  fake.addFolder(dir);
  fake.settings['lpc.server.path'] = path.join(scratch, 'missing', 'lpc-lsp');
  fake.open(path.join(dir, 'lib', 'std', 'room.c'), 'lpc');
  await extension.activate(context() as never);
  assert.equal(LanguageClient.created.length, 0);
  assert.equal(fake.errors.length, 1);
  assert.match(fake.errors[0], /lpc\.server\.path/);
});

test('changing the include dirs restarts the server with the new options', async () => {
  const dir = mudlib();
  fake.addFolder(dir);
  fake.open(path.join(dir, 'lib', 'std', 'room.c'), 'lpc');
  await extension.activate(context() as never);
  const first = lastClient();
  fake.settings['lpc.includeDirs'] = ['/sys'];
  await fake.configurationChanged.fire({ affectsConfiguration: (s: string) => s === 'lpc.includeDirs' });
  assert.equal(first.stopped, true);
  assert.deepEqual((lastClient().clientOptions.initializationOptions as { includeDirs: string[] }).includeDirs, ['/sys']);
});

process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
