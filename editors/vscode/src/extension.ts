// The VS Code side of the LPC toolchain: starts `lpc-lsp` for LPC documents,
// opens `.c` files of mudlib workspaces as LPC, and runs `lpcc check` as a
// task whose problem matcher fills the Problems panel.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import {
  DRIVER_CONFIG_EXCLUDE,
  DRIVER_CONFIG_GLOB,
  DRIVER_CONFIG_MAX_BYTES,
  LPC_CONFIG_JSON,
  LpcSettings,
  Machine,
  initializationOptions,
  looksLikeDriverConfig,
  lpccCheckArgs,
  rankDriverConfigs,
  resolveConfiguredPath,
  resolveServerCommand,
  sanitizeSettings,
  shouldOpenAsLpc,
} from './settings';

export const LANGUAGE_ID = 'lpc';
export const TASK_TYPE = 'lpcc';
export const PROBLEM_MATCHER = '$lpcc';

/** What the extension found out about one workspace folder. */
interface FolderInfo {
  /** Absolute path of its driver config, when it has one. */
  driverConfig?: string;
  /** Whether it is a mudlib: a driver config or an lpc-config.json. */
  isLpc: boolean;
}

/** The extension's state while it is active. */
interface State {
  context: vscode.ExtensionContext;
  output: vscode.OutputChannel;
  client?: LanguageClient;
  /** Set while a start is under way, so that starts do not overlap. */
  starting?: Promise<void>;
  /** Set when the server could not be found: no more tries (and error popups) until a restart or a settings change. */
  failed?: boolean;
  folders: Map<string, Promise<FolderInfo>>;
}

let state: State | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('LPC Language Server');
  const current: State = { context, output, folders: new Map() };
  state = current;
  context.subscriptions.push(output);

  context.subscriptions.push(
    vscode.commands.registerCommand('lpc.restartServer', () => restartServer(current)),
    vscode.commands.registerCommand('lpc.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('lpc.checkWorkspace', () => checkWorkspace(current)),
    vscode.tasks.registerTaskProvider(TASK_TYPE, {
      provideTasks: () => provideCheckTasks(current),
      resolveTask: (task) => resolveCheckTask(current, task),
    }),
    // The handlers return their promises so that tests can wait for them; VS Code ignores them.
    vscode.workspace.onDidOpenTextDocument((doc) => onDocument(current, doc)),
    vscode.workspace.onDidChangeWorkspaceFolders(() => current.folders.clear()),
    vscode.workspace.onDidChangeConfiguration((event) => onConfigurationChange(current, event)),
  );

  await Promise.all(vscode.workspace.textDocuments.map((doc) => onDocument(current, doc)));
  if (!current.client && (await anyLpcFolder(current))) await ensureStarted(current);
}

export async function deactivate(): Promise<void> {
  const client = state?.client;
  state = undefined;
  if (client) await client.stop();
}

// ----- settings and folders -----

function readSettings(scope?: vscode.Uri): LpcSettings {
  const config = vscode.workspace.getConfiguration('lpc', scope);
  return sanitizeSettings({
    serverPath: config.get('server.path'),
    serverArgs: config.get('server.extraArgs'),
    driverConfig: config.get('driverConfig'),
    includeDirs: config.get('includeDirs'),
    defines: config.get('defines'),
    lpccPath: config.get('lpcc.path'),
  });
}

