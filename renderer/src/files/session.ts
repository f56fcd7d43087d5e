// File handling for the open document: New, Open, Save, Save as, Recent, templates and crash
// recovery, all through the host API (native dialogs in Electron, the in-app chooser in a
// browser) and the document store. Holds the state of the file dialogs and notices as a small
// external store, so the top bar, the gallery and the canvas can all start a file action.
import {
  FILE_EXTENSION,
  emptyDocument,
  loadDocument,
  serializeDocument,
  validateGraph,
  type Diagnostic,
  type GraphDocument,
  type Text,
} from '../../../engine/protocol/index.js';
import { useSyncExternalStore } from 'react';
import { getHost } from '../host';
import type { MessageKey } from '../i18n';
import { documentStore } from '../state/documentStore';
import { autosaveKey, clearAutosave, readAutosave, watchAutosave, type AutosaveRecord } from './autosave';

export type Vars = Readonly<Record<string, string | number>>;

/** A message for the banner under the top bar, kept as a key so it follows the language switch. */
export interface Notice {
  readonly id: number;
  readonly tone: 'error' | 'warning' | 'info';
  readonly key: MessageKey;
  readonly vars?: Vars;
  /** The host's or loader's own words (host errors are English only: paths and errno names). */
  readonly detail?: Text | string;
  readonly diagnostics?: readonly Diagnostic[];
}

export type ConfirmChoice = 'save' | 'discard' | 'cancel';

export interface ChooserRequest {
  readonly mode: 'open' | 'save';
  readonly defaultName: string;
  readonly resolve: (path: string | null) => void;
}

export interface SessionState {
  /** Open while the user decides what happens to unsaved changes. */
  readonly confirm: { readonly resolve: (choice: ConfirmChoice) => void } | null;
  readonly chooser: ChooserRequest | null;
  readonly notice: Notice | null;
  /** An autosave from a window that closed with unsaved changes, on offer. */
  readonly recovery: AutosaveRecord | null;
  readonly busy: boolean;
}

let state: SessionState = { confirm: null, chooser: null, notice: null, recovery: null, busy: false };
const listeners = new Set<() => void>();
let noticeId = 0;

function update(patch: Partial<SessionState>): void {
  state = { ...state, ...patch };
  for (const listener of [...listeners]) listener();
}

