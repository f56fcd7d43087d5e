// The backend the user trains on (CPU or WebGPU): one choice for the whole window, remembered in
// localStorage, shared by the top bar's select and the training panel's, so the two never
// disagree.
import { useSyncExternalStore } from 'react';
import { TRAIN_BACKENDS, type TrainBackend } from '../../../engine/protocol/index.js';

const STORAGE_KEY = 'netwright.backend';
const listeners = new Set<() => void>();

function read(): TrainBackend {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved !== null && (TRAIN_BACKENDS as readonly string[]).includes(saved)) return saved as TrainBackend;
  } catch {
    // Storage can be unavailable; use the default.
  }
  return 'cpu';
}

let current: TrainBackend | null = null;

/** The chosen backend (read once from storage). */
export function savedBackend(): TrainBackend {
  current ??= read();
  return current;
}

export function chooseBackend(value: string): void {
  if (!(TRAIN_BACKENDS as readonly string[]).includes(value) || value === current) return;
  current = value as TrainBackend;
  try {
    localStorage.setItem(STORAGE_KEY, value);
  } catch {
    // Not persisting the choice is harmless.
  }
  for (const listener of [...listeners]) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useBackendChoice(): TrainBackend {
  return useSyncExternalStore(subscribe, savedBackend);
}
