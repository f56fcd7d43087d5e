// Runs the engine in a child process for a Node host (the web host, tests, the streaming
// benchmark) and keeps it running: a crash — a kernel bug, an out-of-memory kill, `kill -9` —
// closes the connections with CLOSE_ENGINE_CRASHED so the editor can say so at once, and a new
// engine is started within a fraction of a second. The host itself never goes down with it.
// (Electron does the same with a utilityProcess in app/engineProcess.ts.)

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { CLOSE_ENGINE_CRASHED, CLOSE_ENGINE_UNAVAILABLE, FramedTransport, type Disposable, type EngineLifecycle, type Transport } from '../protocol/index.js';
import { fromEngineSchema, type ToEngine } from './engineIpc.js';

export interface EngineProcessOptions {
  /** The engine's entry; engineMain next to this module by default (.ts sources run through tsx). */
  readonly entry?: string;
  readonly execArgv?: readonly string[];
  /** Arguments for engineMain (--documents, --assets, --threads). */
  readonly args?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Wait before restarting after a crash. */
  readonly restartDelayMs?: number;
  /** More crashes than this within `restartWindowMs` and the host gives up ('failed'). */
  readonly maxRestarts?: number;
  readonly restartWindowMs?: number;
  /** How long a start may take before it counts as a crash. */
  readonly startTimeoutMs?: number;
  readonly log?: (message: string) => void;
}

/** Where the host delivers what the engine sends on one connection. */
export interface ConnectionSink {
  frame(bytes: Uint8Array): void;
  /** The connection ended from the engine's side (it crashed or is being stopped). */
  closed(code: number, reason: string): void;
}

export interface EngineConnection {
  send(frame: Uint8Array): void;
  close(): void;
}

function defaultEntry(): { entry: string; execArgv: string[] } {
  const self = fileURLToPath(import.meta.url);
  // From the TypeScript sources (Vitest, tsx) the child needs tsx to load engineMain.ts too.
  return self.endsWith('.ts')
    ? { entry: fileURLToPath(new URL('./engineMain.ts', import.meta.url)), execArgv: ['--import', 'tsx'] }
    : { entry: fileURLToPath(new URL('./engineMain.js', import.meta.url)), execArgv: [] };
}

export class EngineProcess {
  private child: ChildProcess | null = null;
  private state: EngineLifecycle = { state: 'starting', pid: null, exitCode: null, signal: null, restarts: 0 };
  private readonly listeners = new Set<(event: EngineLifecycle) => void>();
  private readonly connections = new Map<number, ConnectionSink>();
  private nextConn = 1;
  private crashTimes: number[] = [];
  private stopping = false;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private startTimer: ReturnType<typeof setTimeout> | null = null;
  private readyWaiters: (() => void)[] = [];
  private readonly log: (message: string) => void;

  constructor(private readonly options: EngineProcessOptions = {}) {
    this.log = options.log ?? (() => undefined);
  }

  get lifecycle(): EngineLifecycle {
    return this.state;
  }

  get pid(): number | null {
    return this.state.state === 'ready' ? this.state.pid : null;
  }

  /** Starts the engine; resolves once it is ready to take connections. */
  start(): Promise<void> {
    this.stopping = false;
    this.spawn();
    return this.whenReady();
  }

