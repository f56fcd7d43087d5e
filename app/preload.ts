// Preload for the sandboxed renderer: exposes the host API (`window.netwright`) through
// contextBridge and nothing else — files, dialogs and recent files as IPC requests main checks,
// and the engine's MessagePort, which contextBridge cannot carry: it is re-posted into the page
// as a window message on the app's own origin. In a sandbox only `electron`'s renderer modules
// and a subset of `process` exist here, so this stays small and has no Node imports.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { ENGINE_PORT_MESSAGE, type EngineEndpoint, type EngineLifecycle, type HostApi } from '../engine/protocol/host.js';
import { IPC } from './ipcChannels.js';

// Copy the few versions worth reporting: process.versions itself is not cloneable across the
// bridge in every Electron release, and the renderer has no use for the rest.
const versions: Record<string, string> = {};
for (const name of ['electron', 'chrome', 'node', 'v8'] as const) {
  const version = process.versions[name];
  if (version) versions[name] = version;
}

/** The page's window, as much as the preload uses (app/ type-checks without the DOM library). */
const page = globalThis as unknown as {
  postMessage(message: unknown, targetOrigin: string, transfer: readonly unknown[]): void;
  readonly location: { readonly origin: string };
};

// The page waits for its port by nonce (renderer/src/host/transports.ts). The target origin is
// our own, so the port cannot be posted to anything but the app's page.
ipcRenderer.on(IPC.enginePort, (event: IpcRendererEvent, data: { nonce?: unknown }) => {
  if (typeof data?.nonce !== 'string' || event.ports.length !== 1) return;
  page.postMessage({ type: ENGINE_PORT_MESSAGE, nonce: data.nonce }, page.location.origin, event.ports);
});

const invoke = <T>(channel: string, ...args: unknown[]): Promise<T> => ipcRenderer.invoke(channel, ...args) as Promise<T>;

const host: HostApi = {
  kind: 'electron',
  platform: process.platform,
  versions,
  files: {
    roots: () => invoke(IPC.filesRoots),
    list: (dir) => invoke(IPC.filesList, dir),
    read: (path) => invoke(IPC.filesRead, path),
    write: (path, contents) => invoke(IPC.filesWrite, path, contents),
  },
  dialogs: {
    native: true,
    showOpen: (options) => invoke(IPC.dialogOpen, options),
    showSave: (options) => invoke(IPC.dialogSave, options),
  },
  recent: {
    list: () => invoke(IPC.recentList),
    add: (path) => invoke(IPC.recentAdd, path),
    clear: () => invoke(IPC.recentClear),
  },
  engine: {
    connect: () => invoke<EngineEndpoint>(IPC.engineConnect),
    onLifecycle: (listener) => {
      const forward = (_event: IpcRendererEvent, state: EngineLifecycle) => listener(state);
      ipcRenderer.on(IPC.engineLifecycle, forward);
      return () => {
        ipcRenderer.removeListener(IPC.engineLifecycle, forward);
      };
    },
  },
};

contextBridge.exposeInMainWorld('netwright', host);
