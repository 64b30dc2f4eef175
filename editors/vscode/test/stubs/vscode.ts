// A stand-in for the `vscode` module, with just the API the extension uses,
// backed by a real folder on disk. Tests drive it through `fake`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { minimatch } from 'minimatch';

type Listener<T> = (value: T) => unknown;

class Emitter<T> {
  listeners: Listener<T>[] = [];
  event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  };
  async fire(value: T): Promise<void> {
    for (const l of this.listeners) await l(value);
  }
}

export class Uri {
  private constructor(readonly scheme: string, readonly path: string) {}
  static file(p: string): Uri {
    return new Uri('file', path.resolve(p));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, path.posix.join(base.path, ...parts));
  }
  get fsPath(): string {
    return this.path;
  }
  toString(): string {
    return `${this.scheme}://${this.path}`;
  }
}

export interface WorkspaceFolder {
  uri: Uri;
  name: string;
  index: number;
}

export class RelativePattern {
  constructor(readonly base: WorkspaceFolder, readonly pattern: string) {}
}

export class TextDocument {
  constructor(readonly uri: Uri, public languageId: string) {}
  get fileName(): string {
    return this.uri.fsPath;
  }
}

export class ProcessExecution {
  constructor(readonly process: string, readonly args: string[], readonly options?: { cwd?: string }) {}
}

export class Task {
  group?: unknown;
  presentationOptions?: unknown;
  constructor(
    readonly definition: { type: string },
    readonly scope: WorkspaceFolder,
    readonly name: string,
    readonly source: string,
    readonly execution: ProcessExecution,
    readonly problemMatchers: string[],
  ) {}
}

export const TaskGroup = { Build: { id: 'build' }, Test: { id: 'test' } };
export enum TaskRevealKind { Always = 1, Silent = 2, Never = 3 }

/** What the tests set up and observe. */
export const fake = {
  settings: {} as Record<string, unknown>,
  folders: [] as WorkspaceFolder[],
  documents: [] as TextDocument[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  taskProviders: new Map<string, { provideTasks(): unknown; resolveTask(task: Task): unknown }>(),
  executedTasks: [] as Task[],
  errors: [] as string[],
  languageChanges: [] as { file: string; language: string }[],
  output: [] as string[],
  opened: new Emitter<TextDocument>(),
  configurationChanged: new Emitter<{ affectsConfiguration(section: string): boolean }>(),
  reset(): void {
    this.settings = {};
    this.folders = [];
    this.documents = [];
    this.commands.clear();
    this.taskProviders.clear();
    this.executedTasks = [];
    this.errors = [];
    this.languageChanges = [];
    this.output = [];
    this.opened = new Emitter();
    this.configurationChanged = new Emitter();
  },
  addFolder(dir: string): WorkspaceFolder {
    const folder = { uri: Uri.file(dir), name: path.basename(dir), index: this.folders.length };
    this.folders.push(folder);
    return folder;
  },
  open(file: string, languageId: string): TextDocument {
    const doc = new TextDocument(Uri.file(file), languageId);
    this.documents.push(doc);
    return doc;
  },
};

function walk(dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else out.push(full);
  }
}

export const workspace = {
  get workspaceFolders() {
    return fake.folders.length ? fake.folders : undefined;
  },
  get textDocuments() {
    return fake.documents;
  },
  onDidOpenTextDocument: (l: Listener<TextDocument>) => fake.opened.event(l),
  onDidChangeConfiguration: (l: Listener<{ affectsConfiguration(section: string): boolean }>) =>
    fake.configurationChanged.event(l),
  onDidChangeWorkspaceFolders: () => ({ dispose() {} }),
  getConfiguration(section: string) {
    return {
      get<T>(key: string, fallback?: T): T | undefined {
        const full = `${section}.${key}`;
        return full in fake.settings ? (fake.settings[full] as T) : fallback;
      },
    };
  },
  getWorkspaceFolder(uri: Uri) {
    return fake.folders.find((f) => uri.fsPath === f.uri.fsPath || uri.fsPath.startsWith(f.uri.fsPath + path.sep));
  },
  async findFiles(pattern: RelativePattern, exclude: string, max: number): Promise<Uri[]> {
    const base = pattern.base.uri.fsPath;
    const files: string[] = [];
    walk(base, files);
    return files
      .map((f) => path.relative(base, f).split(path.sep).join('/'))
      .filter((rel) => minimatch(rel, pattern.pattern, { dot: true }) && !minimatch(rel, exclude, { dot: true }))
      .slice(0, max)
      .map((rel) => Uri.file(path.join(base, rel)));
  },
  fs: {
    async stat(uri: Uri) {
      const s = fs.statSync(uri.fsPath);
      return { size: s.size };
    },
    async readFile(uri: Uri) {
      return new Uint8Array(fs.readFileSync(uri.fsPath));
    },
  },
  createFileSystemWatcher(glob: string) {
    return { glob, dispose() {} };
  },
};

export const window = {
  createOutputChannel(name: string) {
    return {
      name,
      appendLine: (line: string) => fake.output.push(line),
      show: () => fake.output.push('<shown>'),
      dispose() {},
    };
  },
  async showErrorMessage(message: string) {
    fake.errors.push(message);
    return undefined;
  },
  async showQuickPick<T>(items: T[]) {
    return items[0];
  },
};

export const commands = {
  registerCommand(id: string, run: (...args: unknown[]) => unknown) {
    fake.commands.set(id, run);
    return { dispose: () => fake.commands.delete(id) };
  },
  async executeCommand(id: string, ...args: unknown[]) {
    return fake.commands.get(id)?.(...args);
  },
};

export const tasks = {
  registerTaskProvider(type: string, provider: { provideTasks(): unknown; resolveTask(task: Task): unknown }) {
    fake.taskProviders.set(type, provider);
    return { dispose: () => fake.taskProviders.delete(type) };
  },
  async executeTask(task: Task) {
    fake.executedTasks.push(task);
  },
};

export const languages = {
  async setTextDocumentLanguage(doc: TextDocument, language: string) {
    fake.languageChanges.push({ file: doc.fileName, language });
    fake.documents = fake.documents.filter((d) => d !== doc);
    const reopened = new TextDocument(doc.uri, language);
    fake.documents.push(reopened);
    await fake.opened.fire(reopened);
    return reopened;
  },
};
