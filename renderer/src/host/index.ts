// The renderer's single door to the outside (DESIGN.md §6): Electron's preload puts the host
// API on `window.netwright`; in a plain browser there is none, so the web host's stands in.
import type { HostApi } from '../../../engine/protocol/host.js';
import { createWebHost } from './webHost';

declare global {
  interface Window {
    /** Set by app/preload.ts in Electron; absent in a browser. */
    readonly netwright?: HostApi;
  }
}

let host: HostApi | undefined;

export function getHost(): HostApi {
  host ??= window.netwright ?? createWebHost();
  return host;
}
