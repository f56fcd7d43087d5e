// The renderer's single door to the outside (DESIGN.md §6): Electron's preload puts the host
// API on `window.netwright`; in a plain browser there is none, so the web host's stands in.
// The engine connection is made once per page and lives as long as it.
import type { HostApi } from '../../../engine/protocol/host.js';
import { EngineConnection } from './engineConnection';
import { createWebHost } from './webHost';

declare global {
  interface Window {
    /** Set by app/preload.ts in Electron; absent in a browser. */
    readonly netwright?: HostApi;
  }
}

let host: HostApi | undefined;
let engine: EngineConnection | undefined;

export function getHost(): HostApi {
  host ??= window.netwright ?? createWebHost();
  return host;
}

/** The engine connection, started on first use. */
export function getEngine(): EngineConnection {
  if (engine === undefined) {
    engine = new EngineConnection(getHost());
    engine.start();
  }
  return engine;
}

export type { EngineSnapshot, EngineStatus } from './engineConnection';
