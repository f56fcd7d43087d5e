// The engine as an Electron utility process (VS Code's pattern, DESIGN.md §1): main spawns it,
// and for each window makes a MessageChannelMain, hands one end to the engine and the other to
// the window, then steps aside — renderer and engine talk directly. When the engine dies, main
// tells every window (they show "crashed — restarting") and starts a new one; the windows then
// ask for fresh ports. The document in the editor is never involved.
import { randomUUID } from 'node:crypto';
import { MessageChannelMain, utilityProcess, type UtilityProcess, type WebContents } from 'electron';
import type { EngineLifecycle } from '../engine/protocol/messages.js';
import { IPC } from './ipcChannels.js';

export interface EngineHostOptions {
  /** dist/engine/host/engineMain.js */
  readonly entry: string;
  readonly args: readonly string[];
  readonly restartDelayMs?: number;
  /** More crashes than this within a minute and the host stops restarting ('failed'). */
  readonly maxRestarts?: number;
  readonly log?: (message: string) => void;
}

export class EngineHost {
  private child: UtilityProcess | null = null;
  private state: EngineLifecycle = { state: 'starting', pid: null, exitCode: null, signal: null, restarts: 0 };
  private readonly windows = new Set<WebContents>();
  private readyWaiters: (() => void)[] = [];
  private crashTimes: number[] = [];
  private stopping = false;

  constructor(private readonly options: EngineHostOptions) {}

  get lifecycle(): EngineLifecycle {
    return this.state;
  }

  start(): void {
    this.stopping = false;
    this.spawn();
  }

  stop(): void {
    this.stopping = true;
    this.child?.kill();
    this.child = null;
  }

  /**
   * A new connection for `contents`: the engine gets one port, the window the other (as an
   * `IPC.enginePort` message carrying the nonce the renderer waits for). Resolves with the nonce.
   */
  async connect(contents: WebContents): Promise<string> {
    await this.whenReady(10_000);
    const child = this.child;
    if (child === null) throw new Error('the engine is not running');
    const { port1, port2 } = new MessageChannelMain();
    const nonce = randomUUID();
    child.postMessage({ type: 'connect' }, [port1]);
    contents.postMessage(IPC.enginePort, { nonce }, [port2]);
    this.attach(contents);
    return nonce;
  }

  /** Sends `contents` the engine's lifecycle from now on (crashes included). */
  attach(contents: WebContents): void {
    if (this.windows.has(contents)) return;
    this.windows.add(contents);
    contents.once('destroyed', () => this.windows.delete(contents));
  }

  private whenReady(timeoutMs: number): Promise<void> {
    if (this.state.state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the engine did not start in time')), timeoutMs);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private spawn(): void {
    this.setState({ ...this.state, state: 'starting', pid: null });
    const child = utilityProcess.fork(this.options.entry, [...this.options.args], {
      serviceName: 'Netwright engine',
      stdio: 'inherit',
    });
    this.child = child;
    child.on('message', (message: unknown) => {
      const data = message as { type?: unknown; pid?: unknown } | null;
      if (this.child !== child || data === null || typeof data !== 'object' || data.type !== 'ready') return;
      this.setState({ ...this.state, state: 'ready', pid: typeof data.pid === 'number' ? data.pid : (child.pid ?? null) });
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const resolve of waiters) resolve();
    });
    child.once('exit', (code) => {
      if (this.child !== child) return;
      this.child = null;
      if (this.stopping) return;
      this.options.log?.(`engine: process ${child.pid ?? '?'} exited (${code}); restarting it`);
      this.crashed(code);
    });
  }

  private crashed(exitCode: number): void {
    const now = Date.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < 60_000), now];
    if (this.crashTimes.length > (this.options.maxRestarts ?? 5)) {
      this.setState({ state: 'failed', pid: null, exitCode, signal: null, restarts: this.state.restarts });
      return;
    }
    this.setState({ state: 'crashed', pid: null, exitCode, signal: null, restarts: this.state.restarts + 1 });
    setTimeout(() => {
      if (!this.stopping) this.spawn();
    }, this.options.restartDelayMs ?? 100);
  }

  private setState(state: EngineLifecycle): void {
    this.state = state;
    for (const contents of this.windows) if (!contents.isDestroyed()) contents.send(IPC.engineLifecycle, state);
  }
}
