// Whether the template gallery is open: a tiny external store so the top bar's button and the
// empty canvas's call to action (the editor's, via `openGallery()`) open the same dialog.
import { useSyncExternalStore } from 'react';

let open = false;
const listeners = new Set<() => void>();

function set(next: boolean): void {
  open = next;
  for (const listener of [...listeners]) listener();
}

export const openGallery = (): void => set(true);
export const closeGallery = (): void => set(false);

export function useGalleryOpen(): boolean {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => open,
  );
}
