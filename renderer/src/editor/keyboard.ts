// Editor shortcuts, as people know them from Figma and VS Code. Pure: maps a key event to a
// command, so the mapping is unit-tested and the editor only dispatches. Ctrl/Cmd+S belongs to
// the file commands (renderer/src/files), so it is deliberately not mapped here.

export type EditorCommand = 'undo' | 'redo' | 'copy' | 'paste' | 'selectAll' | 'group' | 'delete' | 'fitView' | 'layout';

export interface KeyLike {
  readonly key: string;
  readonly code?: string;
  readonly ctrlKey: boolean;
  readonly metaKey: boolean;
  readonly shiftKey: boolean;
  readonly altKey: boolean;
}

export function commandFor(event: KeyLike): EditorCommand | null {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (mod && !event.altKey) {
    if (key === 'z') return event.shiftKey ? 'redo' : 'undo';
    if (key === 'y') return 'redo';
    if (key === 'c' && !event.shiftKey) return 'copy';
    if (key === 'v' && !event.shiftKey) return 'paste';
    if (key === 'a' && !event.shiftKey) return 'selectAll';
    if (key === 'g' && !event.shiftKey) return 'group';
    return null;
  }
  if (event.altKey) return null;
  if (key === 'delete' || key === 'backspace') return 'delete';
  // Shift+1 by physical key: on most layouts Shift+1 types "!", on a Japanese one too.
  if (event.shiftKey && (event.code === 'Digit1' || key === '!')) return 'fitView';
  if (event.shiftKey && key === 'l') return 'layout';
  return null;
}

/** Keys typed into a field are text, never editor commands. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (typeof HTMLElement === 'undefined' || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return type !== 'checkbox' && type !== 'radio' && type !== 'button';
}
