// The debugger's shortcuts, as in VS Code and Visual Studio: F5 start / continue, Shift+F5 stop,
// Ctrl+Shift+F5 restart, F9 breakpoint, F10 step over, F11 step into, Shift+F11 step backward.
// Pure, so the mapping is unit-tested and the toolbar only dispatches.
import type { KeyLike } from '../editor/keyboard';

export type DebugCommand = 'start' | 'continue' | 'stop' | 'restart' | 'toggleBreakpoint' | 'stepOver' | 'stepInto' | 'stepBackward';

/** The shortcut of each command, for tooltips and aria-keyshortcuts. */
export const DEBUG_SHORTCUTS: Readonly<Record<DebugCommand, string>> = {
  start: 'F5',
  continue: 'F5',
  stop: 'Shift+F5',
  restart: 'Ctrl+Shift+F5',
  toggleBreakpoint: 'F9',
  stepOver: 'F10',
  stepInto: 'F11',
  stepBackward: 'Shift+F11',
};

export function debugCommandFor(event: KeyLike, active: boolean): DebugCommand | null {
  if (event.altKey || event.metaKey) return null;
  const ctrl = event.ctrlKey;
  const shift = event.shiftKey;
  switch (event.key) {
    case 'F5':
      if (!active) return ctrl || shift ? null : 'start';
      if (ctrl && shift) return 'restart';
      if (shift) return 'stop';
      return ctrl ? null : 'continue';
    case 'F9':
      return ctrl || shift ? null : 'toggleBreakpoint';
    case 'F10':
      return active && !ctrl && !shift ? 'stepOver' : null;
    case 'F11':
      if (!active || ctrl) return null;
      return shift ? 'stepBackward' : 'stepInto';
    default:
      return null;
  }
}
