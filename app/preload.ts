// Preload for the sandboxed renderer: exposes the host API (`window.netwright`) through
// contextBridge and nothing else. In a sandbox only `electron`'s renderer modules and a
// subset of `process` exist here, so this stays small and has no Node imports.
import { contextBridge } from 'electron';
import type { HostApi } from '../engine/protocol/host.js';

// Copy the few versions worth reporting: process.versions itself is not cloneable across the
// bridge in every Electron release, and the renderer has no use for the rest.
const versions: Record<string, string> = {};
for (const name of ['electron', 'chrome', 'node', 'v8'] as const) {
  const version = process.versions[name];
  if (version) versions[name] = version;
}

const host: HostApi = Object.freeze({
  kind: 'electron',
  platform: process.platform,
  versions: Object.freeze(versions),
});

contextBridge.exposeInMainWorld('netwright', host);
