// Crash recovery: the open document, its path and a timestamp are copied to localStorage a
// second after each change (and when the page is hidden), and removed again once the document
// is saved. On start, a leftover copy means the window closed with unsaved changes: the app
// offers it back. Pure over a `Storage`, so the rules are unit-tested in Node.
import { loadParsed, type GraphDocument } from '../../../engine/protocol/index.js';
import type { DocumentState, DocumentStore } from '../state/documentStore';

/** Bump when the record's shape changes; older records are ignored rather than misread. */
const RECORD_VERSION = 1;
const PREFIX = 'netwright.autosave.v1:';
/** localStorage holds ~5 MB per origin; leave room for everything else the app keeps there. */
export const MAX_AUTOSAVE_CHARS = 2_000_000;
export const AUTOSAVE_DEBOUNCE_MS = 1000;

export interface AutosaveRecord {
  readonly v: number;
  readonly path: string | null;
  /** Milliseconds since the epoch. */
  readonly savedAt: number;
  readonly document: GraphDocument;
}

/**
 * The storage key: one per host (the origin a browser serves us from; Electron's file://
 * pages all share one) and window name, so two windows of one host do not overwrite each
 * other while a single window finds its copy again after a reload or a crash.
 */
export function autosaveKey(host: string, windowName = ''): string {
  return `${PREFIX}${host}${windowName ? `#${windowName}` : ''}`;
}

export function writeAutosave(storage: Storage, key: string, path: string | null, document: GraphDocument, now = Date.now()): boolean {
  const record: AutosaveRecord = { v: RECORD_VERSION, path, savedAt: now, document };
  const text = JSON.stringify(record);
  // Too big for the budget (a pasted dataset in a param, say): keep the older copy, if any,
  // rather than evicting the user's other settings.
  if (text.length > MAX_AUTOSAVE_CHARS) return false;
  try {
    storage.setItem(key, text);
    return true;
  } catch {
    // Quota exceeded or storage disabled: autosave is a safety net, never an error to show.
    return false;
  }
}

/** The stored copy, when there is one and it still reads as a graph document. */
export function readAutosave(storage: Storage, key: string): AutosaveRecord | null {
  let raw: unknown;
  try {
    const text = storage.getItem(key);
    if (text === null) return null;
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const record = raw as Partial<Record<keyof AutosaveRecord, unknown>>;
  if (record.v !== RECORD_VERSION || typeof record.savedAt !== 'number') return null;
  // Through the loader, so a copy written by an older build is migrated or refused like a file.
  const loaded = loadParsed(record.document);
  if (loaded.document === undefined) return null;
  return { v: RECORD_VERSION, path: typeof record.path === 'string' ? record.path : null, savedAt: record.savedAt, document: loaded.document };
}

export function clearAutosave(storage: Storage, key: string): void {
  try {
    storage.removeItem(key);
  } catch {
    // Nothing to clear when storage is unavailable.
  }
}

interface TimerApi {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Watches the store: a dirty document is written a debounce after the last change (typing
 * never waits on serialisation), a clean one (just saved or opened) clears the copy.
 * `flush()` writes now, for `pagehide`. Returns the stop function and flush.
 */
export function watchAutosave(
  store: Pick<DocumentStore, 'subscribe' | 'getSnapshot'>,
  storage: Storage,
  key: string,
  /** True while a recovery offer is open: a clean load must not delete the copy on offer. */
  holdClear: () => boolean = () => false,
  timers: TimerApi = { setTimeout: (cb, ms) => globalThis.setTimeout(cb, ms), clearTimeout: (h) => globalThis.clearTimeout(h as number) },
): { stop: () => void; flush: () => void } {
  let pending: unknown = null;
  let lastRevision = store.getSnapshot().revision;

  const persist = (state: DocumentState) => {
    if (state.dirty) writeAutosave(storage, key, state.path, state.document);
    else if (!holdClear()) clearAutosave(storage, key);
  };
  const flush = () => {
    if (pending !== null) timers.clearTimeout(pending);
    pending = null;
    persist(store.getSnapshot());
  };
  const unsubscribe = store.subscribe(() => {
    const state = store.getSnapshot();
    if (state.revision === lastRevision) return;
    lastRevision = state.revision;
    if (!state.dirty) {
      // Saved or freshly opened: the copy is obsolete at once (no debounce, a crash right
      // after a save must not offer stale "unsaved" changes).
      if (pending !== null) timers.clearTimeout(pending);
      pending = null;
      if (!holdClear()) clearAutosave(storage, key);
      return;
    }
    if (pending !== null) timers.clearTimeout(pending);
    pending = timers.setTimeout(() => {
      pending = null;
      persist(store.getSnapshot());
    }, AUTOSAVE_DEBOUNCE_MS);
  });
  return {
    stop: () => {
      unsubscribe();
      if (pending !== null) timers.clearTimeout(pending);
    },
    flush,
  };
}
