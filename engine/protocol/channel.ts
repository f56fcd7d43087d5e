// The typed channel between the renderer and the engine (DESIGN.md §5), in the manner of VS
// Code's IChannel: `call(method, args)` returns a promise, `listen(event, args, fn)` returns a
// subscription. It runs over any transport that moves messages — a MessagePort (Electron), a
// WebSocket carrying binary frames (web host), a child process's IPC (tests) — and validates
// every inbound message against the protocol's schemas: a malformed or unknown message gets an
// error reply, never a crash. Pure: no Node, DOM or Electron (the adapters are structural).

import * as v from 'valibot';
import { decodeFrame, encodeFrame, FrameError } from './frames.js';
import {
  clientEnvelopeSchema,
  HELLO_METHOD,
  helloArgsSchema,
  helloResultSchema,
  MAX_STREAM_RATE,
  serverEnvelopeSchema,
  type ArgsIn,
  type ArgsOut,
  type ClientEnvelope,
  type ErrorCode,
  type EventArgsIn,
  type EventArgsOut,
  type EventData,
  type EventName,
  type HelloResult,
  type MethodName,
  type ProtocolDef,
  type ResultOf,
  type ServerEnvelope,
  type WireDiagnostic,
  type WireError,
} from './messages.js';
import type { Text } from './text.js';
import { intervalFor, SYSTEM_CLOCK, Throttle, type Clock } from './throttle.js';

// ---------------------------------------------------------------------------------------------
// Transports

export interface Disposable {
  dispose(): void;
}

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** WebSocket-style close codes: 1000 normal; 4000-4999 are ours. */
export const CLOSE_NORMAL = 1000;
/** The engine process died; the host is starting a new one. */
export const CLOSE_ENGINE_CRASHED = 4001;
/** The engine is not running (starting, or given up after repeated crashes). */
export const CLOSE_ENGINE_UNAVAILABLE = 4003;

/**
 * Moves messages between two ends; knows nothing of their meaning. `transfer` lists the
 * ArrayBuffers inside `message`: a MessagePort hands them over without copying (they are
 * detached on this side), a byte transport copies them into its frame.
 */
export interface Transport {
  send(message: unknown, transfer: readonly ArrayBuffer[]): void;
  onMessage(listener: (message: unknown) => void): Disposable;
  onClose(listener: (info: CloseInfo) => void): Disposable;
  close(code?: number, reason?: string): void;
  readonly closed: boolean;
}

/** What a byte transport delivers for a frame it could not decode, so the server can answer it. */
export class UndecodableMessage {
  constructor(readonly reason: string) {}
}

/** Listener bookkeeping shared by the adapters. */
export abstract class TransportBase implements Transport {
  private readonly messageListeners = new Set<(message: unknown) => void>();
  private readonly closeListeners = new Set<(info: CloseInfo) => void>();
  private isClosed = false;

  abstract send(message: unknown, transfer: readonly ArrayBuffer[]): void;
  protected abstract doClose(code: number, reason: string): void;

  get closed(): boolean {
    return this.isClosed;
  }

  onMessage(listener: (message: unknown) => void): Disposable {
    this.messageListeners.add(listener);
    return { dispose: () => this.messageListeners.delete(listener) };
  }

  onClose(listener: (info: CloseInfo) => void): Disposable {
    this.closeListeners.add(listener);
    return { dispose: () => this.closeListeners.delete(listener) };
  }

  close(code = CLOSE_NORMAL, reason = ''): void {
    if (this.isClosed) return;
    this.doClose(code, reason);
    this.closed_(code, reason);
  }

  /** For adapters: a message arrived. */
  protected received(message: unknown): void {
    if (this.isClosed) return;
    for (const listener of [...this.messageListeners]) listener(message);
  }

  /** For adapters: the other end went away (or we closed). Reported once. */
  protected closed_(code: number, reason: string): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const listener of [...this.closeListeners]) listener({ code, reason });
    this.messageListeners.clear();
    this.closeListeners.clear();
  }
}

