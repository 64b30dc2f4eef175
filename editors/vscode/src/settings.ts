// The extension's own logic that needs no editor: reading driver configs,
// turning settings into the server's launch command and initialization
// options, and building the `lpcc check` command line. Kept free of the
// `vscode` module so that plain node tests can exercise it.

import * as path from 'node:path';

/** The `lpc.*` settings that shape the server and the check task. */
export interface LpcSettings {
  /** `lpc.server.path`: empty means bundled, then PATH. */
  serverPath: string;
  /** `lpc.server.extraArgs`. */
  serverArgs: string[];
  /** `lpc.driverConfig`: empty means searched for in the workspace. */
  driverConfig: string;
  /** `lpc.includeDirs`: mudlib paths such as `/include`. */
  includeDirs: string[];
  /** `lpc.defines`: macro name to replacement text. */
  defines: Record<string, string>;
  /** `lpc.lpcc.path`. */
  lpccPath: string;
}

export const DEFAULT_SETTINGS: LpcSettings = {
  serverPath: '',
  serverArgs: [],
  driverConfig: '',
  includeDirs: [],
  defines: {},
  lpccPath: 'lpcc',
};

/** Settings as read from the editor, with anything of the wrong type dropped. */
export function sanitizeSettings(raw: Partial<Record<keyof LpcSettings, unknown>>): LpcSettings {
  const text = (value: unknown, fallback: string) =>
    typeof value === 'string' ? value.trim() : fallback;
  const list = (value: unknown) =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
  const defines: Record<string, string> = {};
  if (raw.defines && typeof raw.defines === 'object' && !Array.isArray(raw.defines)) {
    for (const [name, value] of Object.entries(raw.defines as Record<string, unknown>)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      defines[name] = typeof value === 'string' ? value : value == null ? '' : String(value);
    }
  }
  return {
    serverPath: text(raw.serverPath, ''),
    serverArgs: list(raw.serverArgs),
    driverConfig: text(raw.driverConfig, ''),
    includeDirs: list(raw.includeDirs).map((d) => d.trim()),
    defines,
    lpccPath: text(raw.lpccPath, '') || 'lpcc',
  };
}

// ----- driver config discovery -----

/** Where mudlibs keep their driver config, relative to a workspace folder. */
export const DRIVER_CONFIG_GLOB = '**/{config,config.*,*.cfg,*.conf,*.config}';
/** Folders never searched: build output, dependencies, version control. */
export const DRIVER_CONFIG_EXCLUDE = '**/{node_modules,.git,target,out,dist,.vscode}/**';
/** Candidate files larger than this are not driver configs. */
export const DRIVER_CONFIG_MAX_BYTES = 256 * 1024;
/** The project file that other LPC editor tooling keeps at the workspace root. */
export const LPC_CONFIG_JSON = 'lpc-config.json';

/**
 * Whether `text` reads as a FluffOS driver config: `key : value` lines, one
 * of them the required `mudlib directory`, and at least one other key only
 * a driver config has.
 */
export function looksLikeDriverConfig(text: string): boolean {
  const keys = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([a-z][a-z ]*?)\s*:/i.exec(line);
    if (match && !line.trimStart().startsWith('#')) keys.add(match[1].toLowerCase());
  }
  if (!keys.has('mudlib directory')) return false;
  const others = ['master file', 'simulated efun file', 'include directories', 'global include file', 'port number', 'log directory'];
  return others.some((key) => keys.has(key));
}

/**
 * Candidate driver config paths (relative to the workspace folder, `/`
 * separated) best first: shallow files before deep ones, `etc/` and
 * `config.*` names before other names, then alphabetical.
 */
export function rankDriverConfigs(relativePaths: readonly string[]): string[] {
  const score = (p: string) => {
    const parts = p.split('/');
    const name = parts[parts.length - 1];
    let s = parts.length * 10;
    if (parts.includes('etc')) s -= 5;
    if (/^config(\.|$)/.test(name)) s -= 3;
    return s;
  };
  return [...relativePaths].sort((a, b) => score(a) - score(b) || a.localeCompare(b));
}

/** The driver config setting as an absolute path, or undefined when unset. */
export function resolveConfiguredPath(setting: string, folderPath: string | undefined): string | undefined {
  if (setting === '') return undefined;
  const expanded = expandHome(setting);
  if (path.isAbsolute(expanded) || folderPath === undefined) return expanded;
  return path.join(folderPath, expanded);
}

