// The document store: one undo step per apply, at most HISTORY_LIMIT of them, redo cleared by a
// new edit, dirty relative to the last save or load, and no step for an edit that changes nothing.
import { describe, expect, it } from 'vitest';
import { emptyDocument, type GraphDocument } from '../../../engine/protocol/index.js';
import { DocumentStore, HISTORY_LIMIT } from './documentStore';

const rename = (name: string) => (doc: GraphDocument): GraphDocument => ({ ...doc, name });

describe('DocumentStore', () => {
  it('undoes and redoes edits and clears redo on a new edit', () => {
    const store = new DocumentStore();
    store.apply(rename('a'));
    store.apply(rename('b'));
    store.undo();
    expect(store.document.name).toBe('a');
    expect(store.getSnapshot().canRedo).toBe(true);
    store.redo();
    expect(store.document.name).toBe('b');
    store.undo();
    store.apply(rename('c'));
    expect(store.getSnapshot().canRedo).toBe(false);
  });

  it(`keeps the last ${HISTORY_LIMIT} steps (at least 100)`, () => {
    expect(HISTORY_LIMIT).toBeGreaterThanOrEqual(100);
    const store = new DocumentStore();
    for (let i = 0; i < HISTORY_LIMIT + 50; i++) store.apply(rename(`v${i}`));
    expect(store.historySize.undo).toBe(HISTORY_LIMIT);
    for (let i = 0; i < HISTORY_LIMIT + 10; i++) store.undo();
    expect(store.document.name).toBe('v49');
    expect(store.getSnapshot().canUndo).toBe(false);
  });

  it('records nothing for an edit that returns the same document', () => {
    const store = new DocumentStore();
    const before = store.getSnapshot().revision;
    store.apply((doc) => doc);
    expect(store.getSnapshot().revision).toBe(before);
    expect(store.getSnapshot().canUndo).toBe(false);
  });

  it('is dirty relative to the last save, and clean again after undoing back to it', () => {
    const store = new DocumentStore();
    store.load(emptyDocument('loaded'), '/tmp/x.netwright.json');
    expect(store.getSnapshot()).toMatchObject({ dirty: false, canUndo: false, path: '/tmp/x.netwright.json', generation: 1 });
    store.apply(rename('edited'));
    expect(store.getSnapshot().dirty).toBe(true);
    store.undo();
    expect(store.getSnapshot().dirty).toBe(false);
    store.redo();
    store.markSaved();
    expect(store.getSnapshot().dirty).toBe(false);
  });

  it('replace changes the document without an undo step', () => {
    const store = new DocumentStore();
    let calls = 0;
    store.subscribe(() => calls++);
    store.replace(rename('live')(store.document));
    expect(store.document.name).toBe('live');
    expect(store.getSnapshot().canUndo).toBe(false);
    expect(calls).toBe(1);
  });
});
