// The host API for a plain browser talking to the web host (engine/host/webHost.ts): files,
// recent files and the engine's lifecycle over the `/host` WebSocket (a `netwright.host`
// channel), the engine itself over `/engine`. A browser has no dialogs for the host's disk, so
// `dialogs.native` is false and the renderer offers its own chooser over files.list.
import {
  ChannelClient,
  ChannelError,
  HOST,
  type EngineLifecycle,
  type HostApi,
  type HostProtocol,
} from '../../../engine/protocol/index.js';
import { openSocket, socketUrl } from './transports';

interface UADataLike {
  readonly platform?: string;
  readonly brands?: readonly { readonly brand: string; readonly version: string }[];
}

function platformGuess(): string {
  // navigator.userAgentData is Chromium-only and not in TypeScript's DOM lib yet.
  const uaData = (navigator as Navigator & { userAgentData?: UADataLike }).userAgentData;
  const raw = (uaData?.platform || navigator.platform || '').toLowerCase();
  if (raw.includes('mac')) return 'darwin';
  if (raw.includes('win')) return 'win32';
  if (raw.includes('linux') || raw.includes('x11')) return 'linux';
  return raw || 'unknown';
}

function browserVersions(): Record<string, string> {
  const uaData = (navigator as Navigator & { userAgentData?: UADataLike }).userAgentData;
  const brand = uaData?.brands?.find((b) => !/not.?a.?brand/i.test(b.brand));
  return brand ? { browser: `${brand.brand} ${brand.version}` } : { browser: navigator.userAgent };
}

const RETRY_MS = 500;

/**
 * One host channel, opened on first use and reopened after it drops (the web host restarted,
 * the laptop slept). Lifecycle listeners are re-subscribed on every new channel.
 */
class HostChannel {
  private client: Promise<ChannelClient<HostProtocol>> | null = null;
  private readonly lifecycleListeners = new Set<(event: EngineLifecycle) => void>();

  get(): Promise<ChannelClient<HostProtocol>> {
    this.client ??= this.open();
    return this.client;
  }

  onLifecycle(listener: (event: EngineLifecycle) => void): () => void {
    this.lifecycleListeners.add(listener);
    void this.get().catch(() => undefined);
    return () => this.lifecycleListeners.delete(listener);
  }

  private async open(): Promise<ChannelClient<HostProtocol>> {
    try {
      const client = new ChannelClient(await openSocket(socketUrl('/host')), HOST, { client: 'renderer' });
      await client.connect();
      client.listen('engine', {}, (event) => {
        for (const listener of [...this.lifecycleListeners]) listener(event);
      });
      client.onClose(() => {
        this.client = null;
        if (this.lifecycleListeners.size > 0) setTimeout(() => void this.get().catch(() => undefined), RETRY_MS);
      });
      return client;
    } catch (error) {
      this.client = null;
      if (this.lifecycleListeners.size > 0) setTimeout(() => void this.get().catch(() => undefined), RETRY_MS);
      throw error;
    }
  }
}

function noDialogs(): Promise<never> {
  return Promise.reject(new ChannelError('NOT_AVAILABLE', 'a browser has no file dialogs for the host; choose a file from files.list'));
}

export function createWebHost(): HostApi {
  const channel = new HostChannel();
  const host = () => channel.get();
  return Object.freeze({
    kind: 'web',
    platform: platformGuess(),
    versions: Object.freeze(browserVersions()),
    files: Object.freeze({
      roots: async () => (await (await host()).call('files.roots', {})).roots,
      list: async (dir: string) => (await (await host()).call('files.list', { dir })).entries,
      read: async (path: string) => (await host()).call('files.read', { path }),
      write: async (path: string, contents: string) => (await host()).call('files.write', { path, contents }),
    }),
    dialogs: Object.freeze({ native: false, showOpen: noDialogs, showSave: noDialogs }),
    recent: Object.freeze({
      list: async () => (await (await host()).call('recent.list', {})).paths,
      add: async (path: string) => (await (await host()).call('recent.add', { path })).paths,
      clear: async () => (await (await host()).call('recent.clear', {})).paths,
    }),
    engine: Object.freeze({
      connect: () => Promise.resolve({ kind: 'websocket' as const, url: socketUrl('/engine') }),
      onLifecycle: (listener: (event: EngineLifecycle) => void) => channel.onLifecycle(listener),
    }),
  });
}
