// Editor actions that node components need (expanding a collapsed group from its block) but that
// must not travel in node data: data stays plain and comparable, so unchanged nodes keep their
// identity and skip re-rendering. Provided once by the editor through context.
import { createContext, useContext } from 'react';

export interface EditorActions {
  readonly setGroupCollapsed: (groupId: string, collapsed: boolean) => void;
}

export const EditorActionsContext = createContext<EditorActions | null>(null);

export function useEditorActions(): EditorActions {
  const actions = useContext(EditorActionsContext);
  if (!actions) throw new Error('useEditorActions must be used inside the editor');
  return actions;
}

/** "100,480": grouped digits the same way in both languages (Japanese uses the comma too). */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** 1.2M, 35.4k: FLOPs at a glance. */
export function formatCompact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
