// A stand-in for `vscode-languageclient/node` that records what the
// extension asks of it instead of spawning a process.

export enum TransportKind { stdio = 0, ipc = 1, pipe = 2, socket = 3 }

export class LanguageClient {
  static created: LanguageClient[] = [];
  started = false;
  stopped = false;
  constructor(
    readonly id: string,
    readonly name: string,
    readonly serverOptions: { run: { command: string; args: string[]; transport: TransportKind; options?: { cwd?: string } } },
    readonly clientOptions: Record<string, unknown>,
  ) {
    LanguageClient.created.push(this);
  }
  async start(): Promise<void> {
    this.started = true;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}
