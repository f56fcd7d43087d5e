// A small, explicit test API on `window.__netwrightTest` for the e2e specs (tldraw's fixtures do
// the same): load and read the editor's document, and see the engine's status and process id.
// It can do nothing the UI cannot (it is this page's own state), so it is always present.
import { loadParsed, type GraphDocument } from '../../engine/protocol/index.js';
import type { EditorHandle } from './editor/Editor';
import { getEngine, type EngineStatus } from './host';

export interface NetwrightTestApi {
  /** Loads a graph document (an object or JSON text) into the editor; throws if it cannot be read. */
  loadDocument(document: unknown): void;
  /** The document on the canvas now. */
  getDocument(): GraphDocument | null;
  /** Selected node ids on the canvas (a collapsed group as `group:<id>`). */
  getSelection(): string[];
  engineStatus(): EngineStatus;
  /** The engine process's pid, while connected. */
  enginePid(): number | null;
  /** The training run's state as the engine last reported it. */
  trainingState(): string | null;
}

declare global {
  interface Window {
    __netwrightTest?: NetwrightTestApi;
  }
}

export function installTestApi(editor: () => EditorHandle | null): () => void {
  const api: NetwrightTestApi = {
    loadDocument(document) {
      const loaded = loadParsed(typeof document === 'string' ? (JSON.parse(document) as unknown) : document);
      if (loaded.document === undefined) throw new Error(loaded.diagnostics[0]?.message.en ?? 'not a graph document');
      const handle = editor();
      if (handle === null) throw new Error('the editor is not mounted');
      handle.loadDocument(loaded.document);
    },
    getDocument: () => editor()?.getDocument() ?? null,
    getSelection: () => editor()?.getSelection() ?? [],
    engineStatus: () => getEngine().getSnapshot().status,
    enginePid: () => getEngine().getSnapshot().pid,
    trainingState: () => getEngine().getSnapshot().training?.state ?? null,
  };
  window.__netwrightTest = api;
  return () => {
    if (window.__netwrightTest === api) delete window.__netwrightTest;
  };
}