export const sessionStore = {
  getSnapshot: (): SessionState => state,
  subscribe: (listener: () => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

export function useSession(): SessionState {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.getSnapshot);
}

export function showNotice(notice: Omit<Notice, 'id'>): void {
  update({ notice: { ...notice, id: ++noticeId } });
}

export function dismissNotice(): void {
  update({ notice: null });
}

/** The file name of a path, whichever separator the host's OS uses. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** Adds `.netwright.json` unless the name already ends in it (a bare `.json` is kept too). */
export function withExtension(name: string): string {
  const trimmed = name.trim();
  if (trimmed.endsWith(FILE_EXTENSION)) return trimmed;
  if (trimmed.endsWith('.json')) return trimmed;
  return `${trimmed}${FILE_EXTENSION}`;
}

/** A file name proposed for a document: its own name, made safe for every OS. */
export function suggestedName(doc: GraphDocument, path: string | null): string {
  if (path !== null) return baseName(path);
  const stem = doc.name.replace(/[\\/:*?"<>|]+/g, '-').replace(/\s+/g, ' ').trim() || 'untitled';
  return withExtension(stem);
}

function errorDetail(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// ---------------------------------------------------------------------------------------------
// Dialog plumbing: promises the dialogs resolve.

function askDiscard(): Promise<ConfirmChoice> {
  return new Promise((resolve) => {
    update({
      confirm: {
        resolve: (choice) => {
          update({ confirm: null });
          resolve(choice);
        },
      },
    });
  });
}

function chooseInApp(mode: ChooserRequest['mode'], defaultName: string): Promise<string | null> {
  return new Promise((resolve) => {
    update({
      chooser: {
        mode,
        defaultName,
        resolve: (path) => {
          update({ chooser: null });
          resolve(path);
        },
      },
    });
  });
}

async function pickOpenPath(title: string): Promise<string | null> {
  const host = getHost();
  return host.dialogs.native ? host.dialogs.showOpen({ title }) : chooseInApp('open', '');
}

async function pickSavePath(title: string, defaultName: string): Promise<string | null> {
  const host = getHost();
  return host.dialogs.native ? host.dialogs.showSave({ title, defaultName }) : chooseInApp('save', defaultName);
}

/**
 * Before the document is replaced: true when it may go (it is clean, or the user saved it or
 * chose to discard it); false when the user cancelled or the save failed.
 */
export async function guardUnsaved(): Promise<boolean> {
  if (!documentStore.getSnapshot().dirty) return true;
  const choice = await askDiscard();
  if (choice === 'discard') return true;
  if (choice === 'save') return save();
  return false;
}

// ---------------------------------------------------------------------------------------------
// The actions. Dialog titles come from the caller (already translated): this module has no
// language of its own.

export async function newDocument(): Promise<void> {
  if (!(await guardUnsaved())) return;
  documentStore.load(emptyDocument(), null);
  dismissNotice();
}

export async function openFile(title: string): Promise<void> {
  if (!(await guardUnsaved())) return;
  const path = await pickOpenPath(title);
  if (path !== null) await openPath(path, { guarded: true });
}

/** Reads a graph file and opens it; refuses (with the loader's words) a file that is not one. */
export async function openPath(path: string, options: { readonly guarded?: boolean } = {}): Promise<boolean> {
  if (!options.guarded && !(await guardUnsaved())) return false;
  update({ busy: true });
  try {
    let opened;
    try {
      opened = await getHost().files.read(path);
    } catch (error) {
      showNotice({ tone: 'error', key: 'files.error.read', vars: { name: baseName(path) }, detail: errorDetail(error) });
      return false;
    }
    const loaded = loadDocument(opened.contents);
    if (loaded.document === undefined) {
      const first = loaded.diagnostics[0];
      showNotice({ tone: 'error', key: 'files.error.unreadable', vars: { name: opened.name }, detail: first?.message, diagnostics: loaded.diagnostics.slice(1) });
      return false;
    }
    documentStore.load(loaded.document, opened.path);
    void getHost().recent.add(opened.path).catch(() => undefined);
    reportOpened(opened.name, loaded.document, loaded.diagnostics, loaded.migratedFrom);
    return true;
  } finally {
    update({ busy: false });
  }
}

/** Opens a document that did not come from a file the user owns (a gallery template). */
export async function openTemplate(doc: GraphDocument): Promise<boolean> {
  if (!(await guardUnsaved())) return false;
  // No path: Save asks where to put the user's copy instead of writing over the template.
  documentStore.load(doc, null);
  reportOpened(doc.name, doc, [], undefined);
  return true;
}

/** After an open: the loader's notes and the graph's problems, or nothing when all is well. */
function reportOpened(name: string, doc: GraphDocument, loaderDiagnostics: readonly Diagnostic[], migratedFrom: number | undefined): void {
  const diagnostics = [...loaderDiagnostics, ...validateGraph(doc).diagnostics.filter((d) => d.severity === 'error')];
  if (diagnostics.length > 0) {
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    showNotice({
      tone: errors > 0 ? 'error' : 'warning',
      key: migratedFrom !== undefined ? 'files.opened.migratedProblems' : 'files.opened.problems',
      vars: { name, count: diagnostics.length, version: migratedFrom ?? '' },
      diagnostics,
    });
  } else if (migratedFrom !== undefined) {
    showNotice({ tone: 'info', key: 'files.opened.migrated', vars: { name, version: migratedFrom } });
  } else {
    dismissNotice();
  }
}

/** Saves to the document's file, or asks where when it has none. True when it was written. */
export async function save(titleForSaveAs = ''): Promise<boolean> {
  const { path } = documentStore.getSnapshot();
  if (path === null || (await isReadOnly(path))) return saveAs(titleForSaveAs);
  return writeTo(path);
}

export async function saveAs(title = ''): Promise<boolean> {
  const { document: doc, path } = documentStore.getSnapshot();
  const target = await pickSavePath(title, suggestedName(doc, path));
  if (target === null) return false;
  return writeTo(target);
}

async function writeTo(target: string): Promise<boolean> {
  const doc = documentStore.document;
  update({ busy: true });
  try {
    // The host writes a temporary file and renames it over the target: a failure leaves the
    // old file as it was, and the document stays open and dirty here — nothing is lost.
    const written = await getHost().files.write(target, serializeDocument(doc));
    if (documentStore.document === doc) documentStore.markSaved(written.path);
    clearAutosave(localStorage, currentAutosaveKey());
    void getHost().recent.add(written.path).catch(() => undefined);
    showNotice({ tone: 'info', key: 'files.saved', vars: { name: baseName(written.path) } });
    return true;
  } catch (error) {
    showNotice({ tone: 'error', key: 'files.error.save', vars: { name: baseName(target) }, detail: errorDetail(error) });
    return false;
  } finally {
    update({ busy: false });
  }
}

let readOnlyRoots: Promise<readonly string[]> | null = null;

/** True for files in a read-only root (the bundled examples): Save becomes Save as there. */
async function isReadOnly(path: string): Promise<boolean> {
  readOnlyRoots ??= getHost()
    .files.roots()
    .then((roots) => roots.filter((root) => !root.writable).map((root) => root.path))
    .catch(() => []);
  const roots = await readOnlyRoots;
  return roots.some((root) => path === root || path.startsWith(root.endsWith('/') || root.endsWith('\\') ? root : `${root}/`) || path.startsWith(`${root}\\`));
}

// ---------------------------------------------------------------------------------------------
// Autosave and recovery.

export function currentAutosaveKey(): string {
  // `location.host` is empty under file:// (Electron's packaged pages): one key for the app.
  return autosaveKey(location.host || 'app', window.name);
}

/** Starts autosave for this window and puts a leftover copy on offer. Returns the stop function. */
export function startAutosave(): () => void {
  const key = currentAutosaveKey();
  const leftover = readAutosave(localStorage, key);
  if (leftover !== null) update({ recovery: leftover });
  const watcher = watchAutosave(documentStore, localStorage, key, () => state.recovery !== null);
  const onPageHide = () => watcher.flush();
  window.addEventListener('pagehide', onPageHide);
  return () => {
    window.removeEventListener('pagehide', onPageHide);
    watcher.stop();
  };
}

/** Restores the offered copy as an unsaved edit of its file (Undo goes back to what was open). */
export function recover(): void {
  const record = state.recovery;
  if (record === null) return;
  update({ recovery: null });
  documentStore.load(documentStore.document, record.path);
  documentStore.apply(() => record.document);
}

export function discardRecovery(): void {
  update({ recovery: null });
  const snapshot = documentStore.getSnapshot();
  if (!snapshot.dirty) clearAutosave(localStorage, currentAutosaveKey());
}
