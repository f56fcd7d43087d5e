// The host API: what the renderer may ask of whatever runs it (DESIGN.md §1, §6). Electron's
// preload and the web host each implement it, so the same UI runs on both (Netron's `Host`).
// Pure types only: the renderer, app/ and the engine share them, and none of them brings a platform.

import type * as v from 'valibot';
import type { EngineLifecycle, fileEntrySchema, fileRootSchema, openedFileSchema } from './messages.js';

/** Which host runs the renderer: the Electron shell or a plain browser against the web host. */
export type HostKind = 'electron' | 'web';

/** What the renderer may know about its host. Static: read once at start-up. */
export interface HostInfo {
  readonly kind: HostKind;
  /** The host's OS as Node spells it (`linux`, `darwin`, `win32`), or the browser's best guess. */
  readonly platform: string;
  /** Runtime versions worth showing in an About box or a bug report (`electron`, `chrome`, `node`, `browser`). */
  readonly versions: Readonly<Record<string, string>>;
}

export type FileRoot = v.InferOutput<typeof fileRootSchema>;
export type FileEntry = v.InferOutput<typeof fileEntrySchema>;
export type OpenedFile = v.InferOutput<typeof openedFileSchema>;

/**
 * The host's file system, limited to the folders it allows (the user's documents or home and
 * the bundled examples; never hidden files) and to Netwright's kinds of file.
 */
export interface HostFiles {
  roots(): Promise<readonly FileRoot[]>;
  list(dir: string): Promise<readonly FileEntry[]>;
  read(path: string): Promise<OpenedFile>;
  /** Writes atomically (a temporary file beside the target, then a rename): a crash never leaves half a file. */
  write(path: string, contents: string): Promise<{ readonly path: string }>;
}

export interface DialogOptions {
  readonly title?: string;
  /** Save dialogs: the proposed file name. */
  readonly defaultName?: string;
}

/**
 * The OS's file dialogs. In a browser there are none for the host's disk: `native` is false and
 * the renderer offers its own chooser over `files.roots()` and `files.list()`.
 */
export interface HostDialogs {
  readonly native: boolean;
  /** The chosen file's path, or null when cancelled. */
  showOpen(options?: DialogOptions): Promise<string | null>;
  showSave(options?: DialogOptions): Promise<string | null>;
}

export interface HostRecent {
  list(): Promise<readonly string[]>;
  add(path: string): Promise<readonly string[]>;
  clear(): Promise<readonly string[]>;
}

/**
 * Where the engine channel is. Electron hands the renderer a MessagePort: it arrives as a window
 * `message` whose data is `{ type: ENGINE_PORT_MESSAGE, nonce }` (contextBridge cannot carry
 * ports). The web host gives a WebSocket URL on its own origin.
 */
export type EngineEndpoint =
  | { readonly kind: 'message-port'; readonly nonce: string }
  | { readonly kind: 'websocket'; readonly url: string };

/** The `type` of the window message that delivers Electron's engine port. */
export const ENGINE_PORT_MESSAGE = 'netwright:engine-port';

export interface HostEngine {
  /** Opens a fresh connection to the engine (after a crash: to the new engine). */
  connect(): Promise<EngineEndpoint>;
  /** The engine process's lifecycle as the host sees it (started, crashed, restarted). */
  onLifecycle(listener: (event: EngineLifecycle) => void): () => void;
}

/**
 * Everything the renderer reaches the outside through, exposed as `window.netwright`. Keep it
 * narrow, serialisable across `contextBridge`, and implemented by both hosts.
 */
export interface HostApi extends HostInfo {
  readonly files: HostFiles;
  readonly dialogs: HostDialogs;
  readonly recent: HostRecent;
  readonly engine: HostEngine;
}

export type { EngineLifecycle };