const machine: Machine = {
  platform: process.platform,
  pathEnv: process.env.PATH ?? '',
  pathExt: process.env.PATHEXT,
  isExecutable(file: string): boolean {
    try {
      if (!fs.statSync(file).isFile()) return false;
      if (process.platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
};

function folderInfo(current: State, folder: vscode.WorkspaceFolder): Promise<FolderInfo> {
  const key = folder.uri.toString();
  let info = current.folders.get(key);
  if (!info) {
    info = discoverFolder(folder);
    current.folders.set(key, info);
  }
  return info;
}

async function discoverFolder(folder: vscode.WorkspaceFolder): Promise<FolderInfo> {
  const folderPath = folder.uri.scheme === 'file' ? folder.uri.fsPath : undefined;
  const configured = resolveConfiguredPath(readSettings(folder.uri).driverConfig, folderPath);
  if (configured !== undefined) return { driverConfig: configured, isLpc: true };

  const hasProjectFile = await exists(vscode.Uri.joinPath(folder.uri, LPC_CONFIG_JSON));
  const candidates = await vscode.workspace.findFiles(
    new vscode.RelativePattern(folder, DRIVER_CONFIG_GLOB),
    DRIVER_CONFIG_EXCLUDE,
    200,
  );
  const byRelative = new Map<string, vscode.Uri>();
  for (const uri of candidates) byRelative.set(path.posix.relative(folder.uri.path, uri.path), uri);
  for (const relative of rankDriverConfigs([...byRelative.keys()])) {
    const uri = byRelative.get(relative);
    if (uri && (await isDriverConfig(uri))) return { driverConfig: uri.fsPath, isLpc: true };
  }
  return { isLpc: hasProjectFile };
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function isDriverConfig(uri: vscode.Uri): Promise<boolean> {
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > DRIVER_CONFIG_MAX_BYTES) return false;
    const bytes = await vscode.workspace.fs.readFile(uri);
    return looksLikeDriverConfig(Buffer.from(bytes).toString('utf8'));
  } catch {
    return false;
  }
}

async function anyLpcFolder(current: State): Promise<boolean> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const infos = await Promise.all(folders.map((f) => folderInfo(current, f)));
  return infos.some((i) => i.isLpc);
}

/** The folder whose driver config the server and the check task use. */
async function primaryFolder(current: State): Promise<{ folder?: vscode.WorkspaceFolder; info: FolderInfo }> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  for (const folder of folders) {
    const info = await folderInfo(current, folder);
    if (info.driverConfig !== undefined) return { folder, info };
  }
  return { folder: folders[0], info: { isLpc: false } };
}

// ----- documents -----

async function onDocument(current: State, doc: vscode.TextDocument): Promise<void> {
  if (doc.languageId === LANGUAGE_ID) {
    await ensureStarted(current);
    return;
  }
  if (doc.uri.scheme !== 'file' || (doc.languageId !== 'c' && doc.languageId !== 'cpp')) return;
  const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
  if (!folder) return;
  const associate = vscode.workspace.getConfiguration('lpc', doc.uri).get<boolean>('associateCFiles', true);
  if (!associate) return;
  const info = await folderInfo(current, folder);
  if (shouldOpenAsLpc(doc.fileName, doc.languageId, associate, info.isLpc)) {
    // Reopens the document as LPC; the open event that follows starts the server.
    await vscode.languages.setTextDocumentLanguage(doc, LANGUAGE_ID);
  }
}

async function onConfigurationChange(current: State, event: vscode.ConfigurationChangeEvent): Promise<void> {
  if (event.affectsConfiguration('lpc.driverConfig') || event.affectsConfiguration('lpc.associateCFiles')) {
    current.folders.clear();
    await Promise.all(vscode.workspace.textDocuments.map((doc) => onDocument(current, doc)));
  }
  const relaunch = ['lpc.server', 'lpc.driverConfig', 'lpc.includeDirs', 'lpc.defines'];
  if ((current.client || current.failed) && relaunch.some((section) => event.affectsConfiguration(section))) {
    await restartServer(current);
  }
}

// ----- the language server -----

/** The launch command and client options for the current settings. */
export async function buildClientConfig(
  current: Pick<State, 'context' | 'output' | 'folders'>,
): Promise<{ serverOptions: ServerOptions; clientOptions: LanguageClientOptions } | { error: string }> {
  const { folder, info } = await primaryFolder(current as State);
  const settings = readSettings(folder?.uri);
  const server = resolveServerCommand(settings, current.context.extensionPath, machine);
  if (!server.ok) return { error: server.message };
  const executable = {
    command: server.command,
    args: server.args,
    transport: TransportKind.stdio,
    options: folder?.uri.scheme === 'file' ? { cwd: folder.uri.fsPath } : undefined,
  };
  const serverOptions: ServerOptions = { run: executable, debug: executable };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: LANGUAGE_ID },
      { scheme: 'untitled', language: LANGUAGE_ID },
    ],
    synchronize: {
      configurationSection: 'lpc',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{c,h,lpc}'),
    },
    initializationOptions: initializationOptions(settings, info.driverConfig),
    outputChannel: current.output,
  };
  return { serverOptions, clientOptions };
}