/** What a byte transport needs from the socket or pipe under it. */
export interface ByteSink {
  sendBytes(bytes: Uint8Array): void;
  close(code: number, reason: string): void;
}

/**
 * A transport over bytes (a WebSocket, a relay through a child process): messages are encoded
 * as binary frames (frames.ts). The owner feeds what arrives to `receive` and reports the end
 * with `ended`.
 */
export class FramedTransport extends TransportBase {
  constructor(private readonly sink: ByteSink) {
    super();
  }

  send(message: unknown): void {
    if (this.closed) return;
    this.sink.sendBytes(encodeFrame(message));
  }

  /** A binary frame arrived. An undecodable one still reaches the listeners, to be answered. */
  receive(bytes: ArrayBuffer | Uint8Array): void {
    let message: unknown;
    try {
      message = decodeFrame(bytes);
    } catch (error) {
      message = new UndecodableMessage(error instanceof FrameError ? error.message : String(error));
    }
    this.received(message);
  }

  /** A text frame arrived: never valid here (tensors would have become JSON), but answered. */
  receiveText(): void {
    this.received(new UndecodableMessage('text frames are not accepted: send binary frames (engine/protocol/frames.ts)'));
  }

  ended(code: number, reason: string): void {
    this.closed_(code, reason);
  }

  protected doClose(code: number, reason: string): void {
    this.sink.close(code, reason);
  }
}

/**
 * The part of a DOM MessagePort the channel uses (a browser's or Electron renderer's). Electron's
 * MessagePortMain and Node's child IPC differ (`on('message')`); their adapters live in the hosts.
 */
export interface MessagePortLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  start(): void;
  close(): void;
}

/** A transport over a DOM MessagePort; ArrayBuffers are transferred, not copied. */
export class MessagePortTransport extends TransportBase {
  constructor(private readonly port: MessagePortLike) {
    super();
    port.addEventListener('message', (event) => this.received(event.data));
    port.start();
  }

  send(message: unknown, transfer: readonly ArrayBuffer[]): void {
    if (this.closed) return;
    this.port.postMessage(message, [...transfer]);
  }

  /** A DOM MessagePort has no reliable close event: the host tells us (engine lifecycle). */
  ended(code: number, reason: string): void {
    this.port.close();
    this.closed_(code, reason);
  }

  protected doClose(): void {
    this.port.close();
  }
}

/**
 * Two connected in-memory transports, for tests and benchmarks: messages are structured-cloned
 * (ArrayBuffers transferred) and delivered on a later task, as a real port would.
 */
export function createTransportPair(): [Transport, Transport] {
  class End extends TransportBase {
    peer: End | null = null;
    send(message: unknown, transfer: readonly ArrayBuffer[]): void {
      if (this.closed) return;
      const copy = structuredClone(message, { transfer: [...transfer] });
      const peer = this.peer;
      setTimeout(() => peer?.deliver(copy), 0);
    }
    deliver(message: unknown): void {
      this.received(message);
    }
    end(code: number, reason: string): void {
      this.closed_(code, reason);
    }
    protected doClose(code: number, reason: string): void {
      const peer = this.peer;
      setTimeout(() => peer?.end(code, reason), 0);
    }
  }
  const a = new End();
  const b = new End();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** Every distinct ArrayBuffer inside a message (the transfer list). */
export function buffersIn(message: unknown): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const walk = (value: unknown, depth: number): void => {
    if (depth > 64 || value === null || typeof value !== 'object') return;
    if (value instanceof ArrayBuffer) {
      found.add(value);
      return;
    }
    if (Array.isArray(value)) for (const item of value) walk(item, depth + 1);
    else for (const item of Object.values(value)) walk(item, depth + 1);
  };
  walk(message, 0);
  return [...found];
}

// ---------------------------------------------------------------------------------------------
// Errors

/** An error that crosses the channel: a stable code, an English message, optional bilingual text. */
export class ChannelError extends Error {
  readonly code: ErrorCode | string;
  readonly text: Text | undefined;
  readonly hint: Text | undefined;
  readonly nodeId: string | undefined;
  readonly diagnostics: readonly WireDiagnostic[] | undefined;

