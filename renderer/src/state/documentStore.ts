// The renderer's source of truth for the open graph: the document, its undo/redo history, and
// whether it differs from what was last saved. Every edit goes through `apply`, so undo, the
// dirty flag, autosave and validation all see the same stream of changes. React reads it with
// `useDocument()` (useSyncExternalStore); nothing here knows about React Flow.

import { useSyncExternalStore } from 'react';
import { emptyDocument, type GraphDocument } from '../../../engine/protocol/index.js';

/** How many edits undo can walk back (issue #6 asks for at least 100). */
export const HISTORY_LIMIT = 200;

export interface DocumentState {
  readonly document: GraphDocument;
  /** True when the document differs from the last save (or load). */
  readonly dirty: boolean;
  /** Where the document was last opened from or saved to; null for a new document. */
  readonly path: string | null;
  readonly canUndo: boolean;
  readonly canRedo: boolean;
  /** Bumped on every change, for cheap "did anything change" checks (autosave). */
  readonly revision: number;
  /** Bumped by `load` only: the editor fits the view and clears its selection when a new document opens. */
  readonly generation: number;
}

type Listener = () => void;

export class DocumentStore {
  private past: GraphDocument[] = [];
  private future: GraphDocument[] = [];
  private saved: GraphDocument;
  private state: DocumentState;
  private readonly listeners = new Set<Listener>();

  constructor(initial: GraphDocument = emptyDocument()) {
    this.saved = initial;
    this.state = { document: initial, dirty: false, path: null, canUndo: false, canRedo: false, revision: 0, generation: 0 };
  }

  getSnapshot = (): DocumentState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get document(): GraphDocument {
    return this.state.document;
  }

  /**
   * Applies one edit as one undo step. `edit` returns the new document (never mutate the old
   * one: history keeps references). Returning the same object records nothing.
   */
  apply(edit: (doc: GraphDocument) => GraphDocument): void {
    const before = this.state.document;
    const after = edit(before);
    if (after === before) return;
    this.past.push(before);
    if (this.past.length > HISTORY_LIMIT) this.past.shift();
    this.future = [];
    this.set(after);
  }

  /**
   * Replaces the document without an undo step — for changes that are not user edits
   * (node positions while a drag is in progress, say, before the drag's one undo step).
   */
  replace(doc: GraphDocument): void {
    if (doc !== this.state.document) this.set(doc);
  }

  /** How many undo and redo steps are held (tests and the history limit). */
  get historySize(): { readonly undo: number; readonly redo: number } {
    return { undo: this.past.length, redo: this.future.length };
  }

  undo(): void {
    const previous = this.past.pop();
    if (!previous) return;
    this.future.push(this.state.document);
    this.set(previous);
  }

  redo(): void {
    const next = this.future.pop();
    if (!next) return;
    this.past.push(this.state.document);
    this.set(next);
  }

  /** Opens a document: clears history; it counts as saved (at `path`, when it came from a file). */
  load(doc: GraphDocument, path: string | null = null): void {
    this.past = [];
    this.future = [];
    this.saved = doc;
    this.state = { ...this.state, path, generation: this.state.generation + 1 };
    this.set(doc);
  }

  /** Records that the current document was written to `path`. */
  markSaved(path: string | null = this.state.path): void {
    this.saved = this.state.document;
    this.state = { ...this.state, path };
    this.set(this.state.document);
  }

  private set(doc: GraphDocument): void {
    this.state = {
      document: doc,
      dirty: doc !== this.saved,
      path: this.state.path,
      canUndo: this.past.length > 0,
      canRedo: this.future.length > 0,
      revision: this.state.revision + 1,
      generation: this.state.generation,
    };
    for (const listener of this.listeners) listener();
  }
}

/** The one store of this window. */
export const documentStore = new DocumentStore();

export function useDocument(store: DocumentStore = documentStore): DocumentState {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
