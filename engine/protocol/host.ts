// The host API: what the renderer may ask of whatever runs it (DESIGN.md §1, §6). Electron's
// preload and the browser's web host each implement it, so the same UI runs on both. Pure
// types only: the renderer, app/ and the engine share them, and none of them brings a platform.

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

/**
 * Everything the renderer reaches the outside through, exposed as `window.netwright`.
 * Files, dialogs and the engine port join this interface as they are built; keep it narrow,
 * serialisable across `contextBridge`, and implemented by both hosts.
 */
export type HostApi = HostInfo;