  constructor(
    code: ErrorCode | string,
    message: string,
    details: { text?: Text; hint?: Text; nodeId?: string; diagnostics?: readonly WireDiagnostic[] } = {},
  ) {
    super(message);
    this.name = 'ChannelError';
    this.code = code;
    this.text = details.text;
    this.hint = details.hint;
    this.nodeId = details.nodeId;
    this.diagnostics = details.diagnostics;
  }

  toWire(): WireError {
    return {
      code: this.code,
      message: this.message,
      ...(this.text !== undefined ? { text: this.text } : {}),
      ...(this.hint !== undefined ? { hint: this.hint } : {}),
      ...(this.nodeId !== undefined ? { nodeId: this.nodeId } : {}),
      ...(this.diagnostics !== undefined ? { diagnostics: [...this.diagnostics] } : {}),
    };
  }

  static fromWire(error: WireError): ChannelError {
    return new ChannelError(error.code, error.message, error);
  }
}

/** The first few schema issues, as one line with their paths ("args.input.shape[2]: …"). */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], root: string): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path?.map((item) => (typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`)).join('') ?? '';
      return `${root}${path}: ${issue.message}`;
    })
    .join('; ');
}

function versionMismatch(protocol: string, ours: number, theirs: number, side: 'client' | 'server'): string {
  const [editor, engine] = side === 'server' ? [theirs, ours] : [ours, theirs];
  return (
    `Protocol version mismatch on ${protocol}: the editor speaks version ${editor}, the other side version ${engine}. ` +
    'They come from different Netwright installations; restart Netwright (or rebuild it) so both are the same version.'
  );
}

// ---------------------------------------------------------------------------------------------
// Server

export interface CallContext {
  /** The client's name from the handshake (for logs). */
  readonly client: string;
}

export type MethodHandlers<P extends ProtocolDef> = {
  readonly [M in MethodName<P>]: (args: ArgsOut<P, M>, context: CallContext) => ResultOf<P, M> | Promise<ResultOf<P, M>>;
};

/** Where an event source puts its data; throttled and coalesced per subscription. */
export interface EventSink<T> {
  push(value: T): void;
  /** Data computed only when it is actually sent (at most once per interval). */
  pushLazy(make: () => T | undefined): void;
  /** Sends what waits now (a run ended: its last values must not wait for a timer). */
  flush(): void;
}

export type EventSources<P extends ProtocolDef> = {
  readonly [E in EventName<P>]: (args: EventArgsOut<P, E>, sink: EventSink<EventData<P, E>>) => Disposable;
};

export interface ServerOptions<P extends ProtocolDef> {
  readonly methods: MethodHandlers<P>;
  readonly events: EventSources<P>;
  /** What the handshake tells the client about this server (pid, backend …). */
  readonly info?: () => Readonly<Record<string, string | number | boolean>>;
  readonly clock?: Clock;
  /** Bugs (a handler that threw something other than a ChannelError), for the log. */
  readonly onInternalError?: (error: unknown) => void;
  /** Subscriptions one client may hold at once. */
  readonly maxSubscriptions?: number;
}

interface Subscription {
  readonly throttle: Throttle<unknown>;
  readonly source: Disposable;
}

export class ChannelServer<P extends ProtocolDef> {
  private client: string | null = null;
  private readonly subscriptions = new Map<number, Subscription>();
  private readonly listeners: Disposable[];
  private readonly clock: Clock;
  private disposed = false;

  constructor(
    private readonly transport: Transport,
    private readonly protocol: P,
    private readonly options: ServerOptions<P>,
  ) {
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.listeners = [
      transport.onMessage((message) => this.receive(message)),
      transport.onClose(() => this.dispose()),
    ];
  }

  /** Ends every subscription; the transport is left to its owner. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const listener of this.listeners) listener.dispose();
    for (const subscription of this.subscriptions.values()) this.endSubscription(subscription);
    this.subscriptions.clear();
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  private receive(message: unknown): void {
    if (this.disposed) return;
    if (message instanceof UndecodableMessage) {
      this.replyError(null, new ChannelError('BAD_MESSAGE', `undecodable message: ${message.reason}`));
      return;
    }
    const parsed = v.safeParse(clientEnvelopeSchema, message);
    if (!parsed.success) {
      this.replyError(idOf(message), new ChannelError('BAD_MESSAGE', `not a ${this.protocol.name} message: ${describeIssues(parsed.issues, 'message')}`));
      return;
    }
    const envelope = parsed.output;
    try {
      switch (envelope.t) {
        case 'call':
          void this.call(envelope);
          return;
        case 'listen':
          this.listen(envelope);
          return;
        case 'unlisten': {
          const subscription = this.subscriptions.get(envelope.id);
          if (subscription !== undefined) {
            this.subscriptions.delete(envelope.id);
            this.endSubscription(subscription);
          }
          this.reply(envelope.id, undefined);
          return;
        }
      }
    } catch (error) {
      this.replyError(envelope.id, this.asChannelError(error));
    }
  }

  private async call(envelope: Extract<ClientEnvelope, { t: 'call' }>): Promise<void> {
    const { id, method } = envelope;
    try {
      if (method === HELLO_METHOD) {
        this.reply(id, this.hello(envelope.args));
        return;
      }
      if (!Object.hasOwn(this.protocol.methods, method)) {
        throw new ChannelError('UNKNOWN_METHOD', `${this.protocol.name} has no method "${method}"`);
      }
      if (this.client === null) throw new ChannelError('NOT_CONNECTED', `call "${HELLO_METHOD}" before "${method}"`);
      const spec = this.protocol.methods[method]!;
      checkArgsShape(envelope.args, method);
      const args = v.safeParse(spec.args, envelope.args);
      if (!args.success) throw new ChannelError('BAD_ARGS', `bad arguments for ${method}: ${describeIssues(args.issues, 'args')}`);
      const handler = this.options.methods[method as MethodName<P>] as (args: unknown, context: CallContext) => unknown;
      const result = await handler(args.output, { client: this.client });
      this.reply(id, result);
    } catch (error) {
      this.replyError(id, this.asChannelError(error));
    }
  }

  private hello(raw: unknown): HelloResult {
    const args = v.safeParse(helloArgsSchema, raw);
    if (!args.success) throw new ChannelError('BAD_ARGS', `bad arguments for ${HELLO_METHOD}: ${describeIssues(args.issues, 'args')}`);
    const { protocol, version, client } = args.output;
    if (protocol !== this.protocol.name) {
      throw new ChannelError('PROTOCOL_VERSION', `this server speaks ${this.protocol.name}, not ${protocol}`);
    }
    if (version !== this.protocol.version) {
      throw new ChannelError('PROTOCOL_VERSION', versionMismatch(protocol, this.protocol.version, version, 'server'));
    }
    this.client = client;
    return { protocol: this.protocol.name, version: this.protocol.version, server: { ...(this.options.info?.() ?? {}) } };
  }

  private listen(envelope: Extract<ClientEnvelope, { t: 'listen' }>): void {
    const { id, event } = envelope;
    if (!Object.hasOwn(this.protocol.events, event)) throw new ChannelError('UNKNOWN_EVENT', `${this.protocol.name} has no event "${event}"`);
    if (this.client === null) throw new ChannelError('NOT_CONNECTED', `call "${HELLO_METHOD}" before listening to "${event}"`);
    if (this.subscriptions.has(id)) throw new ChannelError('BAD_MESSAGE', `subscription id ${id} is already in use`);
    if (this.subscriptions.size >= (this.options.maxSubscriptions ?? 64)) throw new ChannelError('BUSY', 'too many subscriptions on this connection');
    const spec = this.protocol.events[event]!;
    checkArgsShape(envelope.args, `event ${event}`);
    const args = v.safeParse(spec.args, envelope.args);
    if (!args.success) throw new ChannelError('BAD_ARGS', `bad arguments for event ${event}: ${describeIssues(args.issues, 'args')}`);

    const requested = (args.output as { maxRate?: unknown } | undefined)?.maxRate;
    const rate = typeof requested === 'number' ? Math.min(requested, MAX_STREAM_RATE) : MAX_STREAM_RATE;
    const merge = spec.coalesce === 'append' ? appendRecords : undefined;
    const throttle = new Throttle<unknown>(intervalFor(rate), (data) => this.send({ t: 'event', id, data }), merge, this.clock);
    const sink: EventSink<unknown> = {
      push: (value) => throttle.push(value),
      pushLazy: (make) => throttle.pushLazy(make),
      flush: () => throttle.flush(),
    };
    // Registered before the source starts: a source may push its current value at once.
    const subscription: { throttle: Throttle<unknown>; source: Disposable } = { throttle, source: { dispose: () => undefined } };
    this.subscriptions.set(id, subscription);
    try {
      const source = this.options.events[event as EventName<P>] as (args: unknown, sink: EventSink<unknown>) => Disposable;
      subscription.source = source(args.output, sink);
    } catch (error) {
      this.subscriptions.delete(id);
      throttle.dispose();
      throw error;
    }
    this.reply(id, undefined);
  }

  private endSubscription(subscription: Subscription): void {
    subscription.throttle.dispose();
    try {
      subscription.source.dispose();
    } catch (error) {
      this.options.onInternalError?.(error);
    }
  }

  private asChannelError(error: unknown): ChannelError {
    if (error instanceof ChannelError) return error;
    this.options.onInternalError?.(error);
    return new ChannelError('INTERNAL', error instanceof Error ? error.message : String(error));
  }

  private reply(id: number, value: unknown): void {
    this.send(value === undefined ? { t: 'reply', id, ok: true } : { t: 'reply', id, ok: true, value });
  }

  private replyError(id: number | null, error: ChannelError): void {
    this.send({ t: 'reply', id, ok: false, error: error.toWire() });
  }

  private send(envelope: ServerEnvelope): void {
    if (this.disposed || this.transport.closed) return;
    try {
      this.transport.send(envelope, buffersIn(envelope));
    } catch (error) {
      // A value the transport cannot carry (a handler bug): answer with an error instead.
      if (envelope.t === 'reply' && envelope.ok) {
        this.options.onInternalError?.(error);
        this.replyError(envelope.id, new ChannelError('INTERNAL', `the reply could not be sent: ${error instanceof Error ? error.message : String(error)}`));
      } else {
        this.options.onInternalError?.(error);
      }
    }
  }
}

/**
 * Arguments are always an object (or absent). Checked before the schema because valibot's object
 * schemas also accept an array without keys: `[]` must not pass for `{}`.
 */
function checkArgsShape(args: unknown, what: string): void {
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    throw new ChannelError('BAD_ARGS', `bad arguments for ${what}: args must be an object`);
  }
}

/** The id of a message that failed validation, if it has a usable one (to address the error reply). */
function idOf(message: unknown): number | null {
  if (typeof message !== 'object' || message === null) return null;
  const id = (message as { id?: unknown }).id;
  return typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= 2 ** 31 - 1 ? id : null;
}

function appendRecords(older: unknown, newer: unknown): unknown {
  const a = (older as { records?: unknown }).records;
  const b = (newer as { records?: unknown }).records;
  if (!Array.isArray(a) || !Array.isArray(b)) return newer;
  return { ...(newer as object), records: [...(a as unknown[]), ...(b as unknown[])] };
}

// ---------------------------------------------------------------------------------------------
// Client

export interface ClientOptions {
  /** Sent in the handshake (logs, tests): `renderer`, `cli`, `test`. */
  readonly client: string;
  /** Calls with no reply after this long fail with TIMEOUT; 0 (default) waits until the channel closes. */
  readonly timeoutMs?: number;
  /** Messages the client could not match to a call or subscription, or that broke the protocol. */
  readonly onProtocolError?: (error: ChannelError) => void;
}

interface PendingCall {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: ChannelError) => void;
  /** Validates the reply's value; null for replies without one (listen, unlisten). */
  readonly result: v.GenericSchema | null;
  readonly what: string;
  readonly timer: ReturnType<typeof setTimeout> | null;
}

interface ClientSubscription {
  readonly event: string;
  readonly data: v.GenericSchema;
  readonly listener: (data: unknown) => void;
  readonly onError: ((error: ChannelError) => void) | undefined;
}

export class ChannelClient<P extends ProtocolDef> {
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private readonly subscriptions = new Map<number, ClientSubscription>();
  private readonly closeListeners = new Set<(info: CloseInfo) => void>();
  private closeInfo: CloseInfo | null = null;
  private readonly listeners: Disposable[];

  constructor(
    private readonly transport: Transport,
    private readonly protocol: P,
    private readonly options: ClientOptions,
  ) {
    this.listeners = [transport.onMessage((message) => this.receive(message)), transport.onClose((info) => this.ended(info))];
  }

  get closed(): boolean {
    return this.closeInfo !== null;
  }

  /** The handshake: both sides check the protocol name and version. Resolves with the server's facts. */
  async connect(): Promise<HelloResult> {
    const raw = await this.request(
      { t: 'call', id: 0, method: HELLO_METHOD, args: { protocol: this.protocol.name, version: this.protocol.version, client: this.options.client } },
      helloResultSchema,
      HELLO_METHOD,
    );
    const hello = raw as HelloResult;
    if (hello.protocol !== this.protocol.name) {
      throw new ChannelError('PROTOCOL_VERSION', `expected a ${this.protocol.name} server, found ${hello.protocol}`);
    }
    if (hello.version !== this.protocol.version) {
      throw new ChannelError('PROTOCOL_VERSION', versionMismatch(this.protocol.name, this.protocol.version, hello.version, 'client'));
    }
    return hello;
  }

  call<M extends MethodName<P>>(method: M, args: ArgsIn<P, M>): Promise<ResultOf<P, M>> {
    const spec = this.protocol.methods[method];
    if (spec === undefined) return Promise.reject(new ChannelError('UNKNOWN_METHOD', `${this.protocol.name} has no method "${method}"`));
    return this.request({ t: 'call', id: 0, method, args }, spec.result, method) as Promise<ResultOf<P, M>>;
  }

  /**
   * Subscribes to a stream. The subscription is live once the server accepts it; a refusal (bad
   * args, unknown event) or an invalid event goes to `onError`. Dispose to unsubscribe.
   */
  listen<E extends EventName<P>>(
    event: E,
    args: EventArgsIn<P, E>,
    listener: (data: EventData<P, E>) => void,
    onError?: (error: ChannelError) => void,
  ): Disposable {
    const spec = this.protocol.events[event];
    if (spec === undefined) {
      onError?.(new ChannelError('UNKNOWN_EVENT', `${this.protocol.name} has no event "${event}"`));
      return { dispose: () => undefined };
    }
    const id = this.takeId();
    this.subscriptions.set(id, { event, data: spec.data, listener: listener as (data: unknown) => void, onError });
    this.request({ t: 'listen', id, event, args }, null, `listen ${event}`, id).catch((error: unknown) => {
      this.subscriptions.delete(id);
      if (error instanceof ChannelError && error.code !== 'CLOSED') onError?.(error);
    });
    return {
      dispose: () => {
        if (!this.subscriptions.delete(id) || this.closed) return;
        // The server confirms under the subscription's id; nothing needs to wait for that.
        this.sendQuietly({ t: 'unlisten', id });
      },
    };
  }

  onClose(listener: (info: CloseInfo) => void): Disposable {
    if (this.closeInfo !== null) {
      const info = this.closeInfo;
      queueMicrotask(() => listener(info));
      return { dispose: () => undefined };
    }
    this.closeListeners.add(listener);
    return { dispose: () => this.closeListeners.delete(listener) };
  }

  close(): void {
    this.transport.close(CLOSE_NORMAL, 'client closed');
    this.ended({ code: CLOSE_NORMAL, reason: 'client closed' });
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 2 ** 31 - 1 ? 1 : this.nextId + 1;
    return id;
  }

  private sendQuietly(message: ClientEnvelope): void {
    try {
      this.transport.send(message, []);
    } catch {
      // The channel is going away; the server drops the subscription with it.
    }
  }

  /** Sends an envelope and waits for its reply. `id` fixes the id (a listen uses its subscription's). */
  private request(envelope: ClientEnvelope, result: v.GenericSchema | null, what: string, id?: number): Promise<unknown> {
    if (this.closeInfo !== null) return Promise.reject(this.closedError(what));
    const replyId = id ?? this.takeId();
    const message: ClientEnvelope = { ...envelope, id: replyId };
    return new Promise<unknown>((resolve, reject) => {
      const timeoutMs = this.options.timeoutMs ?? 0;
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.pending.delete(replyId);
              reject(new ChannelError('TIMEOUT', `${what}: no reply within ${timeoutMs} ms`));
            }, timeoutMs)
          : null;
      this.pending.set(replyId, { resolve, reject, result, what, timer });
      try {
        this.transport.send(message, buffersIn(message));
      } catch (error) {
        this.pending.delete(replyId);
        if (timer !== null) clearTimeout(timer);
        reject(new ChannelError('BAD_ARGS', `${what}: the message cannot be sent: ${error instanceof Error ? error.message : String(error)}`));
      }
    });
  }

  private receive(message: unknown): void {
    const parsed = v.safeParse(serverEnvelopeSchema, message);
    if (!parsed.success) {
      this.options.onProtocolError?.(new ChannelError('BAD_MESSAGE', `not a ${this.protocol.name} message: ${describeIssues(parsed.issues, 'message')}`));
      return;
    }
    const envelope = parsed.output;
    if (envelope.t === 'event') {
      const subscription = this.subscriptions.get(envelope.id);
      if (subscription === undefined) return; // ended while the event was on its way
      const data = v.safeParse(subscription.data, envelope.data);
      if (!data.success) {
        subscription.onError?.(new ChannelError('BAD_MESSAGE', `event ${subscription.event}: ${describeIssues(data.issues, 'data')}`));
        return;
      }
      subscription.listener(data.output);
      return;
    }
    if (envelope.id === null) {
      // The server could not read one of our messages well enough to address its answer.
      const error = envelope.ok ? new ChannelError('BAD_MESSAGE', 'a reply without an id') : ChannelError.fromWire(envelope.error);
      this.options.onProtocolError?.(error);
      return;
    }
    const pending = this.pending.get(envelope.id);
    if (pending === undefined) return; // timed out already
    this.pending.delete(envelope.id);
    if (pending.timer !== null) clearTimeout(pending.timer);
    if (!envelope.ok) {
      pending.reject(ChannelError.fromWire(envelope.error));
      return;
    }
    if (pending.result === null) {
      pending.resolve(undefined);
      return;
    }
    const value = v.safeParse(pending.result, envelope.value);
    if (!value.success) {
      pending.reject(new ChannelError('BAD_MESSAGE', `the reply to ${pending.what} does not match the protocol: ${describeIssues(value.issues, 'value')}`));
      return;
    }
    pending.resolve(value.output);
  }

  private ended(info: CloseInfo): void {
    if (this.closeInfo !== null) return;
    this.closeInfo = info;
    for (const listener of this.listeners) listener.dispose();
    for (const [id, pending] of this.pending) {
      if (pending.timer !== null) clearTimeout(pending.timer);
      pending.reject(this.closedError(pending.what));
      this.pending.delete(id);
    }
    this.subscriptions.clear();
    for (const listener of [...this.closeListeners]) listener(info);
    this.closeListeners.clear();
  }

  private closedError(what: string): ChannelError {
    const info = this.closeInfo;
    const why = info === null ? '' : ` (${info.code}${info.reason ? `: ${info.reason}` : ''})`;
    return new ChannelError('CLOSED', `${what}: the channel closed${why}`);
  }
}

/** Args for calls and events that take none, typed so `call('train.stop', {})` reads well. */
export type NoArgs = Record<string, never>;
export type { ArgsIn, EventArgsIn };