async function ensureStarted(current: State): Promise<void> {
  if (current.client || current.failed) return;
  if (!current.starting) {
    current.starting = startClient(current).finally(() => {
      current.starting = undefined;
    });
  }
  await current.starting;
}

async function startClient(current: State): Promise<void> {
  const config = await buildClientConfig(current);
  if ('error' in config) {
    current.failed = true;
    current.output.appendLine(config.error);
    const choice = await vscode.window.showErrorMessage(config.error, 'Open Settings');
    if (choice === 'Open Settings') {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'lpc.server.path');
    }
    return;
  }
  const command = 'run' in config.serverOptions ? (config.serverOptions.run as { command: string }).command : '';
  current.output.appendLine(`Starting ${command}`);
  const client = new LanguageClient('lpc', 'LPC Language Server', config.serverOptions, config.clientOptions);
  current.client = client;
  try {
    await client.start();
  } catch (err) {
    current.output.appendLine(`lpc-lsp failed to start: ${String(err)}`);
    void vscode.window.showErrorMessage(`lpc-lsp failed to start: ${String(err)}`);
  }
}

async function restartServer(current: State): Promise<void> {
  await current.starting;
  const client = current.client;
  current.client = undefined;
  current.failed = false;
  current.folders.clear();
  if (client) {
    try {
      await client.stop();
    } catch (err) {
      current.output.appendLine(`Stopping lpc-lsp: ${String(err)}`);
    }
  }
  await ensureStarted(current);
}

// ----- lpcc check -----

interface CheckTaskDefinition extends vscode.TaskDefinition {
  type: typeof TASK_TYPE;
  paths?: string[];
  config?: string;
}

async function checkTask(
  current: State,
  folder: vscode.WorkspaceFolder,
  definition: CheckTaskDefinition,
): Promise<vscode.Task> {
  const settings = readSettings(folder.uri);
  const folderPath = folder.uri.fsPath;
  const driverConfig = definition.config
    ? resolveConfiguredPath(definition.config, folderPath)
    : (await folderInfo(current, folder)).driverConfig;
  const execution = new vscode.ProcessExecution(
    settings.lpccPath,
    lpccCheckArgs(settings, driverConfig, definition.paths ?? []),
    { cwd: folderPath },
  );
  const task = new vscode.Task(definition, folder, 'check', 'lpcc', execution, [PROBLEM_MATCHER]);
  task.group = vscode.TaskGroup.Build;
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Silent, clear: true };
  return task;
}

async function provideCheckTasks(current: State): Promise<vscode.Task[]> {
  const tasks: vscode.Task[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    if (!(await folderInfo(current, folder)).isLpc) continue;
    tasks.push(await checkTask(current, folder, { type: TASK_TYPE }));
  }
  return tasks;
}

async function resolveCheckTask(current: State, task: vscode.Task): Promise<vscode.Task | undefined> {
  const scope = task.scope;
  if (scope === undefined || typeof scope === 'number') return undefined;
  return checkTask(current, scope, task.definition as CheckTaskDefinition);
}

async function checkWorkspace(current: State): Promise<void> {
  const tasks = await provideCheckTasks(current);
  let task = tasks[0];
  if (tasks.length === 0) {
    const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
    if (!folder) {
      void vscode.window.showErrorMessage('lpcc check needs a workspace folder on disk.');
      return;
    }
    task = await checkTask(current, folder, { type: TASK_TYPE });
  } else if (tasks.length > 1) {
    const pick = await vscode.window.showQuickPick(
      tasks.map((t) => ({ label: (t.scope as vscode.WorkspaceFolder).name, task: t })),
      { placeHolder: 'Check which workspace folder?' },
    );
    if (!pick) return;
    task = pick.task;
  }
  await vscode.tasks.executeTask(task);
}
