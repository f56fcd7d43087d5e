// The renderer's connection to the engine: one typed channel at a time, kept alive across
// engine crashes. It reports what the top bar shows (connecting, connected, training, crashed —
// restarting, reconnected), re-subscribes the open panels' streams after a restart, and never
// touches the document in the editor: a crash costs the run, not the graph.
import {
  ChannelClient,
  ChannelError,
  CLOSE_ENGINE_CRASHED,
  ENGINE,
  type ArgsIn,
  type Disposable,
  type EngineProtocol,
  type EventArgsIn,
  type EventData,
  type EventName,
  type HostApi,
  type MethodName,
  type ResultOf,
  type TrainingStatus,
  type Transport,
} from '../../../engine/protocol/index.js';
import { collectPorts, openEndpoint } from './transports';

export type EngineStatus = 'connecting' | 'connected' | 'training' | 'crashed' | 'reconnected' | 'failed' | 'incompatible';

export interface EngineSnapshot {
  readonly status: EngineStatus;
  /** The engine process's id (from the handshake), while connected. */
  readonly pid: number | null;
  /** The current or last training run, as the engine reports it. */
  readonly training: TrainingStatus | null;
  /** Engine crashes seen since the page loaded. */
  readonly crashes: number;
  /** Set when a training run was lost to a crash (cleared when the next run starts). */
  readonly lostRun: boolean;
  /** Why the engine cannot be used (version mismatch), for the status's tooltip. */
  readonly problem: string | null;
}

const TRAINING_STATES: ReadonlySet<TrainingStatus['state']> = new Set(['loading', 'running', 'paused']);
/** How long "reconnected" stays up after a restart before it turns back into "connected". */
const RECONNECTED_MS = 5000;
const RETRY_MS = 250;

interface Stream {
  readonly event: EventName<EngineProtocol>;
  readonly args: unknown;
  readonly listener: (data: unknown) => void;
  subscription: Disposable | null;
}

export class EngineConnection {
  private client: ChannelClient<EngineProtocol> | null = null;
  private transport: Transport | null = null;
  private snapshot: EngineSnapshot = { status: 'connecting', pid: null, training: null, crashes: 0, lostRun: false, problem: null };
  private readonly listeners = new Set<() => void>();
  private readonly streams = new Set<Stream>();
  private readonly ports = collectPorts();
  private crashedSinceConnect = false;
  private reconnectedTimer: ReturnType<typeof setTimeout> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private connecting = false;
  private stopped = false;
  private lifecycle: (() => void) | null = null;

  constructor(private readonly host: HostApi) {}

  /** Connects, and keeps reconnecting whenever the engine goes away. */
  start(): void {
    // The host tells us about crashes too; over a MessagePort (Electron) that is the only signal.
    this.lifecycle = this.host.engine.onLifecycle((event) => {
      if ((event.state === 'crashed' || event.state === 'failed') && this.transport !== null) this.dropTransport(CLOSE_ENGINE_CRASHED, 'the engine process ended');
      if (event.state === 'failed') this.update({ status: 'failed' });
      if (event.state === 'ready' && this.client === null) this.connectSoon(0);
    });
    this.connectSoon(0);
  }

  stop(): void {
    this.stopped = true;
    this.lifecycle?.();
    this.ports.stop();
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.client?.close();
  }

  getSnapshot = (): EngineSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Calls an engine method; fails with CLOSED while the engine is away. */
  call<M extends MethodName<EngineProtocol>>(method: M, args: ArgsIn<EngineProtocol, M>): Promise<ResultOf<EngineProtocol, M>> {
    if (this.client === null) return Promise.reject(new ChannelError('CLOSED', 'the engine is not connected'));
    if (method === 'train.start') this.update({ lostRun: false });
    return this.client.call(method, args);
  }

  /** Subscribes to a stream for as long as the caller wants it, across engine restarts. */
  listen<E extends EventName<EngineProtocol>>(event: E, args: EventArgsIn<EngineProtocol, E>, listener: (data: EventData<EngineProtocol, E>) => void): Disposable {
    const stream: Stream = { event, args, listener: listener as (data: unknown) => void, subscription: null };
    this.streams.add(stream);
    this.subscribeStream(stream);
    return {
      dispose: () => {
        this.streams.delete(stream);
        stream.subscription?.dispose();
      },
    };
  }

  private update(patch: Partial<EngineSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of [...this.listeners]) listener();
  }

  /** The status that follows from being connected, given the training state. */
  private connectedStatus(training: TrainingStatus | null): EngineStatus {
    if (training !== null && TRAINING_STATES.has(training.state)) return 'training';
    return this.reconnectedTimer !== null ? 'reconnected' : 'connected';
  }

  private connectSoon(delay: number): void {
    if (this.stopped || this.connecting || this.client !== null || this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  private async connect(): Promise<void> {
    this.connecting = true;
    let client: ChannelClient<EngineProtocol> | null = null;
    try {
      const transport = await openEndpoint(await this.host.engine.connect(), this.ports);
      client = new ChannelClient(transport, ENGINE, { client: 'renderer' });
      const hello = await client.connect();
      this.transport = transport;
      this.client = client;
      client.onClose((info) => this.closed(info.code));
      const pid = typeof hello.server['pid'] === 'number' ? hello.server['pid'] : null;
      if (this.crashedSinceConnect) {
        this.crashedSinceConnect = false;
        if (this.reconnectedTimer !== null) clearTimeout(this.reconnectedTimer);
        this.reconnectedTimer = setTimeout(() => {
          this.reconnectedTimer = null;
          this.update({ status: this.snapshot.status === 'reconnected' ? this.connectedStatus(this.snapshot.training) : this.snapshot.status });
        }, RECONNECTED_MS);
      }
      this.update({ pid, training: null, status: this.connectedStatus(null), problem: null });
      client.listen('state', {}, (training) => this.update({ training, status: this.connectedStatus(training) }));
      for (const stream of this.streams) this.subscribeStream(stream);
    } catch (error) {
      client?.close();
      if (error instanceof ChannelError && error.code === 'PROTOCOL_VERSION') {
        // Retrying cannot fix a version mismatch; say so instead of spinning.
        this.update({ status: 'incompatible', problem: error.message });
        return;
      }
      this.connectSoon(RETRY_MS);
    } finally {
      this.connecting = false;
    }
  }

  private subscribeStream(stream: Stream): void {
    const client = this.client;
    if (client === null) return;
    stream.subscription?.dispose();
    // The stream's args were typed at listen(); here they only pass through.
    stream.subscription = client.listen(stream.event, stream.args as never, stream.listener);
  }

  private dropTransport(code: number, reason: string): void {
    const transport = this.transport;
    if (transport === null) return;
    // A MessagePort has no close event: end the transport ourselves so pending calls fail now.
    if ('ended' in transport && typeof transport.ended === 'function') (transport.ended as (c: number, r: string) => void)(code, reason);
    else transport.close(code, reason);
  }

  private closed(code: number): void {
    this.client = null;
    this.transport = null;
    for (const stream of this.streams) stream.subscription = null;
    if (this.stopped) return;
    if (code === CLOSE_ENGINE_CRASHED) {
      const training = this.snapshot.training;
      this.crashedSinceConnect = true;
      this.update({
        status: 'crashed',
        pid: null,
        crashes: this.snapshot.crashes + 1,
        lostRun: training !== null && TRAINING_STATES.has(training.state),
        training: null,
      });
    } else {
      this.update({ status: 'connecting', pid: null });
    }
    this.connectSoon(RETRY_MS);
  }
}