function expandHome(p: string): string {
  const home = process.env.HOME ?? process.env.USERPROFILE;
  if (home && (p === '~' || p.startsWith('~/') || p.startsWith('~\\'))) return path.join(home, p.slice(1));
  return p;
}

// ----- the server -----

/** What the launcher needs to know about the machine; injected for tests. */
export interface Machine {
  platform: NodeJS.Platform;
  /** The PATH environment variable. */
  pathEnv: string;
  /** PATHEXT on Windows. */
  pathExt?: string;
  /** Whether an executable file exists at this absolute path. */
  isExecutable(file: string): boolean;
}

export type ServerCommand =
  | { ok: true; command: string; args: string[]; source: 'setting' | 'bundled' | 'path' }
  | { ok: false; message: string };

export const SERVER_NAME = 'lpc-lsp';

/**
 * The `lpc-lsp` to start: the one the setting names, else the one bundled
 * in the extension's `server/` folder, else the first on PATH.
 */
export function resolveServerCommand(settings: LpcSettings, extensionPath: string, machine: Machine): ServerCommand {
  const args = settings.serverArgs;
  if (settings.serverPath !== '') {
    const configured = expandHome(settings.serverPath);
    const found = path.isAbsolute(configured) || /[\\/]/.test(configured)
      ? (machine.isExecutable(configured) ? configured : undefined)
      : findOnPath(configured, machine);
    if (found === undefined) {
      return { ok: false, message: `lpc.server.path is set to \`${settings.serverPath}\`, but no executable is there.` };
    }
    return { ok: true, command: found, args, source: 'setting' };
  }
  const exe = machine.platform === 'win32' ? `${SERVER_NAME}.exe` : SERVER_NAME;
  const bundled = path.join(extensionPath, 'server', exe);
  if (machine.isExecutable(bundled)) return { ok: true, command: bundled, args, source: 'bundled' };
  const onPath = findOnPath(SERVER_NAME, machine);
  if (onPath !== undefined) return { ok: true, command: onPath, args, source: 'path' };
  return {
    ok: false,
    message: `Cannot find ${SERVER_NAME}: it is not bundled and not on PATH. Install it (cargo install --path lpc-lsp) or set lpc.server.path.`,
  };
}

/** The first executable called `name` in the PATH directories. */
export function findOnPath(name: string, machine: Machine): string | undefined {
  const windows = machine.platform === 'win32';
  const separator = windows ? ';' : ':';
  const extensions = windows
    ? ['', ...(machine.pathExt ?? '.EXE;.CMD;.BAT').split(';').filter((e) => e !== '')]
    : [''];
  const join = windows ? path.win32.join : path.posix.join;
  for (const dir of machine.pathEnv.split(separator)) {
    if (dir === '') continue;
    for (const ext of extensions) {
      const candidate = join(dir, name + ext);
      if (machine.isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** What the server gets in `initialize`: the settings it cannot discover itself. */
export interface InitializationOptions {
  /** Absolute path of the driver config, or null to let the server search. */
  driverConfig: string | null;
  includeDirs: string[];
  defines: Record<string, string>;
}

export function initializationOptions(settings: LpcSettings, driverConfig: string | undefined): InitializationOptions {
  return {
    driverConfig: driverConfig ?? null,
    includeDirs: [...settings.includeDirs],
    defines: { ...settings.defines },
  };
}

// ----- lpcc check -----

/** The `lpcc check` arguments for the check task; paths are passed through. */
export function lpccCheckArgs(settings: LpcSettings, driverConfig: string | undefined, paths: readonly string[] = []): string[] {
  const args = ['check', '--format', 'github'];
  if (driverConfig !== undefined) args.push('--config', driverConfig);
  for (const dir of settings.includeDirs) args.push('-I', dir);
  for (const [name, value] of Object.entries(settings.defines)) {
    args.push('-D', value === '' ? name : `${name}=${value}`);
  }
  args.push(...paths);
  return args;
}

// ----- which files are LPC -----

/** Whether a document the editor opened as C or C++ should be LPC instead. */
export function shouldOpenAsLpc(fileName: string, languageId: string, associate: boolean, inLpcFolder: boolean): boolean {
  if (!associate || !inLpcFolder) return false;
  if (languageId !== 'c' && languageId !== 'cpp') return false;
  const ext = path.extname(fileName).toLowerCase();
  return ext === '.c' || ext === '.h';
}
