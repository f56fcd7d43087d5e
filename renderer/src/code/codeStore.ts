// Whether the code panel is open: a tiny external store, so the top bar's toggle and the panel
// (portalled to <body>) share it without prop drilling.
import { useSyncExternalStore } from 'react';

let open = false;
const listeners = new Set<() => void>();

function set(next: boolean): void {
  if (open === next) return;
  open = next;
  for (const listener of [...listeners]) listener();
}

export const openCodePanel = (): void => set(true);
export const closeCodePanel = (): void => set(false);
export const toggleCodePanel = (): void => set(!open);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useCodePanelOpen(): boolean {
  return useSyncExternalStore(subscribe, () => open);
}
