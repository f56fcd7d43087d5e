// Which node type's help is showing: an external store so the palette's and inspector's "?"
// buttons (the editor's, via `openNodeHelp(type)`) and F1 on a selected node open one panel.
import { useSyncExternalStore } from 'react';

let current: string | null = null;
const listeners = new Set<() => void>();

function set(next: string | null): void {
  current = next;
  for (const listener of [...listeners]) listener();
}

/** Shows the help panel for a catalog node type (e.g. "Conv2D"). */
export const openNodeHelp = (type: string): void => set(type);
export const closeNodeHelp = (): void => set(null);

export function useNodeHelp(): string | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}
