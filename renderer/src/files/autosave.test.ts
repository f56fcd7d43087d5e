// Autosave rules: a dirty document is copied after the debounce, a save or open clears the
// copy, oversized documents are skipped, and a copy reads back through the document loader.
import { describe, expect, it } from 'vitest';
import { emptyDocument, type GraphDocument } from '../../../engine/protocol/index.js';
import { DocumentStore } from '../state/documentStore';
import { MAX_AUTOSAVE_CHARS, autosaveKey, readAutosave, watchAutosave, writeAutosave } from './autosave';

class MemoryStorage implements Storage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  clear() {
    this.items.clear();
  }
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  key(index: number) {
    return [...this.items.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

/** Timers the test fires by hand. */
function manualTimers() {
  let next: (() => void) | null = null;
  return {
    api: {
      setTimeout: (cb: () => void) => {
        next = cb;
        return 1;
      },
      clearTimeout: () => {
        next = null;
      },
    },
    fire: () => {
      const cb = next;
      next = null;
      cb?.();
    },
    pending: () => next !== null,
  };
}

const renamed = (name: string) => (doc: GraphDocument): GraphDocument => ({ ...doc, name });
const KEY = autosaveKey('localhost:1234');

describe('autosave', () => {
  it('writes a dirty document after the debounce and reads it back', () => {
    const storage = new MemoryStorage();
    const store = new DocumentStore();
    store.load(emptyDocument('graph'), '/docs/graph.netwright.json');
    const timers = manualTimers();
    watchAutosave(store, storage, KEY, () => false, timers.api);

    store.apply(renamed('edited'));
    expect(storage.getItem(KEY)).toBeNull();
    expect(timers.pending()).toBe(true);
    timers.fire();

    const record = readAutosave(storage, KEY);
    expect(record?.path).toBe('/docs/graph.netwright.json');
    expect(record?.document).toEqual(store.document);
  });

  it('clears the copy as soon as the document is saved', () => {
    const storage = new MemoryStorage();
    const store = new DocumentStore();
    const timers = manualTimers();
    watchAutosave(store, storage, KEY, () => false, timers.api);
    store.apply(renamed('edited'));
    timers.fire();
    expect(readAutosave(storage, KEY)).not.toBeNull();
    store.markSaved('/docs/a.netwright.json');
    expect(storage.getItem(KEY)).toBeNull();
  });

  it('keeps a copy on offer while recovery is undecided', () => {
    const storage = new MemoryStorage();
    writeAutosave(storage, KEY, null, { ...emptyDocument(), name: 'lost work' });
    const store = new DocumentStore();
    watchAutosave(store, storage, KEY, () => true, manualTimers().api);
    store.load(emptyDocument(), null);
    expect(readAutosave(storage, KEY)?.document.name).toBe('lost work');
  });

  it('skips documents over the size budget and ignores foreign records', () => {
    const storage = new MemoryStorage();
    const huge = { ...emptyDocument(), description: 'x'.repeat(MAX_AUTOSAVE_CHARS) };
    expect(writeAutosave(storage, KEY, null, huge)).toBe(false);
    expect(storage.getItem(KEY)).toBeNull();
    storage.setItem(KEY, '{"v":99}');
    expect(readAutosave(storage, KEY)).toBeNull();
    storage.setItem(KEY, 'not json');
    expect(readAutosave(storage, KEY)).toBeNull();
  });

  it('flush writes at once (for pagehide)', () => {
    const storage = new MemoryStorage();
    const store = new DocumentStore();
    const watcher = watchAutosave(store, storage, KEY, () => false, manualTimers().api);
    store.apply(renamed('edited'));
    watcher.flush();
    expect(readAutosave(storage, KEY)?.document.name).toBe('edited');
  });
});