  whenReady(): Promise<void> {
    if (this.state.state === 'ready') return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  onLifecycle(listener: (event: EngineLifecycle) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Opens a connection to the running engine; null while it is not ready (the caller refuses). */
  connect(sink: ConnectionSink): EngineConnection | null {
    const child = this.child;
    if (child === null || this.state.state !== 'ready') return null;
    const conn = this.nextConn++;
    this.connections.set(conn, sink);
    this.post(child, { type: 'open', conn });
    return {
      send: (frame) => {
        if (this.connections.has(conn) && this.child === child) this.post(child, { type: 'frame', conn, frame });
      },
      close: () => {
        if (this.connections.delete(conn) && this.child === child) this.post(child, { type: 'close', conn });
      },
    };
  }

  /** Stops the engine for good (the host is shutting down). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    if (this.startTimer !== null) clearTimeout(this.startTimer);
    this.restartTimer = null;
    const child = this.child;
    this.closeConnections(1001, 'the host is shutting down');
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.disconnect?.();
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }

  private spawn(): void {
    const fallback = defaultEntry();
    const entry = this.options.entry ?? fallback.entry;
    const execArgv = [...(this.options.execArgv ?? (this.options.entry === undefined ? fallback.execArgv : []))];
    this.setState({ ...this.state, state: 'starting', pid: null });
    let child: ChildProcess;
    try {
      child = fork(entry, [...(this.options.args ?? [])], {
        execArgv,
        env: this.options.env ?? process.env,
        // "advanced": frames travel as bytes (Uint8Array), not as JSON arrays of numbers.
        serialization: 'advanced',
        // The engine's stdout goes to our stderr: a host's stdout may be for its user (the URL line).
        stdio: ['ignore', 2, 2, 'ipc'],
      });
    } catch (error) {
      this.log(`engine: could not start: ${error instanceof Error ? error.message : String(error)}`);
      this.crashed(null, null);
      return;
    }
    this.child = child;
    this.startTimer = setTimeout(() => {
      this.log('engine: did not become ready in time; restarting it');
      child.kill('SIGKILL');
    }, this.options.startTimeoutMs ?? 30_000);
    child.on('message', (raw: unknown) => {
      if (this.child !== child) return;
      const parsed = v.safeParse(fromEngineSchema, raw);
      if (!parsed.success) {
        this.log('engine: dropped a malformed IPC message');
        return;
      }
      const message = parsed.output;
      if (message.type === 'ready') {
        if (this.startTimer !== null) clearTimeout(this.startTimer);
        this.startTimer = null;
        this.setState({ ...this.state, state: 'ready', pid: message.pid });
        const waiters = this.readyWaiters;
        this.readyWaiters = [];
        for (const resolve of waiters) resolve();
        return;
      }
      this.connections.get(message.conn)?.frame(message.frame);
    });
    // 'error' covers a failed spawn and a failed send; 'exit' follows a running child's death.
    child.on('error', (error) => this.log(`engine: ${error.message}`));
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = null;
      if (this.startTimer !== null) clearTimeout(this.startTimer);
      this.startTimer = null;
      if (this.stopping) return;
      this.log(`engine: process ${child.pid ?? '?'} ended (${signal ?? `exit code ${code}`}); restarting it`);
      this.crashed(code, signal);
    });
  }

  private crashed(exitCode: number | null, signal: NodeJS.Signals | null): void {
    // Tell the editors first: every open connection ends now, with the reason.
    this.closeConnections(CLOSE_ENGINE_CRASHED, `the engine process ended (${signal ?? `exit code ${exitCode}`}); a new one is starting`);
    const now = Date.now();
    const window = this.options.restartWindowMs ?? 60_000;
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < window), now];
    const restarts = this.state.restarts + 1;
    if (this.crashTimes.length > (this.options.maxRestarts ?? 5)) {
      this.setState({ state: 'failed', pid: null, exitCode, signal, restarts: this.state.restarts });
      this.log('engine: it keeps crashing; not restarting it again');
      return;
    }
    this.setState({ state: 'crashed', pid: null, exitCode, signal, restarts });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.spawn();
    }, this.options.restartDelayMs ?? 100);
  }

  private closeConnections(code: number, reason: string): void {
    const sinks = [...this.connections.values()];
    this.connections.clear();
    for (const sink of sinks) sink.closed(code, reason);
  }

  private post(child: ChildProcess, message: ToEngine): void {
    if (!child.connected) return;
    try {
      child.send(message);
    } catch (error) {
      this.log(`engine: IPC send failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private setState(state: EngineLifecycle): void {
    this.state = state;
    for (const listener of [...this.listeners]) listener(state);
  }
}

/**
 * A transport to the engine from inside the host's own process (tests, benchmarks, the CLI
 * later): frames go through the same IPC relay the web host's WebSockets use.
 */
export function connectInProcess(engine: EngineProcess): Transport {
  let connection: EngineConnection | null = null;
  const transport = new FramedTransport({
    sendBytes: (bytes) => connection?.send(bytes),
    close: () => connection?.close(),
  });
  connection = engine.connect({ frame: (bytes) => transport.receive(bytes), closed: (code, reason) => transport.ended(code, reason) });
  if (connection === null) queueMicrotask(() => transport.ended(CLOSE_ENGINE_UNAVAILABLE, 'the engine is not running'));
  return transport;
}
